//! What a signed-in user can change, whichever door the change comes through: a REST route or a
//! mutation in a sync push. Each action validates its input, checks what the user may do and
//! writes in the caller's transaction; it answers the status and body the REST route sends, so
//! a pushed mutation's result is exactly what the route would have said.

pub mod accounts;
pub mod follows;
pub mod setlists;
pub mod voting;

use axum::http::StatusCode;
use serde_json::Value;

use crate::error::{AppError, AppResult};

/// The status and JSON body of an applied action.
pub type Done = (StatusCode, Value);

pub(crate) fn json<T: serde::Serialize>(v: &T) -> AppResult<Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))
}

pub(crate) fn bad_body(message: impl Into<String>) -> AppError {
    AppError::BadRequest {
        code: theset_shared::ErrorCode::InvalidBody,
        message: message.into(),
    }
}
