//! "I'm going": `GET /api/v1/me/going`, `PUT|DELETE /api/v1/me/going/{show_id}`; the private
//! calendar feed of those shows: `POST|DELETE /api/v1/me/calendar` (make a new secret address,
//! which revokes the old; revoke) and `GET /api/v1/calendar/{secret}.ics` (what a calendar app
//! subscribes to: the secret is the credential, so it answers 404 alike for a wrong or revoked
//! one).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use theset_shared::api::{CalendarFeed, Going, GoingRequest, ShowStatus};
use theset_shared::sync::Action;
use uuid::Uuid;

use super::access::{AuthUser, ClientIp, limited};
use super::extract::{ApiJson, ApiPath};
use super::outcomes::change_status;
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::tokens;
use crate::db::attendance as db;
use crate::error::{AppError, AppResult};

/// Shows listed by `GET /me/going`.
const GOING_LIST: i64 = 200;
/// A timed show's length in calendars (a show without a start time is an all-day event: its
/// venue's zone is not known).
const SHOW_HOURS: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/going", get(list))
        .route("/me/going/{id}", put(going).delete(not_going))
        .route("/me/calendar", post(new_feed).delete(revoke_feed))
        .route("/calendar/{secret}", get(feed))
}

#[utoipa::path(get, path = "/api/v1/me/going", tag = "profile",
    responses((status = 200, body = [Going]), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<Vec<Going>>> {
    let mut tx = crate::db::private::acting(&state.db, caller.user_id).await?;
    let rows = db::going(&mut *tx, caller.user_id, false, GOING_LIST).await?;
    tx.commit().await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Going {
                show: r.show.into(),
                public: r.public,
            })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/me/going/{id}", tag = "profile", request_body = GoingRequest,
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 201), (status = 204), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn going(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<GoingRequest>,
) -> AppResult<StatusCode> {
    let action = Action::Attend {
        show_id: show,
        going: true,
        public: req.public,
    };
    change_status(&state, ip, &caller, &action).await
}

#[utoipa::path(delete, path = "/api/v1/me/going/{id}", tag = "profile",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn not_going(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let action = Action::Attend {
        show_id: show,
        going: false,
        public: false,
    };
    change_status(&state, ip, &caller, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "profile",
    responses((status = 201, body = CalendarFeed), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn new_feed(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<(StatusCode, Json<CalendarFeed>)> {
    let secret = tokens::new_token();
    db::set_feed(&state.db, caller.user_id, &tokens::digest(&secret)).await?;
    let url = state
        .auth
        .public_url
        .join(&format!(
            "{}/calendar/{secret}.ics",
            theset_shared::api::API_PREFIX.trim_start_matches('/')
        ))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeed {
            url: url.to_string(),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/me/calendar", tag = "profile",
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<StatusCode> {
    db::drop_feed(&state.db, caller.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/calendar/{secret}", tag = "profile",
    params(("secret" = String, Path, description = "The feed's secret, with or without `.ics`")),
    responses((status = 200, content_type = "text/calendar", description = "The shows the fan is going to"),
              (status = 404, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(secret): ApiPath<String>,
) -> AppResult<Response> {
    // Guessing costs a request of the network's budget; a well-formed guess one lookup.
    limited(&state, Bucket::Search, ip, None).await?;
    let secret = secret.strip_suffix(".ics").unwrap_or(&secret);
    if !tokens::well_formed(secret) {
        return Err(AppError::not_found("calendar"));
    }
    let user = db::feed_owner(&state.db, &tokens::digest(secret))
        .await?
        .ok_or(AppError::not_found("calendar"))?;
    // The secret named the fan; their rows are read as them.
    let mut tx = crate::db::private::acting(&state.db, user).await?;
    let shows = db::calendar(&mut *tx, user).await?;
    tx.commit().await?;
    let web = state.auth.public_url.clone();
    let mut cal = Calendar::new();
    cal.name("TheSet: shows I'm going to");
    for row in shows {
        let show = row.show;
        let mut event = Event::new();
        let title = match &show.name {
            Some(name) if !name.is_empty() => format!("{} — {name}", show.artist.artist_name),
            _ => show.artist.artist_name.clone(),
        };
        event
            .uid(&format!("show-{}@theset", show.id))
            .summary(&title)
            .timestamp(row.updated_at)
            .last_modified(row.updated_at);
        match show.starts_at {
            Some(at) => {
                event
                    .starts(at)
                    .ends(at + chrono::Duration::hours(SHOW_HOURS));
            }
            None => {
                event.all_day(show.date);
            }
        }
        let place: Vec<&str> = [show.venue_name.as_deref(), show.venue_city.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !place.is_empty() {
            event.location(&place.join(", "));
        }
        if let Some(tour) = &row.tour_name {
            event.description(tour);
        }
        if let Ok(url) = web.join(&format!("app/shows/{}", show.id)) {
            event.url(url.as_str());
        }
        event.status(if show.status == ShowStatus::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
        cal.push(event.done());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // Private: a shared cache must never keep one fan's calendar.
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        cal.done().to_string(),
    )
        .into_response())
}
