//! How an applied change answers over REST: its status and JSON body. The actions answer typed
//! outcomes; this is the one place they become HTTP (the sync push turns them into mutation
//! results instead).

use axum::http::StatusCode;
use serde_json::Value;
use theset_shared::api::{Prediction, SetlistVersion, StartedSetlist};

use crate::actions::voting::{Added, Voted};
use crate::error::{AppError, AppResult};

pub(super) trait Reply {
    fn reply(self) -> AppResult<(StatusCode, Value)>;
}

fn json(v: &impl serde::Serialize) -> AppResult<Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))
}

impl Reply for Added {
    fn reply(self) -> AppResult<(StatusCode, Value)> {
        let status = match self {
            Self::Created(_) => StatusCode::CREATED,
            Self::Existing(_) => StatusCode::OK,
        };
        Ok((status, json(self.totals())?))
    }
}

impl Reply for Voted {
    fn reply(self) -> AppResult<(StatusCode, Value)> {
        Ok((StatusCode::OK, json(&self.totals)?))
    }
}

impl Reply for Prediction {
    fn reply(self) -> AppResult<(StatusCode, Value)> {
        Ok((StatusCode::OK, json(&self)?))
    }
}

impl Reply for SetlistVersion {
    fn reply(self) -> AppResult<(StatusCode, Value)> {
        Ok((StatusCode::OK, json(&self)?))
    }
}

impl Reply for StartedSetlist {
    fn reply(self) -> AppResult<(StatusCode, Value)> {
        Ok((StatusCode::CREATED, json(&self)?))
    }
}
