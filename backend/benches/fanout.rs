//! Live fan-out: 2,000 SSE subscribers on one show; for each vote, the time from its commit to
//! its arrival at every subscriber. Prints p50/p99/max over all (vote, subscriber) pairs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use theset_backend::MIGRATOR;
use theset_testkit::TestApp;
use tokio::sync::Mutex;
use uuid::Uuid;

const SUBSCRIBERS: usize = 2000;
const VOTES: usize = 20;

#[tokio::main]
async fn main() {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base_url.rsplit_once('/').expect("database name");
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("admin");
    for sql in [
        "DROP DATABASE IF EXISTS bench_fanout WITH (FORCE)",
        "CREATE DATABASE bench_fanout",
    ] {
        sqlx::query(sql).execute(&mut admin).await.expect("create");
    }
    let db = PgPoolOptions::new()
        .max_connections(40)
        .connect(&format!("{server}/bench_fanout"))
        .await
        .expect("pool");
    MIGRATOR.run(&db).await.expect("migrate");
    let artist: Uuid =
        sqlx::query_scalar("INSERT INTO artists (name, slug) VALUES ('Fan', 'fan') RETURNING id")
            .fetch_one(&db)
            .await
            .expect("artist");
    let show: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date) VALUES ($1, current_date + 30) RETURNING id",
    )
    .bind(artist)
    .fetch_one(&db)
    .await
    .expect("show");
    let list: Uuid = sqlx::query_scalar("INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') RETURNING id")
        .bind(show).bind(artist).fetch_one(&db).await.expect("list");
    let line: Uuid = sqlx::query_scalar("INSERT INTO setlist_songs (setlist_id, title, position) VALUES ($1, 'Song', 0) RETURNING id")
        .bind(list).fetch_one(&db).await.expect("line");
    let voters: Vec<Uuid> = sqlx::query_scalar("INSERT INTO users (email, display_name, email_verified_at) SELECT 'v' || n || '@b.example', 'V', now() FROM generate_series(1, $1) n RETURNING id")
        .bind(VOTES as i32).fetch_all(&db).await.expect("voters");

    let server = TestApp::start(db.clone()).await;
    let base = server.base.clone();

    // arrivals[k] = when each subscriber saw upvotes == k + 1.
    let arrivals: Arc<Vec<Mutex<Vec<Instant>>>> =
        Arc::new((0..VOTES).map(|_| Mutex::new(Vec::new())).collect());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let mut ready = Vec::new();
    for _ in 0..SUBSCRIBERS {
        let (http, base, arrivals) = (http.clone(), base.clone(), arrivals.clone());
        let (tx, rx) = tokio::sync::oneshot::channel();
        ready.push(rx);
        tokio::spawn(async move {
            let mut res = http
                .get(format!("{base}/api/v1/shows/{show}/events"))
                .send()
                .await
                .expect("subscribe");
            let _ = tx.send(());
            let mut buf = String::new();
            while let Ok(Some(chunk)) = res.chunk().await {
                let now = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                        let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                        if let Some(k) = v["upvotes"]
                            .as_u64()
                            .and_then(|u| usize::try_from(u).ok())
                            .filter(|u| (1..=VOTES).contains(u))
                        {
                            arrivals[k - 1].lock().await.push(now);
                        }
                    }
                }
            }
        });
    }
    for r in ready {
        let _ = r.await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("live fan-out: {SUBSCRIBERS} subscribers on one show, {VOTES} votes 600 ms apart");
    let mut commits = Vec::new();
    for v in &voters {
        theset_backend::db::votes::set(&db, *v, line, Some(1))
            .await
            .expect("vote");
        commits.push(Instant::now());
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut lat = Vec::new();
    let mut missing = 0;
    for (k, commit) in commits.iter().enumerate() {
        let seen = arrivals[k].lock().await;
        missing += SUBSCRIBERS.saturating_sub(seen.len());
        lat.extend(seen.iter().map(|t| t.saturating_duration_since(*commit)));
    }
    lat.sort();
    let q = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "  commit → delivery: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms over {} deliveries ({missing} missing)   (target p99 ≤ 150 ms)",
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        q(1.0).as_secs_f64() * 1e3,
        lat.len()
    );
}
