//! `POST /api/v1/artists/import`: phase 1 of an import. Creates the artist from the Ticketmaster
//! hit at once (from the search cache, or one attraction request), answers with its page, and
//! queues phase 2 (shows) and phase 3 (catalogue), whose progress streams on
//! `GET /api/v1/jobs/{id}/events` and `GET /api/v1/artists/{slug}/import/events`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use theset_shared::api::{ImportRequest, ImportResponse};

use super::access::{ClientIp, VerifiedUser, limited};
use super::extract::ApiJson;
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::error::{AppError, AppResult};
use crate::import::{ImportError, phase_one};

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
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "`email_unverified`"),
              (status = 404, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody),
              (status = 502, body = theset_shared::ErrorBody),
              (status = 503, body = theset_shared::ErrorBody, description = "`upstream_busy`: retry after `Retry-After`")))]
pub async fn import(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiJson(req): ApiJson<ImportRequest>,
) -> AppResult<(StatusCode, Json<ImportResponse>)> {
    let tm_id = req.ticketmaster_id.trim();
    if !valid_ticketmaster_id(tm_id) {
        return Err(AppError::BadRequest {
            code: theset_shared::ErrorCode::InvalidBody,
            message: "ticketmaster_id must be 1 to 64 letters, digits, '-' or '_'".into(),
        });
    }
    limited(&state, Bucket::Search, ip, None).await?;
    // Each import queues work against three providers' shared quotas.
    limited(
        &state,
        Bucket::Import,
        ip,
        Some(&caller.user_id.to_string()),
    )
    .await?;
    let started = match phase_one(&state, tm_id).await {
        Ok(s) => s,
        Err(ImportError::NotFound) => return Err(AppError::not_found("Ticketmaster artist")),
        Err(ImportError::Busy(wait)) => return Err(AppError::UpstreamBusy(wait)),
        Err(ImportError::Upstream(e)) => return Err(AppError::Upstream(e)),
        Err(ImportError::Database(e)) => return Err(e.into()),
    };
    let artist = crate::views::artist_page::detail(&state.db, &started.slug).await?;
    let status = if started.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ImportResponse {
            artist,
            jobs: started.jobs,
            created: started.created,
        }),
    ))
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
