//! Live fan-out: SSE subscribers of one show; for each vote, the time from its commit to its
//! arrival at every subscriber. Prints p50/p99/max over all (vote, subscriber) pairs, and how
//! many deliveries are missing.
//!
//! Subscribers come from 60 networks (source addresses 127.k.0.1): one address may hold 200
//! streams (a venue's carrier NAT), so more from one would be refused, and are counted so.
//!
//! 1. 2,000 subscribers on one in-process server.
//! 2. 10,000 subscribers spread over three `theset-backend` processes on one Postgres, the votes
//!    committed straight to the database as any instance would.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_testkit::TestApp;
use theset_testkit::process::Server;
use tokio::sync::Mutex;
use uuid::Uuid;

const VOTES: usize = 20;
const NETWORKS: usize = 60;

type Arrivals = Arc<Vec<Mutex<Vec<Instant>>>>;

struct Stage {
    db: PgPool,
    url: String,
    show: Uuid,
    line: Uuid,
    voters: Vec<Uuid>,
}

async fn stage(name: &str) -> Stage {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base_url.rsplit_once('/').expect("database name");
    let db = theset_testkit::databases::fresh(server, name, 40).await;
    let url = format!("{server}/{name}");
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
    Stage {
        db,
        url,
        show,
        line,
        voters,
    }
}

/// Opens one subscription at `url` and records when each vote's total arrives.
async fn subscribe(http: reqwest::Client, url: String, arrivals: Arrivals) -> bool {
    let Ok(mut res) = http.get(url).send().await else {
        return false;
    };
    if !res.status().is_success() {
        return false;
    }
    tokio::spawn(async move {
        let mut buf = String::new();
        while let Ok(Some(chunk)) = res.chunk().await {
            let now = Instant::now();
            for event in theset_testkit::sse::take_events(&mut buf, &chunk) {
                if let Some(data) = event.data {
                    let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
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
    true
}

/// Votes one at a time, 600 ms apart, then prints the latencies of every delivery.
async fn measure(stage: &Stage, subscribers: usize, arrivals: &Arrivals, what: &str) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("live fan-out: {what}, {VOTES} votes 600 ms apart");
    let mut commits = Vec::new();
    for v in &stage.voters {
        theset_backend::db::votes::set(&stage.db, *v, stage.line, Some(1))
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
        missing += subscribers.saturating_sub(seen.len());
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

/// One client per source network.
fn clients() -> Vec<reqwest::Client> {
    (1..=NETWORKS)
        .map(|k| {
            let source: IpAddr = format!("127.{k}.0.1").parse().expect("address");
            reqwest::Client::builder()
                .local_address(source)
                .pool_max_idle_per_host(0)
                .build()
                .expect("client")
        })
        .collect()
}

/// Opens `n` subscriptions, round robin over `bases` and the source networks, 500 at a time.
async fn open_all(n: usize, bases: &[String], show: Uuid, arrivals: &Arrivals) {
    let clients = clients();
    let started = Instant::now();
    let mut opened = 0;
    for batch in (0..n).collect::<Vec<_>>().chunks(500) {
        let results = futures::future::join_all(batch.iter().map(|k| {
            let url = format!("{}/api/v1/shows/{show}/events", bases[k % bases.len()]);
            subscribe(clients[k % NETWORKS].clone(), url, arrivals.clone())
        }))
        .await;
        opened += results.iter().filter(|o| **o).count();
    }
    assert_eq!(opened, n, "subscriptions refused");
    println!(
        "  {n} streams opened over {} process(es) in {:.1?}",
        bases.len(),
        started.elapsed()
    );
}

fn arrivals() -> Arrivals {
    Arc::new((0..VOTES).map(|_| Mutex::new(Vec::new())).collect())
}

async fn one_process() {
    const SUBSCRIBERS: usize = 2000;
    let stage = stage("bench_fanout").await;
    let server = TestApp::start(stage.db.clone()).await;
    let arrivals = arrivals();
    open_all(
        SUBSCRIBERS,
        std::slice::from_ref(&server.base),
        stage.show,
        &arrivals,
    )
    .await;
    measure(
        &stage,
        SUBSCRIBERS,
        &arrivals,
        "2,000 subscribers on one show, one process",
    )
    .await;
}

async fn three_processes() {
    const SUBSCRIBERS: usize = 10_000;
    let stage = stage("bench_fanout_fleet").await;
    let bin = Path::new(env!("CARGO_BIN_EXE_theset-backend"));
    let servers: Vec<Server> = (0..3)
        .map(|_| Server::start(bin, &stage.url, &[("RUST_LOG", "error")]))
        .collect();
    let arrivals = arrivals();
    let bases: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    open_all(SUBSCRIBERS, &bases, stage.show, &arrivals).await;
    measure(
        &stage,
        SUBSCRIBERS,
        &arrivals,
        "10,000 subscribers on one show over three backend processes",
    )
    .await;
    drop(servers);
}

#[tokio::main]
async fn main() {
    one_process().await;
    three_processes().await;
}
