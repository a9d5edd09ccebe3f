//! The venue burst: `push::DEVICES` fans at a show that has started; `SONGS` songs are played one
//! after another, and within `SPREAD` of each song starting every fan pushes one sync request
//! carrying a capture of it ("playing now") and a vote queued on the phone for the tour's next
//! show, while a fan follows the show's live stream (`GET /shows/{id}/events`). One job worker
//! runs beside the server, as `serve` runs one.
//!
//! Measured: for each update of the crowd list the listener receives, the time from the push
//! that made it — the last push answered before the merge that wrote it began (the list's
//! `updated_at` is that merge transaction's start, so it read that capture) — to its arrival.
//! Most captures change nothing a listener can see (the list keeps capture times to the second):
//! those are counted, not timed.

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

/// How long after a song starts the crowd's taps arrive.
const SPREAD: Duration = Duration::from_secs(10);
/// Songs played, one after another.
const SONGS: usize = 3;

/// A started show of the bench artist with `SONGS` catalogue songs: `(show, songs)`.
async fn stage(db: &PgPool) -> (Uuid, Vec<(Uuid, String)>) {
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
    let mut songs = Vec::new();
    for n in 0..SONGS {
        let title = format!("Live Song {}", n + 1);
        songs.push((
            theset_testkit::rows::song(db, artist, &title, 90).await,
            title,
        ));
    }
    (show, songs)
}

/// One push: when it was sent, when it was answered (and by the wall clock), and whether its
/// capture was applied.
struct Sent {
    sent: Instant,
    answered: Instant,
    answered_at: DateTime<Utc>,
    captured: bool,
}

/// What each device tapped, and when the song started.
#[derive(Clone)]
struct Song {
    id: Uuid,
    title: String,
    played: DateTime<Utc>,
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

/// Each device's pushes, one per song, spread evenly over `SPREAD` from the song's start.
async fn burst(
    addr: SocketAddr,
    devices: Vec<Device>,
    show: Uuid,
    songs: &[(Uuid, String)],
    next_show_line: Uuid,
) -> Vec<Sent> {
    let n = devices.len().max(1);
    let start = Instant::now();
    let now = Utc::now();
    let songs: Vec<Song> = songs
        .iter()
        .zip(0i32..)
        .map(|((id, title), k)| Song {
            id: *id,
            title: title.clone(),
            played: now + chrono::Duration::from_std(SPREAD * k.unsigned_abs()).unwrap_or_default(),
        })
        .collect();
    let mut tasks = Vec::new();
    for (i, mut device) in devices.into_iter().enumerate() {
        let songs = songs.clone();
        tasks.push(tokio::spawn(async move {
            let mut pushes = Vec::with_capacity(songs.len());
            for (k, song) in songs.into_iter().enumerate() {
                let offset = SPREAD.mul_f64(i as f64 / n as f64);
                tokio::time::sleep_until(start + SPREAD * k as u32 + offset).await;
                let capture = Action::Capture(CaptureAction {
                    capture_id: Uuid::now_v7(),
                    show_id: show,
                    song_id: Some(song.id),
                    title: song.title,
                    at: song.played + chrono::Duration::from_std(offset).unwrap_or_default(),
                    encore: false,
                });
                let vote = Action::Vote(VoteAction {
                    on: VoteOn::Line(next_show_line),
                    value: if k % 2 == 0 {
                        VoteValue::Up
                    } else {
                        VoteValue::Down
                    },
                });
                let sent = Instant::now();
                let answer = device.send(addr, vec![capture, vote]).await;
                pushes.push(Sent {
                    sent,
                    answered: Instant::now(),
                    answered_at: Utc::now(),
                    captured: answer.is_some_and(|a| {
                        a.results
                            .first()
                            .is_some_and(|r| matches!(r.outcome, Outcome::Applied { .. }))
                    }),
                });
            }
            pushes
        }));
    }
    let mut all = Vec::with_capacity(n * SONGS);
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
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
    let (show, songs) = stage(db).await;
    let heard: Heard = Arc::default();
    let listener = listen(server, show, heard.clone()).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(db.clone(), Providers::default()).run(async {
        let _ = stopped.await;
    }));
    // Devices of their own (a fan's phone at the show), apart from the push runs'.
    let devices = push::devices(tokens);
    let sent = burst(server.addr, devices, show, &songs, next_show_line).await;
    merged(db).await;
    // The last merge's event on its way.
    tokio::time::sleep(Duration::from_secs(1)).await;
    listener.abort();
    let _ = stop.send(());
    let _ = worker.await;
    let heard = heard.lock().unwrap_or_else(|e| e.into_inner()).clone();

    let captured = sent.iter().filter(|s| s.captured).count();
    // Each update the listener heard, timed from the push that made it.
    let mut reach = Vec::new();
    for (received, written) in &heard {
        if let Some(made_it) = sent
            .iter()
            .filter(|s| s.captured && s.answered_at < *written)
            .max_by_key(|s| s.answered_at)
        {
            reach.push(*received - made_it.sent);
        }
    }
    reach.sort();
    let mut answered: Vec<Duration> = sent.iter().map(|s| s.answered - s.sent).collect();
    answered.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "venue burst: {} devices, {SONGS} songs; for each, one push per device (a capture and a vote) within {} s of its start; one listener",
        sent.len() / SONGS,
        SPREAD.as_secs()
    );
    println!(
        "  captures applied {captured}/{}; push answered p50 {:.1} ms, p99 {:.1} ms",
        sent.len(),
        ms(quantile(&answered, 0.5)),
        ms(quantile(&answered, 0.99))
    );
    println!(
        "  crowd list updates heard {} (the rest of the captures changed nothing to see); push → update at the listener p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms   (target p99 ≤ 1,000 ms)",
        reach.len(),
        ms(quantile(&reach, 0.5)),
        ms(quantile(&reach, 0.99)),
        ms(reach.last().copied().unwrap_or_default())
    );
    assert_eq!(captured, sent.len(), "every capture applied");
    assert!(reach.len() >= SONGS, "the listener heard each song arrive");
}
