//! Which server the app talks to, where the person chooses it (the Tauri shell on desktop and
//! phones): `THESET_API_URL` when set (the local run, tests, managed installs), else the choice
//! saved beside the stores, else nobody yet — the UI's first-run screen asks. Each server has its
//! own store and tokens (`crate::store_file`), so choosing another one starts a second app over
//! that store and stops the first; choosing the first again finds it as it was left.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use theset_shared::ipc::{self, IpcCode, IpcError, Request, ServerChoice, ServerInfo, dispatch};
use theset_shared::server_address;
use tokio::sync::{Mutex, RwLock};

use super::{App, Host};
use crate::api::ApiClient;
use crate::{Client, ClientError};

/// The saved choice, beside the stores.
const CHOICE_FILE: &str = "server.json";
/// How long a server has to answer before the address is called unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct Saved {
    address: String,
}

/// Makes the host of an app (the shell gives it its window).
pub type MakeHost<H> = Box<dyn Fn(ServerChoice) -> H + Send + Sync>;

pub struct Servers<H: Host> {
    dir: PathBuf,
    /// Set by the environment: not changeable from the app.
    pinned: Option<String>,
    make_host: MakeHost<H>,
    current: RwLock<Option<Arc<App<H>>>>,
    /// One choice at a time: two quick "Connect" presses must not open the same store twice.
    choosing: Mutex<()>,
}

impl<H: Host> Servers<H> {
    /// Opens the app for the pinned or saved server, if there is one. A pinned address that
    /// does not parse is an error (the person starting the app set it); a saved one that no
    /// longer parses is forgotten and the first-run screen asks again.
    pub fn start(
        dir: &Path,
        pinned: Option<&str>,
        make_host: MakeHost<H>,
    ) -> Result<Arc<Self>, ClientError> {
        let pinned = pinned
            .map(|p| {
                server_address::parse(p)
                    .map_err(|e| ClientError::BadUrl(format!("THESET_API_URL: {e}")))
            })
            .transpose()?;
        let first = match &pinned {
            Some(address) => Some((address.clone(), ServerChoice::Environment)),
            None => saved(dir).map(|a| (a, ServerChoice::User)),
        };
        let current = match first {
            Some((address, chosen_by)) => Some(open(dir, &make_host, &address, chosen_by)?),
            None => None,
        };
        Ok(Arc::new(Self {
            dir: dir.to_owned(),
            pinned,
            make_host,
            current: RwLock::new(current),
            choosing: Mutex::new(()),
        }))
    }

    /// The app for the current server, if one is chosen.
    pub async fn current(&self) -> Option<Arc<App<H>>> {
        self.current.read().await.clone()
    }

    pub async fn info(&self) -> ServerInfo {
        match self.current().await {
            Some(app) => app.server_info(),
            None => ServerInfo {
                address: None,
                chosen_by: ServerChoice::Nobody,
            },
        }
    }

    /// Switches to the server at `typed` once it has answered as a TheSet server; saved for the
    /// next start. Refused (and nothing changed) for a bad address, a server that does not
    /// answer, or a server set by the environment.
    pub async fn choose(&self, typed: &str) -> Result<ServerInfo, IpcError> {
        if self.pinned.is_some() {
            return Err(IpcError::new(
                IpcCode::Invalid,
                "This app's server is set where it was started (THESET_API_URL).",
            ));
        }
        let address = server_address::parse(typed)
            .map_err(|e| IpcError::new(IpcCode::Invalid, e.to_string()))?;
        let _one = self.choosing.lock().await;
        let info = ServerInfo {
            address: Some(address.clone()),
            chosen_by: ServerChoice::User,
        };
        if self.info().await == info {
            return Ok(info);
        }
        probe(&address).await?;
        let app = open(&self.dir, &self.make_host, &address, ServerChoice::User)
            .map_err(super::ipc_error)?;
        if let Err(e) = save(&self.dir, &address) {
            app.stop();
            return Err(IpcError::new(
                IpcCode::Store,
                format!("The choice could not be saved on this device: {e}"),
            ));
        }
        let before = self.current.write().await.replace(app);
        if let Some(old) = before {
            old.stop();
        }
        tracing::info!(%address, "server chosen");
        Ok(info)
    }

    /// Answers one request of the contract: the server's own two here, the rest by the current
    /// server's app.
    pub async fn dispatch(&self, request: Request) -> Result<serde_json::Value, IpcError> {
        match request {
            Request::Server(_) => ipc::to_json(&self.info().await),
            Request::ChooseServer(r) => ipc::to_json(&self.choose(&r.address).await?),
            other => match self.current().await {
                Some(app) => dispatch(&*app, other).await,
                None => Err(IpcError::new(
                    IpcCode::NoServer,
                    "Choose the server to use first.",
                )),
            },
        }
    }
}

fn open<H: Host>(
    dir: &Path,
    make_host: &MakeHost<H>,
    address: &str,
    chosen_by: ServerChoice,
) -> Result<Arc<App<H>>, ClientError> {
    let client = Client::open(&dir.join(crate::store_file(address)), address)?;
    tracing::info!(data = %dir.display(), api = %address, "store opened");
    Ok(App::start(make_host(chosen_by), Arc::new(client)))
}

/// Whether a TheSet server answers at `address`.
async fn probe(address: &str) -> Result<(), IpcError> {
    let api = ApiClient::new(address).map_err(super::ipc_error)?;
    let unreachable = |why: &str| {
        IpcError::new(
            IpcCode::Offline,
            format!(
                "No TheSet server answered at {address} ({why}). Check the address and the network."
            ),
        )
    };
    match tokio::time::timeout(PROBE_TIMEOUT, api.health()).await {
        Err(_) => Err(unreachable("no answer in time")),
        Ok(Ok(h)) if h.status == "ok" => Ok(()),
        Ok(Ok(_)) | Ok(Err(ClientError::Decode(_) | ClientError::Server { .. })) => {
            Err(IpcError::new(
                IpcCode::Invalid,
                format!("{address} answers, but it is not a TheSet server."),
            ))
        }
        Ok(Err(_)) => Err(unreachable("no connection")),
    }
}

fn saved(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(CHOICE_FILE)).ok()?;
    let saved: Saved = serde_json::from_str(&text).ok()?;
    server_address::parse(&saved.address).ok()
}

/// Written beside and renamed over, so a crash leaves the old choice or the new one.
fn save(dir: &Path, address: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{CHOICE_FILE}.tmp"));
    let body = serde_json::to_vec(&Saved {
        address: address.to_owned(),
    })?;
    std::fs::write(&tmp, body)?;
    std::fs::rename(tmp, dir.join(CHOICE_FILE))
}
