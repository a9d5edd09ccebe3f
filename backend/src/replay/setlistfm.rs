//! setlist.fm API 1.0, replayed.

use axum::Json;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, Shared, not_found, param, status};

fn sl_unauthorized(h: &HeaderMap) -> Option<Response> {
    h.get("x-api-key").is_none().then(|| {
        status(
            StatusCode::FORBIDDEN,
            json!({ "code": 403, "status": "Forbidden", "message": "API key required" }),
        )
    })
}

pub(super) async fn search(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
    if let Some(r) = sl_unauthorized(&h) {
        return r;
    }
    let name = q
        .get("artistName")
        .map(|n| n.to_lowercase())
        .unwrap_or_default();
    let hits: Vec<&Value> = c
        .sl_artists
        .iter()
        .filter(|a| {
            a["name"]
                .as_str()
                .is_some_and(|n| n.to_lowercase().contains(&name))
        })
        .collect();
    if hits.is_empty() {
        return not_found();
    }
    Json(json!({ "type": "artists", "itemsPerPage": 30, "page": 1, "total": hits.len(), "artist": hits })).into_response()
}

fn sl_date_key(s: &Value) -> String {
    // dd-MM-yyyy → yyyyMMdd for ordering.
    let d = s["eventDate"].as_str().unwrap_or_default();
    let parts: Vec<&str> = d.split('-').collect();
    match parts.as_slice() {
        [dd, mm, yyyy] => format!("{yyyy}{mm}{dd}"),
        _ => String::new(),
    }
}

pub(super) async fn artist_setlists(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(mbid): UrlPath<String>,
    Query(q): Params,
) -> Response {
    if let Some(r) = sl_unauthorized(&h) {
        return r;
    }
    let mut all: Vec<&Value> = c
        .sl_setlists
        .iter()
        .filter(|s| s.pointer("/artist/mbid") == Some(&json!(mbid)))
        .collect();
    if all.is_empty() {
        return not_found();
    }
    all.sort_by_key(|s| std::cmp::Reverse(sl_date_key(s)));
    let page = param(&q, "p", 1usize).max(1);
    let slice: Vec<&Value> = all.iter().skip((page - 1) * 20).take(20).copied().collect();
    if slice.is_empty() {
        return not_found();
    }
    Json(json!({ "type": "setlists", "itemsPerPage": 20, "page": page, "total": all.len(), "setlist": slice }))
        .into_response()
}

pub(super) async fn setlist(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    if let Some(r) = sl_unauthorized(&h) {
        return r;
    }
    c.sl_setlists
        .iter()
        .find(|s| s["id"] == id.as_str())
        .map_or_else(not_found, |s| Json(s.clone()).into_response())
}
