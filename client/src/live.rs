//! Staying current while the app runs: an SSE connection to `/sync/events` whose events nudge a
//! sync, a timer in case the stream is down, and backoff while the network is.

use std::sync::Arc;
use std::time::Duration;

use eventsource_client::{self as es, Client as _};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::Client;
use crate::error::ClientError;
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
    let stream = tokio::spawn(listen(client.clone(), nudge_tx));
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
        tokio::select! {
            p = poke.recv() => if p.is_none() { break },
            _ = nudges.recv() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
    stream.abort();
}

/// Follows `/sync/events`, reconnecting with backoff; each event is a nudge.
async fn listen(client: Arc<Client>, nudges: mpsc::Sender<()>) {
    let mut failures = 0u32;
    loop {
        match connect(&client).await {
            Ok(mut events) => {
                while let Some(item) = events.next().await {
                    match item {
                        Ok(es::SSE::Event(_)) => {
                            failures = 0;
                            let _ = nudges.try_send(());
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::debug!(error = %e, "live stream interrupted");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "live stream unavailable"),
        }
        failures += 1;
        tokio::time::sleep(backoff(failures)).await;
    }
}

async fn connect(
    client: &Client,
) -> Result<futures::stream::BoxStream<'static, Result<es::SSE, es::Error>>, ClientError> {
    let token = client.session.access_token().await?;
    sse(client, "/sync/events", Some(&token), None)
}

/// An SSE stream of the API at `path`, not reconnecting by itself (callers reconnect with a
/// fresh token or their `Last-Event-ID`).
pub(crate) fn sse(
    client: &Client,
    path: &str,
    token: Option<&str>,
    last_event_id: Option<&str>,
) -> Result<futures::stream::BoxStream<'static, Result<es::SSE, es::Error>>, ClientError> {
    let url = client.api.endpoint(path)?;
    let transport = launchdarkly_sdk_transport::HyperTransport::builder()
        .build_https()
        .map_err(|e| ClientError::Decode(e.to_string()))?;
    let es_err = |e: es::Error| ClientError::Decode(e.to_string());
    let mut builder = es::ClientBuilder::for_url(url.as_str())
        .map_err(es_err)?
        .header(
            theset_shared::sync::PROTOCOL_HEADER,
            &theset_shared::sync::PROTOCOL_VERSION.to_string(),
        )
        .map_err(es_err)?
        .reconnect(es::ReconnectOptions::reconnect(false).build());
    if let Some(token) = token {
        builder = builder
            .header("authorization", &format!("Bearer {token}"))
            .map_err(es_err)?;
    }
    if let Some(id) = last_event_id {
        builder = builder.last_event_id(id.to_owned());
    }
    Ok(builder.build_with_transport(transport).stream())
}
