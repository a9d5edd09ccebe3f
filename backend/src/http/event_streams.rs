//! The server-sent event streams' common ending: each stream ends when its producer does, or
//! when the process starts draining (SIGTERM), with a `retry:` hint so clients reconnect soon —
//! to another instance behind the proxy — and resume from their `Last-Event-ID`. Each open stream
//! is counted in `sse_connections{stream}`.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::response::sse::Event;
use futures::Stream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How soon a client told about a restart tries again.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Which stream a connection is, for the gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Show,
    Job,
    Sync,
}

impl StreamKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Show => "show",
            Self::Job => "job",
            Self::Sync => "sync",
        }
    }
}

/// Counts the connection while it lives.
struct Open(StreamKind);

impl Open {
    fn new(kind: StreamKind) -> Self {
        metrics::gauge!("sse_connections", "stream" => kind.as_str()).increment(1.0);
        Self(kind)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        metrics::gauge!("sse_connections", "stream" => self.0.as_str()).decrement(1.0);
    }
}

/// The events `rx` yields, until it closes or `draining` fires (then one farewell with the
/// retry hint, and the end).
pub fn until_draining(
    kind: StreamKind,
    rx: mpsc::Receiver<Event>,
    draining: CancellationToken,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let state = (rx, Some(draining), Open::new(kind));
    futures::stream::unfold(state, |(mut rx, draining, open)| async move {
        let draining = draining?;
        tokio::select! {
            biased;
            () = draining.cancelled() => {
                let farewell = Event::default()
                    .retry(RECONNECT_AFTER)
                    .comment("the server is restarting: reconnect");
                Some((Ok(farewell), (rx, None, open)))
            }
            event = rx.recv() => event.map(|e| (Ok(e), (rx, Some(draining), open))),
        }
    })
}

/// Tells buffering proxies (nginx reads `X-Accel-Buffering`) to pass event streams through as
/// they are written, so a proxy in front cannot hold live updates back.
pub async fn unbuffered(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let streaming = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if streaming {
        res.headers_mut()
            .insert("x-accel-buffering", HeaderValue::from_static("no"));
    }
    res
}
