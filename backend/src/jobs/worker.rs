//! The worker loop: claim a job under a lease, renew the lease while the job runs, finish it only
//! while still holding the lease. Many workers (in one or several processes) share the queue.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use theset_shared::api::JobStatus;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use super::{
    JobError, Progress, Providers, artist_catalogue, artist_setlists, artist_shows, maintenance,
    retry_delay, types,
};
use crate::cache::{Cache, artist_tag};
use crate::db::jobs::{self as queue, Failure, Job};

#[derive(Clone)]
pub struct Worker {
    db: PgPool,
    providers: Providers,
    pub id: String,
    lease: Duration,
    idle_poll: Duration,
    maintenance: maintenance::Settings,
    cache: Option<Cache>,
    /// How long a running job may go on once the process is stopping before it is handed back.
    stop_grace: Duration,
}

/// How an attempt ended.
enum Outcome {
    Done(Result<String, JobError>),
    /// Another worker took the job over (this one's lease expired).
    LeaseLost,
    /// The process is stopping and the job did not finish within the grace: handed back.
    Stopped,
}

impl Worker {
    pub fn new(db: PgPool, providers: Providers) -> Self {
        Self {
            db,
            providers,
            id: format!(
                "worker-{}-{}",
                std::process::id(),
                &Uuid::new_v4().simple().to_string()[..8]
            ),
            lease: Duration::from_secs(30),
            idle_poll: Duration::from_secs(5),
            maintenance: maintenance::Settings::default(),
            cache: None,
            stop_grace: Duration::from_secs(5),
        }
    }

    /// The cache whose entries for an artist a finished import invalidates.
    pub fn with_cache(mut self, cache: Cache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The pause between batches of the weekly sweep.
    pub fn with_sweep_delay(mut self, delay: Duration) -> Self {
        self.maintenance.batch_delay = delay;
        self
    }

    /// The cron jobs' knobs (top artists after trending, the weekly sweep's pace).
    pub fn with_maintenance(mut self, settings: maintenance::Settings) -> Self {
        self.maintenance = settings;
        self
    }

    /// How long a running job may finish once the process is stopping; after it the job goes
    /// back to the queue for another worker, attempt uncounted.
    pub fn with_stop_grace(mut self, grace: Duration) -> Self {
        self.stop_grace = grace;
        self
    }

    /// A shorter lease (tests of crash recovery).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Runs jobs until `shutdown` resolves. New jobs wake the loop through `NOTIFY sync_jobs`;
    /// it also polls, so a missed notification (or a lease expiring) is noticed within `idle_poll`.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let stop = CancellationToken::new();
        let signal = async {
            shutdown.await;
            stop.cancel();
        };
        tokio::join!(signal, self.work(&stop));
    }

    async fn work(&self, stop: &CancellationToken) {
        let mut listener = match PgListener::connect_with(&self.db).await {
            Ok(mut l) => match l.listen("sync_jobs").await {
                Ok(()) => Some(l),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN; polling only");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN; polling only");
                None
            }
        };
        tracing::info!(worker = %self.id, "worker started");
        while !stop.is_cancelled() {
            match self.run_one_until(stop).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "claiming a job failed"),
            }
            let wait = async {
                match listener.as_mut() {
                    Some(l) => {
                        let _ = tokio::time::timeout(self.idle_poll, l.recv()).await;
                    }
                    None => tokio::time::sleep(self.idle_poll).await,
                }
            };
            tokio::select! {
                () = stop.cancelled() => break,
                () = wait => {}
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Claims and runs one job; `None` when nothing is runnable.
    pub async fn run_one(&self) -> sqlx::Result<Option<Uuid>> {
        self.run_one_until(&CancellationToken::new()).await
    }

    async fn run_one_until(&self, stop: &CancellationToken) -> sqlx::Result<Option<Uuid>> {
        queue::fail_exhausted(&self.db).await?;
        if stop.is_cancelled() {
            return Ok(None);
        }
        let Some(job) = queue::claim(&self.db, &self.id, self.lease).await? else {
            return Ok(None);
        };
        let id = job.id;
        let span = tracing::info_span!("job", id = %job.id, job_type = %job.job_type, attempt = job.attempts);
        self.execute(job, stop).instrument(span).await?;
        Ok(Some(id))
    }

    async fn execute(&self, job: Job, stop: &CancellationToken) -> sqlx::Result<()> {
        let (lost_tx, lost_rx) = oneshot::channel::<()>();
        let renewer = {
            let (db, id, worker, lease) = (self.db.clone(), job.id, self.id.clone(), self.lease);
            tokio::spawn(async move {
                let mut lost_tx = Some(lost_tx);
                loop {
                    tokio::time::sleep(lease / 3).await;
                    match queue::renew(&db, id, &worker, lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            if let Some(tx) = lost_tx.take() {
                                let _ = tx.send(());
                            }
                            return;
                        }
                        Err(e) => tracing::warn!(error = %e, "lease renewal failed; retrying"),
                    }
                }
            })
        };
        let progress = Progress::new(self.db.clone(), job.id, phase_of(&job.job_type));
        let started = std::time::Instant::now();
        let stopped = async {
            stop.cancelled().await;
            tokio::time::sleep(self.stop_grace).await;
        };
        let outcome = tokio::select! {
            r = self.handle(&job, &progress) => Outcome::Done(r),
            _ = lost_rx => Outcome::LeaseLost,
            () = stopped => Outcome::Stopped,
        };
        renewer.abort();
        let result = match &outcome {
            Outcome::LeaseLost => "lease_lost",
            Outcome::Stopped => "released",
            Outcome::Done(Ok(_)) => "succeeded",
            Outcome::Done(Err(_)) => "failed",
        };
        let labels = [
            ("type", job.job_type.clone()),
            ("outcome", result.to_owned()),
        ];
        metrics::counter!("jobs_finished_total", &labels).increment(1);
        metrics::histogram!("job_duration_seconds", &labels)
            .record(started.elapsed().as_secs_f64());
        match outcome {
            Outcome::LeaseLost => {
                tracing::warn!("lease lost to another worker; abandoning this attempt");
            }
            Outcome::Stopped => {
                // Returned at once rather than left to expire: another process resumes it now.
                let mut tx = self.db.begin().await?;
                if queue::release(&mut *tx, job.id, &self.id).await? {
                    progress
                        .finish_in(
                            &mut tx,
                            JobStatus::Retrying,
                            "interrupted by a server restart; it resumes shortly",
                        )
                        .await?;
                }
                tx.commit().await?;
                tracing::info!("stopping: job handed back to the queue");
            }
            Outcome::Done(Ok(summary)) => {
                let mut tx = self.db.begin().await?;
                if queue::complete(&mut *tx, job.id, &self.id).await? {
                    progress
                        .finish_in(&mut tx, JobStatus::Succeeded, summary)
                        .await?;
                    tx.commit().await?;
                    self.invalidate_artist(job.artist_id).await?;
                } else {
                    tracing::warn!("finished after losing the lease; another worker owns the job");
                }
            }
            Outcome::Done(Err(e)) => {
                let delay = retry_delay(job.attempts);
                tracing::warn!(error = %e, permanent = e.is_permanent(), "job attempt failed");
                let mut tx = self.db.begin().await?;
                match queue::fail(
                    &mut *tx,
                    job.id,
                    &self.id,
                    &e.to_string(),
                    delay,
                    e.is_permanent(),
                )
                .await?
                {
                    Failure::Failed => {
                        progress
                            .finish_in(&mut tx, JobStatus::Failed, e.public_message())
                            .await?
                    }
                    Failure::Retrying { .. } => {
                        progress
                            .finish_in(
                                &mut tx,
                                JobStatus::Retrying,
                                format!("{}; retrying in {}s", e.public_message(), delay.as_secs()),
                            )
                            .await?
                    }
                    Failure::LeaseLost => {}
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn invalidate_artist(&self, artist_id: Option<Uuid>) -> sqlx::Result<()> {
        if let (Some(cache), Some(id)) = (&self.cache, artist_id)
            && let Some(slug) = crate::db::artists::slug_of(&self.db, id).await?
        {
            cache.invalidate_tag(&artist_tag(&slug)).await;
        }
        Ok(())
    }

    async fn handle(&self, job: &Job, progress: &Progress) -> Result<String, JobError> {
        match job.job_type.as_str() {
            types::CRON_ACTIVE => return maintenance::active(&self.db, progress).await,
            types::CRON_TRENDING => {
                return maintenance::trending(
                    &self.db,
                    progress,
                    self.cache.as_ref(),
                    self.maintenance.trending_top,
                )
                .await;
            }
            types::CRON_SCORES => return maintenance::rescore(&self.db, progress).await,
            types::CRON_STATUSES => {
                return maintenance::statuses(&self.db, self.maintenance.demo_tonight).await;
            }
            types::CROWD_MERGE => {
                let show = job
                    .payload
                    .get("show_id")
                    .and_then(|v| v.as_str()?.parse().ok())
                    .ok_or_else(|| JobError::Permanent("crowd merge without a show".into()))?;
                return super::crowd::merge(&self.db, show).await;
            }
            types::CRON_WEEKLY => {
                return maintenance::weekly(&self.db, progress, self.maintenance.batch_delay).await;
            }
            _ => {}
        }
        let artist_id = job
            .artist_id
            .or_else(|| job.payload.get("artist_id")?.as_str()?.parse().ok())
            .ok_or_else(|| JobError::Permanent("job has no artist".into()))?;
        match job.job_type.as_str() {
            types::ARTIST_SHOWS => {
                artist_shows::run(&self.db, &self.providers, artist_id, progress).await
            }
            types::ARTIST_CATALOGUE => {
                artist_catalogue::run(&self.db, &self.providers, artist_id, progress).await
            }
            types::ARTIST_SETLISTS => {
                artist_setlists::run(&self.db, &self.providers, artist_id, progress).await
            }
            types::ARTIST_BIO => {
                super::artist_bio::run(&self.db, &self.providers, artist_id, progress).await
            }
            types::ARTIST_PROFILE => {
                super::artist_profile::run(&self.db, &self.providers, artist_id, progress).await
            }
            other => Err(JobError::Permanent(format!("unknown job type {other}"))),
        }
    }
}

fn phase_of(job_type: &str) -> &'static str {
    match job_type {
        types::ARTIST_SHOWS => "shows",
        types::ARTIST_CATALOGUE => "catalogue",
        types::ARTIST_SETLISTS => "setlists",
        types::ARTIST_BIO => "biography",
        types::ARTIST_PROFILE => "profile",
        types::CRON_ACTIVE
        | types::CRON_TRENDING
        | types::CRON_SCORES
        | types::CRON_WEEKLY
        | types::CRON_STATUSES => "maintenance",
        types::CROWD_MERGE => "live",
        _ => "other",
    }
}
