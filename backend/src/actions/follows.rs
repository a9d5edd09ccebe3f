//! Following and unfollowing artists (idempotent both ways).

use axum::http::StatusCode;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Done;
use crate::db::follows;
use crate::error::{AppError, AppResult};

pub async fn set(tx: &mut PgConnection, user: Uuid, artist: Uuid, follow: bool) -> AppResult<Done> {
    if !follow {
        follows::unfollow(&mut *tx, user, artist).await?;
        return Ok((StatusCode::NO_CONTENT, serde_json::Value::Null));
    }
    match follows::follow(&mut *tx, user, artist).await? {
        None => Err(AppError::not_found("artist")),
        Some(true) => Ok((StatusCode::CREATED, serde_json::Value::Null)),
        Some(false) => Ok((StatusCode::NO_CONTENT, serde_json::Value::Null)),
    }
}
