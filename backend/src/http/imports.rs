//! `POST /api/v1/artists/import`: phase 1 of an import. Creates the artist from the Ticketmaster
//! hit at once (from the search cache, or one attraction request), answers with its page, and
//! queues phase 2 (shows) and phase 3 (catalogue), whose progress streams on
//! `GET /api/v1/jobs/{id}/events` and `GET /api/v1/artists/{slug}/import/events`.
//!
//! Anyone may import — a visitor who searched an artist not held yet sees its page at once, as a
//! fan does — within the budgets: per network, per account when signed in, and a new artist spends
//! one of the day's share of upstream calls people may cause (`auth::limits::daily`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use theset_shared::api::{ImportRequest, ImportResponse};

use super::access::{ClientIp, MaybeUser, limited};
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
              (status = 404, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody),
              (status = 502, body = theset_shared::ErrorBody),
              (status = 503, body = theset_shared::ErrorBody, description = "`upstream_busy`: the service is busy, or today's share of calls people may cause is spent; retry after `Retry-After`")))]
pub async fn import(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeUser(caller): MaybeUser,
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
    let account = caller.as_ref().map(|c| c.user_id.to_string());
    limited(&state, Bucket::Import, ip, account.as_deref()).await?;
    if crate::db::artists::by_ticketmaster_id(&state.db, tm_id)
        .await?
        .is_none()
        && !state
            .auth
            .limits
            .spend_daily(crate::auth::limits::Quota::PeopleUpstream)
            .await
    {
        return Err(AppError::UpstreamBusy(until_tomorrow()));
    }
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

/// How long until the day's share of upstream calls comes back (the next UTC midnight).
fn until_tomorrow() -> std::time::Duration {
    let now = chrono::Utc::now();
    let midnight = (now.date_naive() + chrono::Duration::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    (midnight - now).to_std().unwrap_or_default()
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
