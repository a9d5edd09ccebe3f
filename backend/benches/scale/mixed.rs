//! The mixed load at full size: `FANS` concurrent fans, reads to writes 20:1, one hot show; then
//! the vote path alone against `pgbench` of the same statements in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use theset_testkit::loadgen::{Voter, pick};
use theset_testkit::pgbench;
use uuid::Uuid;

pub const FANS: usize = 500;
const SECONDS: u64 = 20;
/// One write in this many requests.
const WRITE_EVERY: u64 = 21;
/// Connections of the votes-only peak and of pgbench.
const VOTERS: usize = 32;
const PEAK_SECONDS: u64 = 8;

pub struct Crowd {
    pub base: String,
    pub hot_show: Uuid,
    pub hot_lines: Vec<Uuid>,
    /// Other shows fans read (the long tail).
    pub other_shows: Vec<Uuid>,
    pub tokens: Vec<String>,
}

#[derive(Default)]
struct Seen {
    reads: Vec<Duration>,
    writes: Vec<Duration>,
    failed: usize,
}

async fn vote(
    http: &reqwest::Client,
    base: &str,
    line: Uuid,
    token: &str,
    value: i16,
) -> Result<(), ()> {
    match http
        .put(format!("{base}/api/v1/setlist-songs/{line}/vote"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": value }))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => Ok(()),
        _ => Err(()),
    }
}

async fn read(http: &reqwest::Client, url: String, token: Option<&str>) -> Result<(), ()> {
    let mut req = http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match req.send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.map(|_| ()).map_err(|_| ()),
        _ => Err(()),
    }
}

/// Each fan reads the hot show's list (half its reads), its page or another show's page, and
/// every 21st request votes on the hot show. Without `pace`, back to back (closed loop: the
/// server's capacity); with it, one request per `pace` per fan, latencies counted from when each
/// was due (open loop: a stalled server cannot hide its queue).
pub async fn mixed(crowd: Arc<Crowd>, pace: Option<Duration>) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(FANS)
        .build()
        .expect("client");
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for f in 0..FANS {
        let (http, crowd) = (http.clone(), crowd.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Seen::default();
            let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (f as u64 + 1);
            let token = &crowd.tokens[f % crowd.tokens.len()];
            let mut n = f as u64;
            // Fans start spread over one pace so the load is even.
            let mut due =
                Instant::now() + pace.map_or(Duration::ZERO, |p| p.mul_f64(f as f64 / FANS as f64));
            while Instant::now() < until {
                n += 1;
                let at = match pace {
                    Some(p) => {
                        tokio::time::sleep_until(due.into()).await;
                        let at = due;
                        due += p;
                        at
                    }
                    None => Instant::now(),
                };
                let ok = if n.is_multiple_of(WRITE_EVERY) {
                    let line = crowd.hot_lines[pick(&mut seed, crowd.hot_lines.len())];
                    let value = if seed.is_multiple_of(2) { 1 } else { -1 };
                    let ok = vote(&http, &crowd.base, line, token, value).await;
                    seen.writes.push(at.elapsed());
                    ok
                } else {
                    let base = &crowd.base;
                    let ok = match pick(&mut seed, 4) {
                        0 | 1 => {
                            read(
                                &http,
                                format!("{base}/api/v1/shows/{}/community", crowd.hot_show),
                                Some(token),
                            )
                            .await
                        }
                        2 => {
                            read(
                                &http,
                                format!("{base}/api/v1/shows/{}", crowd.hot_show),
                                None,
                            )
                            .await
                        }
                        _ => {
                            let show = crowd.other_shows[pick(&mut seed, crowd.other_shows.len())];
                            read(&http, format!("{base}/api/v1/shows/{show}"), None).await
                        }
                    };
                    seen.reads.push(at.elapsed());
                    ok
                };
                if ok.is_err() {
                    seen.failed += 1;
                }
            }
            seen
        }));
    }
    let mut all = Seen::default();
    for t in tasks {
        if let Ok(s) = t.await {
            all.reads.extend(s.reads);
            all.writes.extend(s.writes);
            all.failed += s.failed;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    all.reads.sort();
    all.writes.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    match pace {
        None => println!(
            "  mixed load: {FANS} fans back to back, reads:writes 20:1, one hot show, {SECONDS} s"
        ),
        Some(p) => println!(
            "  mixed load: {FANS} fans at one request per {:.1} s each, reads:writes 20:1, one hot show, {SECONDS} s",
            p.as_secs_f64()
        ),
    }
    println!(
        "    throughput {:>8.0} requests/s ({:.0} reads/s, {:.0} votes/s){}",
        (all.reads.len() + all.writes.len()) as f64 / secs,
        all.reads.len() as f64 / secs,
        all.writes.len() as f64 / secs,
        if all.failed > 0 {
            format!(", {} failed", all.failed)
        } else {
            String::new()
        }
    );
    for (what, lat) in [("reads", &all.reads), ("votes", &all.writes)] {
        println!(
            "    {what:<6} p50 {:>7.1} ms   p99 {:>7.1} ms",
            ms(pgbench::quantile(lat, 0.5)),
            ms(pgbench::quantile(lat, 0.99))
        );
    }
}

/// Votes only, `VOTERS` kept-alive connections of the thin client (as `pgbench` is a thin
/// client), closed loop: votes per second over HTTP.
pub async fn vote_peak(crowd: Arc<Crowd>, addr: std::net::SocketAddr) -> f64 {
    let until = Instant::now() + Duration::from_secs(PEAK_SECONDS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..VOTERS {
        let crowd = crowd.clone();
        tasks.push(tokio::spawn(async move {
            let mut seed = 0xdead_beef_u64 ^ (w as u64 + 7);
            let mut done = 0usize;
            let mut voter = Voter::new(addr);
            while Instant::now() < until {
                let line = crowd.hot_lines[pick(&mut seed, crowd.hot_lines.len())];
                let token = &crowd.tokens[pick(&mut seed, crowd.tokens.len())];
                let value = if seed.is_multiple_of(2) { 1 } else { -1 };
                if voter.vote(line, token, value).await {
                    done += 1;
                }
            }
            done
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.unwrap_or(0);
    }
    done as f64 / started.elapsed().as_secs_f64()
}

/// The server's vote writes (the upsert and the mutation record), one vote per transaction, by
/// the same fans on the same lines (`scale.bench_fans`, `scale.bench_lines`).
pub fn pgbench_votes(url: &str, fans: usize, lines: usize) -> f64 {
    let script = format!(
        "\\set u random(1, {fans})\n\\set l random(1, {lines})\n\\set v random(0, 1)\nBEGIN;\n\
         INSERT INTO votes (user_id, setlist_song_id, value) SELECT u.id, l.id, CASE WHEN :v = 1 THEN 1 ELSE -1 END \
         FROM scale.bench_fans u, scale.bench_lines l WHERE u.n = :u AND l.n = :l \
         ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value WHERE votes.value <> EXCLUDED.value;\n\
         INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome) \
         SELECT id, gen_random_uuid(), 'vote.set@1', '{{\"outcome\": \"applied\", \"body\": {{}}}}' FROM scale.bench_fans WHERE n = :u;\nEND;\n"
    );
    pgbench::tps(url, &script, VOTERS, PEAK_SECONDS)
}
