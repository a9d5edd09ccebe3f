//! The venue burst: `push::DEVICES` fans at a show that has started, each pushing — within
//! `SPREAD` of a song starting — one sync request carrying a capture of it ("playing now") and a
//! vote queued on the phone for the tour's next show, while a fan follows the show's live stream
//! (`GET /shows/{id}/events`). One job worker runs beside the server, as `serve` runs one.
//!
//! Measured: from each push being sent to the crowd list's update that reflects it reaching the
//! listener. A push is reflected by the first `crowd` event whose list was written by a merge that
//! began after the push was answered (the list's `updated_at` is the merge transaction's start, so
//! that merge read the capture) — a bound from above, as the listener sees it. A push after which
//! no merge changed the list (the list it makes is the one the listener already has) is counted
//! apart: there was nothing to tell.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use sqlx::PgPool;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_shared::api::{CrowdNow, VoteValue};
use theset_shared::sync::{Action, CaptureAction, Outcome, VoteAction, VoteOn};
use theset_testkit::TestApp;
use theset_testkit::pgbench::quantile;
use theset_testkit::sse::take_events;
use tokio::time::Instant;
use uuid::Uuid;

use crate::push::{self, Device};

/// How long after the song starts the crowd's taps arrive.
const SPREAD: Duration = Duration::from_secs(10);

/// A started show of the bench artist with one catalogue song: `(show, song)`.
async fn stage(db: &PgPool) -> (Uuid, Uuid) {
    let artist: Uuid = sqlx::query_scalar("SELECT id FROM artists WHERE slug = 'bench'")
        .fetch_one(db)
        .await
        .expect("artist");
    let show: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date, starts_at) \
         SELECT $1, ((now() - interval '10 minutes') AT TIME ZONE 'UTC')::date, now() - interval '10 minutes' \
         RETURNING id",
    )
    .bind(artist)
    .fetch_one(db)
    .await
    .expect("show");
    let song = theset_testkit::rows::song(db, artist, "The Opener", 90).await;
    (show, song)
}

/// One push: when it was sent, when it was answered (and by the wall clock), and whether its
/// capture was applied.
struct Sent {
    sent: Instant,
    answered: Instant,
    answered_at: DateTime<Utc>,
    captured: bool,
}

/// Crowd events as the listener received them: when, and the writing merge's start.
type Heard = Arc<Mutex<Vec<(Instant, DateTime<Utc>)>>>;

async fn listen(server: &TestApp, show: Uuid, heard: Heard) -> tokio::task::JoinHandle<()> {
    let mut res = server
        .req(Method::GET, &format!("/api/v1/shows/{show}/events"))
        .send()
        .await
        .expect("stream");
    assert!(res.status().is_success(), "stream: {}", res.status());
    tokio::spawn(async move {
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = res.chunk().await {
            let now = Instant::now();
            for event in take_events(&mut buffer, &chunk) {
                if event.event.as_deref() != Some("crowd") {
                    continue;
                }
                let Some(crowd) = event
                    .data
                    .and_then(|d| serde_json::from_str::<CrowdNow>(&d).ok())
                else {
                    continue;
                };
                if let Some(written) = crowd.lists.iter().map(|l| l.updated_at).max() {
                    heard
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((now, written));
                }
            }
        }
    })
}

/// Each device's push, spread evenly over `SPREAD` from `start`.
async fn burst(
    addr: SocketAddr,
    devices: Vec<Device>,
    show: Uuid,
    song: Uuid,
    next_show_line: Uuid,
) -> Vec<Sent> {
    let n = devices.len().max(1);
    let start = Instant::now();
    let played = Utc::now();
    let mut tasks = Vec::new();
    for (i, mut device) in devices.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(start + SPREAD.mul_f64(i as f64 / n as f64)).await;
            let capture = Action::Capture(CaptureAction {
                capture_id: Uuid::now_v7(),
                show_id: show,
                song_id: Some(song),
                title: "The Opener".into(),
                at: played + chrono::Duration::milliseconds((i * 30) as i64),
                encore: false,
            });
            let vote = Action::Vote(VoteAction {
                on: VoteOn::Line(next_show_line),
                value: VoteValue::Up,
            });
            let sent = Instant::now();
            let answer = device.send(addr, vec![capture, vote]).await;
            Sent {
                sent,
                answered: Instant::now(),
                answered_at: Utc::now(),
                captured: answer.is_some_and(|a| {
                    a.results
                        .first()
                        .is_some_and(|r| matches!(r.outcome, Outcome::Applied { .. }))
                }),
            }
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await.ok());
    }
    all
}

/// Waits until no crowd merge is queued or running.
async fn merged(db: &PgPool) {
    for _ in 0..600 {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sync_jobs WHERE job_type = 'live.crowd_merge' \
             AND status IN ('queued', 'running')",
        )
        .fetch_one(db)
        .await
        .expect("jobs");
        if busy == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("crowd merges still queued after a minute");
}

pub async fn run(server: &TestApp, db: &PgPool, tokens: &[String], next_show_line: Uuid) {
    let (show, song) = stage(db).await;
    let heard: Heard = Arc::default();
    let listener = listen(server, show, heard.clone()).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(db.clone(), Providers::default()).run(async {
        let _ = stopped.await;
    }));
    // Devices of their own (a fan's phone at the show), apart from the push runs'.
    let devices = push::devices(tokens);
    let sent = burst(server.addr, devices, show, song, next_show_line).await;
    merged(db).await;
    // The last merge's event on its way.
    tokio::time::sleep(Duration::from_secs(1)).await;
    listener.abort();
    let _ = stop.send(());
    let _ = worker.await;
    let heard = heard.lock().unwrap_or_else(|e| e.into_inner()).clone();

    let captured = sent.iter().filter(|s| s.captured).count();
    let mut reach = Vec::new();
    let mut untold = 0;
    for s in sent.iter().filter(|s| s.captured) {
        match heard
            .iter()
            .find(|(at, written)| *at >= s.answered && *written > s.answered_at)
        {
            Some((at, _)) => reach.push(*at - s.sent),
            None => untold += 1,
        }
    }
    reach.sort();
    let mut answered: Vec<Duration> = sent.iter().map(|s| s.answered - s.sent).collect();
    answered.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "venue burst: {} devices, one push each (a capture and a vote) within {} s of a song starting, one listener",
        sent.len(),
        SPREAD.as_secs()
    );
    println!(
        "  captures applied {captured}/{}; crowd events heard {}; push answered p50 {:.1} ms, p99 {:.1} ms",
        sent.len(),
        heard.len(),
        ms(quantile(&answered, 0.5)),
        ms(quantile(&answered, 0.99))
    );
    println!(
        "  push → crowd list at the listener: p50 {:.0} ms, p99 {:.0} ms over {} pushes ({untold} changed nothing to tell)   (target p99 ≤ 1,000 ms)",
        ms(quantile(&reach, 0.5)),
        ms(quantile(&reach, 0.99)),
        reach.len()
    );
    assert_eq!(captured, sent.len(), "every capture applied");
    assert!(!reach.is_empty(), "the listener heard the crowd list");
}
