//! The scheduler: fires each configured cron schedule once per slot across all backend processes
//! (`cron_runs` primary key), and only enqueues — the work is done by ordinary jobs on the queue.
//!
//! | name | default schedule (server time, sec min hour day month weekday) | job |
//! |---|---|---|
//! | `active` | `0 0 */6 * * *` (every 6 hours) | refresh artists with recent votes, follows or views |
//! | `trending` | `0 0 2 * * *` (daily 02:00) | recompute `trending_score`, deep-refresh the top N |
//! | `scores` | `0 */15 * * * *` (every 15 minutes) | recompute trending scores only |
//! | `weekly` | `0 0 3 * * Sun` | every artist in batches, then cleanup and integrity report |
//! | `statuses` | `0 * * * * *` (every minute) | shows start (`ongoing`) and end (`completed`) on the clock; on-sale reminders |
//!
//! Override with `THESET_CRON_ACTIVE`, `THESET_CRON_TRENDING`, `THESET_CRON_SCORES`, `THESET_CRON_WEEKLY`,
//! `THESET_CRON_STATUSES`; `THESET_CRON=off`
//! disables the scheduler in a process.

use std::time::Duration;

use chrono::{DateTime, Utc};
use cron::Schedule;
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::ScheduleConfig;
use crate::db::cron_runs;
use crate::db::jobs::{self as queue, NewJob};
use crate::jobs::{cron_dedupe_key, types};

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: &'static str,
    pub job_type: &'static str,
    pub schedule: Schedule,
}

/// The configured schedules (each with its default unless set).
pub fn entries(config: &ScheduleConfig) -> Vec<Entry> {
    [
        ("active", &config.cron_active, types::CRON_ACTIVE),
        ("trending", &config.cron_trending, types::CRON_TRENDING),
        ("scores", &config.cron_scores, types::CRON_SCORES),
        ("weekly", &config.cron_weekly, types::CRON_WEEKLY),
        ("statuses", &config.cron_statuses, types::CRON_STATUSES),
    ]
    .into_iter()
    .map(|(name, schedule, job_type)| Entry {
        name,
        job_type,
        schedule: schedule.clone(),
    })
    .collect()
}

/// Claims `slot` of `entry` and enqueues its job; `None` when another process already did.
pub async fn fire(
    db: &PgPool,
    entry: &Entry,
    slot: DateTime<Utc>,
    instance: &str,
) -> sqlx::Result<Option<Uuid>> {
    let mut tx = db.begin().await?;
    if !cron_runs::claim(&mut *tx, entry.name, slot, instance).await? {
        return Ok(None);
    }
    let job = queue::enqueue_in(
        &mut tx,
        NewJob {
            job_type: entry.job_type,
            payload: serde_json::json!({ "slot": slot }),
            artist_id: None,
            priority: 1,
            dedupe_key: Some(cron_dedupe_key(entry.job_type)),
            max_attempts: 3,
        },
    )
    .await?;
    cron_runs::set_job(&mut *tx, entry.name, slot, job).await?;
    tx.commit().await?;
    Ok(Some(job))
}

/// Sleeps until each schedule's next slot and fires it, until `shutdown` resolves.
pub async fn run(db: PgPool, entries: Vec<Entry>, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let instance = format!(
        "{}-{}",
        std::process::id(),
        &Uuid::new_v4().simple().to_string()[..8]
    );
    loop {
        let now = Utc::now();
        let Some((entry, slot)) = entries
            .iter()
            .filter_map(|e| e.schedule.after(&now).next().map(|s| (e, s)))
            .min_by_key(|(_, s)| *s)
        else {
            return;
        };
        let wait = (slot - now).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(wait) => {}
        }
        match fire(&db, entry, slot, &instance).await {
            Ok(Some(job)) => tracing::info!(name = entry.name, %slot, %job, "cron fired"),
            Ok(None) => {
                tracing::debug!(name = entry.name, %slot, "cron slot taken by another process")
            }
            Err(e) => tracing::error!(name = entry.name, error = %e, "cron could not fire"),
        }
    }
}
