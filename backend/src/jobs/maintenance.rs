//! The cron jobs' work: refresh active artists, recompute trending scores (the formula is
//! `theset_shared::trending`), and the weekly sweep over every artist with cleanup and an integrity
//! report. They only enqueue per-artist import jobs, which do the fetching.

use std::time::Duration;

use sqlx::PgPool;
use theset_shared::trending::{self, HALF_LIFE_DAYS, SHOW_HORIZON_DAYS, ShowSignals, Signals};
use uuid::Uuid;

use super::{JobError, Progress, enqueue_artist_job, types};
use crate::cache::{Cache, artist_page_key};
use crate::db::trending as db_trending;
use crate::db::{artists, jobs, page_views, shows, songs, venues};

/// The knobs of the cron jobs' work (`THESET_TRENDING_TOP_N`, `THESET_CRON_BATCH_DELAY_SECS`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Artists deep-refreshed (and pre-cached) after the trending run.
    pub trending_top: u16,
    /// Pause between batches of the weekly sweep.
    pub batch_delay: Duration,
    /// Keep the offline catalogue's demo show on stage (`db::demo`).
    pub demo_tonight: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            trending_top: 10,
            batch_delay: Duration::from_secs(5),
            demo_tonight: false,
        }
    }
}

const BATCH: i64 = 20;

/// Artists with votes or follows in the last 7 days, or among the 50 most viewed in the last 7
/// days (not of all time: an artist nobody opens any more is left to the weekly sweep): shows
/// and set-lists refreshed.
pub async fn active(db: &PgPool, progress: &Progress) -> Result<String, JobError> {
    let ids = artists::active(db).await?;
    for (i, id) in ids.iter().enumerate() {
        enqueue_artist_job(db, types::ARTIST_SHOWS, *id, 2).await?;
        progress
            .counts(
                "queueing",
                Some(ids.len()),
                i + 1,
                i + 1,
                0,
                "refreshing active artists",
            )
            .await?;
    }
    Ok(format!("{} active artists queued for refresh", ids.len()))
}

/// Recomputes every artist's and every upcoming show's trending score; returns the counts.
pub async fn scores(db: &PgPool, progress: &Progress) -> Result<(usize, usize), JobError> {
    progress
        .step(
            "signals",
            "Reading votes, follows, views and upcoming shows",
        )
        .await?;
    let artists = db_trending::artists(db, HALF_LIFE_DAYS, SHOW_HORIZON_DAYS as i32).await?;
    let (ids, scores): (Vec<Uuid>, Vec<f64>) = artists
        .iter()
        .map(|r| {
            let signals = Signals {
                decayed_votes: r.votes,
                decayed_follows: r.follows,
                decayed_views: r.views,
                upcoming_show_days: r.show_days.clone(),
            };
            (r.id, trending::score(&signals))
        })
        .unzip();
    db_trending::set_artist_scores(db, &ids, &scores).await?;
    let shows = db_trending::shows(db, HALF_LIFE_DAYS).await?;
    let (show_ids, show_scores): (Vec<Uuid>, Vec<f64>) = shows
        .iter()
        .map(|r| {
            let signals = ShowSignals {
                decayed_votes: r.votes,
                decayed_artist_follows: r.artist_follows,
                decayed_views: r.views,
                days_until: r.days_until,
            };
            (r.id, trending::show_score(&signals))
        })
        .unzip();
    db_trending::set_show_scores(db, &show_ids, &show_scores).await?;
    let total = ids.len() + show_ids.len();
    progress
        .counts(
            "scored",
            Some(total),
            total,
            total,
            0,
            format!("{} artists and {} shows scored", ids.len(), show_ids.len()),
        )
        .await?;
    Ok((ids.len(), show_ids.len()))
}

/// The cheap, frequent run: scores only, and the all-time leaderboard brought up to date (it
/// already is after each verification; this catches deleted accounts and rejected versions).
pub async fn rescore(db: &PgPool, progress: &Progress) -> Result<String, JobError> {
    let (artists, shows) = scores(db, progress).await?;
    crate::db::scores::refresh_all_time_board(db).await?;
    Ok(format!("{artists} artists and {shows} shows scored"))
}

/// Recomputes trending scores, then deep-refreshes the top N artists and warms their pages.
pub async fn trending(
    db: &PgPool,
    progress: &Progress,
    cache: Option<&Cache>,
    top_n: u16,
) -> Result<String, JobError> {
    let (scored, _) = scores(db, progress).await?;
    let top = artists::top_trending(db, i64::from(top_n)).await?;
    for id in &top {
        for job in [
            types::ARTIST_SHOWS,
            types::ARTIST_CATALOGUE,
            types::ARTIST_SETLISTS,
        ] {
            enqueue_artist_job(db, job, *id, 3).await?;
        }
    }
    // Warm the pages people are about to open (with their upcoming shows); the refresh jobs
    // invalidate them again when they change anything.
    let mut warmed = 0;
    if let Some(cache) = cache {
        let slugs = artists::slugs_of(db, &top).await?;
        for slug in slugs {
            if let Ok(page) = crate::views::artist_page::detail(db, &slug).await
                && let Ok(bytes) = serde_json::to_vec(&page)
            {
                cache.set(&artist_page_key(&slug), bytes).await;
                warmed += 1;
            }
        }
    }
    progress
        .counts(
            "prefetch",
            Some(top.len()),
            warmed,
            warmed,
            0,
            "artist pages warmed",
        )
        .await?;
    Ok(format!(
        "{} artists scored; top {} queued for a deep refresh",
        scored,
        top.len()
    ))
}

/// Progress events older than this are pruned by the weekly sweep.
pub const PROGRESS_DAYS: i32 = 30;

/// Every artist, in batches with a pause between them, then cleanup and integrity checks.
pub async fn weekly(
    db: &PgPool,
    progress: &Progress,
    batch_delay: Duration,
) -> Result<String, JobError> {
    let total = artists::count_with_ticketmaster(db).await?;
    let total = usize::try_from(total).unwrap_or(0);
    let mut after = Uuid::nil();
    let mut done = 0;
    loop {
        let batch = artists::with_ticketmaster_after(db, after, BATCH).await?;
        let Some(last) = batch.last().copied() else {
            break;
        };
        for id in &batch {
            enqueue_artist_job(db, types::ARTIST_PROFILE, *id, 0).await?;
            enqueue_artist_job(db, types::ARTIST_SHOWS, *id, 0).await?;
            enqueue_artist_job(db, types::ARTIST_CATALOGUE, *id, 0).await?;
        }
        done += batch.len();
        after = last;
        progress
            .counts(
                "artists",
                Some(total),
                done,
                done,
                0,
                format!("{done} of {total} artists queued"),
            )
            .await?;
        tokio::time::sleep(batch_delay).await;
    }

    progress.step("cleanup", "Removing orphans").await?;
    let songs = songs::delete_orphans(db).await?;
    let venues = venues::delete_orphans(db).await?;
    let completed = shows::complete_past(db).await?;
    let mut conn = db.acquire().await?;
    let credentials = crate::db::sessions::purge_expired(&mut conn).await?;
    let changes = crate::db::sync::prune(&mut conn, theset_shared::sync::RETENTION_DAYS).await?;
    let events = crate::db::progress::prune(&mut *conn, PROGRESS_DAYS).await?;
    drop(conn);
    let views = page_views::purge_older_than(db, 180).await?;

    progress
        .step(
            "integrity",
            "Checking duplicates, billing and vote totals, fixing what is certain",
        )
        .await?;
    let findings = super::integrity::run(db).await?;
    let drifted = findings
        .iter()
        .find(|f| f.check == "drifted_totals")
        .map_or(0, |f| f.found);
    // Read by the VoteTotalsDrifted alert (the last weekly check this process ran).
    metrics::gauge!("vote_totals_drifted").set(drifted as f64);
    let stuck = jobs::stuck_count(db).await?;
    let checks: Vec<String> = findings
        .iter()
        .map(|f| format!("{}: {} found, {} fixed", f.check, f.found, f.fixed))
        .collect();
    let report = format!(
        "{done} artists queued; removed {songs} orphan songs and {venues} orphan venues; \
         {completed} past shows completed; {credentials} expired tokens, links and sessions purged; {views} old page-view days purged; {changes} sync changes past retention pruned; {events} progress events over {PROGRESS_DAYS} days pruned; {drifted} set-list songs with drifted vote totals; {stuck} stuck jobs; {}",
        checks.join("; ")
    );
    progress.step("report", report.clone()).await?;
    if drifted > 0 {
        tracing::error!(drifted, "vote totals drifted from a fresh count");
    }
    Ok(report)
}

/// Shows start and end on the clock: `ongoing` from the start, `completed` when the evening is
/// over; opened shows more than a day past leave the scopes that kept them; followers hear
/// when tickets go on sale.
pub async fn statuses(db: &PgPool, demo_tonight: bool) -> Result<String, JobError> {
    if demo_tonight {
        crate::db::demo::keep_tonight(&mut *db.acquire().await?, chrono::Utc::now()).await?;
    }
    let (started, ended) = shows::advance_statuses(db).await?;
    let released = crate::db::attendance::prune_kept(db).await?;
    let reminded = crate::db::notifications::onsale(db, chrono::Utc::now()).await?;
    Ok(format!(
        "{started} shows started, {ended} ended; {released} opened shows released; \
         {reminded} on-sale reminders"
    ))
}
