//! The venue run: fans at one show through a venue's link (1–3 s latency, 30 % of connections
//! dropped, 8 kB/s per connection, 20 s blackouts), each going to the show and capturing its
//! songs with a phone clock up to 90 s off, voting and predicting on the next show, all offline
//! between syncs; moderators verify or reject the last show's list offline while other fans
//! correct it; the backend is SIGKILLed twice. Pass: every capture, vote, prediction and decision
//! applied exactly once; the crowd list equal to the one merged offline from every capture; no
//! moderator decision applied to a version they did not see; every device settled within 60 s
//! of the link healing. Settings: `THESET_VENUE_FANS` (300), `THESET_VENUE_MODERATORS` (30),
//! `THESET_VENUE_SECS` (75 s of evening).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::Rng;
use sqlx::PgPool;
use theset_shared::api::ActualLine;
use theset_shared::crowd::{self, Capture};
use theset_shared::sync::{Action, CaptureAction};
use uuid::Uuid;

use crate::fleet::{self, Fan};
use crate::world::{self, Catalogue};
use crate::{checks, env_or, proxy};

/// Songs of the evening, one every four minutes of show time.
const SONGS: usize = 18;
const SONG_GAP: i64 = 240;
/// Phones' clocks are up to this far off.
const SKEW_SECS: i64 = 90;

struct Evening {
    catalogue: Catalogue,
    /// On stage: its songs were played from `starts_at` on.
    tonight: Uuid,
    starts_at: chrono::DateTime<chrono::Utc>,
    /// Last week's show and its imported list, which moderators verify while fans correct it.
    past: Uuid,
    list: Uuid,
}

async fn evening(db: &PgPool) -> Result<Evening> {
    // One artist: its next show (votes, predictions) is the catalogue's show.
    let catalogue = world::seed(db, 1, 1, 24).await?;
    let artist = catalogue.artists[0].id;
    let starts_at = chrono::Utc::now() - chrono::Duration::minutes(80);
    let tonight: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date, starts_at, status) \
         VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $2, 'ongoing') RETURNING id",
    )
    .bind(artist)
    .bind(starts_at)
    .fetch_one(db)
    .await?;
    let past: Uuid = sqlx::query_scalar(
        "INSERT INTO shows (headliner_artist_id, date, status) VALUES ($1, current_date - 7, 'completed') RETURNING id",
    )
    .bind(artist)
    .fetch_one(db)
    .await?;
    let list: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'actual', 'setlistfm') RETURNING id",
    )
    .bind(past)
    .bind(artist)
    .fetch_one(db)
    .await?;
    sqlx::query(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position) \
         SELECT $1, s.id, s.title, row_number() OVER (ORDER BY s.title) - 1 \
         FROM artist_songs x JOIN songs s ON s.id = x.song_id WHERE x.artist_id = $2 LIMIT 12",
    )
    .bind(list)
    .bind(artist)
    .execute(db)
    .await?;
    Ok(Evening {
        catalogue,
        tonight,
        starts_at,
        past,
        list,
    })
}

/// The `k`-th song of the evening as a fan's phone stamps it.
fn capture(e: &Evening, k: usize, skew: i64) -> CaptureAction {
    let songs = &e.catalogue.artists[0].songs;
    let jitter = rand::rng().random_range(0..40);
    CaptureAction {
        capture_id: Uuid::now_v7(),
        show_id: e.tonight,
        song_id: Some(songs[k]),
        title: format!("Song 0-{k}"),
        at: e.starts_at + chrono::Duration::seconds(k as i64 * SONG_GAP + skew + jitter),
        encore: k >= SONGS - 2,
    }
}

/// A moderator's (or a correcting fan's) turn on last week's list, as their device shows it.
fn moderate(fan: &Fan, e: &Evening, correcting: bool) -> Result<()> {
    let seen = fan.client.store().actual(e.past)?;
    let Some(list) = seen.setlist_id else {
        return Ok(());
    };
    if seen.pending {
        return Ok(());
    }
    let (dice, songs) = {
        let mut rng = rand::rng();
        let mut songs: Vec<ActualLine> = seen
            .songs
            .iter()
            .map(|s| ActualLine {
                song_id: s.song_id,
                title: s.title.clone(),
                set_name: s.set_name.clone(),
                is_cover: false,
                is_tape: false,
            })
            .collect();
        if songs.len() > 1 {
            let (a, b) = (
                rng.random_range(0..songs.len()),
                rng.random_range(0..songs.len()),
            );
            songs.swap(a, b);
        }
        (rng.random_range(0..100u8), songs)
    };
    let m = if correcting {
        fan.client
            .edit_setlist(list, seen.version, songs, Some("from the crowd".into()))?
    } else if dice < 60 || seen.version == 1 {
        fan.client.verify_setlist(list, seen.version)?
    } else {
        fan.client
            .reject_version(list, seen.version, "not what was played")?
    };
    fan.keep(m);
    Ok(())
}

pub async fn scenario(admin_url: &str, bin: &str) -> Result<bool> {
    let name = "venue";
    let fans_n: usize = env_or("THESET_VENUE_FANS", 300);
    let mods_n: usize = env_or("THESET_VENUE_MODERATORS", 30);
    let length = Duration::from_secs(env_or("THESET_VENUE_SECS", 75));
    let url = world::fresh_database(admin_url, "theset_faults_venue").await?;
    let backend_addr = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await?
        .local_addr()?;
    let mut backend = world::Backend::new(bin.into(), url.clone(), backend_addr);
    backend.run_once(&["migrate"])?;
    let db = PgPool::connect(&url).await?;
    let e = Arc::new(evening(&db).await?);
    let faults = proxy::Faults::venue();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let entry = format!("http://{}", listener.local_addr()?);
    tokio::spawn(proxy::run(listener, backend_addr, faults.clone()));
    backend.start().await?;

    let mut fans = Vec::with_capacity(fans_n);
    for n in 0..fans_n {
        let fan = fleet::make(n, &db, &entry, &e.catalogue).await?;
        fan.keep(fan.client.set_going(e.tonight, true, false)?);
        fans.push(fan);
    }
    let mut mods = Vec::with_capacity(mods_n);
    for n in 0..mods_n {
        let m = fleet::make(fans_n + n, &db, &entry, &e.catalogue).await?;
        sqlx::query("UPDATE users SET role = 'moderator' WHERE id = $1")
            .bind(m.user)
            .execute(&db)
            .await?;
        mods.push(m);
    }
    println!(
        "reliability/{name}: {fans_n} fans at one show and {mods_n} moderators through a venue's link (1–3 s latency, 30 % of connections dropped, 8 kB/s per connection, 20 s blackouts) for {} s; {SONGS} songs captured per fan with clocks ±{SKEW_SECS} s; backend killed twice",
        length.as_secs()
    );

    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for (n, fan) in fans.iter().enumerate() {
        let (fan, e) = (fan.clone(), e.clone());
        let skew = rand::rng().random_range(-SKEW_SECS..=SKEW_SECS);
        tasks.push(tokio::spawn(async move {
            let mut next_song = 0;
            while Instant::now() < deadline {
                // The show moves on: the songs played by now, scaled into the run's length.
                let due = ((start.elapsed().as_secs_f64() / length.as_secs_f64()) * SONGS as f64)
                    .ceil() as usize;
                while next_song < due.min(SONGS) {
                    let m = fan
                        .client
                        .store()
                        .enqueue(Action::Capture(capture(&e, next_song, skew)))?;
                    fan.keep(m);
                    next_song += 1;
                }
                if rand::rng().random_bool(0.3) {
                    fan.burst(&e.catalogue)?;
                }
                if n % 10 == 0 && rand::rng().random_bool(0.2) {
                    moderate(&fan, &e, true)?;
                }
                if rand::rng().random_bool(0.5) {
                    fan.try_sync().await;
                }
                let pause = rand::rng().random_range(1500..5000u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            // The last songs, captured as the show ends (their sync waits for the healed link).
            while next_song < SONGS {
                fan.keep(
                    fan.client
                        .store()
                        .enqueue(Action::Capture(capture(&e, next_song, skew)))?,
                );
                next_song += 1;
            }
            anyhow::Ok(())
        }));
    }
    for m in &mods {
        let (m, e) = (m.clone(), e.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if m.try_sync().await {
                    moderate(&m, &e, false)?;
                }
                let pause = rand::rng().random_range(3000..8000u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            anyhow::Ok(())
        }));
    }

    // Two blackouts and two kills across the evening.
    let at = |f: f64| start + length.mul_f64(f);
    let mut events = vec![
        (at(0.20), "blackout"),
        (at(0.20) + Duration::from_secs(20), "light"),
        (at(0.35), "kill"),
        (at(0.60), "blackout"),
        (at(0.60) + Duration::from_secs(20), "light"),
        (at(0.75), "kill"),
    ];
    events.sort_by_key(|e| e.0);
    for (when, what) in events {
        tokio::time::sleep_until(when.into()).await;
        match what {
            "kill" => {
                backend.kill();
                tokio::time::sleep(Duration::from_millis(rand::rng().random_range(500..3000)))
                    .await;
                backend.start().await?;
            }
            "blackout" => faults.partition(true),
            _ => faults.partition(false),
        }
    }
    tokio::time::sleep_until(deadline.into()).await;
    for t in tasks {
        match t.await {
            Ok(r) => r?,
            Err(e) if e.is_cancelled() => {}
            Err(e) => return Err(e.into()),
        }
    }
    faults.heal();
    let healed = Instant::now();
    let mut everyone = fans.clone();
    everyone.extend(mods.iter().cloned());
    let unsettled = fleet::settle(&everyone, Duration::from_secs(60), name).await?;
    let convergence = healed.elapsed();
    // The last merge of the evening: every queued one done.
    for _ in 0..600 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sync_jobs WHERE job_type = 'live.crowd_merge' AND status IN ('queued', 'running')",
        )
        .fetch_one(&db)
        .await?;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    fleet::final_pull(&db, &everyone).await?;
    let report = checks::run(&db, &everyone, &e.catalogue).await?;
    let live = live_checks(&db, &fans, &mods, &e).await?;
    let c = &faults.counters;
    println!(
        "reliability/{name}: {} mutations ({} captures) from {} devices; link: {} connections, {} dropped, {} blackouts; backend killed {} times",
        report.mutations,
        live.captures,
        everyone.len(),
        c.connections.load(std::sync::atomic::Ordering::Relaxed),
        c.dropped.load(std::sync::atomic::Ordering::Relaxed),
        c.partitions.load(std::sync::atomic::Ordering::Relaxed),
        backend.kills
    );
    println!(
        "reliability/{name}: converged in {:.1} s after the link healed ({unsettled} devices unsettled; target 60 s); lost {}, duplicated {}, refused {}, wrong votes {}, drifted totals {}, stores differing {}; captures lost {}, crowd list {} ({} songs); moderator decisions applied {} (unseen versions {}, audited {})",
        convergence.as_secs_f64(),
        report.lost,
        report.duplicated,
        report.rejected,
        report.wrong_votes,
        report.drifted_totals,
        report.stores_differing,
        live.captures_lost,
        if live.crowd_matches {
            "equal to the offline merge"
        } else {
            "DIFFERENT from the offline merge"
        },
        live.crowd_songs,
        live.decisions,
        live.unseen,
        live.audited
    );
    Ok(unsettled == 0
        && report.clean()
        && live.captures_lost == 0
        && live.crowd_matches
        && live.unseen == 0
        && live.audited == live.decisions)
}

struct LiveReport {
    captures: usize,
    captures_lost: usize,
    crowd_matches: bool,
    crowd_songs: usize,
    decisions: usize,
    unseen: usize,
    audited: usize,
}

async fn live_checks(
    db: &PgPool,
    fans: &[Arc<Fan>],
    mods: &[Arc<Fan>],
    e: &Evening,
) -> Result<LiveReport> {
    // Every capture stored once (ids are the table's key), none missing.
    let mut made: Vec<Capture> = Vec::new();
    for fan in fans {
        for m in fan.log.lock().map(|l| l.clone()).unwrap_or_default() {
            if let Action::Capture(c) = m.action {
                made.push(Capture {
                    id: c.capture_id,
                    user: fan.user,
                    song_id: c.song_id,
                    title: c.title,
                    at: c.at,
                    encore: c.encore,
                });
            }
        }
    }
    let stored: HashSet<Uuid> = sqlx::query_scalar("SELECT id FROM captures WHERE show_id = $1")
        .bind(e.tonight)
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
    let captures_lost = made.iter().filter(|c| !stored.contains(&c.id)).count();
    // The crowd list the server wrote, against the merge of every capture made, offline.
    let expected: Vec<(Option<Uuid>, String)> = crowd::merge(&made)
        .into_iter()
        .map(|l| {
            (
                l.song_id,
                if l.encore { "encore" } else { "main" }.to_owned(),
            )
        })
        .collect();
    let crowd: Vec<(Option<Uuid>, String)> = sqlx::query_as(
        "SELECT ss.song_id, ss.set_name FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'crowd' ORDER BY ss.position",
    )
    .bind(e.tonight)
    .fetch_all(db)
    .await?;
    // Decisions applied (by the server's record of each device's pushes), against the audit.
    let mut applied: HashMap<(String, i32), usize> = HashMap::new();
    let mut decisions = 0;
    for m in mods {
        let device = m.client.store().device_id()?;
        let outcomes: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
            "SELECT mutation_id, outcome->>'outcome' FROM applied_mutations WHERE device_id = $1",
        )
        .bind(device)
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
        for mutation in m.log.lock().map(|l| l.clone()).unwrap_or_default() {
            let key = match mutation.action {
                Action::VerifySetlist { version, .. } => ("verified", version),
                Action::RejectVersion { version, .. } => ("rejected", version),
                _ => continue,
            };
            if outcomes.get(&mutation.id).map(String::as_str) == Some("applied") {
                decisions += 1;
                *applied.entry((key.0.to_owned(), key.1)).or_default() += 1;
            }
        }
    }
    let audit: Vec<(String, Option<i32>)> = sqlx::query_as(
        "SELECT CASE action WHEN 'moderation.setlist_verified' THEN 'verified' ELSE 'rejected' END, \
                coalesce((detail->>'version')::int, (detail->>'rejected')::int) \
         FROM audit_log WHERE subject_id = $1 \
           AND action IN ('moderation.setlist_verified', 'moderation.setlist_version_rejected')",
    )
    .bind(e.list)
    .fetch_all(db)
    .await
    .context("audit")?;
    let mut audited_by: HashMap<(String, i32), usize> = HashMap::new();
    for (what, version) in &audit {
        *audited_by
            .entry((what.clone(), version.unwrap_or(-1)))
            .or_default() += 1;
    }
    // A decision applied to a version no applied mutation named would be one taken unseen.
    let unseen = audited_by
        .iter()
        .filter(|(k, n)| applied.get(*k).copied().unwrap_or(0) != **n)
        .map(|(_, n)| *n)
        .sum();
    Ok(LiveReport {
        captures: made.len(),
        captures_lost,
        crowd_matches: crowd == expected && !crowd.is_empty(),
        crowd_songs: crowd.len(),
        decisions,
        unseen,
        audited: audit.len(),
    })
}
