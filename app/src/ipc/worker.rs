//! The web app's way to the core: the dedicated worker of `theset-worker` (started from
//! `worker.js`), which answers the same contract the Tauri shell answers on desktop. Requests
//! wait until the worker has opened the store; when it cannot (another tab holds it, no OPFS),
//! every request is answered with the worker's reason.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use serde::{Deserialize, Serialize};
use theset_shared::ipc::{IpcCode, IpcError, Request};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

type Answer = Result<JsValue, IpcError>;
type Handler = Box<dyn FnMut(JsValue)>;

/// Why the worker cannot open the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Unavailable {
    /// Another tab holds it.
    pub elsewhere: bool,
    pub error: IpcError,
}

enum Readiness {
    Waiting(Vec<oneshot::Sender<Result<(), Unavailable>>>),
    Ready,
    Unavailable(Unavailable),
}

struct Bridge {
    worker: Worker,
    next_id: Cell<u32>,
    pending: RefCell<HashMap<u32, oneshot::Sender<Answer>>>,
    listeners: RefCell<HashMap<String, Vec<Handler>>>,
    readiness: RefCell<Readiness>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Rc<Bridge>>> = const { RefCell::new(None) };
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Incoming {
    Ready,
    Unavailable {
        elsewhere: bool,
        message: String,
    },
    Answer {
        id: u32,
        #[serde(default)]
        err: Option<IpcError>,
    },
    Event {
        event: String,
    },
}

fn bridge_error(message: impl Into<String>) -> IpcError {
    IpcError::new(IpcCode::Client, message)
}

fn bridge() -> Result<Rc<Bridge>, IpcError> {
    if let Some(b) = BRIDGE.with(|b| b.borrow().clone()) {
        return Ok(b);
    }
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./worker.js", &options)
        .map_err(|_| bridge_error("the app's background worker could not start"))?;
    let bridge = Rc::new(Bridge {
        worker,
        next_id: Cell::new(1),
        pending: RefCell::new(HashMap::new()),
        listeners: RefCell::new(HashMap::new()),
        readiness: RefCell::new(Readiness::Waiting(Vec::new())),
    });
    let weak = Rc::downgrade(&bridge);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        if let Some(b) = weak.upgrade() {
            b.receive(m.data());
        }
    });
    bridge
        .worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // A worker that cannot load (its script missing, a browser without module workers) would
    // leave every request waiting: say why instead.
    let weak = Rc::downgrade(&bridge);
    // A script that fails to load fires a plain `Event`, not an `ErrorEvent`: read no fields.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        let Some(b) = weak.upgrade() else {
            return;
        };
        let waiting = matches!(*b.readiness.borrow(), Readiness::Waiting(_));
        if waiting {
            b.settle(Readiness::Unavailable(Unavailable {
                elsewhere: false,
                error: IpcError::new(
                    IpcCode::Store,
                    "The app's background worker could not start. Reload the page; if this \
                     stays, this browser cannot run TheSet offline.",
                ),
            }));
        }
    });
    bridge
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The worker lives as long as the page, and its handlers with it.
    on_message.forget();
    on_error.forget();
    BRIDGE.with(|b| *b.borrow_mut() = Some(bridge.clone()));
    Ok(bridge)
}

impl Bridge {
    fn receive(&self, data: JsValue) {
        let Ok(incoming) = serde_wasm_bindgen::from_value::<Incoming>(data.clone()) else {
            return;
        };
        match incoming {
            Incoming::Ready => self.settle(Readiness::Ready),
            Incoming::Unavailable { elsewhere, message } => {
                self.settle(Readiness::Unavailable(Unavailable {
                    elsewhere,
                    error: IpcError::new(IpcCode::Store, message),
                }));
            }
            Incoming::Answer { id, err } => {
                let Some(tx) = self.pending.borrow_mut().remove(&id) else {
                    return;
                };
                let answer = match err {
                    Some(e) => Err(e),
                    None => Ok(js_sys::Reflect::get(&data, &"ok".into()).unwrap_or(JsValue::NULL)),
                };
                let _ = tx.send(answer);
            }
            Incoming::Event { event } => {
                let payload =
                    js_sys::Reflect::get(&data, &"payload".into()).unwrap_or(JsValue::NULL);
                if let Some(handlers) = self.listeners.borrow_mut().get_mut(&event) {
                    for h in handlers.iter_mut() {
                        h(payload.clone());
                    }
                }
            }
        }
    }

    fn settle(&self, now: Readiness) {
        let before = std::mem::replace(&mut *self.readiness.borrow_mut(), now);
        let outcome = match &*self.readiness.borrow() {
            Readiness::Unavailable(e) => Err(e.clone()),
            _ => Ok(()),
        };
        if let Readiness::Waiting(waiters) = before {
            for w in waiters {
                let _ = w.send(outcome.clone());
            }
        }
    }

    async fn ready(&self) -> Result<(), Unavailable> {
        let rx = match &mut *self.readiness.borrow_mut() {
            Readiness::Ready => return Ok(()),
            Readiness::Unavailable(u) => return Err(u.clone()),
            Readiness::Waiting(waiters) => {
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                rx
            }
        };
        rx.await.unwrap_or_else(|_| {
            Err(Unavailable {
                elsewhere: false,
                error: bridge_error("the app's background worker stopped"),
            })
        })
    }
}

/// Sends `request` to the worker and waits for its answer (as it crossed: a JS value).
pub async fn call(request: Request) -> Answer {
    #[derive(Serialize)]
    struct Outgoing {
        id: u32,
        request: Request,
    }
    let bridge = bridge()?;
    bridge.ready().await.map_err(|u| u.error)?;
    let id = bridge.next_id.get();
    bridge.next_id.set(id.wrapping_add(1));
    let (tx, rx) = oneshot::channel();
    bridge.pending.borrow_mut().insert(id, tx);
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let message = Outgoing { id, request }
        .serialize(&ser)
        .map_err(|e| bridge_error(e.to_string()))?;
    if bridge.worker.post_message(&message).is_err() {
        bridge.pending.borrow_mut().remove(&id);
        return Err(bridge_error(
            "the app's background worker did not take the request",
        ));
    }
    rx.await
        .unwrap_or_else(|_| Err(bridge_error("the app's background worker stopped")))
}

/// Waits until the worker has opened the store; its reason when it cannot.
pub async fn ready() -> Result<(), Unavailable> {
    let bridge = bridge().map_err(|error| Unavailable {
        elsewhere: false,
        error,
    })?;
    bridge.ready().await
}

/// Calls `handler` with the payload of every `event` the worker sends.
pub fn listen(event: &'static str, handler: impl FnMut(JsValue) + 'static) {
    if let Ok(b) = bridge() {
        b.listeners
            .borrow_mut()
            .entry(event.to_owned())
            .or_default()
            .push(Box::new(handler));
    }
}
