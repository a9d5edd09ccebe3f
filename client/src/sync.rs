//! The sync engine: push the outbox, then pull every change since the stored cursor. Safe to
//! stop at any point — the outbox and the cursor only move in SQLite transactions after the
//! server answered, and the server answers a repeated push from its record.

use reqwest::Method;
use theset_shared::ErrorCode;
use theset_shared::sync::{MAX_PUSH, PullResponse, PushGap, PushRequest, PushResponse};

use crate::Client;
use crate::error::ClientError;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub pushed: usize,
    pub rejected: usize,
    pub changes: usize,
    /// Why changes stayed on the device (they go out later, nothing is lost).
    pub held: Option<Held>,
}

/// Why a push stopped before the outbox was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// The account's address is not confirmed: contributions wait for it.
    EmailUnverified,
    /// The server asked to slow down; the rest goes after this long.
    Busy(std::time::Duration),
}

/// What pushing the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pushed {
    pub pushed: usize,
    pub rejected: usize,
    pub held: Option<Held>,
}

/// How often, and how long apart, a pull is repeated while the server holds committed changes
/// back behind a running transaction (see `PullResponse::held_back`): up to five seconds.
const HELD_BACK_WAITS: u32 = 20;
const HELD_BACK_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Pages followed before giving up on a server that never says "no more".
const MAX_PAGES: usize = 100_000;

impl Client {
    /// Pushes the whole outbox, then pulls until the server has nothing more.
    pub async fn sync(&self) -> Result<SyncOutcome, ClientError> {
        let Pushed {
            pushed,
            rejected,
            held,
        } = self.push_all().await?;
        // A held outbox still lets the device catch up with everyone else's changes.
        let changes = self.pull_all().await?;
        Ok(SyncOutcome {
            pushed,
            rejected,
            changes,
            held,
        })
    }

    /// Pushes until the outbox is empty, or the server holds the rest back (an unconfirmed
    /// address, a spent budget): held changes stay pending, in order, and go out later.
    pub async fn push_all(&self) -> Result<Pushed, ClientError> {
        let device_id = self.store.device_id()?;
        let (mut pushed, mut rejected) = (0, 0);
        for _ in 0..MAX_PAGES {
            let batch = self.store.pending(MAX_PUSH)?;
            let (Some(first), Some(last)) =
                (batch.first().map(|m| m.seq), batch.last().map(|m| m.seq))
            else {
                break;
            };
            self.store.mark_sent(first, last)?;
            let req = PushRequest {
                device_id,
                mutations: batch,
            };
            let res: Result<PushResponse, ClientError> = self
                .authed(Method::POST, "/sync/push", &[], Some(&req))
                .await;
            match res {
                Ok(r) => {
                    self.store.record_results(&r.results)?;
                    pushed += r.results.len();
                    rejected += r
                        .results
                        .iter()
                        .filter(|x| {
                            matches!(x.outcome, theset_shared::sync::Outcome::Rejected { .. })
                        })
                        .count();
                    if r.results.is_empty() {
                        return Err(ClientError::Decode("push answered nothing".into()));
                    }
                }
                Err(ClientError::Server {
                    code: Some(ErrorCode::Conflict),
                    current: Some(c),
                    ..
                }) => {
                    let PushGap {
                        expected_seq: expected,
                    } = serde_json::from_value(c)
                        .map_err(|e| ClientError::Decode(format!("a push's gap: {e}")))?;
                    if expected <= first {
                        return Err(ClientError::Decode(format!(
                            "the server expects mutation {expected}, this device starts at {first}"
                        )));
                    }
                    // Applied earlier, answers lost and forgotten by the server: move on.
                    self.store.mark_applied_through(expected - 1)?;
                }
                Err(e) if e.code() == Some(ErrorCode::EmailUnverified) => {
                    return Ok(Pushed {
                        pushed,
                        rejected,
                        held: Some(Held::EmailUnverified),
                    });
                }
                Err(ClientError::RateLimited { retry_after }) => {
                    return Ok(Pushed {
                        pushed,
                        rejected,
                        held: Some(Held::Busy(retry_after)),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Pushed {
            pushed,
            rejected,
            held: None,
        })
    }

    pub async fn pull_all(&self) -> Result<usize, ClientError> {
        let device_id = self.store.device_id()?.to_string();
        let mut changes = 0;
        let mut waits = 0;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("device_id", device_id.clone())];
            if let Some(c) = self.store.cursor()? {
                query.push(("cursor", c));
            }
            let page: Result<PullResponse, ClientError> =
                self.authed(Method::GET, "/sync/pull", &query, None).await;
            match page {
                Ok(page) => {
                    self.store.apply_pull(&page)?;
                    changes += page.changes.len();
                    if page.held_back && !page.more && waits < HELD_BACK_WAITS {
                        // Something in scope committed behind a transaction still running:
                        // it is served as soon as that one ends.
                        waits += 1;
                        crate::rt::sleep(HELD_BACK_PAUSE).await;
                        continue;
                    }
                    if !page.more {
                        return Ok(changes);
                    }
                }
                Err(ClientError::Server { status: 410, .. }) => {
                    // Older than the server's history; the outbox was pushed first: start over.
                    self.store.forget_cursor()?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(ClientError::Decode("the pull does not end".into()))
    }

    /// A call with the session's token; on 401 the token is refreshed once and the call repeated.
    pub(crate) async fn authed<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&(dyn crate::api::erased::Json + Sync)>,
    ) -> Result<T, ClientError> {
        let token = self.session.access_token().await?;
        match self
            .api
            .call(method.clone(), path, query, Some(&token), body)
            .await
        {
            Err(ClientError::Server { status: 401, .. }) => {
                let token = self.session.rejected(&token).await?;
                self.api.call(method, path, query, Some(&token), body).await
            }
            other => other,
        }
    }
}
