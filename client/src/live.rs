//! Staying current while the app runs: an SSE connection to `/sync/events` whose events nudge a
//! sync, a timer in case the stream is down, and backoff while the network is.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::{Either, select};
use tokio::sync::{mpsc, watch};

use crate::Client;
use crate::error::ClientError;
use crate::rt;
use crate::sse::{self, Stopped};
use crate::sync::{Held, SyncOutcome};

/// What the sync loop reports to the app (the UI shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Idle,
    Syncing,
    /// The last sync failed for a passing reason; retrying after the backoff.
    Offline(String),
    SignedOut,
    UpgradeRequired,
    /// Signed in, but the address is not confirmed: contributions wait on the device.
    AwaitingConfirmation,
}

/// Backoff after failed syncs: 1 s doubling to 60 s.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(6)).min(Duration::from_secs(60))
}

/// Syncs when nudged (live stream, a local change via `poke`), every `period` otherwise, and
/// after a backoff while failing. Ends when `poke`'s sender is dropped.
pub async fn run(
    client: Arc<Client>,
    mut poke: mpsc::Receiver<()>,
    status: watch::Sender<Status>,
    period: Duration,
) {
    let (nudge_tx, mut nudges) = mpsc::channel::<()>(1);
    let (stream, stop_stream) = futures::future::abortable(listen(client.clone(), nudge_tx));
    rt::spawn(async move {
        let _ = stream.await;
    });
    let mut failures = 0u32;
    loop {
        let _ = status.send(Status::Syncing);
        let wait = match client.sync().await {
            Ok(SyncOutcome {
                held: Some(Held::EmailUnverified),
                ..
            }) => {
                failures = 0;
                let _ = status.send(Status::AwaitingConfirmation);
                period
            }
            Ok(SyncOutcome {
                held: Some(Held::Busy(retry_after)),
                ..
            }) => {
                // Not a failure: the server asked for a pause, and the rest goes after it.
                failures = 0;
                let _ = status.send(Status::Idle);
                retry_after
            }
            Ok(_) => {
                failures = 0;
                let _ = status.send(Status::Idle);
                // Online now: keep tonight's show packs ready (each is remade when due).
                if let Err(e) = client.keep_packs_ready().await {
                    tracing::debug!(error = %e, "show packs not refreshed");
                }
                // And the followed artists' pages, for reading them with no signal.
                if let Err(e) = client.keep_followed_artists().await {
                    tracing::debug!(error = %e, "followed artists' pages not refreshed");
                }
                period
            }
            Err(ClientError::SignedOut) => {
                let _ = status.send(Status::SignedOut);
                period
            }
            Err(ClientError::UpgradeRequired { .. }) => {
                let _ = status.send(Status::UpgradeRequired);
                period
            }
            Err(e) => {
                failures += 1;
                let _ = status.send(Status::Offline(e.user_message().to_owned()));
                backoff(failures)
            }
        };
        // Whichever comes first: a poke (or the app ending), a nudge, the timer.
        let woken = {
            let poked = std::pin::pin!(poke.recv());
            let nudged = std::pin::pin!(nudges.recv());
            let timer = std::pin::pin!(rt::sleep(wait));
            match select(poked, select(nudged, timer)).await {
                Either::Left((p, _)) => p.is_some(),
                Either::Right(_) => true,
            }
        };
        if !woken {
            break;
        }
    }
    stop_stream.abort();
}

/// Follows `/sync/events`, reconnecting with backoff; each event is a nudge.
async fn listen(client: Arc<Client>, nudges: mpsc::Sender<()>) {
    let mut failures = 0u32;
    loop {
        match connect(&client).await {
            Ok(mut events) => {
                while let Some(item) = events.next().await {
                    match item {
                        Ok(_) => {
                            failures = 0;
                            let _ = nudges.try_send(());
                        }
                        Err(Stopped::Closed) => break,
                        Err(Stopped::Failed(e)) => {
                            tracing::debug!(error = %e, "live stream interrupted");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "live stream unavailable"),
        }
        failures += 1;
        rt::sleep(backoff(failures)).await;
    }
}

async fn connect(client: &Client) -> Result<sse::Stream, ClientError> {
    let token = client.session.access_token().await?;
    sse::open(client, "/sync/events", Some(&token), None)
}
