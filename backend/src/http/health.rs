//! `GET /healthz` (the process answers) and `GET /readyz` (database reachable and migrated).

use axum::Json;
use axum::extract::State;
use theset_shared::api::Health;

use crate::AppState;
use crate::error::{AppError, AppResult};

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        migration: None,
    })
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = theset_shared::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<Json<Health>> {
    let expected = crate::MIGRATOR.iter().map(|m| m.version).max();
    let applied = crate::db::schema::applied_version(&state.db)
        .await
        .map_err(|e| AppError::NotReady(e.to_string()))?;
    if applied < expected {
        return Err(AppError::NotReady(format!(
            "migrations behind: applied {applied:?}, expected {expected:?}"
        )));
    }
    Ok(Json(Health {
        status: "ready".into(),
        migration: applied,
    }))
}
