//! Fan-out of job progress to SSE streams in this process. One `LISTEN sync_progress` connection
//! per process turns NOTIFYs (sent by whichever process wrote the progress) into wake-ups on a
//! broadcast channel; streams then read the rows themselves, so a lagging or missed wake-up
//! costs latency, never an event.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone)]
pub struct ProgressHub {
    tx: broadcast::Sender<Uuid>,
}

impl ProgressHub {
    /// Starts the listener task; it reconnects after losing the database.
    pub fn start(db: PgPool) -> Self {
        let (tx, _) = broadcast::channel(1024);
        let hub = Self { tx: tx.clone() };
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen(&db, &tx).await {
                    tracing::warn!(error = %e, "progress listener lost; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        hub
    }

    /// Wake-ups carrying the id of the job that progressed.
    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.tx.subscribe()
    }
}

async fn listen(db: &PgPool, tx: &broadcast::Sender<Uuid>) -> sqlx::Result<()> {
    let mut listener = PgListener::connect_with(db).await?;
    listener.listen("sync_progress").await?;
    loop {
        let n = listener.recv().await?;
        if let Ok(job) = n.payload().parse() {
            // No subscribers is fine: nobody is watching.
            let _ = tx.send(job);
        }
    }
}
