//! Ticketmaster Discovery v2, replayed.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, Shared, items, not_found, param, status};

fn tm_unauthorized(q: &HashMap<String, String>) -> Option<Response> {
    q.get("apikey").is_none_or(|k| k.is_empty()).then(|| {
        status(
            StatusCode::UNAUTHORIZED,
            json!({ "fault": { "faultstring": "Invalid ApiKey", "detail": { "errorcode": "oauth.v2.InvalidApiKey" } } }),
        )
    })
}

fn tm_page(size: usize, total: usize, number: usize) -> Value {
    json!({ "size": size, "totalElements": total, "totalPages": total.div_ceil(size.max(1)), "number": number })
}

pub(super) async fn search(State(c): Shared, Query(q): Params) -> Response {
    if let Some(r) = tm_unauthorized(&q) {
        return r;
    }
    let keyword = q
        .get("keyword")
        .map(|k| k.to_lowercase())
        .unwrap_or_default();
    let hits: Vec<&Value> = c
        .attractions
        .iter()
        .filter(|a| {
            a["name"]
                .as_str()
                .is_some_and(|n| n.to_lowercase().contains(&keyword))
        })
        .collect();
    let size = param(&q, "size", 20usize).clamp(1, 200);
    let mut body = json!({ "page": tm_page(size, hits.len(), 0) });
    if !hits.is_empty() {
        body["_embedded"] =
            json!({ "attractions": hits.into_iter().take(size).collect::<Vec<_>>() });
    }
    Json(body).into_response()
}

pub(super) async fn attraction(
    State(c): Shared,
    UrlPath(file): UrlPath<String>,
    Query(q): Params,
) -> Response {
    if let Some(r) = tm_unauthorized(&q) {
        return r;
    }
    let id = file.trim_end_matches(".json");
    c.attractions
        .iter()
        .find(|a| a["id"] == id)
        .map_or_else(not_found, |a| Json(a.clone()).into_response())
}

pub(super) async fn events(State(c): Shared, Query(q): Params) -> Response {
    if let Some(r) = tm_unauthorized(&q) {
        return r;
    }
    let Some(attraction) = q.get("attractionId") else {
        return status(
            StatusCode::BAD_REQUEST,
            json!({ "errors": [{ "detail": "attractionId required" }] }),
        );
    };
    let mut events: Vec<&Value> = c
        .events
        .iter()
        .filter(|e| items(e, "/_embedded/attractions").any(|a| a["id"] == attraction.as_str()))
        .collect();
    events.sort_by_key(|e| {
        e.pointer("/dates/start/localDate")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    });
    let size = param(&q, "size", 20usize).clamp(1, 200);
    let page = param(&q, "page", 0usize);
    let slice: Vec<&Value> = events
        .iter()
        .skip(page * size)
        .take(size)
        .copied()
        .collect();
    let mut body = json!({ "page": tm_page(size, events.len(), page), "_links": {} });
    if (page + 1) * size < events.len() {
        body["_links"]["next"] = json!({ "href": format!(
            "/discovery/v2/events.json?attractionId={attraction}&classificationName=music&sort=date,asc&page={}&size={size}",
            page + 1
        )});
    }
    if !slice.is_empty() {
        body["_embedded"] = json!({ "events": slice });
    }
    Json(body).into_response()
}

pub(super) async fn venue(
    State(c): Shared,
    UrlPath(file): UrlPath<String>,
    Query(q): Params,
) -> Response {
    if let Some(r) = tm_unauthorized(&q) {
        return r;
    }
    c.venues
        .get(file.trim_end_matches(".json"))
        .map_or_else(not_found, |v| Json(v.clone()).into_response())
}
