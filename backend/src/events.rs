//! Fan-out of database changes to SSE streams in this process. One `LISTEN` connection per
//! channel and process (`sync_progress` for job progress, `show_changes` for votes and songs)
//! turns NOTIFYs (sent by whichever process wrote) into wake-ups on a broadcast channel; streams
//! then read the rows themselves, so a lagging or missed wake-up costs latency, never an event.
//! Notifications sent while the listener was not yet (or no longer) listening are lost, so each
//! time it starts listening it wakes everyone ([`Wake::Everything`]): a stream opened before the listener
//! was ready, or across a database restart, catches up at once instead of at its next poll.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Wake-ups for job progress (`sync_progress`).
pub type ProgressHub = Hub;

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Wake>,
}

/// A wake-up: the id of what changed (a job, a show, an artist), or everything that may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    Changed(Uuid),
    /// The listener has just started listening and cannot know what it missed before.
    Everything,
}

impl Wake {
    /// Whether a stream following `subject` has to look again.
    pub fn concerns(self, subject: Uuid) -> bool {
        match self {
            Self::Changed(id) => id == subject,
            Self::Everything => true,
        }
    }
}

impl Hub {
    /// Starts the job-progress listener.
    pub fn start(db: PgPool) -> Self {
        Self::listen_to(db, "sync_progress")
    }

    /// Starts a listener task on `channel` (payloads are ids); it reconnects after losing the
    /// database.
    pub fn listen_to(db: PgPool, channel: &'static str) -> Self {
        let (tx, _) = broadcast::channel(4096);
        let hub = Self { tx: tx.clone() };
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen(&db, channel, &tx).await {
                    tracing::warn!(error = %e, channel, "listener lost; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        hub
    }

    /// Wake-ups, each saying what changed.
    pub fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.tx.subscribe()
    }
}

async fn listen(
    db: &PgPool,
    channel: &'static str,
    tx: &broadcast::Sender<Wake>,
) -> sqlx::Result<()> {
    let mut listener = PgListener::connect_with(db).await?;
    listener.listen(channel).await?;
    let _ = tx.send(Wake::Everything);
    // `try_recv`, not `recv`: `recv` would reconnect by itself, and the hub would not know that
    // it missed notifications meanwhile. `None` is a lost connection: listen anew, wake everyone.
    while let Some(n) = listener.try_recv().await? {
        if let Ok(id) = n.payload().parse() {
            // No subscribers is fine: nobody is watching.
            let _ = tx.send(Wake::Changed(id));
        }
    }
    Err(sqlx::Error::Protocol(
        "the listening connection closed".into(),
    ))
}
