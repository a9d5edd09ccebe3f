//! A local replay server for the recorded Ticketmaster, Spotify and setlist.fm answers in
//! `fixtures/`, so the offline demo (and benchmarks) run the real clients — paging, rate limits,
//! auth headers and all — against something that answers like the services. It indexes every
//! recorded object by its id and answers each endpoint by building the service's envelope around
//! them (search by name, paging with `next` links in the services' own style), never by artist.
//!
//! Mounted under `/ticketmaster/discovery/v2`, `/spotify/v1`, `/spotify-accounts`,
//! `/setlistfm/rest/1.0`, `/wikidata` and `/wikipedia`; fake sign-in providers under `/oauth/google` and `/oauth/spotify`.

pub mod oauth;
mod setlistfm;
mod spotify;
mod ticketmaster;
mod wikipedia;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// Every recorded object, by id.
#[derive(Default)]
pub struct Catalogue {
    pub(super) attractions: Vec<Value>,
    pub(super) events: Vec<Value>,
    pub(super) venues: HashMap<String, Value>,
    pub(super) token: Option<Value>,
    pub(super) sp_artists: HashMap<String, Value>,
    pub(super) sp_artist_albums: HashMap<String, Vec<Value>>,
    pub(super) sp_albums: HashMap<String, Value>,
    pub(super) sp_album_tracks: HashMap<String, Value>,
    pub(super) sp_tracks: HashMap<String, Value>,
    pub(super) sl_artists: Vec<Value>,
    pub(super) sl_setlists: Vec<Value>,
    /// Wikidata items by id, Wikipedia summaries by title.
    pub(super) wd_entities: HashMap<String, Value>,
    pub(super) wp_summaries: HashMap<String, Value>,
}

fn push_unique(list: &mut Vec<Value>, v: &Value) {
    let id = &v["id"];
    if !list.iter().any(|x| &x["id"] == id) {
        list.push(v.clone());
    }
}

pub(super) fn items<'a>(v: &'a Value, ptr: &str) -> impl Iterator<Item = &'a Value> {
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
                "spotify" if name.starts_with("search_artist_") => {
                    for a in items(&v, "/artists/items") {
                        if let Some(id) = a["id"].as_str() {
                            c.sp_artists
                                .entry(id.to_owned())
                                .or_insert_with(|| a.clone());
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
                "wikidata" if name.starts_with("entity_") => {
                    if let Some(entities) = v["entities"].as_object() {
                        for (id, e) in entities {
                            c.wd_entities.insert(id.clone(), e.clone());
                        }
                    }
                }
                "wikipedia" if name.starts_with("summary_") => {
                    if let Some(title) = v["title"].as_str() {
                        c.wp_summaries.insert(title.to_owned(), v.clone());
                    }
                }
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
            get(ticketmaster::search),
        )
        .route(
            "/ticketmaster/discovery/v2/attractions/{file}",
            get(ticketmaster::attraction),
        )
        .route(
            "/ticketmaster/discovery/v2/events.json",
            get(ticketmaster::events),
        )
        .route(
            "/ticketmaster/discovery/v2/venues/{file}",
            get(ticketmaster::venue),
        )
        .route("/spotify-accounts/api/token", post(spotify::token))
        .route("/spotify/v1/search", get(spotify::search))
        .route("/spotify/v1/me/following", get(spotify::following))
        .route("/spotify/v1/me/top/artists", get(spotify::top_artists))
        .route("/spotify/v1/artists/{id}", get(spotify::artist))
        .route(
            "/spotify/v1/artists/{id}/albums",
            get(spotify::artist_albums),
        )
        .route("/spotify/v1/albums", get(spotify::albums))
        .route("/spotify/v1/albums/{id}/tracks", get(spotify::album_tracks))
        .route("/spotify/v1/tracks", get(spotify::tracks))
        .route("/spotify/v1/tracks/{id}", get(spotify::track))
        .route("/setlistfm/rest/1.0/search/artists", get(setlistfm::search))
        .route(
            "/setlistfm/rest/1.0/artist/{mbid}/setlists",
            get(setlistfm::artist_setlists),
        )
        .route("/setlistfm/rest/1.0/setlist/{id}", get(setlistfm::setlist))
        .route("/wikidata/w/api.php", get(wikipedia::api))
        .route(
            "/wikipedia/api/rest_v1/page/summary/{title}",
            get(wikipedia::summary),
        )
        .with_state(Arc::new(catalogue))
}

pub(super) type Shared = State<Arc<Catalogue>>;
pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn status(code: StatusCode, body: Value) -> Response {
    (code, Json(body)).into_response()
}

pub(super) fn not_found() -> Response {
    status(
        StatusCode::NOT_FOUND,
        json!({ "code": 404, "status": "Not Found", "message": "not found" }),
    )
}

pub(super) fn param<T: std::str::FromStr>(q: &HashMap<String, String>, key: &str, default: T) -> T {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}
