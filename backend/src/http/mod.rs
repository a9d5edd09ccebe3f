//! The HTTP surface: every route under `/api/v1`, JSON errors everywhere, limits and tracing.

mod access;
mod actuals;
mod admin;
mod artist_links;
mod artists;
mod attendance;
mod auth;
mod caching;
mod comments;
mod discovery;
mod docs;
mod event_streams;
mod extract;
mod follows;
mod health;
mod imports;
mod jobs;
mod library;
mod moderation;
mod notifications;
mod outcomes;
mod oversight;
mod pages;
mod pagination;
mod profile;
mod search;
mod security;
mod show_events;
mod shows;
mod sync;
mod telemetry;
mod venues;
mod voting;
pub mod web;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use theset_shared::api::API_PREFIX;
use theset_shared::{ErrorBody, ErrorCode};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use docs::ApiDoc;

use crate::AppState;

/// Largest request body any route accepts; routes that take uploads raise it locally.
const BODY_LIMIT: usize = 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Avatar uploads: 2 MB of image and a little room for nothing else.
const UPLOAD_LIMIT: usize = crate::auth::avatar::MAX_BYTES;

pub fn router(state: AppState) -> Router {
    // Before the first request: what is recorded before a recorder exists is lost.
    let _ = crate::telemetry::handle();
    let cors = security::cors(&state.auth.cors_origins);
    let api = Router::new()
        .merge(artists::router())
        .merge(artist_links::router())
        .merge(library::router())
        .merge(shows::router())
        .merge(venues::router())
        .merge(search::router())
        .merge(imports::router())
        .merge(jobs::router())
        .merge(admin::router())
        .merge(auth::router())
        .merge(profile::router())
        .merge(follows::router())
        .merge(attendance::router())
        .merge(discovery::router())
        .merge(moderation::router())
        .merge(voting::router())
        .merge(show_events::router())
        .merge(actuals::router())
        .merge(comments::router())
        .merge(notifications::router())
        .merge(oversight::router())
        .merge(sync::router())
        .merge(docs::router())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(
            profile::upload_router()
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
                .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT)),
        )
        .merge(
            sync::push_router()
                .layer(axum::extract::DefaultBodyLimit::max(sync::PUSH_LIMIT))
                .layer(RequestBodyLimitLayer::new(sync::PUSH_LIMIT)),
        )
        // After routing, so each request is counted under its route's template.
        .route_layer(middleware::from_fn(telemetry::record));
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(telemetry::scrape))
        .merge(pages::router())
        .merge(web::router())
        .nest(API_PREFIX, api)
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(caching::revalidate))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn(event_streams::unbuffered))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Every request gets an id (a proxy's `x-request-id` is kept), carried on its log span and
    // echoed in the answer, so one request is found across a proxy's and our logs.
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Path segments that are credentials themselves: the calendar feed's secret address. Kept out
/// of every log line (a request span's fields appear on each event inside it).
const SECRET_SEGMENTS: &[&str] = &["/api/v1/calendar/"];

/// `path` as logs may carry it: a secret segment is replaced by `{secret}`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_SEGMENTS {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}{{secret}}{tail}").into();
        }
    }
    path.into()
}

const REQUEST_ID: axum::http::HeaderName = axum::http::HeaderName::from_static("x-request-id");

async fn route_not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        ErrorCode::RouteNotFound,
        "no such route",
    )
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    )
}

fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (status, Json(ErrorBody::new(code, message))).into_response()
}

/// Turns the plain-text errors that tower layers produce (413, 408, 415…) into our JSON body,
/// so clients meet one error format whatever layer refused the request.
async fn json_errors(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    // JSON errors are ours already; HTML errors are pages a person reads (OAuth callback).
    let ours = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || ours {
        return res;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "request body too large"),
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::Timeout, "request timed out"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorCode::UnsupportedMediaType, "unsupported content type")
        }
        StatusCode::NOT_FOUND => (ErrorCode::RouteNotFound, "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "method not allowed on this route",
        ),
        s if s.is_client_error() => (ErrorCode::InvalidParameter, "bad request"),
        _ => (ErrorCode::Internal, "internal error"),
    };
    error_response(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn calendar_secrets_never_reach_a_log_line() {
        assert_eq!(
            loggable_path("/api/v1/calendar/abcDEF123.ics"),
            "/api/v1/calendar/{secret}"
        );
        assert_eq!(
            loggable_path("/api/v1/calendar/abc/x"),
            "/api/v1/calendar/{secret}/x"
        );
        assert_eq!(loggable_path("/api/v1/calendar/"), "/api/v1/calendar/");
        assert_eq!(loggable_path("/api/v1/me/calendar"), "/api/v1/me/calendar");
        assert_eq!(loggable_path("/api/v1/shows/1"), "/api/v1/shows/1");
    }
}
