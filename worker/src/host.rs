//! The worker as the app's [`Host`]: events go to the page by `postMessage`, and the store lives
//! on OPFS through the sync-access-handle pool, which holds its files exclusively — so a second
//! tab's worker cannot open them, and says so instead of writing beside the first.

use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfg, install};
use theset_client::app::Host;
use theset_client::{Client, ClientError};
use theset_shared::ipc::ServerChoice;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;

use crate::{Outgoing, post};

pub struct WorkerHost {
    scope: DedicatedWorkerGlobalScope,
}

impl WorkerHost {
    pub fn new(scope: DedicatedWorkerGlobalScope) -> Self {
        Self { scope }
    }
}

impl Host for WorkerHost {
    fn emit(&self, event: &'static str, payload: serde_json::Value) {
        post(
            &self.scope,
            &Outgoing::Event {
                event: event.to_owned(),
                payload,
            },
        );
    }

    fn first_render(&self) {
        tracing::debug!("first page rendered");
    }

    fn open_browser(&self, _url: &str) -> Result<(), ClientError> {
        // The web app signs in with a provider through the page itself (`WebSignIn`: the tab
        // goes to the provider and the server brings it back signed in); nothing opens a
        // browser from here.
        Err(ClientError::SignIn(
            "the web app signs in with Google or Spotify in this tab".into(),
        ))
    }

    fn tile_template(&self) -> Option<String> {
        None
    }

    /// The page is served by the server itself: pictures load from it.
    fn avatar_template(&self) -> Option<String> {
        None
    }

    /// The web app shows them in its own list and count (a page's notifications would need the
    /// user's permission prompt, which the app does not ask for unprompted).
    fn notify(&self, _title: &str, _body: &str) {}

    fn server_choice(&self) -> ServerChoice {
        ServerChoice::WebOrigin
    }

    fn app_links(&self) -> Option<theset_client::app::AppLinks> {
        None
    }

    fn locate(&self) -> theset_client::app::Located {
        theset_client::app::no_location("The web app asks the browser for the position itself.")
    }
}

/// How long a page waits for the previous page's worker to let go of the store (10 × 250 ms).
const HANDOVER_TRIES: u32 = 10;
const HANDOVER_STEP: std::time::Duration = std::time::Duration::from_millis(250);

/// The name of the Web Lock the worker that owns the store holds for its whole life.
const STORE_LOCK: &str = "theset-store";

/// Takes the store's Web Lock if no other tab's worker holds it; `true` when this worker has it
/// (and keeps it until it ends). The pool's own failure in a second tab does not say why ("an
/// error occurred while creating sync access handle"), so the lock is what tells "open in another
/// tab" from "this browser cannot keep data".
async fn own_store(scope: &DedicatedWorkerGlobalScope) -> bool {
    let (tx, rx) = futures_channel::oneshot::channel::<bool>();
    let granted = Closure::once(move |lock: JsValue| -> js_sys::Promise {
        let held = !lock.is_null();
        let _ = tx.send(held);
        if held {
            // Never settles: the lock is released only when the worker ends.
            js_sys::Promise::new(&mut |_, _| {})
        } else {
            js_sys::Promise::resolve(&JsValue::UNDEFINED)
        }
    });
    // `navigator.locks` through Reflect: web-sys has the Web Locks API only behind its unstable
    // flag.
    let requested = (|| -> Result<(), JsValue> {
        let locks = js_sys::Reflect::get(&scope.navigator(), &"locks".into())?;
        let request: js_sys::Function =
            js_sys::Reflect::get(&locks, &"request".into())?.dyn_into()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE)?;
        request.call3(&locks, &STORE_LOCK.into(), &options, granted.as_ref())?;
        Ok(())
    })();
    granted.forget();
    if requested.is_err() {
        // No Web Locks here: the pool alone decides (a second tab then fails without a reason).
        return true;
    }
    rx.await.unwrap_or(false)
}

/// Takes the store's lock, installs the OPFS pool as SQLite's default VFS and opens this
/// server's store in it.
pub async fn open_store(
    scope: &DedicatedWorkerGlobalScope,
    origin: &str,
) -> Result<Client, Outgoing> {
    // Right after a reload, or coming back from a sign-in page, the previous page's worker may
    // still be ending: for a moment it holds the lock, then the pool's file handles. Both are
    // asked again for a short while before this page says why it cannot open.
    let mut tries = 0;
    while !own_store(scope).await {
        tries += 1;
        if tries >= HANDOVER_TRIES {
            return Err(Outgoing::Unavailable {
                elsewhere: true,
                message:
                    "TheSet is open in another tab; use that one, or close it and reload this one."
                        .into(),
            });
        }
        theset_client::rt::sleep(HANDOVER_STEP).await;
    }
    let mut tries = 0;
    while let Err(e) =
        install::<sqlite_wasm_rs::WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await
    {
        tries += 1;
        if tries >= HANDOVER_TRIES {
            return Err(Outgoing::Unavailable {
                elsewhere: false,
                message: format!("This browser cannot keep TheSet's data on the device: {e}"),
            });
        }
        theset_client::rt::sleep(HANDOVER_STEP).await;
    }
    let file = theset_client::store_file(origin);
    Client::open_in_browser(&file, origin).map_err(|e| Outgoing::Unavailable {
        elsewhere: false,
        message: format!("TheSet's data on this device could not be opened: {e}"),
    })
}
