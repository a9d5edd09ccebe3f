//! Spotify Web API and accounts service, replayed.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, Shared, items, not_found, param, status};

fn sp_unauthorized(h: &HeaderMap) -> Option<Response> {
    let ok = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7);
    (!ok).then(|| {
        status(
            StatusCode::UNAUTHORIZED,
            json!({ "error": { "status": 401, "message": "No token provided" } }),
        )
    })
}

pub(super) async fn token(State(c): Shared, h: HeaderMap) -> Response {
    if !h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "))
    {
        return status(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_client", "error_description": "Invalid client" }),
        );
    }
    let token = c.token.clone().unwrap_or_else(|| {
        json!({ "access_token": "offline-demo-token", "token_type": "Bearer", "expires_in": 3600 })
    });
    Json(token).into_response()
}

pub(super) async fn artist(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    c.sp_artists
        .get(&id)
        .map_or_else(not_found, |a| Json(a.clone()).into_response())
}

/// `GET /v1/search?type=artist`: artists whose name holds the query or is held by it (case
/// folded), most followed first, in Spotify's envelope.
pub(super) async fn search(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    if q.get("type").map(String::as_str) != Some("artist") {
        return status(
            StatusCode::BAD_REQUEST,
            json!({ "error": { "status": 400, "message": "Bad search type field" } }),
        );
    }
    let wanted = q
        .get("q")
        .map(|n| n.trim().to_lowercase())
        .unwrap_or_default();
    if wanted.is_empty() {
        return status(
            StatusCode::BAD_REQUEST,
            json!({ "error": { "status": 400, "message": "No search query" } }),
        );
    }
    let mut hits: Vec<&Value> = c
        .sp_artists
        .values()
        .filter(|a| {
            a["name"].as_str().is_some_and(|n| {
                let n = n.to_lowercase();
                n.contains(&wanted) || wanted.contains(&n)
            })
        })
        .collect();
    hits.sort_by_key(|a| {
        (
            std::cmp::Reverse(
                a.pointer("/followers/total")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            ),
            a["id"].as_str().unwrap_or_default().to_owned(),
        )
    });
    let limit = param(&q, "limit", 20usize).clamp(1, 50);
    let offset = param(&q, "offset", 0usize);
    let found: Vec<Value> = hits.into_iter().cloned().collect();
    let extra = format!(
        "&query={}&type=artist",
        url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>()
    );
    Json(json!({ "artists": sp_paging(&found, offset, limit, "search", &extra) })).into_response()
}

/// The demo listener's library: the catalogue's best-known artists (a million followers and
/// more), by name for "followed" and by followers for "top".
fn library(c: &super::Catalogue, top: bool) -> Vec<Value> {
    let mut known: Vec<&Value> = c
        .sp_artists
        .values()
        .filter(|a| {
            a.pointer("/followers/total")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                >= 1_000_000
        })
        .collect();
    if top {
        known.sort_by_key(|a| {
            std::cmp::Reverse(
                a.pointer("/followers/total")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            )
        });
    } else {
        known.sort_by_key(|a| a["name"].as_str().unwrap_or_default().to_owned());
    }
    known.into_iter().take(5).cloned().collect()
}

/// `GET /v1/me/following?type=artist` (cursor paging, one page here).
pub(super) async fn following(State(c): Shared, h: HeaderMap) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let items = library(&c, false);
    Json(
        json!({ "artists": { "items": items, "next": null, "total": items.len(),
        "cursors": { "after": null }, "limit": 10,
        "href": "https://api.spotify.com/v1/me/following?type=artist&limit=10" } }),
    )
    .into_response()
}

/// `GET /v1/me/top/artists`.
pub(super) async fn top_artists(State(c): Shared, h: HeaderMap) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let items = library(&c, true);
    Json(sp_paging(&items, 0, 10, "me/top/artists", "")).into_response()
}

/// Spotify's paging envelope around `all[offset..offset + limit]`, with an absolute `next`.
fn sp_paging(all: &[Value], offset: usize, limit: usize, href: &str, extra: &str) -> Value {
    let next = (offset + limit < all.len()).then(|| {
        format!(
            "https://api.spotify.com/v1/{href}?offset={}&limit={limit}{extra}",
            offset + limit
        )
    });
    json!({
        "href": format!("https://api.spotify.com/v1/{href}?offset={offset}&limit={limit}{extra}"),
        "items": all.iter().skip(offset).take(limit).collect::<Vec<_>>(),
        "limit": limit, "next": next, "offset": offset, "previous": null, "total": all.len(),
    })
}

pub(super) async fn artist_albums(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Query(q): Params,
) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let groups: Vec<String> = q
        .get("include_groups")
        .map(|g| g.split(',').map(str::to_owned).collect())
        .unwrap_or_else(|| vec!["album".into(), "single".into()]);
    let all: Vec<Value> = c
        .sp_artist_albums
        .get(&id)
        .map(|albums| {
            albums
                .iter()
                .filter(|a| {
                    a["album_group"]
                        .as_str()
                        .is_some_and(|g| groups.iter().any(|x| x == g))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let limit = param(&q, "limit", 20usize).clamp(1, 50);
    let extra = format!("&include_groups={}", groups.join(","));
    Json(sp_paging(
        &all,
        param(&q, "offset", 0),
        limit,
        &format!("artists/{id}/albums"),
        &extra,
    ))
    .into_response()
}

fn ids(q: &HashMap<String, String>) -> Vec<String> {
    q.get("ids")
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

pub(super) async fn albums(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let albums: Vec<Value> = ids(&q)
        .iter()
        .take(20)
        .map(|id| c.sp_albums.get(id).cloned().unwrap_or(Value::Null))
        .collect();
    Json(json!({ "albums": albums })).into_response()
}

pub(super) async fn album_tracks(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Query(q): Params,
) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let all: Vec<Value> = match c
        .sp_album_tracks
        .get(&id)
        .or_else(|| c.sp_albums.get(&id).map(|a| &a["tracks"]))
    {
        Some(paging) => items(paging, "/items").cloned().collect(),
        None => return not_found(),
    };
    let limit = param(&q, "limit", 20usize).clamp(1, 50);
    Json(sp_paging(
        &all,
        param(&q, "offset", 0),
        limit,
        &format!("albums/{id}/tracks"),
        "",
    ))
    .into_response()
}

pub(super) async fn tracks(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    let tracks: Vec<Value> = ids(&q)
        .iter()
        .take(50)
        .map(|id| c.sp_tracks.get(id).cloned().unwrap_or(Value::Null))
        .collect();
    Json(json!({ "tracks": tracks })).into_response()
}

pub(super) async fn track(
    State(c): Shared,
    h: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    c.sp_tracks
        .get(&id)
        .map_or_else(not_found, |t| Json(t.clone()).into_response())
}
