//! Operator routes: start any job by hand (`POST /api/v1/admin/jobs`).
//!
//! Until accounts and roles exist, the [`Operator`] extractor admits a request only with
//! `Authorization: Bearer <THESET_ADMIN_TOKEN>` (at least 16 characters, compared in constant
//! time); with no token configured every request is refused. The accounts work replaces the extractor with the admin
//! role check, in this one place.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use theset_shared::api::JobRef;
use uuid::Uuid;

use super::extract::ApiJson;
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::jobs::{Named, enqueue_artist_job, enqueue_cron_job, job_by_name};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/jobs", post(start_job))
}

/// A caller allowed to operate the service.
pub struct Operator;

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let expected = state.admin_token.as_deref().filter(|t| t.len() >= 16);
        let given = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (expected, given) {
            (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()) => Ok(Self),
            _ => Err(AppError::Unauthorized),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartJob {
    /// `shows`, `catalogue`, `setlists` (with `artist_id`), or `active`, `trending`, `weekly`.
    job: String,
    artist_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/admin/jobs", tag = "jobs", request_body = StartJob,
    responses((status = 202, body = JobRef), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn start_job(
    _: Operator,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<StartJob>,
) -> AppResult<(StatusCode, Json<JobRef>)> {
    let named = job_by_name(&req.job).ok_or_else(|| {
        AppError::invalid_parameter(
            "job must be shows, catalogue, setlists, active, trending or weekly",
        )
    })?;
    let (id, job_type) = match (named, req.artist_id) {
        (Named::Artist(job_type), Some(artist)) => {
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM artists WHERE id = $1)")
                    .bind(artist)
                    .fetch_one(&state.db)
                    .await?;
            if !exists {
                return Err(AppError::not_found("artist"));
            }
            (
                enqueue_artist_job(&state.db, job_type, artist, 20).await?,
                job_type,
            )
        }
        (Named::Artist(_), None) => {
            return Err(AppError::invalid_parameter("this job needs artist_id"));
        }
        (Named::Cron(job_type), None) => (enqueue_cron_job(&state.db, job_type).await?, job_type),
        (Named::Cron(_), Some(_)) => {
            return Err(AppError::invalid_parameter("this job takes no artist_id"));
        }
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(JobRef {
            id,
            job_type: job_type.to_owned(),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
