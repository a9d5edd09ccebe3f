//! The web app's offline core. In the phone's browser this dedicated Web Worker plays the part
//! the Tauri shell plays on desktop: it owns the SQLite store (on OPFS, through the
//! sync-access-handle pool), runs the sync loop, and answers the UI's typed requests
//! (`theset_shared::ipc::Request`) with the same `theset_client::app::App` the shell uses.
//!
//! Messages, both ways, are plain objects (see [`Outgoing`] and [`Incoming`]); the UI's side is
//! `app/src/ipc/worker.rs`.
#![cfg(target_arch = "wasm32")]

mod host;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use theset_client::app::App;
use theset_shared::ipc::{IpcError, Request};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use host::WorkerHost;

/// What the UI sends: a request of the contract with the id its answer will carry.
#[derive(Deserialize)]
struct Incoming {
    id: u32,
    request: Request,
}

/// What the worker sends the UI.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Outgoing {
    /// The store is open and requests are answered from now on.
    Ready,
    /// The store cannot be opened here; `elsewhere` when another tab holds it.
    Unavailable { elsewhere: bool, message: String },
    Answer {
        id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        ok: Option<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        err: Option<IpcError>,
    },
    Event {
        event: String,
        payload: serde_json::Value,
    },
}

pub(crate) fn post(scope: &DedicatedWorkerGlobalScope, message: &Outgoing) {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    match message.serialize(&ser) {
        Ok(v) => {
            if let Err(e) = scope.post_message(&v) {
                web_sys::console::error_2(&"TheSet worker: message not sent".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.to_string().into()),
    }
}

/// Opens the store and starts answering; called once by `worker.js`.
#[wasm_bindgen]
pub async fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let origin = scope.location().origin();
    // `App` shares the client the same way on desktop, where it crosses threads; the worker has
    // one thread, so an `Arc` of a non-`Send` client is only a reference count here.
    #[allow(clippy::arc_with_non_send_sync)]
    let client = match host::open_store(&scope, &origin).await {
        Ok(client) => Arc::new(client),
        Err(unavailable) => {
            post(&scope, &unavailable);
            return;
        }
    };
    let app = App::start(WorkerHost::new(scope.clone()), client);
    let answerer = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        let incoming: Incoming = match serde_wasm_bindgen::from_value(m.data()) {
            Ok(i) => i,
            Err(e) => {
                web_sys::console::error_1(&format!("TheSet worker: not a request: {e}").into());
                return;
            }
        };
        let (app, scope) = (app.clone(), answerer.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let answer = theset_shared::ipc::dispatch(&*app, incoming.request).await;
            let (ok, err) = match answer {
                Ok(v) => (Some(v), None),
                Err(e) => (None, Some(e)),
            };
            post(
                &scope,
                &Outgoing::Answer {
                    id: incoming.id,
                    ok,
                    err,
                },
            );
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &Outgoing::Ready);
}
