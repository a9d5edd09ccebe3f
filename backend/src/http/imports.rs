//! `POST /api/v1/artists/import`: phase 1 of an import. Creates the artist from the Ticketmaster
//! hit at once (from the search cache, or one attraction request), answers with its page, and
//! queues phase 2 (shows) and phase 3 (catalogue), whose progress streams on
//! `GET /api/v1/jobs/{id}/events` and `GET /api/v1/artists/{slug}/import/events`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use theset_shared::api::{ImportRequest, ImportResponse, JobRef};

use super::artists::detail;
use super::extract::ApiJson;
use crate::AppState;
use crate::db::artists as artists_db;
use crate::db::upsert;
use crate::error::{AppError, AppResult};
use crate::jobs::{enqueue_artist_job, types};
use crate::providers::ProviderError;

pub fn router() -> Router<AppState> {
    Router::new().route("/artists/import", post(import))
}

fn valid_ticketmaster_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[utoipa::path(post, path = "/api/v1/artists/import", tag = "artists", request_body = ImportRequest,
    responses((status = 201, body = ImportResponse, description = "artist created, phases 2–3 queued"),
              (status = 200, body = ImportResponse, description = "artist already held"),
              (status = 400, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 502, body = theset_shared::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ImportRequest>,
) -> AppResult<(StatusCode, Json<ImportResponse>)> {
    let tm_id = req.ticketmaster_id.trim();
    if !valid_ticketmaster_id(tm_id) {
        return Err(AppError::BadRequest {
            code: theset_shared::ErrorCode::InvalidBody,
            message: "ticketmaster_id must be 1 to 64 letters, digits, '-' or '_'".into(),
        });
    }
    let (artist_id, slug, created) = match artists_db::by_ticketmaster_id(&state.db, tm_id).await? {
        Some((id, slug)) => (id, slug, false),
        None => {
            let attraction = match state.attractions.get(tm_id).await {
                Some(a) => a,
                None => {
                    let tm = state.providers.ticketmaster.as_ref().ok_or_else(|| {
                        AppError::Upstream("Ticketmaster is not configured".into())
                    })?;
                    match tm.attraction(tm_id).await {
                        Ok(a) => a,
                        Err(ProviderError::NotFound { .. }) => {
                            return Err(AppError::not_found("Ticketmaster artist"));
                        }
                        Err(e) => return Err(AppError::Upstream(e.to_string())),
                    }
                }
            };
            let mut conn = state.db.acquire().await?;
            let id = upsert::artists::from_attraction(&mut conn, &attraction, None).await?;
            let (_, slug) = artists_db::by_ticketmaster_id(&mut *conn, tm_id)
                .await?
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("artist vanished after insert"))
                })?;
            (id, slug, true)
        }
    };
    // Queued for new artists, and re-queued (deduplicated) for known ones whose data is stale.
    let mut jobs = Vec::new();
    for (job_type, priority) in [(types::ARTIST_SHOWS, 10), (types::ARTIST_CATALOGUE, 5)] {
        if created || stale(&state, artist_id, job_type).await? {
            let id = enqueue_artist_job(&state.db, job_type, artist_id, priority).await?;
            jobs.push(JobRef {
                id,
                job_type: job_type.to_owned(),
            });
        }
    }
    let artist = detail(&state.db, &slug).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ImportResponse {
            artist,
            jobs,
            created,
        }),
    ))
}

/// Whether a known artist's phase has never completed (e.g. a supporting act met on a line-up).
async fn stale(state: &AppState, artist_id: uuid::Uuid, job_type: &str) -> sqlx::Result<bool> {
    let column = if job_type == types::ARTIST_SHOWS {
        "ticketmaster_synced_at"
    } else {
        "catalogue_synced_at"
    };
    sqlx::query_scalar(&format!(
        "SELECT {column} IS NULL FROM artists WHERE id = $1"
    ))
    .bind(artist_id)
    .fetch_one(&state.db)
    .await
}

#[cfg(test)]
mod tests {
    use super::valid_ticketmaster_id;

    #[test]
    fn ticketmaster_ids() {
        assert!(valid_ticketmaster_id("K8vZ9171ob7"));
        assert!(!valid_ticketmaster_id(""));
        assert!(!valid_ticketmaster_id("../etc/passwd"));
        assert!(!valid_ticketmaster_id("a b"));
        assert!(!valid_ticketmaster_id(&"a".repeat(65)));
    }
}
