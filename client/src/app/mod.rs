//! The running app around the offline core: the sync loop that keeps the store current, the
//! account as last read, and the events the UI listens to. The Tauri shell (desktop, phones) and
//! the browser worker (the web app) each give it a [`Host`] — where events go, how a sign-in page
//! opens — and answer the app↔core contract with it ([`core`]); nothing else differs.

mod core;
#[cfg(not(target_arch = "wasm32"))]
pub mod servers;
mod updates;

use std::sync::Arc;
use std::time::Duration;

use theset_shared::ipc::{
    Account, AppStatus, Connection, GeoPoint, ServerChoice, ServerInfo, events,
};
use tokio::sync::{RwLock, mpsc, watch};

pub use self::core::ipc_error;
use crate::Client;
use crate::error::ClientError;
use crate::live::{self, Status};
use crate::rt;

/// How often the loop syncs when no nudge comes.
const SYNC_PERIOD: Duration = Duration::from_secs(30);

/// Shared across tasks on desktop (tokio's pool); the browser worker has one thread.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync> MaybeSend for T {}
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// The `app.theset:` addresses the OS opens the app with (see [`Host::app_links`]).
pub type AppLinks = tokio::sync::broadcast::Receiver<String>;
/// Where the device is, or why it cannot say (see [`Host::locate`]).
pub type Located = tokio::sync::oneshot::Receiver<Result<GeoPoint, String>>;

/// An answer for hosts that have no location to give.
pub fn no_location(why: &str) -> Located {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let _ = tx.send(Err(why.to_owned()));
    rx
}

/// What differs between the places the app runs.
pub trait Host: MaybeSend + 'static {
    /// Sends `payload` to the UI as `event` (one of `theset_shared::ipc::events`).
    fn emit(&self, event: &'static str, payload: serde_json::Value);
    /// The UI's first page is on screen (the cold-start figure).
    fn first_render(&self);
    /// Opens a provider's sign-in page where the user can answer it.
    fn open_browser(&self, url: &str) -> Result<(), ClientError>;
    /// The map tiles' URL template the UI may use, when a tile server is configured.
    fn tile_template(&self) -> Option<String>;
    /// How the window loads fans' pictures through the host (`{id}`, `{v}`), when it cannot
    /// load them from the server itself.
    fn avatar_template(&self) -> Option<String>;
    /// Who chose the server this app talks to.
    fn server_choice(&self) -> ServerChoice;
    /// On phones, the `app.theset:` addresses the OS opens the app with (the way back from a
    /// sign-in page); `None` where the way back is a loopback port (desktop).
    fn app_links(&self) -> Option<AppLinks>;
    /// Asks the OS where the device is; the answer (or why not, for people) comes through the
    /// channel.
    fn locate(&self) -> Located;
    /// Shows a notification the sync brought (the desktop's OS notifications; a host without
    /// them does nothing: the app's own list has it).
    fn notify(&self, title: &str, body: &str);
    /// Where the app's own update stands; hosts without one (the web app, tests) are `Off`.
    fn update_state(&self) -> theset_shared::ipc::UpdateState {
        theset_shared::ipc::UpdateState::Off
    }
    /// Installs the verified update and restarts the app (the core has checked nothing waits
    /// to be sent).
    fn install_update(&self) -> Result<(), ClientError> {
        Err(ClientError::Invalid("this app updates on its own".into()))
    }
}

pub struct App<H: Host> {
    pub client: Arc<Client>,
    pub host: Arc<H>,
    /// Taken by [`App::stop`]: with the sender gone, the sync loop ends.
    poke: std::sync::Mutex<Option<mpsc::Sender<()>>>,
    status: watch::Receiver<Status>,
    /// The signed-in account as last read: status answers never wait on the network.
    account: RwLock<Option<Account>>,
}

impl<H: Host> App<H> {
    /// Starts the sync loop, the watcher that forwards its state to the UI, and a first round
    /// (the account, then the public artist list that feeds names and the local search).
    pub fn start(host: H, client: Arc<Client>) -> Arc<Self> {
        let (poke, poked) = mpsc::channel(1);
        let (status_tx, status) = watch::channel(Status::Syncing);
        client.set_tile_template(host.tile_template());
        client.set_avatar_template(host.avatar_template());
        rt::spawn(live::run(client.clone(), poked, status_tx, SYNC_PERIOD));
        let app = Arc::new(Self {
            client: client.clone(),
            host: Arc::new(host),
            poke: std::sync::Mutex::new(Some(poke)),
            status,
            account: RwLock::new(None),
        });
        rt::spawn(forward(app.clone()));
        let first = app.clone();
        rt::spawn(async move {
            first.refresh_account().await;
            first.emit(events::STATUS, &first.app_status().await);
            if let Err(e) = client.sync_artists().await {
                tracing::warn!(error = %e, "artist list not refreshed");
            }
        });
        app
    }

    fn emit(&self, event: &'static str, payload: &impl serde::Serialize) {
        emit(&*self.host, event, payload);
    }

    /// Asks the loop to sync now (after a local change, or the user's "sync" button).
    pub fn poke(&self) {
        // A full channel already holds a request: one sync serves both.
        if let Some(poke) = self.poke.lock().ok().and_then(|p| p.clone()) {
            let _ = poke.try_send(());
        }
    }

    /// Ends the sync loop and its live stream (the app is about to talk to another server);
    /// the store stays as it is for when the user comes back.
    pub fn stop(&self) {
        if let Ok(mut poke) = self.poke.lock() {
            poke.take();
        }
    }

    /// Reads the account again (from the server, else the device's copy).
    pub async fn refresh_account(&self) {
        let account = self.client.account().await;
        *self.account.write().await = account;
    }

    /// The server this app talks to (`scheme://host[:port]`, as the address rules write it) and
    /// who chose it.
    pub fn server_info(&self) -> ServerInfo {
        let base = self.client.api().base().as_str().trim_end_matches('/');
        ServerInfo {
            address: Some(base.to_owned()),
            chosen_by: self.host.server_choice(),
        }
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
            unread: if signed_in {
                store.unread_notifications().unwrap_or(0)
            } else {
                0
            },
            rejected: self.client.rejected_changes().unwrap_or_default(),
            tile_url: self.host.tile_template(),
        }
    }

    /// Tells the UI that the store changed (a local change or a pull), and answers the status it
    /// sent along.
    pub async fn changed(&self) -> AppStatus {
        self.emit(events::STORE_CHANGED, &());
        let status = self.app_status().await;
        self.emit(events::STATUS, &status);
        status
    }
}

fn emit<H: Host>(host: &H, event: &'static str, payload: &impl serde::Serialize) {
    match serde_json::to_value(payload) {
        Ok(v) => host.emit(event, v),
        Err(e) => tracing::warn!(error = %e, event, "event not sent"),
    }
}

/// Emits the status on every change of the loop's state, and "store changed" after each sync.
async fn forward<H: Host>(app: Arc<App<H>>) {
    let mut rx = app.status.clone();
    while rx.changed().await.is_ok() {
        let now = rx.borrow_and_update().clone();
        if now != Status::Syncing {
            app.emit(events::STORE_CHANGED, &());
        }
        // A sync that worked: the account (a new role, a new name, a confirmed address) can be
        // read again.
        if matches!(now, Status::Idle | Status::AwaitingConfirmation) {
            app.refresh_account().await;
            // What the sync brought that the user has not been told of: the OS says it once.
            match app.client.store().unannounced() {
                Ok(fresh) => {
                    for n in fresh {
                        app.host.notify(&n.title, &n.body);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "notifications not announced"),
            }
        }
        app.emit(events::STATUS, &app.app_status().await);
    }
}
