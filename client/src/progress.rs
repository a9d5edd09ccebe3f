//! Following a job's or an import's progress: the server's SSE stream, resumed after a dropped
//! connection from the last event seen (`Last-Event-ID`), until the server ends it (no job of the
//! artist is left queued or running).

use std::time::Duration;

use futures::StreamExt;
use theset_shared::api::{ImportRequest, ImportResponse, JobEvent};

use crate::Client;
use crate::error::ClientError;
use crate::sse::Stopped;

/// Reconnections tried before giving up on a stream that keeps failing.
const MAX_RETRIES: u32 = 10;

impl Client {
    /// Starts (or joins) the import of an artist found on Ticketmaster, as the signed-in fan
    /// (imports spend the account's budget and need a confirmed address).
    pub async fn import_artist(
        &self,
        ticketmaster_id: &str,
    ) -> Result<ImportResponse, ClientError> {
        let body = ImportRequest {
            ticketmaster_id: ticketmaster_id.to_owned(),
        };
        // A visitor who is not signed in may import too (the server's budgets apply).
        if self.session.signed_in().await {
            self.authed(reqwest::Method::POST, "/artists/import", &[], Some(&body))
                .await
        } else {
            self.api
                .call(
                    reqwest::Method::POST,
                    "/artists/import",
                    &[],
                    None,
                    Some(&body),
                )
                .await
        }
    }

    /// Calls `on_event` with every progress event of the import of the artist `slug` until no
    /// phase is left queued or running.
    pub async fn follow_import(
        &self,
        slug: &str,
        on_event: impl FnMut(JobEvent),
    ) -> Result<(), ClientError> {
        self.follow_progress(&format!("/artists/{slug}/import/events"), on_event)
            .await
    }

    /// Calls `on_event` with every event of a progress stream (`/jobs/{id}/events`,
    /// `/artists/{slug}/import/events`), in order, once each, until the server ends it.
    pub(crate) async fn follow_progress(
        &self,
        path: &str,
        mut on_event: impl FnMut(JobEvent),
    ) -> Result<(), ClientError> {
        let mut last: Option<String> = None;
        let mut failures = 0u32;
        loop {
            let mut stream = crate::sse::open(self, path, None, last.as_deref())?;
            let mut broken = false;
            while let Some(item) = stream.next().await {
                match item {
                    Ok(ev) => {
                        failures = 0;
                        if let Some(id) = ev.id.clone() {
                            last = Some(id);
                        }
                        match serde_json::from_str::<JobEvent>(&ev.data) {
                            Ok(e) => on_event(e),
                            Err(e) => tracing::debug!(error = %e, "not a progress event"),
                        }
                    }
                    // The server closing the stream is the end of the import.
                    Err(Stopped::Closed) => return Ok(()),
                    Err(Stopped::Failed(e)) => {
                        tracing::debug!(error = %e, "progress stream interrupted");
                        broken = true;
                        break;
                    }
                }
            }
            if !broken {
                return Ok(());
            }
            failures += 1;
            if failures > MAX_RETRIES {
                return Err(ClientError::Decode(
                    "the progress stream keeps failing".into(),
                ));
            }
            crate::rt::sleep(Duration::from_millis(250 * u64::from(failures))).await;
        }
    }
}
