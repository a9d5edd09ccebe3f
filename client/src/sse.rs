//! Server-sent event streams of the API (live nudges, job and import progress) as one stream type:
//! `eventsource-client` over hyper on desktop, the browser's own `EventSource` in the web worker
//! (which sends the session cookie itself and cannot send headers).

use futures::stream::StreamExt;

use crate::Client;
use crate::error::ClientError;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Option<String>,
    pub data: String,
}

/// Why a stream stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The server ended it (the work it reported on is over).
    Closed,
    /// The connection failed; resume from the last event's id.
    Failed(String),
}

#[cfg(not(target_arch = "wasm32"))]
pub type Stream = futures::stream::BoxStream<'static, Result<Event, Stopped>>;
#[cfg(target_arch = "wasm32")]
pub type Stream = futures::stream::LocalBoxStream<'static, Result<Event, Stopped>>;

/// The stream of the API at `path`, not reconnecting by itself: callers reconnect with a fresh
/// credential or from their last event's id.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn open(
    client: &Client,
    path: &str,
    token: Option<&str>,
    last_event_id: Option<&str>,
) -> Result<Stream, ClientError> {
    use eventsource_client::{self as es, Client as _};

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
    Ok(builder
        .build_with_transport(transport)
        .stream()
        .filter_map(|item| {
            futures::future::ready(match item {
                Ok(es::SSE::Event(ev)) => Some(Ok(Event {
                    id: ev.id,
                    data: ev.data,
                })),
                Ok(_) => None,
                Err(es::Error::Eof) => Some(Err(Stopped::Closed)),
                Err(e) => Some(Err(Stopped::Failed(e.to_string()))),
            })
        })
        .boxed())
}

/// The stream of the API at `path` through the browser's `EventSource`, with the page's session
/// cookie. `EventSource` cannot say where to resume on a new connection, and it cannot tell the
/// server ending a stream from the network dropping it: a stream that had opened and then stops
/// is reported as [`Stopped::Closed`], one that never opened as [`Stopped::Failed`].
#[cfg(target_arch = "wasm32")]
pub(crate) fn open(
    client: &Client,
    path: &str,
    _token: Option<&str>,
    _last_event_id: Option<&str>,
) -> Result<Stream, ClientError> {
    use std::cell::Cell;
    use std::rc::Rc;

    use futures::channel::mpsc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let url = client.api.endpoint(path)?;
    let source = web_sys::EventSource::new(url.as_str())
        .map_err(|_| ClientError::BadUrl(format!("no event stream at {path}")))?;
    let (tx, rx) = mpsc::unbounded::<Result<Event, Stopped>>();
    let opened = Rc::new(Cell::new(false));

    let on_open = {
        let opened = opened.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| opened.set(true))
    };
    let on_message = {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
            let data = m.data().as_string().unwrap_or_default();
            let id = Some(m.last_event_id()).filter(|s| !s.is_empty());
            let _ = tx.unbounded_send(Ok(Event { id, data }));
        })
    };
    let on_error = {
        let source = source.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // Left alone, the browser would reconnect forever; the callers decide instead.
            source.close();
            let why = if opened.get() {
                Stopped::Closed
            } else {
                Stopped::Failed("the event stream could not be opened".into())
            };
            let _ = tx.unbounded_send(Err(why));
            tx.close_channel();
        })
    };
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    /// Closes the connection when the stream is dropped; keeps the handlers alive until then.
    struct Guard {
        source: web_sys::EventSource,
        _on_open: Closure<dyn FnMut(web_sys::Event)>,
        _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
        _on_error: Closure<dyn FnMut(web_sys::Event)>,
    }
    impl Drop for Guard {
        fn drop(&mut self) {
            self.source.close();
        }
    }
    let guard = Guard {
        source,
        _on_open: on_open,
        _on_message: on_message,
        _on_error: on_error,
    };
    Ok(rx
        .map(move |item| {
            let _ = &guard;
            item
        })
        .boxed_local())
}
