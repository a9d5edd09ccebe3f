//! Rows for a test's story, written straight to the database: artists, venues, shows, songs,
//! set-lists, users.

use chrono::NaiveDate;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

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

pub async fn venue(db: &PgPool, name: &str, city: &str, lat: f64, lng: f64) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO venues (name, city, country_code, location) \
         VALUES ($1, $2, 'US', ST_SetSRID(ST_MakePoint($4, $3), 4326)::geography) RETURNING id",
    )
    .bind(name)
    .bind(city)
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
        "INSERT INTO shows (headliner_artist_id, venue_id, date, status) VALUES ($1, $2, $3, $4::show_status) RETURNING id",
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
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, $3::setlist_kind, $4::setlist_source) RETURNING id",
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
