//! The shell as the app's host (`theset_client::app`): the sync loop, the account and the
//! contract's answers are the offline core's, shared with the web app's worker; what is the
//! shell's own is where events go (the window), how a provider's sign-in page opens (the system
//! browser), the cold-start figure and the `tile:` scheme.

use std::sync::Arc;

use tauri::{AppHandle, Emitter};
use theset_client::app::servers::Servers;
use theset_client::app::{AppLinks, Host, Located};
use theset_client::{Client, ClientError};
use theset_shared::ipc::ServerChoice;

use crate::phone::Device;
use crate::tiles::{self, TileSource};
use crate::updates::Updates;

/// The app of each server the user chooses (the first-run screen, the settings page).
pub type ShellServers = Servers<TauriHost>;

pub struct TauriHost {
    app: AppHandle,
    updates: Arc<Updates>,
    tile_url: Option<String>,
    chosen_by: ServerChoice,
    device: Device<tauri::Wry>,
}

impl TauriHost {
    /// The tile server comes from `THESET_TILE_URL` (an `http(s)` template with `{z}`, `{x}`,
    /// `{y}`); anything else means no tiles.
    pub fn new(
        app: AppHandle,
        chosen_by: ServerChoice,
        device: Device<tauri::Wry>,
        updates: Arc<Updates>,
    ) -> Self {
        Self {
            app,
            updates,
            chosen_by,
            device,
            tile_url: std::env::var("THESET_TILE_URL").ok().filter(|u| {
                (u.starts_with("https://") || u.starts_with("http://"))
                    && ["{z}", "{x}", "{y}"].iter().all(|p| u.contains(p))
            }),
        }
    }
}

impl Host for TauriHost {
    fn emit(&self, event: &'static str, payload: serde_json::Value) {
        let _ = self.app.emit(event, payload);
    }

    fn first_render(&self) {
        crate::startup::first_render(&self.app);
    }

    /// The system browser; `THESET_BROWSER` names another program to open the page with
    /// (kiosks, tests).
    fn open_browser(&self, url: &str) -> Result<(), ClientError> {
        let opened = match std::env::var_os("THESET_BROWSER") {
            Some(program) => std::process::Command::new(program)
                .arg(url)
                .spawn()
                .map(drop),
            None => open::that_detached(url),
        };
        opened.map_err(|e| ClientError::SignIn(format!("no browser to open: {e}")))
    }

    /// The UI asks the shell's `tile:` scheme, which keeps what it fetched.
    fn tile_template(&self) -> Option<String> {
        self.tile_url.as_ref().map(|_| tiles::ui_template())
    }

    /// The window is served by the app: pictures come through the shell's `avatar:` scheme.
    fn avatar_template(&self) -> Option<String> {
        Some(crate::avatars::ui_template())
    }

    fn server_choice(&self) -> ServerChoice {
        self.chosen_by
    }

    fn app_links(&self) -> Option<AppLinks> {
        self.device.app_links()
    }

    fn locate(&self) -> Located {
        self.device.locate()
    }

    fn update_state(&self) -> theset_shared::ipc::UpdateState {
        self.updates.state()
    }

    fn install_update(&self) -> Result<(), ClientError> {
        self.updates.install(&self.app)
    }

    fn notify(&self, title: &str, body: &str) {
        use tauri_plugin_notification::NotificationExt;
        if let Err(e) = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show()
        {
            // No notification service (a bare session): the app's own list still has it.
            tracing::info!(error = %e, "OS notification not shown");
        }
    }
}

impl crate::avatars::CoreSource for ShellServers {
    async fn core(&self) -> Option<Arc<Client>> {
        Some(self.current().await?.client.clone())
    }
}

impl TileSource for ShellServers {
    /// The tile server's URL template (`THESET_TILE_URL`) and the current server's core.
    async fn source(&self) -> Option<(String, Arc<Client>)> {
        let app = self.current().await?;
        Some((app.host.tile_url.clone()?, app.client.clone()))
    }
}
