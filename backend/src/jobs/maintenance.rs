//! The cron jobs' work: refresh active artists, recompute trending scores (the formula is
//! `theset_shared::trending`), and the weekly sweep over every artist with cleanup and an integrity
//! report. They only enqueue per-artist import jobs, which do the fetching.

use std::time::Duration;

use sqlx::PgPool;
use theset_shared::trending::{self, HALF_LIFE_DAYS, SHOW_HORIZON_DAYS, Signals};
use uuid::Uuid;

use super::{JobError, Progress, enqueue_artist_job, types};
use crate::cache::{Cache, artist_page_key};
use crate::db::{shows, votes};

/// Artists deep-refreshed after the trending run (`THESET_TRENDING_TOP_N`).
fn top_n() -> i64 {
    std::env::var("THESET_TRENDING_TOP_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// Pause between batches of the weekly sweep (`THESET_CRON_BATCH_DELAY_SECS`, default 5 s).
pub fn batch_delay_from_env() -> Duration {
    Duration::from_secs(
        std::env::var("THESET_CRON_BATCH_DELAY_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
    )
}

const BATCH: i64 = 20;

/// Artists with votes or follows in the last 7 days, or among the most viewed: shows and
/// set-lists refreshed.
pub async fn active(db: &PgPool, progress: &Progress) -> Result<String, JobError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT a.id FROM artists a WHERE a.ticketmaster_id IS NOT NULL AND ( \
           EXISTS (SELECT 1 FROM user_follows_artists f WHERE f.artist_id = a.id AND f.created_at > now() - interval '7 days') \
           OR EXISTS (SELECT 1 FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
                      JOIN votes v ON v.setlist_song_id = ss.id \
                      WHERE l.artist_id = a.id AND v.updated_at > now() - interval '7 days') \
           OR a.id IN (SELECT id FROM artists WHERE view_count > 0 ORDER BY view_count DESC LIMIT 50))",
    )
    .fetch_all(db)
    .await?;
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

#[derive(sqlx::FromRow)]
struct SignalRow {
    id: Uuid,
    view_count: i64,
    votes: f64,
    follows: f64,
    show_days: Vec<f64>,
}

/// Recomputes every artist's `trending_score`, then deep-refreshes the top N.
pub async fn trending(
    db: &PgPool,
    progress: &Progress,
    cache: Option<&Cache>,
) -> Result<String, JobError> {
    progress
        .step(
            "signals",
            "Reading votes, follows, views and upcoming shows",
        )
        .await?;
    let rows: Vec<SignalRow> = sqlx::query_as(
        "SELECT a.id, a.view_count, \
           COALESCE((SELECT sum(power(0.5, extract(epoch FROM now() - v.updated_at) / 86400.0 / $1)) \
                     FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id JOIN votes v ON v.setlist_song_id = ss.id \
                     WHERE l.artist_id = a.id AND v.updated_at > now() - interval '180 days'), 0)::float8 AS votes, \
           COALESCE((SELECT sum(power(0.5, extract(epoch FROM now() - f.created_at) / 86400.0 / $1)) \
                     FROM user_follows_artists f WHERE f.artist_id = a.id), 0)::float8 AS follows, \
           ARRAY(SELECT (s.date - current_date)::float8 FROM shows s \
                 WHERE s.headliner_artist_id = a.id AND s.status <> 'cancelled' \
                   AND s.date BETWEEN current_date AND current_date + $2::int) AS show_days \
         FROM artists a",
    )
    .bind(HALF_LIFE_DAYS)
    .bind(SHOW_HORIZON_DAYS as i32)
    .fetch_all(db)
    .await?;
    let (ids, scores): (Vec<Uuid>, Vec<f64>) = rows
        .iter()
        .map(|r| {
            let signals = Signals {
                decayed_votes: r.votes,
                decayed_follows: r.follows,
                page_views: u64::try_from(r.view_count).unwrap_or(0),
                upcoming_show_days: r.show_days.clone(),
            };
            (r.id, trending::score(&signals))
        })
        .unzip();
    sqlx::query(
        "UPDATE artists a SET trending_score = x.score FROM unnest($1::uuid[], $2::float8[]) AS x(id, score) \
         WHERE a.id = x.id AND a.trending_score IS DISTINCT FROM x.score",
    )
    .bind(&ids)
    .bind(&scores)
    .execute(db)
    .await?;
    progress
        .counts(
            "scored",
            Some(ids.len()),
            ids.len(),
            ids.len(),
            0,
            "trending scores updated",
        )
        .await?;

    let top: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM artists WHERE ticketmaster_id IS NOT NULL ORDER BY trending_score DESC, id LIMIT $1",
    )
    .bind(top_n())
    .fetch_all(db)
    .await?;
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
        let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM artists WHERE id = ANY($1)")
            .bind(&top)
            .fetch_all(db)
            .await?;
        for slug in slugs {
            if let Ok(page) = crate::http::artist_page(db, &slug).await
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
        ids.len(),
        top.len()
    ))
}

/// Every artist, in batches with a pause between them, then cleanup and integrity checks.
pub async fn weekly(
    db: &PgPool,
    progress: &Progress,
    batch_delay: Duration,
) -> Result<String, JobError> {
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM artists WHERE ticketmaster_id IS NOT NULL")
            .fetch_one(db)
            .await?;
    let total = usize::try_from(total).unwrap_or(0);
    let mut after = Uuid::nil();
    let mut done = 0;
    loop {
        let batch: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM artists WHERE ticketmaster_id IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(db)
        .await?;
        let Some(last) = batch.last().copied() else {
            break;
        };
        for id in &batch {
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
    let songs = sqlx::query(
        "DELETE FROM songs s WHERE NOT EXISTS (SELECT 1 FROM artist_songs x WHERE x.song_id = s.id) \
         AND NOT EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.song_id = s.id)",
    )
    .execute(db)
    .await?
    .rows_affected();
    let venues = sqlx::query(
        "DELETE FROM venues v WHERE v.ticketmaster_id IS NULL AND NOT EXISTS (SELECT 1 FROM shows s WHERE s.venue_id = v.id)",
    )
    .execute(db)
    .await?
    .rows_affected();
    let completed = shows::complete_past(db).await?;
    let mut conn = db.acquire().await?;
    let credentials = crate::db::sessions::purge_expired(&mut conn).await?;
    drop(conn);

    progress
        .step("integrity", "Checking vote totals and import states")
        .await?;
    let drifted = votes::drifted(db).await?.len();
    let stuck: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sync_jobs WHERE status = 'running' AND locked_until < now() - interval '1 hour'",
    )
    .fetch_one(db)
    .await?;
    let report = format!(
        "{done} artists queued; removed {songs} orphan songs and {venues} orphan venues; \
         {completed} past shows completed; {credentials} expired tokens, links and sessions purged; {drifted} set-list songs with drifted vote totals; {stuck} stuck jobs"
    );
    progress.step("report", report.clone()).await?;
    if drifted > 0 {
        tracing::error!(drifted, "vote totals drifted from a fresh count");
    }
    Ok(report)
}
