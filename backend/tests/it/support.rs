//! Test harness: the real router over a test database, and builders for the rows tests need.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::PgPool;
use theset_backend::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

pub struct TestApp {
    pub router: Router,
}

impl TestApp {
    pub fn new(db: PgPool) -> Self {
        Self {
            router: app(AppState::new(db)),
        }
    }

    pub async fn request(&self, method: Method, uri: &str) -> (StatusCode, Value) {
        let res = self
            .router
            .clone()
            .oneshot(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "{uri}: body is not JSON: {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, json)
    }

    /// GET whose answer is text (pages, scripts).
    pub async fn get_text(&self, uri: &str) -> (StatusCode, String) {
        let res = self
            .router
            .clone()
            .oneshot(
                Request::builder()
                    .uri(uri)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.request(Method::GET, uri).await
    }

    /// GET that must answer 200.
    pub async fn ok(&self, uri: &str) -> Value {
        let (status, body) = self.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        body
    }

    /// GET that must answer `status` with the JSON error body and `code`.
    pub async fn error(&self, uri: &str, status: StatusCode, code: &str) {
        let (got, body) = self.get(uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{uri}: {body}"
        );
    }

    /// Follows `next_cursor` through every page of a list and returns all items.
    pub async fn all_pages(&self, uri: &str) -> Vec<Value> {
        let sep = if uri.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let page_uri = match &cursor {
                Some(c) => format!("{uri}{sep}cursor={c}"),
                None => uri.to_owned(),
            };
            let page = self.ok(&page_uri).await;
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
        panic!("{uri}: pagination does not end");
    }
}

pub fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Days from today, so tests keep meaning "upcoming" and "past" whenever they run.
pub fn days_from_today(days: i64) -> NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Duration::days(days)
}

pub async fn artist(
    db: &PgPool,
    name: &str,
    genres: &[&str],
    popularity: Option<i32>,
    trending: f64,
) -> Uuid {
    let slug = theset_shared::slug::slugify(name).expect("slug");
    let genres: Vec<String> = genres.iter().map(|g| g.to_string()).collect();
    sqlx::query_scalar(
        "INSERT INTO artists (name, slug, genres, popularity, trending_score) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(slug)
    .bind(genres)
    .bind(popularity)
    .bind(trending)
    .fetch_one(db)
    .await
    .expect("artist")
}

pub async fn venue(
    db: &PgPool,
    name: &str,
    city: &str,
    lat: f64,
    lng: f64,
    capacity: Option<i32>,
) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO venues (name, city, country_code, capacity, location) \
         VALUES ($1, $2, 'US', $3, ST_SetSRID(ST_MakePoint($5, $4), 4326)::geography) RETURNING id",
    )
    .bind(name)
    .bind(city)
    .bind(capacity)
    .bind(lat)
    .bind(lng)
    .fetch_one(db)
    .await
    .expect("venue")
}

pub async fn show(
    db: &PgPool,
    artist: Uuid,
    venue: Option<Uuid>,
    date: NaiveDate,
    status: &str,
) -> Uuid {
    let id = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, venue_id, date, status) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(artist)
    .bind(venue)
    .bind(date)
    .bind(status)
    .fetch_one(db)
    .await
    .expect("show");
    sqlx::query("INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'headliner', 0)")
        .bind(id)
        .bind(artist)
        .execute(db)
        .await
        .expect("lineup");
    id
}

pub async fn song(db: &PgPool, artist: Uuid, title: &str, popularity: i32) -> Uuid {
    let id = sqlx::query_scalar(
        "INSERT INTO songs (title, normalized_title, popularity) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(title)
    .bind(theset_shared::titles::normalize(title))
    .bind(popularity)
    .fetch_one(db)
    .await
    .expect("song");
    sqlx::query("INSERT INTO artist_songs (artist_id, song_id) VALUES ($1, $2)")
        .bind(artist)
        .bind(id)
        .execute(db)
        .await
        .expect("artist_songs");
    id
}

/// A set-list of `kind`/`source` with one line per title, in order; returns (set-list, line ids).
pub async fn setlist(
    db: &PgPool,
    show: Uuid,
    artist: Uuid,
    source: &str,
    titles: &[&str],
) -> (Uuid, Vec<Uuid>) {
    let kind = if source == "community" {
        "predicted"
    } else {
        "actual"
    };
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(show)
    .bind(artist)
    .bind(kind)
    .bind(source)
    .fetch_one(db)
    .await
    .expect("setlist");
    let mut lines = Vec::new();
    for (i, t) in titles.iter().enumerate() {
        let line: Uuid = sqlx::query_scalar(
            "INSERT INTO setlist_songs (setlist_id, title, position) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(id)
        .bind(t)
        .bind(i32::try_from(i).expect("position"))
        .fetch_one(db)
        .await
        .expect("setlist song");
        lines.push(line);
    }
    (id, lines)
}

pub async fn user(db: &PgPool, n: usize) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, email_verified_at) VALUES ($1, $2, now()) RETURNING id",
    )
        .bind(format!("fan{n}@example.test"))
        .bind(format!("Fan {n}"))
        .fetch_one(db)
        .await
        .expect("user")
}

/// A scope's progress events once its final event is visible. Events become visible only when no
/// older transaction anywhere in the cluster is still running (see `db::progress`), and tests run
/// concurrently, so reading right after a job may briefly miss the tail.
pub async fn settled_events(
    db: &PgPool,
    scope: theset_backend::db::progress::Scope,
) -> Vec<theset_shared::api::JobEvent> {
    let start = std::time::Instant::now();
    loop {
        let events: Vec<theset_shared::api::JobEvent> =
            theset_backend::db::progress::events_after(db, scope, Default::default(), 10_000)
                .await
                .expect("events")
                .into_iter()
                .map(|(_, e)| e)
                .collect();
        if events.last().is_some_and(|e| e.is_terminal())
            || start.elapsed() > std::time::Duration::from_secs(10)
        {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A user with `role`, a confirmed address and a live native session, written straight to the
/// database: `(user id, bearer token)`.
pub async fn session(db: &PgPool, role: &str) -> (Uuid, String) {
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, email_verified_at) \
         VALUES ($1, 'Fan', $2, now()) RETURNING id",
    )
    .bind(format!("session-{}@example.test", Uuid::new_v4().simple()))
    .bind(role)
    .fetch_one(db)
    .await
    .expect("user");
    let session: Uuid = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, device_id) VALUES ($1, 'd') RETURNING id",
    )
    .bind(user)
    .fetch_one(db)
    .await
    .expect("session");
    let token = theset_backend::auth::tokens::new_token();
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, session_id, expires_at) \
         VALUES ($1, $2, now() + interval '1 hour')",
    )
    .bind(theset_backend::auth::tokens::digest(&token))
    .bind(session)
    .execute(db)
    .await
    .expect("token");
    (user, token)
}
