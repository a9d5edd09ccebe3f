//! The shell's state: the offline core, the sync loop that keeps it current, and the events the
//! webview listens to. Everything network-bound runs here, off the UI's path.

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Emitter};
use theset_client::Client;
use theset_client::live::{self, Status};
use theset_shared::ipc::{Account, AppStatus, Connection, events};
use tokio::sync::{mpsc, watch};

use crate::tiles::{self, TileSource};

/// How often the loop syncs when no nudge comes.
const SYNC_PERIOD: Duration = Duration::from_secs(30);

pub struct Shell {
    pub client: Arc<Client>,
    poke: mpsc::Sender<()>,
    status: watch::Receiver<Status>,
    tile_url: Option<String>,
    /// The signed-in account as last read: status answers never wait on the network.
    account: tokio::sync::RwLock<Option<Account>>,
}

impl Shell {
    /// Starts the sync loop (and the watcher that forwards its state to the webview).
    pub fn start(app: &AppHandle, client: Arc<Client>) -> Arc<Self> {
        let (poke, poked) = mpsc::channel(1);
        let (status_tx, status) = watch::channel(Status::Syncing);
        tauri::async_runtime::spawn(live::run(client.clone(), poked, status_tx, SYNC_PERIOD));
        let shell = Arc::new(Self {
            client: client.clone(),
            poke,
            status,
            tile_url: std::env::var("THESET_TILE_URL").ok().filter(|u| {
                (u.starts_with("https://") || u.starts_with("http://"))
                    && ["{z}", "{x}", "{y}"].iter().all(|p| u.contains(p))
            }),
            account: tokio::sync::RwLock::new(None),
        });
        tauri::async_runtime::spawn(forward(app.clone(), shell.clone()));
        // Once per start: the account (then the window hears of it), and the public artist list
        // that feeds names and the local search.
        let (first, handle) = (shell.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            first.refresh_account().await;
            let _ = handle.emit(events::STATUS, first.app_status().await);
            if let Err(e) = client.sync_artists().await {
                tracing::warn!(error = %e, "artist list not refreshed");
            }
        });
        shell
    }

    /// Asks the loop to sync now (after a local change, or the user's "sync" button).
    pub fn poke(&self) {
        // A full channel already holds a request: one sync serves both.
        let _ = self.poke.try_send(());
    }

    /// Reads the account again (from the server, else the device's copy).
    pub async fn refresh_account(&self) {
        let account = self.client.account().await;
        *self.account.write().await = account;
    }

    pub async fn app_status(&self) -> AppStatus {
        let signed_in = self.client.session().signed_in().await;
        let connection = match self.status.borrow().clone() {
            // The loop learns of a sign-out on its next round; the session knows now.
            _ if !signed_in => Connection::SignedOut,
            Status::Idle => Connection::Online,
            Status::Syncing => Connection::Syncing,
            Status::Offline(why) => Connection::Offline(why),
            Status::SignedOut => Connection::SignedOut,
            Status::UpgradeRequired => Connection::UpgradeRequired,
            Status::AwaitingConfirmation => Connection::AwaitingConfirmation,
        };
        let store = self.client.store();
        let pending = store.outbox_counts().map(|(p, _, _)| p).unwrap_or(0);
        AppStatus {
            connection,
            account: if signed_in {
                self.account.read().await.clone()
            } else {
                None
            },
            pending,
            rejected: self.client.rejected_changes().unwrap_or_default(),
            // The UI asks the shell's `tile:` scheme, which keeps what it fetched.
            tile_url: self.tile_url.as_ref().map(|_| tiles::ui_template()),
        }
    }

    /// Tells the webview that the store changed (a local change or a pull), and answers the
    /// status it sent along.
    pub async fn changed(&self, app: &AppHandle) -> AppStatus {
        let _ = app.emit(events::STORE_CHANGED, ());
        let status = self.app_status().await;
        let _ = app.emit(events::STATUS, status.clone());
        status
    }
}

/// Emits the status on every change of the loop's state, and "store changed" after each sync.
async fn forward(app: AppHandle, shell: Arc<Shell>) {
    let mut rx = shell.status.clone();
    while rx.changed().await.is_ok() {
        let now = rx.borrow_and_update().clone();
        if now != Status::Syncing {
            let _ = app.emit(events::STORE_CHANGED, ());
        }
        // A sync that worked: the account (a new role, a new name, a confirmed address) can be
        // read again.
        if matches!(now, Status::Idle | Status::AwaitingConfirmation) {
            shell.refresh_account().await;
        }
        let _ = app.emit(events::STATUS, shell.app_status().await);
    }
}

impl TileSource for Shell {
    /// The tile server's URL template, when one is configured (`THESET_TILE_URL`).
    fn tile_template(&self) -> Option<String> {
        self.tile_url.clone()
    }

    fn core(&self) -> Arc<Client> {
        self.client.clone()
    }
}
