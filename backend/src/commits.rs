//! Group commit: concurrent writes of one kind (votes) applied together in one transaction, so
//! one commit — one WAL flush, one `NOTIFY` per channel and payload (Postgres folds duplicates
//! within a transaction) — serves many requests.
//!
//! - No savepoints: a write refuses before it writes anything (a refusal is answered and changes
//!   nothing). A write that must be undone after writing (a mutation a concurrent request applied
//!   first) or that hits a database error makes the whole batch start over in a new transaction;
//!   by then the other request has committed and the rerun replays its recorded answer.
//! - An answer is released only after the batch commits. A client that hears "done" is durable;
//!   one that hears nothing (a crash, a failed commit) retries with the same mutation id and gets
//!   the recorded answer or a fresh application — exactly once, as before.
//! - Batching adapts to load: a batch is what queued while the runners were busy (up to
//!   [`MAX_BATCH`]); at low load a write goes alone, at once.
//! - Writes are applied in the order of their lock key (a vote's line), arrival order kept for
//!   equal keys: concurrent batches take row locks in one order, so they wait for one another
//!   instead of deadlocking, and one user's later vote on a line still wins over the earlier.
//! - A kind of write applies its batch as a whole ([`Write::apply_all`]): votes are cast
//!   set-wise, a few statements for the batch (`actions::apply::VoteWrite`), since a batch held
//!   open by one round trip per write is what the other writes of the moment wait for.
//!
//! Hand-written because no maintained crate batches arbitrary sqlx work into shared
//! transactions; the pattern is the one databases use for their own WAL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use sqlx::{PgConnection, PgPool};
use tokio::sync::{Mutex, mpsc, oneshot};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The most writes one transaction carries.
pub const MAX_BATCH: usize = 128;
/// Batches in flight at once (one applies while another waits for its commit flush). Four
/// measured no faster, and batches then wait longer on one another's line locks.
const RUNNERS: usize = 3;

/// What a write answers, and whether its changes stay.
#[derive(Debug)]
pub struct Done<T> {
    pub answer: T,
    pub keep: bool,
}

impl<T> Done<T> {
    pub fn kept(answer: T) -> Self {
        Self { answer, keep: true }
    }

    /// Answer, but undo this write's changes (the batch starts over).
    pub fn undone(answer: T) -> Self {
        Self {
            answer,
            keep: false,
        }
    }
}

/// What a batch's writes come to: each one's outcome, in order (see [`Write::apply_all`]).
pub type Outcomes<'c, A> = BoxFuture<'c, AppResult<Vec<AppResult<Done<A>>>>>;

/// One kind of write the group commit carries. A batch's writes are applied together on one
/// connection, in lock-key order, and refuse before they write anything.
pub trait Write: Send + Sync + Sized + 'static {
    type Answer: Send + Sync + 'static;

    /// Applies `writes`: each one's outcome, in order. A batch that has to start over runs them
    /// again with `rerun` set. A write may leave out, on the first run, a check that only a rare
    /// case needs (a retried mutation) if it detects that case after writing and asks to be
    /// undone: the rerun makes the check. `Err` (the database), an undone write or fewer
    /// outcomes than writes start the batch over.
    fn apply_all<'c>(
        conn: &'c mut PgConnection,
        writes: &'c [Self],
        rerun: bool,
    ) -> Outcomes<'c, Self::Answer>;
}

struct Item<W: Write> {
    key: Uuid,
    write: W,
    reply: oneshot::Sender<AppResult<W::Answer>>,
}

/// Counts of what was committed, for the benchmark's report.
#[derive(Default)]
pub struct Stats {
    pub batches: AtomicU64,
    pub writes: AtomicU64,
    pub largest: AtomicU64,
}

pub struct GroupCommit<W: Write> {
    queue: mpsc::Sender<Item<W>>,
    pub stats: Arc<Stats>,
}

impl<W: Write> Clone for GroupCommit<W> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            stats: self.stats.clone(),
        }
    }
}

impl<W: Write> GroupCommit<W> {
    /// Starts the runners on `db`; `kind` labels the metrics (`group_commit_batch_size`).
    pub fn start(db: PgPool, kind: &'static str) -> Self {
        let (queue, rx) = mpsc::channel(MAX_BATCH * 32);
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(Stats::default());
        for _ in 0..RUNNERS {
            tokio::spawn(run(db.clone(), rx.clone(), stats.clone(), kind));
        }
        Self { queue, stats }
    }

    /// Applies `write` in the next batch; its answer once that batch committed.
    pub async fn submit(&self, key: Uuid, write: W) -> AppResult<W::Answer> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Item { key, write, reply })
            .await
            .map_err(|_| AppError::ServerBusy(std::time::Duration::from_secs(1)))?;
        answer
            .await
            .map_err(|_| AppError::ServerBusy(std::time::Duration::from_secs(1)))?
    }
}

async fn run<W: Write>(
    db: PgPool,
    queue: Arc<Mutex<mpsc::Receiver<Item<W>>>>,
    stats: Arc<Stats>,
    kind: &'static str,
) {
    loop {
        let batch = {
            let mut rx = queue.lock().await;
            let Some(first) = rx.recv().await else {
                return; // every sender is gone: the server is stopping
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            batch
        };
        let size = batch.len() as u64;
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.writes.fetch_add(size, Ordering::Relaxed);
        stats.largest.fetch_max(size, Ordering::Relaxed);
        metrics::histogram!("group_commit_batch_size", "kind" => kind).record(size as f64);
        commit(&db, batch).await;
    }
}

/// How often a batch starts over before its writes are answered with an error.
const ATTEMPTS: usize = 3;

/// Applies the batch in one transaction and answers each write once it committed.
async fn commit<W: Write>(db: &PgPool, mut batch: Vec<Item<W>>) {
    batch.sort_by_key(|item| item.key);
    let (writes, replies): (Vec<W>, Vec<_>) = batch
        .into_iter()
        .map(|item| (item.write, item.reply))
        .unzip();
    let mut last = String::new();
    for n in 0..ATTEMPTS {
        match attempt(db, &writes, n > 0).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
                return;
            }
            Err(e) => last = e,
        }
    }
    // Nothing of the batch is stored: every write is answered with the failure and its client
    // retries (same mutation id).
    tracing::warn!(error = %last, "a batch of writes did not commit");
    for reply in replies {
        let _ = reply.send(Err(AppError::Internal(anyhow::anyhow!(
            "the write did not commit"
        ))));
    }
}

/// One transaction over the batch: each write's outcome, or why the batch must start over.
async fn attempt<W: Write>(
    db: &PgPool,
    writes: &[W],
    rerun: bool,
) -> Result<Vec<AppResult<W::Answer>>, String> {
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let done = W::apply_all(&mut tx, writes, rerun)
        .await
        .map_err(|e| e.to_string())?;
    if done.len() != writes.len() {
        return Err("a write asked for the batch to start over".into());
    }
    let mut outcomes = Vec::with_capacity(done.len());
    for outcome in done {
        match outcome {
            Ok(done) if done.keep => outcomes.push(Ok(done.answer)),
            Err(e) if !matches!(e, AppError::Database(_)) => outcomes.push(Err(e)),
            // Changes to undo, or a database error that aborted the transaction: start over.
            Ok(_) => return Err("a write asked to be undone".into()),
            Err(e) => return Err(e.to_string()),
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(outcomes)
}
