//! Import benchmark: `cargo xtask bench` (or `cargo bench -p theset-backend --bench import`).
//!
//! Fake Ticketmaster and Spotify servers answer every request after 100 ms (network latency);
//! client rate limits are lifted so the figures measure our own work and request count, not the
//! services' quotas. Prints:
//! - phase 1 (the import answer) p50/p95 over 20 artists not yet held (target ≤ 300 ms);
//! - phase 2 for an artist with 60 events;
//! - phase 3 for a 300-track catalogue in both Spotify API modes, with the number of Spotify API
//!   requests against the lower bound for the mode (target ≤ 1.2×).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_artist_job, types};
use theset_backend::providers::Limits;
use theset_backend::providers::config::{ProvidersConfig, SpotifyConfig, TicketmasterConfig};
use theset_backend::{AppState, MIGRATOR, app};
use tower::ServiceExt;

const LATENCY: Duration = Duration::from_millis(100);
const EVENTS: usize = 60;
const ALBUMS: usize = 25;
const TRACKS_PER_ALBUM: usize = 12;
const PHASE1_ARTISTS: usize = 20;

#[derive(Clone)]
struct Fake {
    development: bool,
    api_requests: Arc<AtomicU64>,
}

fn artist_id(i: usize) -> String {
    format!("BENCHARTIST{i:04}")
}

fn album(a: usize) -> Value {
    json!({ "id": format!("album{a:03}"), "name": format!("Record {a}"), "album_type": "album",
            "album_group": "album", "release_date": format!("{}-01-01", 1990 + a), "total_tracks": TRACKS_PER_ALBUM })
}

fn track(a: usize, t: usize) -> Value {
    json!({ "id": format!("t{a:03}x{t:03}"), "name": format!("Song {a}-{t}"), "track_number": t + 1, "disc_number": 1,
            "duration_ms": 200_000, "popularity": 50, "artists": [{ "id": "SPARTIST0", "name": "Bench Band 0" }],
            "album": { "id": format!("album{a:03}"), "name": format!("Record {a}"), "album_type": "album",
                       "release_date": format!("{}-01-01", 1990 + a) },
            "external_ids": { "isrc": format!("US{:03}{:02}{:05}", "BEN", a % 100, t) } })
}

fn attraction(i: usize) -> Value {
    json!({ "id": artist_id(i), "name": format!("Bench Band {i}"), "images": [],
            "classifications": [{ "genre": { "name": "Rock" } }],
            "externalLinks": { "spotify": [{ "url": format!("https://open.spotify.com/artist/SPARTIST{i}") }] } })
}

async fn slow() {
    tokio::time::sleep(LATENCY).await;
}

async fn tm_attraction(Path(file): Path<String>) -> Response {
    slow().await;
    let id = file.trim_end_matches(".json");
    let i: usize = id.trim_start_matches("BENCHARTIST").parse().unwrap_or(0);
    Json(attraction(i)).into_response()
}

async fn tm_events(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    slow().await;
    let size: usize = q.get("size").and_then(|s| s.parse().ok()).unwrap_or(20);
    let page: usize = q.get("page").and_then(|s| s.parse().ok()).unwrap_or(0);
    let attraction_id = q.get("attractionId").cloned().unwrap_or_default();
    let events: Vec<Value> = (page * size..((page + 1) * size).min(EVENTS))
        .map(|e| {
            json!({ "id": format!("EV{e:04}"), "name": "Bench Tour", "url": "https://example.invalid/e",
                    "dates": { "start": { "localDate": format!("2027-{:02}-{:02}", 1 + e / 28, 1 + e % 28),
                                          "localTime": "20:00:00", "dateTime": null }, "timezone": "Europe/London",
                               "status": { "code": "onsale" } },
                    "priceRanges": [{ "type": "standard", "currency": "USD", "min": 50.0, "max": 90.0 }],
                    "_embedded": { "attractions": [{ "id": attraction_id, "name": "Bench Band 0" }],
                                   "venues": [{ "id": format!("VEN{:03}", e % 30), "name": format!("Hall {}", e % 30),
                                                "city": { "name": "Benchton" }, "country": { "countryCode": "GB" },
                                                "location": { "latitude": "51.5", "longitude": "-0.1" } }] } })
        })
        .collect();
    let mut body = json!({ "_embedded": { "events": events },
                           "page": { "size": size, "totalElements": EVENTS, "totalPages": EVENTS.div_ceil(size), "number": page } });
    if (page + 1) * size < EVENTS {
        body["_links"] = json!({ "next": { "href": format!("/discovery/v2/events.json?attractionId={attraction_id}&page={}&size={size}", page + 1) } });
    }
    Json(body).into_response()
}

async fn sp_token() -> Response {
    slow().await;
    Json(json!({ "access_token": "bench", "token_type": "Bearer", "expires_in": 3600 }))
        .into_response()
}

fn paging(all: Vec<Value>, offset: usize, limit: usize, path: &str) -> Value {
    let next = (offset + limit < all.len()).then(|| {
        format!(
            "https://api.spotify.com/v1/{path}?offset={}&limit={limit}",
            offset + limit
        )
    });
    json!({ "items": all.into_iter().skip(offset).take(limit).collect::<Vec<_>>(), "next": next, "total": ALBUMS })
}

type Q = Query<std::collections::HashMap<String, String>>;

/// `(limit, offset)`, or `None` when development mode refuses the page size.
fn limit_offset(
    q: &std::collections::HashMap<String, String>,
    dev: bool,
) -> Option<(usize, usize)> {
    let limit: usize = q.get("limit").and_then(|s| s.parse().ok()).unwrap_or(20);
    (!(dev && limit > 10)).then(|| {
        (
            limit,
            q.get("offset").and_then(|s| s.parse().ok()).unwrap_or(0),
        )
    })
}

fn invalid_limit() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": { "status": 400, "message": "Invalid limit" } })),
    )
        .into_response()
}

async fn sp_artist(State(f): State<Fake>) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    Json(
        json!({ "id": "SPARTIST", "name": "Bench Band", "genres": ["rock"], "popularity": 70,
                 "followers": { "total": 1000 }, "images": [] }),
    )
    .into_response()
}

async fn sp_albums_of_artist(State(f): State<Fake>, Query(q): Q) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    match limit_offset(&q, f.development) {
        Some((limit, offset)) => Json(paging(
            (0..ALBUMS).map(album).collect(),
            offset,
            limit,
            "artists/SPARTIST/albums",
        ))
        .into_response(),
        None => invalid_limit(),
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({ "error": { "status": 403, "message": "Forbidden" } })),
    )
        .into_response()
}

fn ids(q: &std::collections::HashMap<String, String>) -> Vec<String> {
    q.get("ids")
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

async fn sp_several_albums(State(f): State<Fake>, Query(q): Q) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    if f.development {
        return forbidden();
    }
    let albums: Vec<Value> = ids(&q)
        .iter()
        .map(|id| {
            let a: usize = id.trim_start_matches("album").parse().unwrap_or(0);
            let mut full = album(a);
            full["tracks"] = json!({ "items": (0..TRACKS_PER_ALBUM).map(|t| track(a, t)).collect::<Vec<_>>(), "next": null });
            full
        })
        .collect();
    Json(json!({ "albums": albums })).into_response()
}

async fn sp_album_tracks(State(f): State<Fake>, Path(id): Path<String>, Query(q): Q) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    let a: usize = id.trim_start_matches("album").parse().unwrap_or(0);
    match limit_offset(&q, f.development) {
        Some((limit, offset)) => {
            let all = (0..TRACKS_PER_ALBUM).map(|t| track(a, t)).collect();
            Json(paging(all, offset, limit, &format!("albums/{id}/tracks"))).into_response()
        }
        None => invalid_limit(),
    }
}

fn parse_track(id: &str) -> Value {
    let (a, t) = id
        .trim_start_matches('t')
        .split_once('x')
        .unwrap_or(("0", "0"));
    track(a.parse().unwrap_or(0), t.parse().unwrap_or(0))
}

async fn sp_several_tracks(State(f): State<Fake>, Query(q): Q) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    if f.development {
        return forbidden();
    }
    Json(json!({ "tracks": ids(&q).iter().map(|id| parse_track(id)).collect::<Vec<_>>() }))
        .into_response()
}

async fn sp_track(State(f): State<Fake>, Path(id): Path<String>) -> Response {
    f.api_requests.fetch_add(1, Ordering::Relaxed);
    slow().await;
    Json(parse_track(&id)).into_response()
}

async fn fake_server(fake: Fake) -> SocketAddr {
    let router = Router::new()
        .route("/tm/discovery/v2/attractions/{file}", get(tm_attraction))
        .route("/tm/discovery/v2/events.json", get(tm_events))
        .route("/accounts/api/token", post(sp_token))
        .route("/v1/artists/{id}", get(sp_artist))
        .route("/v1/artists/{id}/albums", get(sp_albums_of_artist))
        .route("/v1/albums", get(sp_several_albums))
        .route("/v1/albums/{id}/tracks", get(sp_album_tracks))
        .route("/v1/tracks", get(sp_several_tracks))
        .route("/v1/tracks/{id}", get(sp_track))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

fn fake_providers(addr: SocketAddr) -> Providers {
    let unlimited = Limits {
        requests: 100_000,
        burst: 100_000,
        ..Limits::per_second(100_000)
    };
    Providers::from_config(&ProvidersConfig {
        ticketmaster: Some(TicketmasterConfig {
            api_key: "bench".into(),
            base_url: format!("http://{addr}/tm/discovery/v2"),
            limits: unlimited.clone(),
        }),
        spotify: Some(SpotifyConfig {
            client_id: "bench".into(),
            client_secret: "bench".into(),
            api_base_url: format!("http://{addr}/v1"),
            accounts_base_url: format!("http://{addr}/accounts"),
            limits: unlimited,
        }),
        setlistfm: None,
        wikipedia: None,
        origin: Default::default(),
    })
    .expect("providers")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn run_job(
    db: &PgPool,
    providers: &Providers,
    job_type: &str,
    artist: uuid::Uuid,
) -> Duration {
    enqueue_artist_job(db, job_type, artist, 0)
        .await
        .expect("enqueue");
    let worker = Worker::new(db.clone(), providers.clone());
    let start = Instant::now();
    worker.run_one().await.expect("run");
    start.elapsed()
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    let fake = Fake {
        development: false,
        api_requests: Arc::default(),
    };
    let addr = fake_server(fake.clone()).await;
    let db = fresh_database("extended").await;
    let providers = fake_providers(addr);
    let state = AppState::with_providers(db.clone(), providers.clone());
    let router = app(state);

    // Phase 1: the import answer for artists we do not hold (one attraction request each).
    let mut times = Vec::new();
    for i in 0..PHASE1_ARTISTS {
        let body = json!({ "ticketmaster_id": artist_id(i) }).to_string();
        let req = axum::http::Request::post("/api/v1/artists/import")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .expect("request");
        let start = Instant::now();
        let res = router.clone().oneshot(req).await.expect("response");
        times.push(start.elapsed());
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    times.sort();
    println!(
        "phase 1   import answer, {PHASE1_ARTISTS} new artists: p50 {:>5} ms  p95 {:>5} ms  (target ≤ 300 ms; {} ms of it is the fake's latency)",
        percentile(&times, 0.5).as_millis(),
        percentile(&times, 0.95).as_millis(),
        LATENCY.as_millis()
    );
    sqlx::query("DELETE FROM sync_jobs")
        .execute(&db)
        .await
        .expect("clear queue");

    let artist: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM artists WHERE ticketmaster_id = $1")
            .bind(artist_id(0))
            .fetch_one(&db)
            .await
            .expect("artist");
    let t2 = run_job(&db, &providers, types::ARTIST_SHOWS, artist).await;
    let shows: i64 = sqlx::query_scalar("SELECT count(*) FROM shows")
        .fetch_one(&db)
        .await
        .expect("shows");
    println!(
        "phase 2   {EVENTS} events → {shows} shows: {:>6} ms",
        t2.as_millis()
    );
    sqlx::query("DELETE FROM sync_jobs")
        .execute(&db)
        .await
        .expect("clear queue");

    let tracks = ALBUMS * TRACKS_PER_ALBUM;
    let before = fake.api_requests.load(Ordering::Relaxed);
    let t3 = run_job(&db, &providers, types::ARTIST_CATALOGUE, artist).await;
    let used = fake.api_requests.load(Ordering::Relaxed) - before;
    let songs: i64 = sqlx::query_scalar("SELECT count(*) FROM songs")
        .fetch_one(&db)
        .await
        .expect("songs");
    // Lower bound, extended mode: the profile, album pages of 50, album batches of 20, track batches of 50.
    let bound = 1 + ALBUMS.div_ceil(50) + ALBUMS.div_ceil(20) + tracks.div_ceil(50);
    println!(
        "phase 3   extended mode, {tracks} tracks → {songs} songs: {:>6} ms; Spotify API requests {used} vs lower bound {bound} = {:.2}× (target ≤ 1.2×)",
        t3.as_millis(),
        used as f64 / bound as f64
    );

    // Development mode: batch endpoints refused, pages of at most 10.
    let dev = Fake {
        development: true,
        api_requests: Arc::default(),
    };
    let dev_addr = fake_server(dev.clone()).await;
    let dev_db = fresh_database("development").await;
    let dev_providers = fake_providers(dev_addr);
    let state = AppState::with_providers(dev_db.clone(), dev_providers.clone());
    theset_backend::import::phase_one(&state, &artist_id(0))
        .await
        .expect("phase 1");
    sqlx::query("DELETE FROM sync_jobs")
        .execute(&dev_db)
        .await
        .expect("clear queue");
    let dev_artist: uuid::Uuid = sqlx::query_scalar("SELECT id FROM artists")
        .fetch_one(&dev_db)
        .await
        .expect("artist");
    let t3d = run_job(&dev_db, &dev_providers, types::ARTIST_CATALOGUE, dev_artist).await;
    let used = dev.api_requests.load(Ordering::Relaxed);
    // Lower bound, development mode: the profile, album pages of 10, per-album track pages of 10,
    // one request per track.
    let bound = 1 + ALBUMS.div_ceil(10) + ALBUMS * TRACKS_PER_ALBUM.div_ceil(10) + tracks;
    println!(
        "phase 3   development mode, {tracks} tracks: {:>6} ms; Spotify API requests {used} vs lower bound {bound} = {:.2}× (target ≤ 1.2×)",
        t3d.as_millis(),
        used as f64 / bound as f64
    );
}

/// A new database per mode, migrated; left in place for inspection (dropped by the next run).
async fn fresh_database(suffix: &str) -> PgPool {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base.rsplit_once('/').expect("database name");
    let name = format!("bench_import_{suffix}");
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("admin");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await
    .expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create");
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect(&format!("{server}/{name}"))
        .await
        .expect("pool");
    MIGRATOR.run(&pool).await.expect("migrate");
    pool
}
