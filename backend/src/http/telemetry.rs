//! `GET /metrics` (Prometheus text format) and the request metrics every API answer records.
//! Scrapes are allowed with `Authorization: Bearer <THESET_METRICS_TOKEN>` when that is set;
//! otherwise only from loopback and never through a proxy (a request carrying forwarded
//! headers came through one, and a proxy on this host would make everyone look local).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::AppState;

fn allowed(state: &AppState, peer: Option<std::net::SocketAddr>, h: &HeaderMap) -> bool {
    match &state.auth.metrics_token {
        Some(token) => h
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes()))),
        None => {
            let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"]
                .iter()
                .any(|name| h.contains_key(*name));
            !proxied && peer.is_some_and(|p| p.ip().is_loopback())
        }
    }
}

pub async fn scrape(State(state): State<AppState>, req: Request<Body>) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    if !allowed(&state, peer, req.headers()) {
        // Indistinguishable from a route that does not exist.
        return crate::error::AppError::not_found("route").into_response();
    }
    let Some(handle) = crate::telemetry::handle() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    crate::telemetry::scrape_gauges(&state.db).await;
    (
        [
            (header::CONTENT_TYPE, "text/plain; version=0.0.4"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}

/// Counts every API request and times it, by route template (not the raw path: ids would make
/// a series per artist), method and status.
pub async fn record(req: Request<Body>, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    res
}
