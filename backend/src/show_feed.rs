//! One reader per show and process for live streams. The reader wakes on `show_changes`
//! notifications, reads the changes once, coalesces them (the first change after a quiet spell
//! at once, then at most one batch every 250 ms) and broadcasts the batch to every subscriber of
//! the show in this process; 2,000 subscribers cost one query per change, not 2,000.
//!
//! A subscriber subscribes first, then reads its own backlog from the database after its cursor,
//! then forwards broadcast batches, skipping what its cursor already covers. Whatever the reader
//! broadcast before the subscription, the later backlog read sees too (both read behind the same
//! moving horizon, see `db::feed`), so nothing falls between the two. A subscriber that lags
//! behind the broadcast buffer re-reads from the database.
//!
//! The reader also tells when the show's crowd lists (merged from captures, `jobs/crowd.rs`)
//! changed version — their lines' writes wake it like votes do — and carries them whole in the
//! batch; a subscriber reads them itself when it starts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_shared::api::{CrowdNow, SongTotals};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::db::community::{self as db, Cursor};
use crate::db::{captures, setlists};
use crate::events::{Hub, Wake};

pub type Batch = Arc<FeedBatch>;

/// Changes read in one go, with when the reader was woken for them (the delivery lag that
/// `sse_delivery_seconds` measures starts there: coalescing and queueing count).
pub struct FeedBatch {
    pub items: Vec<(Cursor, SongTotals)>,
    /// The show's crowd lists, when they changed since the reader's last batch.
    pub crowd: Option<Crowd>,
    pub woken: Instant,
}

/// The show's crowd lists as they stand, with the versions that tell a change.
#[derive(Debug, Clone)]
pub struct Crowd {
    pub versions: Vec<(Uuid, i32)>,
    pub now: CrowdNow,
}

/// The show's crowd lists now (none read when there is none).
pub async fn crowd(db: &PgPool, show: Uuid) -> sqlx::Result<Crowd> {
    let versions = captures::crowd_versions(db, show).await?;
    crowd_at(db, show, versions).await
}

async fn crowd_at(db: &PgPool, show: Uuid, versions: Vec<(Uuid, i32)>) -> sqlx::Result<Crowd> {
    let lists = if versions.is_empty() {
        Vec::new()
    } else {
        setlists::crowd_for_show(db, show).await?
    };
    Ok(Crowd {
        versions,
        now: CrowdNow { lists },
    })
}

/// The crowd lists when their versions differ from `seen` (which then follows them).
async fn crowd_changed(db: &PgPool, show: Uuid, seen: &mut Vec<(Uuid, i32)>) -> Option<Crowd> {
    let versions = captures::crowd_versions(db, show).await.ok()?;
    if versions == *seen {
        return None;
    }
    let crowd = crowd_at(db, show, versions).await.ok()?;
    seen.clone_from(&crowd.versions);
    Some(crowd)
}

const COALESCE: Duration = Duration::from_millis(250);
const HIDDEN_RETRY: Duration = Duration::from_millis(50);
const BATCH: i64 = 500;

#[derive(Clone, Default)]
pub struct Feeds {
    shows: Arc<Mutex<HashMap<Uuid, broadcast::Sender<Batch>>>>,
}

impl Feeds {
    /// A receiver of `show`'s batches, starting the show's reader if none runs.
    pub async fn subscribe(
        &self,
        db: &PgPool,
        hub: &Hub,
        show: Uuid,
    ) -> sqlx::Result<broadcast::Receiver<Batch>> {
        if let Some(rx) = self.existing(show) {
            return Ok(rx);
        }
        let start = db::watermark(db, show).await?;
        let mut shows = self.shows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = shows.get(&show) {
            return Ok(tx.subscribe());
        }
        let (tx, rx) = broadcast::channel(64);
        shows.insert(show, tx.clone());
        tokio::spawn(read(
            self.clone(),
            db.clone(),
            hub.subscribe(),
            show,
            start,
            tx,
        ));
        Ok(rx)
    }

    fn existing(&self, show: Uuid) -> Option<broadcast::Receiver<Batch>> {
        let shows = self.shows.lock().unwrap_or_else(|e| e.into_inner());
        shows.get(&show).map(broadcast::Sender::subscribe)
    }

    /// Ends the reader when nobody listens; `true` when it should stop.
    fn retire(&self, show: Uuid, tx: &broadcast::Sender<Batch>) -> bool {
        let mut shows = self.shows.lock().unwrap_or_else(|e| e.into_inner());
        if tx.receiver_count() == 0 {
            shows.remove(&show);
            return true;
        }
        false
    }
}

/// One event per line with its latest totals, in feed order of the latest.
pub fn coalesce(changes: Vec<(Cursor, SongTotals)>) -> Vec<(Cursor, SongTotals)> {
    let mut latest: Vec<(Cursor, SongTotals)> = Vec::with_capacity(changes.len());
    for (cursor, totals) in changes {
        latest.retain(|(_, t)| t.setlist_song_id != totals.setlist_song_id);
        latest.push((cursor, totals));
    }
    latest
}

async fn read(
    feeds: Feeds,
    db: PgPool,
    mut wake: broadcast::Receiver<Wake>,
    show: Uuid,
    mut after: Cursor,
    tx: broadcast::Sender<Batch>,
) {
    let mut last_sent = Instant::now()
        .checked_sub(COALESCE)
        .unwrap_or_else(Instant::now);
    let mut woken = Instant::now();
    // Crowd lists already standing are each subscriber's to read when it starts.
    let mut crowd_seen = captures::crowd_versions(&db, show)
        .await
        .unwrap_or_default();
    loop {
        if feeds.retire(show, &tx) {
            return;
        }
        let since = last_sent.elapsed();
        if since < COALESCE {
            tokio::time::sleep(COALESCE - since).await;
        }
        let changes = match db::changes_after(&db, show, after, BATCH).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "show feed read failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let full = changes.len() as i64 == BATCH;
        let crowd = crowd_changed(&db, show, &mut crowd_seen).await;
        if !changes.is_empty() || crowd.is_some() {
            if let Some((last, _)) = changes.last() {
                after = after.max(*last);
            }
            last_sent = Instant::now();
            // No receivers is fine: retire() ends the reader on the next turn.
            let _ = tx.send(Arc::new(FeedBatch {
                items: coalesce(changes),
                crowd,
                woken,
            }));
        }
        if full {
            continue;
        }
        let hidden = db::hidden_after(&db, show, after).await.unwrap_or(true);
        let wait = if hidden {
            HIDDEN_RETRY
        } else {
            Duration::from_secs(15)
        };
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            tokio::select! {
                woke = wake.recv() => match woke {
                    Ok(w) if !w.concerns(show) => continue,
                    _ => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        woken = Instant::now();
    }
}
