//! A local replay server for the recorded Ticketmaster, Spotify and setlist.fm answers in
//! `fixtures/`, so the offline demo (and benchmarks) run the real clients — paging, rate limits,
//! auth headers and all — against something that answers like the services. It indexes every
//! recorded object by its id and answers each endpoint by building the service's envelope around
//! them (search by name, paging with `next` links in the services' own style), never by artist.
//!
//! Mounted under `/ticketmaster/discovery/v2`, `/spotify/v1`, `/spotify-accounts` and
//! `/setlistfm/rest/1.0`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// Every recorded object, by id.
#[derive(Default)]
pub struct Catalogue {
    attractions: Vec<Value>,
    events: Vec<Value>,
    venues: HashMap<String, Value>,
    token: Option<Value>,
    sp_artists: HashMap<String, Value>,
    sp_artist_albums: HashMap<String, Vec<Value>>,
    sp_albums: HashMap<String, Value>,
    sp_album_tracks: HashMap<String, Value>,
    sp_tracks: HashMap<String, Value>,
    sl_artists: Vec<Value>,
    sl_setlists: Vec<Value>,
}

fn push_unique(list: &mut Vec<Value>, v: &Value) {
    let id = &v["id"];
    if !list.iter().any(|x| &x["id"] == id) {
        list.push(v.clone());
    }
}

fn items<'a>(v: &'a Value, ptr: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

impl Catalogue {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut paths = Vec::new();
        crate::seed::files::json_files(dir, &mut paths)
            .with_context(|| format!("reading {}", dir.display()))?;
        paths.sort();
        let mut c = Self::default();
        for path in paths {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let family = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.starts_with("error_") {
                continue;
            }
            let v: Value = serde_json::from_slice(&std::fs::read(&path)?)
                .with_context(|| format!("parsing {}", path.display()))?;
            match family {
                "ticketmaster" if name.starts_with("attractions_search_") => {
                    items(&v, "/_embedded/attractions")
                        .for_each(|a| push_unique(&mut c.attractions, a));
                }
                "ticketmaster" if name.starts_with("events_attraction_") => {
                    for e in items(&v, "/_embedded/events") {
                        push_unique(&mut c.events, e);
                        for venue in items(e, "/_embedded/venues") {
                            if let Some(id) = venue["id"].as_str() {
                                c.venues
                                    .entry(id.to_owned())
                                    .or_insert_with(|| venue.clone());
                            }
                        }
                        items(e, "/_embedded/attractions")
                            .for_each(|a| push_unique(&mut c.attractions, a));
                    }
                }
                "ticketmaster" if name.starts_with("venue_details_") => {
                    if let Some(id) = v["id"].as_str() {
                        c.venues.insert(id.to_owned(), v.clone());
                    }
                }
                "spotify" if name.starts_with("token_client_credentials") => c.token = Some(v),
                "spotify" if name.starts_with("artist_albums_") => {
                    for album in items(&v, "/items") {
                        if let Some(artist) = album.pointer("/artists/0/id").and_then(Value::as_str)
                        {
                            push_unique(
                                c.sp_artist_albums.entry(artist.to_owned()).or_default(),
                                album,
                            );
                        }
                    }
                }
                "spotify" if name.starts_with("artist_") => {
                    if let Some(id) = v["id"].as_str() {
                        c.sp_artists.insert(id.to_owned(), v.clone());
                    }
                }
                "spotify" if name.starts_with("albums_several_") => {
                    for album in items(&v, "/albums") {
                        if let Some(id) = album["id"].as_str() {
                            c.sp_albums.insert(id.to_owned(), album.clone());
                        }
                    }
                }
                "spotify" if name.starts_with("album_tracks_") => {
                    let id = v["href"]
                        .as_str()
                        .and_then(|h| h.split("/albums/").nth(1))
                        .and_then(|r| r.split('/').next());
                    if let Some(id) = id {
                        c.sp_album_tracks.insert(id.to_owned(), v.clone());
                    }
                }
                "spotify" if name.starts_with("tracks_several_") => {
                    for t in items(&v, "/tracks") {
                        if let Some(id) = t["id"].as_str() {
                            c.sp_tracks.insert(id.to_owned(), t.clone());
                        }
                    }
                }
                "setlistfm" if name.starts_with("search_artists_") => {
                    items(&v, "/artist").for_each(|a| {
                        if !c.sl_artists.iter().any(|x| x["mbid"] == a["mbid"]) {
                            c.sl_artists.push(a.clone());
                        }
                    });
                }
                "setlistfm" if name.starts_with("artist_setlists_") => {
                    items(&v, "/setlist").for_each(|s| push_unique(&mut c.sl_setlists, s));
                }
                "setlistfm" if name.starts_with("setlist_") => push_unique(&mut c.sl_setlists, &v),
                _ => {}
            }
        }
        Ok(c)
    }

    /// Names of the artists a Ticketmaster search can find (the demo's import list).
    pub fn artist_names(&self) -> Vec<String> {
        self.attractions
            .iter()
            .filter(|a| a["externalLinks"].is_object())
            .filter_map(|a| a["name"].as_str().map(str::to_owned))
            .collect()
    }
}

pub fn router(catalogue: Catalogue) -> Router {
    Router::new()
        .route(
            "/ticketmaster/discovery/v2/attractions.json",
            get(tm_search),
        )
        .route(
            "/ticketmaster/discovery/v2/attractions/{file}",
            get(tm_attraction),
        )
        .route("/ticketmaster/discovery/v2/events.json", get(tm_events))
        .route("/ticketmaster/discovery/v2/venues/{file}", get(tm_venue))
        .route("/spotify-accounts/api/token", post(sp_token))
        .route("/spotify/v1/artists/{id}", get(sp_artist))
        .route("/spotify/v1/artists/{id}/albums", get(sp_artist_albums))
        .route("/spotify/v1/albums", get(sp_albums))
        .route("/spotify/v1/albums/{id}/tracks", get(sp_album_tracks))
        .route("/spotify/v1/tracks", get(sp_tracks))
        .route("/spotify/v1/tracks/{id}", get(sp_track))
        .route("/setlistfm/rest/1.0/search/artists", get(sl_search))
        .route(
            "/setlistfm/rest/1.0/artist/{mbid}/setlists",
            get(sl_artist_setlists),
        )
        .route("/setlistfm/rest/1.0/setlist/{id}", get(sl_setlist))
        .with_state(Arc::new(catalogue))
}

type Shared = State<Arc<Catalogue>>;
type Params = Query<HashMap<String, String>>;

fn status(code: StatusCode, body: Value) -> Response {
    (code, Json(body)).into_response()
}

fn not_found() -> Response {
    status(
        StatusCode::NOT_FOUND,
        json!({ "code": 404, "status": "Not Found", "message": "not found" }),
    )
}

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, key: &str, default: T) -> T {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ── Ticketmaster ─────────────────────────────────────────────────────────────────────────────

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

async fn tm_search(State(c): Shared, Query(q): Params) -> Response {
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

async fn tm_attraction(
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

async fn tm_events(State(c): Shared, Query(q): Params) -> Response {
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

async fn tm_venue(State(c): Shared, UrlPath(file): UrlPath<String>, Query(q): Params) -> Response {
    if let Some(r) = tm_unauthorized(&q) {
        return r;
    }
    c.venues
        .get(file.trim_end_matches(".json"))
        .map_or_else(not_found, |v| Json(v.clone()).into_response())
}

// ── Spotify ──────────────────────────────────────────────────────────────────────────────────

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

async fn sp_token(State(c): Shared, h: HeaderMap) -> Response {
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

async fn sp_artist(State(c): Shared, h: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    c.sp_artists
        .get(&id)
        .map_or_else(not_found, |a| Json(a.clone()).into_response())
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

async fn sp_artist_albums(
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

async fn sp_albums(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
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

async fn sp_album_tracks(
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

async fn sp_tracks(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
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

async fn sp_track(State(c): Shared, h: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    if let Some(r) = sp_unauthorized(&h) {
        return r;
    }
    c.sp_tracks
        .get(&id)
        .map_or_else(not_found, |t| Json(t.clone()).into_response())
}

// ── setlist.fm ───────────────────────────────────────────────────────────────────────────────

fn sl_unauthorized(h: &HeaderMap) -> Option<Response> {
    h.get("x-api-key").is_none().then(|| {
        status(
            StatusCode::FORBIDDEN,
            json!({ "code": 403, "status": "Forbidden", "message": "API key required" }),
        )
    })
}

async fn sl_search(State(c): Shared, h: HeaderMap, Query(q): Params) -> Response {
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

async fn sl_artist_setlists(
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

async fn sl_setlist(State(c): Shared, h: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    if let Some(r) = sl_unauthorized(&h) {
        return r;
    }
    c.sl_setlists
        .iter()
        .find(|s| s["id"] == id.as_str())
        .map_or_else(not_found, |s| Json(s.clone()).into_response())
}
