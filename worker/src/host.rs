//! The worker as the app's [`Host`]: events go to the page by `postMessage`, and the store lives
//! on OPFS through the sync-access-handle pool, which holds its files exclusively — so a second
//! tab's worker cannot open them, and says so instead of writing beside the first.

use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfg, install};
use theset_client::app::Host;
use theset_client::{Client, ClientError};
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
        // The provider's page would replace the web app in its own tab, and the way back lands
        // on the server's page rather than this worker; not offered on the web yet.
        Err(ClientError::SignIn(
            "on the web app, sign in with your password or a mailed link".into(),
        ))
    }

    fn tile_template(&self) -> Option<String> {
        None
    }
}

/// Installs the OPFS pool as SQLite's default VFS and opens this server's store in it.
pub async fn open_store(origin: &str) -> Result<Client, Outgoing> {
    if let Err(e) =
        install::<sqlite_wasm_rs::WasmOsCallback>(&OpfsSAHPoolCfg::default(), true).await
    {
        let message = e.to_string();
        // Another tab's worker holds the pool's access handles.
        let elsewhere = message.contains("NoModificationAllowed")
            || message.contains("InvalidState")
            || message.contains("locked");
        return Err(Outgoing::Unavailable {
            elsewhere,
            message: if elsewhere {
                "TheSet is open in another tab; use that one (or close it and reload).".into()
            } else {
                format!("This browser cannot keep TheSet's data on the device: {message}")
            },
        });
    }
    let file = theset_client::store_file(origin);
    Client::open_in_browser(&file, origin).map_err(|e| Outgoing::Unavailable {
        elsewhere: false,
        message: format!("TheSet's data on this device could not be opened: {e}"),
    })
}
