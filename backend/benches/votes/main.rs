//! Vote write throughput: `PUT /api/v1/setlist-songs/{id}/vote` over HTTP on loopback (a real
//! server, real tokens, idempotency records, the totals trigger, votes committed in groups)
//! against raw `pgbench` running the same writes (the vote upsert and the mutation record) one
//! vote per transaction on the same Postgres in the same run; the batch sizes the server's group
//! commit saw; then the p99 latency at 70 % of the measured HTTP peak, open loop (latency counted
//! from when each request was due, so a stalled server cannot hide its queue). The requests come
//! from `theset_testkit::loadgen`, a thin HTTP/1.1 client, as `pgbench` is a thin C client: both
//! share the two cores with the server.
//!
//! Then the path the apps take (`push.rs`): 300 devices each pushing one vote per sync request,
//! through the same apply, exactly-once record and group commit, against `pgbench` of the push's
//! statements; the REST door's figure is printed beside it. Last the venue burst (`burst.rs`):
//! those devices at a show that started, each pushing a capture and a vote within ten seconds,
//! timed to the crowd list's update reaching a listener of the show's live stream.

mod burst;
mod push;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_backend::auth::limits::Limits;
use theset_backend::auth::tokens;
use theset_testkit::TestApp;
use theset_testkit::loadgen::{Voter, pick};
use uuid::Uuid;

const USERS: usize = 2000;
const LINES: usize = 50;
const WORKERS: usize = 32;
const SECONDS: u64 = 8;

/// An upcoming show with a community list of `LINES` songs and `USERS` signed-in fans.
async fn stage(db: &PgPool) -> (Vec<Uuid>, Vec<String>) {
    let artist: Uuid = sqlx::query_scalar(
        "INSERT INTO artists (name, slug) VALUES ('Bench', 'bench') RETURNING id",
    )
    .fetch_one(db)
    .await
    .expect("artist");
    let show: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date) VALUES ($1, current_date + 30) RETURNING id",
    )
    .bind(artist)
    .fetch_one(db)
    .await
    .expect("show");
    let list: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') RETURNING id")
        .bind(show).bind(artist).fetch_one(db).await.expect("list");
    let lines: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO setlist_songs (setlist_id, title, position) SELECT $1, 'Song ' || n, n FROM generate_series(1, $2) n RETURNING id")
        .bind(list).bind(LINES as i32).fetch_all(db).await.expect("lines");
    let tokens: Vec<String> = (0..USERS).map(|_| tokens::new_token()).collect();
    let digests: Vec<Vec<u8>> = tokens.iter().map(|t| tokens::digest(t)).collect();
    sqlx::query(
        "WITH u AS (INSERT INTO users (email, display_name, email_verified_at) SELECT 'fan' || n || '@bench.example', 'Fan', now() \
                    FROM generate_series(1, $1) n RETURNING id), \
              numbered AS (SELECT id, row_number() OVER () AS n FROM u), \
              s AS (INSERT INTO sessions (user_id, device_id) SELECT id, 'bench' FROM numbered RETURNING id, user_id) \
         INSERT INTO access_tokens (token_hash, session_id, expires_at) \
         SELECT d.hash, s.id, now() + interval '1 hour' FROM s JOIN numbered n ON n.id = s.user_id \
         JOIN unnest($2::bytea[]) WITH ORDINALITY d(hash, n) ON d.n = n.n")
        .bind(USERS as i32).bind(&digests).execute(db).await.expect("fans");
    // Numbered copies for pgbench's random picks.
    sqlx::query(
        "CREATE TABLE bench_users AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM users",
    )
    .execute(db)
    .await
    .expect("bench_users");
    sqlx::query("CREATE TABLE bench_lines AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM setlist_songs")
        .execute(db).await.expect("bench_lines");
    for t in ["bench_users", "bench_lines"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE UNIQUE INDEX ON {t} (n)"
        )))
        .execute(db)
        .await
        .expect("index");
    }
    (lines, tokens)
}

/// Closed loop, `WORKERS` connections: completed votes per second.
async fn peak(addr: SocketAddr, lines: &Arc<Vec<Uuid>>, tokens: &Arc<Vec<String>>) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (lines, tokens, done, failed) =
            (lines.clone(), tokens.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut voter = Voter::new(addr);
            let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (w as u64 + 1);
            while Instant::now() < until {
                let (u, l) = (pick(&mut seed, USERS), pick(&mut seed, LINES));
                let value = if seed.is_multiple_of(2) { 1 } else { -1 };
                if voter.vote(lines[l], &tokens[u], value).await {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let f = failed.load(Ordering::Relaxed);
    if f > 0 {
        println!("  ({f} requests failed)");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// Open loop at `rate` votes per second: latencies from each request's due time.
async fn at_rate(
    addr: SocketAddr,
    lines: &Arc<Vec<Uuid>>,
    tokens: &Arc<Vec<String>>,
    rate: f64,
) -> Vec<Duration> {
    let per_worker = rate / WORKERS as f64;
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (lines, tokens) = (lines.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut voter = Voter::new(addr);
            let mut seed = 0xdead_beef_u64 ^ (w as u64 + 7);
            let period = Duration::from_secs_f64(1.0 / per_worker);
            let start = tokio::time::Instant::now() + period.mul_f64(w as f64 / WORKERS as f64);
            let mut latencies = Vec::new();
            let mut due = start;
            while due < start + Duration::from_secs(SECONDS) {
                tokio::time::sleep_until(due).await;
                let (u, l) = (pick(&mut seed, USERS), pick(&mut seed, LINES));
                voter.vote(lines[l], &tokens[u], 1).await;
                latencies.push(tokio::time::Instant::now() - due);
                due += period;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort();
    all
}

/// The same writes as the server's (the vote upsert and the mutation record), one vote per
/// transaction.
fn pgbench(url: &str) -> f64 {
    let script = format!(
        "\\set u random(1, {USERS})\n\\set l random(1, {LINES})\n\\set v random(0, 1)\nBEGIN;\n\
         INSERT INTO votes (user_id, setlist_song_id, value) SELECT u.id, l.id, CASE WHEN :v = 1 THEN 1 ELSE -1 END \
         FROM bench_users u, bench_lines l WHERE u.n = :u AND l.n = :l \
         ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value WHERE votes.value <> EXCLUDED.value;\n\
         INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome) \
         SELECT id, gen_random_uuid(), 'vote.set@1', '{{\"outcome\": \"applied\", \"body\": {{}}}}' FROM bench_users WHERE n = :u;\nEND;\n"
    );
    theset_testkit::pgbench::tps(url, &script, WORKERS, SECONDS)
}

#[tokio::main]
async fn main() {
    let base_url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench sets it)");
    let (server, _) = base_url.rsplit_once('/').expect("database name");
    let db = theset_testkit::databases::fresh(server, "bench_votes", 40).await;
    let url = format!("{server}/bench_votes");
    let (lines, tokens) = stage(&db).await;
    let (lines, tokens) = (Arc::new(lines), Arc::new(tokens));
    // Lift the per-account vote limit: this measures our write path, not the limiter.
    let server = TestApp::start_with(db.clone(), |auth| {
        auth.limits = Limits::new(theset_testkit::unlimited_votes());
    })
    .await;
    println!(
        "vote writes: {WORKERS} connections, {SECONDS} s per run, {USERS} fans, {LINES} songs"
    );
    let http = peak(server.addr, &lines, &tokens).await;
    let batches = &server.vote_batches;
    let (n, writes, largest) = (
        batches.batches.load(Ordering::Relaxed),
        batches.writes.load(Ordering::Relaxed),
        batches.largest.load(Ordering::Relaxed),
    );
    let raw = pgbench(&url);
    println!("  PUT vote over HTTP      {http:>9.0} votes/s");
    println!("  pgbench, one vote a tx  {raw:>9.0} tx/s");
    println!(
        "  ratio                   {:>9.2}   (target ≥ 1.0)",
        http / raw
    );
    println!(
        "  group commit: {writes} votes in {n} transactions, {:.1} a batch on average, largest {largest}",
        writes as f64 / n.max(1) as f64
    );
    let rate = 0.7 * http;
    let lat = at_rate(server.addr, &lines, &tokens, rate).await;
    let q = |p: f64| theset_testkit::pgbench::quantile(&lat, p);
    println!(
        "  at 70 % of peak ({rate:.0}/s): p50 {:.1} ms, p99 {:.1} ms   (target p99 ≤ 25 ms)",
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3
    );
    push_arm(&server, &db, &url, &lines, &tokens).await;
    burst::run(&server, &db, &tokens, lines[0]).await;
    let drifted = theset_backend::db::votes::drifted(&db)
        .await
        .expect("recount");
    println!("  totals equal a fresh count: {}", drifted.is_empty());
    assert!(drifted.is_empty(), "vote totals drifted: {drifted:?}");
}

/// The devices' pushes (see `push.rs`) beside the REST door's figure printed before.
async fn push_arm(
    server: &TestApp,
    db: &PgPool,
    url: &str,
    lines: &Arc<Vec<Uuid>>,
    tokens: &[String],
) {
    push::stage_pgbench(db).await;
    let batches = &server.vote_batches;
    let before = (
        batches.batches.load(Ordering::Relaxed),
        batches.writes.load(Ordering::Relaxed),
    );
    println!(
        "vote pushes: {} devices (one fan each), one vote per POST /sync/push, {SECONDS} s per run, best of two",
        push::DEVICES
    );
    // This machine's other tenants move single runs by a fifth or more (pgbench too): the two
    // sides alternate twice and each keeps its best, against pgbench at its best of as many
    // connections as devices and as many as the REST run.
    let mut devices = push::devices(tokens);
    let (mut http, mut raw_crowd, mut raw_few) = (0.0f64, 0.0f64, 0.0f64);
    for _ in 0..2 {
        let (rate, back) = push::peak(server.addr, lines, devices, SECONDS).await;
        devices = back;
        http = http.max(rate);
        raw_crowd = raw_crowd.max(push::pgbench(url, LINES, push::DEVICES, SECONDS));
        raw_few = raw_few.max(push::pgbench(url, LINES, WORKERS, SECONDS));
    }
    let (n, writes) = (
        batches.batches.load(Ordering::Relaxed) - before.0,
        batches.writes.load(Ordering::Relaxed) - before.1,
    );
    let raw = raw_crowd.max(raw_few);
    println!("  push over HTTP          {http:>9.0} votes/s");
    println!(
        "  pgbench, one vote a tx  {raw:>9.0} tx/s   ({raw_crowd:.0} with {} connections, {raw_few:.0} with {WORKERS})",
        push::DEVICES
    );
    println!(
        "  ratio                   {:>9.2}   (target ≥ 1.0)",
        http / raw
    );
    println!(
        "  group commit: {writes} pushed votes in {n} transactions, {:.1} a batch on average",
        writes as f64 / n.max(1) as f64
    );
    let rate = 0.7 * http;
    let lat = push::at_rate(server.addr, lines, devices, rate, SECONDS).await;
    let q = |p: f64| theset_testkit::pgbench::quantile(&lat, p);
    println!(
        "  at 70 % of peak ({rate:.0}/s): p50 {:.1} ms, p99 {:.1} ms   (target p99 ≤ 25 ms)",
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3
    );
}
