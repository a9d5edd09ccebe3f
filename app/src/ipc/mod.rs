//! The one typed facade over the core: Tauri's `invoke` and `listen` in the desktop window, the
//! browser worker ([`worker`]) in the web app — chosen once, at run time, by whether the page
//! runs inside Tauri. Components send the requests of `theset_shared::ipc::req` through
//! [`call`], whose answer type the contract fixes, and never touch either transport themselves.

mod worker;

pub use worker::Unavailable;

use serde::Serialize;
use serde::de::DeserializeOwned;
use theset_shared::ipc::contract::COMMAND;
use theset_shared::ipc::{IpcCode, IpcError, Op, Request};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

fn bridge_error(message: impl Into<String>) -> IpcError {
    IpcError::new(IpcCode::Client, message)
}

/// Whether the page runs in the Tauri window (else it is the web app in a browser).
pub fn in_tauri() -> bool {
    thread_local! {
        static TAURI: bool = js_sys::Reflect::has(&js_sys::global(), &"__TAURI__".into())
            .unwrap_or(false);
    }
    TAURI.with(|t| *t)
}

/// Why the core cannot answer in this page at all (in a browser: another tab holds the store, or
/// the browser cannot keep data on the device); `None` once it can.
pub async fn unavailable() -> Option<Unavailable> {
    if in_tauri() {
        return None;
    }
    worker::ready().await.err()
}

/// Sends `request` to the core and reads its answer as the contract says.
pub async fn call<R: Op>(request: R) -> Result<R::Response, IpcError> {
    if !in_tauri() {
        let answer = worker::call(request.into_request()).await?;
        return serde_wasm_bindgen::from_value(answer).map_err(|e| bridge_error(e.to_string()));
    }
    #[derive(Serialize)]
    struct Args {
        request: Request,
    }
    // Maps as plain objects, which is what Tauri's argument parser expects.
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = Args {
        request: request.into_request(),
    }
    .serialize(&ser)
    .map_err(|e| bridge_error(e.to_string()))?;
    match tauri_invoke(COMMAND, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| bridge_error(e.to_string())),
        // The core rejects with a serialised IpcError; anything else is the bridge failing.
        Err(e) => Err(
            serde_wasm_bindgen::from_value(e.clone()).unwrap_or_else(|_| {
                bridge_error(e.as_string().unwrap_or_else(|| "shell unavailable".into()))
            }),
        ),
    }
}

/// Calls `on_event` with every payload of the shell's `event` for the life of the page.
pub fn listen<T: DeserializeOwned + 'static>(
    event: &'static str,
    mut on_event: impl FnMut(T) + 'static,
) {
    if !in_tauri() {
        worker::listen(event, move |payload| {
            if let Ok(p) = serde_wasm_bindgen::from_value::<T>(payload) {
                on_event(p);
            }
        });
        return;
    }
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let payload =
            js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        if let Ok(p) = serde_wasm_bindgen::from_value::<T>(payload) {
            on_event(p);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        if tauri_listen(event, &handler).await.is_ok() {
            // Listeners live as long as the window: the closure must outlive this call.
            handler.forget();
        }
    });
}
