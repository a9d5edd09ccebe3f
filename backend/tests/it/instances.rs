//! Three `theset-backend` processes behind a real nginx, on one Postgres and one Redis, as an
//! operator runs them: votes sent to one instance reach live listeners on the others; rate limits
//! are one budget across instances; jobs and cron slots run once; and during a burst of 10,000
//! votes from 200 fans retrying with the same mutation ids, one instance is SIGKILLed and another
//! SIGTERMed (both come back): every fan's last vote is what the database holds, nothing lost or
//! doubled, the totals equal a fresh count, and listeners that reconnect with `Last-Event-ID` end
//! with exactly those totals.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_shared::api::SongTotals;
use tokio::sync::watch;
use uuid::Uuid;

use theset_backend::db::jobs::{self as queue, NewJob};
use theset_backend::db::votes;
use theset_backend::jobs::types;
use theset_testkit::Role;
use theset_testkit::accounts;
use theset_testkit::process::{Nginx, Server, database_url};
use theset_testkit::rows as support;
use theset_testkit::sse::take_events;

use crate::cache::Redis;
use crate::shutdown::add_line;

const FANS: usize = 200;
const VOTES_EACH: usize = 50;

type Totals = HashMap<Uuid, (i32, i32)>;

/// A live listener through the proxy: reconnects with `Last-Event-ID` whenever its stream ends
/// (its instance stopped or crashed) until `stop`; the latest totals per line and its reconnects.
async fn listen(url: String, mut stop: watch::Receiver<bool>) -> (Totals, usize) {
    let http = reqwest::Client::new();
    let mut totals = Totals::new();
    let mut last_id: Option<String> = None;
    let mut reconnects = 0;
    while !*stop.borrow() {
        let mut req = http.get(&url);
        if let Some(id) = &last_id {
            req = req.header("last-event-id", id);
        }
        if let Ok(mut res) = req.send().await
            && res.status() == StatusCode::OK
        {
            let mut buffer = String::new();
            loop {
                let chunk = tokio::select! {
                    c = res.chunk() => c,
                    _ = stop.changed() => break,
                };
                let Ok(Some(chunk)) = chunk else { break };
                for event in take_events(&mut buffer, &chunk) {
                    let data = event.data.as_deref();
                    if let Some(t) = data.and_then(|d| serde_json::from_str::<SongTotals>(d).ok()) {
                        totals.insert(t.setlist_song_id, (t.upvotes, t.downvotes));
                    }
                    if event.id.is_some() {
                        last_id = event.id;
                    }
                }
            }
        }
        if *stop.borrow() {
            break;
        }
        reconnects += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (totals, reconnects)
}

async fn db_totals(db: &PgPool, lines: &[Uuid]) -> Totals {
    let rows: Vec<(Uuid, i32, i32)> =
        sqlx::query_as("SELECT id, upvotes, downvotes FROM setlist_songs WHERE id = ANY($1)")
            .bind(lines)
            .fetch_all(db)
            .await
            .expect("totals");
    rows.into_iter().map(|(id, u, d)| (id, (u, d))).collect()
}

/// Sends one vote until an instance answers it, retrying with the same mutation id through
/// crashes, drains and 502s, as the app's outbox does.
async fn vote_until_answered(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    line: Uuid,
    value: i16,
) -> usize {
    let body = json!({ "mutation_id": Uuid::now_v7(), "value": value });
    let mut tries = 0;
    loop {
        tries += 1;
        let sent = http
            .put(format!("{base}/api/v1/setlist-songs/{line}/vote"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return tries,
            Ok(r)
                if r.status().is_client_error() && r.status() != StatusCode::TOO_MANY_REQUESTS =>
            {
                panic!("vote refused: {} {:?}", r.status(), r.text().await)
            }
            _ => {}
        }
        assert!(tries < 200, "a vote was never answered");
        tokio::time::sleep(Duration::from_millis(50 + 10 * tries as u64)).await;
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn three_instances_behind_nginx_share_everything_and_lose_no_vote(db: PgPool) {
    let redis = Redis::start();
    let namespace = format!("fleet-{}", Uuid::new_v4().simple());
    let envs = [
        ("REDIS_URL", redis.url.as_str()),
        ("THESET_CACHE_NAMESPACE", namespace.as_str()),
        ("THESET_TRUSTED_PROXIES", "127.0.0.1/32"),
        // One venue's fans behind one address: no per-address vote cap in the way of the burst.
        (
            "THESET_RATES",
            "search_ip=5/60000,vote_ip=1000000/1000,vote_account=1000/1000",
        ),
        ("THESET_CRON", "on"),
        ("THESET_CRON_STATUSES", "* * * * * *"),
        ("THESET_SHUTDOWN_GRACE", "3"),
    ];
    let bin = Path::new(env!("CARGO_BIN_EXE_theset-backend"));
    let url = database_url(&db);
    let mut servers: Vec<Server> = (0..3).map(|_| Server::start(bin, &url, &envs)).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let nginx = Nginx::start(&ports);
    let http = reqwest::Client::new();

    let artist = support::artist(&db, "Fleet Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(5), "upcoming").await;
    let mut fans = Vec::with_capacity(FANS);
    for _ in 0..FANS {
        fans.push(accounts::with_role(&db, Role::User).await);
    }
    let mut lines = Vec::new();
    for title in ["One", "Two", "Three", "Four"] {
        let song = support::song(&db, artist, title, 50).await;
        lines.push(add_line(&http, &servers[0].url, &fans[0].access, show, song).await);
    }

    // A vote on instance 0 reaches listeners on instances 1 and 2 live (no reconnect).
    let (direct_stop, direct_rx) = watch::channel(false);
    let direct: Vec<_> = servers[1..]
        .iter()
        .map(|s| {
            tokio::spawn(listen(
                format!("{}/api/v1/shows/{show}/events", s.url),
                direct_rx.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    vote_until_answered(&http, &servers[0].url, &fans[0].access, lines[0], 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = direct_stop.send(true);
    for listener in direct {
        let (seen, reconnects) = listener.await.expect("listener");
        assert_eq!(reconnects, 0);
        assert_eq!(seen.get(&lines[0]), Some(&(1, 0)), "{seen:?}");
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    // Listeners of the burst go through the proxy and follow instances as they die.
    let proxied: Vec<_> = (0..6)
        .map(|_| {
            tokio::spawn(listen(
                format!("{}/api/v1/shows/{show}/events", nginx.url),
                stop_rx.clone(),
            ))
        })
        .collect();

    // One search budget for the three instances: 5 answered, then 429, round robin or not.
    let mut answered = 0;
    for n in 0..8 {
        let r = http
            .get(format!("{}/api/v1/search/artists?q=fleet{n}", nginx.url))
            .send()
            .await
            .expect("search");
        match r.status() {
            StatusCode::OK => answered += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("search: {other}"),
        }
    }
    assert_eq!(answered, 5, "the search budget is shared by every instance");

    // The burst: 200 fans, 50 votes each, through the proxy; the last value per fan and line is
    // what must stay.
    let applied = Arc::new(AtomicUsize::new(0));
    let retried = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let burst: Vec<_> = fans
        .iter()
        .enumerate()
        .map(|(n, fan)| {
            let (http, base, token) = (http.clone(), nginx.url.clone(), fan.access.clone());
            let (lines, applied, retried) = (lines.clone(), applied.clone(), retried.clone());
            tokio::spawn(async move {
                let mut last = HashMap::new();
                for i in 0..VOTES_EACH {
                    let line = lines[(n + i) % lines.len()];
                    let value: i16 = if (n * 7 + i) % 3 == 0 { -1 } else { 1 };
                    let tries = vote_until_answered(&http, &base, &token, line, value).await;
                    retried.fetch_add(tries - 1, Ordering::Relaxed);
                    applied.fetch_add(1, Ordering::Relaxed);
                    last.insert(line, value);
                }
                last
            })
        })
        .collect();
    // Chaos: a crash at 30 %, a drain at 60 %, each instance back two seconds later.
    let total = FANS * VOTES_EACH;
    for (at, victim, crash) in [(total * 3 / 10, 1, true), (total * 6 / 10, 2, false)] {
        while applied.load(Ordering::Relaxed) < at {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if crash {
            servers[victim].kill();
        } else {
            servers[victim].terminate();
            assert!(
                servers[victim]
                    .wait_exit(Duration::from_secs(10))
                    .is_some_and(|s| s.success()),
                "the drained instance exits cleanly"
            );
        }
        let port = ports[victim];
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err(),
            "instance {victim} is down"
        );
        eprintln!(
            "instance {victim} {} at {} votes",
            if crash { "killed" } else { "drained" },
            applied.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (bin, url) = (bin.to_path_buf(), url.clone());
        let envs: Vec<(String, String)> = envs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        servers[victim] = tokio::task::spawn_blocking(move || {
            let envs: Vec<(&str, &str)> =
                envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Server::start_on(port, &bin, &url, &envs)
        })
        .await
        .expect("restart");
    }
    // Jobs enqueued together, with every instance up again, run once each, whichever instance
    // claims them (a job that was running on the crashed instance rightly ran again after its
    // lease expired: that is the crash recovery, not a double run).
    let calm = chrono::Utc::now();
    let mut jobs = Vec::new();
    for _ in 0..20 {
        jobs.push(
            queue::enqueue(
                &db,
                NewJob {
                    job_type: types::CRON_SCORES,
                    payload: json!({}),
                    artist_id: None,
                    priority: 0,
                    dedupe_key: None,
                    max_attempts: 3,
                },
            )
            .await
            .expect("enqueue"),
        );
    }

    let mut expected: HashMap<(usize, Uuid), i16> = HashMap::new();
    for (n, task) in burst.into_iter().enumerate() {
        for (line, value) in task.await.expect("fan") {
            expected.insert((n, line), value);
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "burst: {total} votes in {elapsed:.1?} ({:.0}/s) through 3 instances, {} retries",
        total as f64 / elapsed.as_secs_f64(),
        retried.load(Ordering::Relaxed)
    );

    // Exactly the last vote of every fan on every line, nothing lost or doubled.
    let fan_ids: Vec<Uuid> = fans.iter().map(|f| f.user).collect();
    let stored: Vec<(Uuid, Uuid, i16)> = sqlx::query_as(
        "SELECT user_id, setlist_song_id, value FROM votes WHERE setlist_song_id = ANY($1)",
    )
    .bind(&lines)
    .fetch_all(&db)
    .await
    .expect("votes");
    let index: HashMap<Uuid, usize> = fan_ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    let mut held: HashMap<(usize, Uuid), i16> = HashMap::new();
    for (user, line, value) in stored {
        let n = index[&user];
        // Fan 0's first vote on line 0 (before the burst) was replaced by the burst's last one.
        assert!(held.insert((n, line), value).is_none(), "a doubled vote");
    }
    assert_eq!(held, expected, "the database holds each fan's last vote");
    assert!(
        votes::drifted(&db).await.expect("drift").is_empty(),
        "totals equal a fresh count"
    );
    let truth = db_totals(&db, &lines).await;
    let mut counted = Totals::new();
    for ((_, line), value) in &expected {
        let e = counted.entry(*line).or_default();
        if *value == 1 {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    assert_eq!(truth, counted);

    // Every listener ends on those totals: on the instances that stayed up, and through the
    // proxy after reconnecting with Last-Event-ID across the crash and the drain.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop_tx.send(true);
    let mut reconnects = 0;
    for listener in proxied {
        let (seen, again) = listener.await.expect("listener");
        reconnects += again;
        assert_eq!(seen, truth, "a proxied listener missed an update");
    }
    assert!(
        reconnects > 0,
        "the crash and the drain made listeners reconnect"
    );

    // The 20 jobs each ran once; each cron slot once, whichever instance claimed it.
    let start = Instant::now();
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sync_jobs WHERE id = ANY($1) AND status = 'succeeded'",
        )
        .bind(&jobs)
        .fetch_one(&db)
        .await
        .expect("jobs");
        if done == jobs.len() as i64 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{done} jobs done"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let repeated: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sync_jobs WHERE id = ANY($1) AND attempts <> 1")
            .bind(&jobs)
            .fetch_one(&db)
            .await
            .expect("attempts");
    assert_eq!(repeated, 0, "a job ran twice");
    let slots: i64 = sqlx::query_scalar("SELECT count(*) FROM cron_runs WHERE name = 'statuses'")
        .fetch_one(&db)
        .await
        .expect("cron");
    assert!(
        slots as f64 >= elapsed.as_secs_f64() - 2.0,
        "one run a second: {slots} in {elapsed:?}"
    );
    let twice: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sync_jobs j WHERE j.job_type = $1 AND j.attempts > 1 \
           AND j.created_at > $2",
    )
    .bind(types::CRON_STATUSES)
    .bind(calm)
    .fetch_one(&db)
    .await
    .expect("cron jobs");
    assert_eq!(twice, 0, "a cron job ran twice");
}
