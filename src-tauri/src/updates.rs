//! The desktop app's own updates, through Tauri's updater plugin: a manifest from the configured
//! endpoint, the package it names downloaded in the background and its minisign signature
//! verified against the app's public key before anything is offered; installed only when the
//! user says so (the core refuses while changes wait to be sent), then the app restarts. Checked
//! at start and once a day.
//!
//! `THESET_UPDATE_URL` (the manifest; https in release builds) and `THESET_UPDATE_PUBKEY` (the
//! minisign public key, base64, as `tauri signer generate` prints it) are built in from the same
//! variables when the release is built. At start the environment may override them only in debug
//! builds, or in a release built with `THESET_UPDATE_ENV=allow`: otherwise whoever can set a
//! user's environment (a shortcut, a login script) could point the app at their own packages
//! signed with their own key. Without both, updates are off.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Url};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};
use theset_client::ClientError;
use theset_shared::ipc::{UpdateState, events};

const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Where updates come from and the key their packages must be signed with.
struct Source {
    manifest: Url,
    pubkey: String,
}

/// Whether this build lets the environment say where updates come from: debug builds (tests,
/// development) do; a release only when built with `THESET_UPDATE_ENV=allow`.
fn environment_may_override() -> bool {
    cfg!(debug_assertions) || option_env!("THESET_UPDATE_ENV") == Some("allow")
}

/// One setting: the environment's value when the build lets it override, else the built-in one.
fn pick(env: Option<String>, built: Option<&str>, env_allowed: bool) -> Option<String> {
    let set = |v: &String| !v.trim().is_empty();
    match env.filter(|_| env_allowed).filter(set) {
        Some(v) => Some(v),
        None => built.map(str::to_owned).filter(set),
    }
}

fn source() -> Option<Source> {
    let allowed = environment_may_override();
    let manifest = pick(
        std::env::var("THESET_UPDATE_URL").ok(),
        option_env!("THESET_UPDATE_URL"),
        allowed,
    )?;
    let pubkey = pick(
        std::env::var("THESET_UPDATE_PUBKEY").ok(),
        option_env!("THESET_UPDATE_PUBKEY"),
        allowed,
    )?;
    match manifest.parse() {
        Ok(manifest) => Some(Source { manifest, pubkey }),
        Err(e) => {
            tracing::warn!(error = %e, "THESET_UPDATE_URL is not a URL: updates are off");
            None
        }
    }
}

pub struct Updates {
    state: Mutex<UpdateState>,
    /// The verified package, until installed.
    ready: Mutex<Option<(Update, Vec<u8>)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Updates {
    /// Starts the checks (at once, then daily) when a source is configured.
    pub fn start(app: &AppHandle) -> Arc<Self> {
        let updates = Arc::new(Self {
            state: Mutex::new(UpdateState::Off),
            ready: Mutex::new(None),
        });
        if let Some(source) = source() {
            let (app, me) = (app.clone(), updates.clone());
            tauri::async_runtime::spawn(async move {
                loop {
                    me.check(&app, &source).await;
                    tokio::time::sleep(EVERY).await;
                }
            });
        }
        updates
    }

    pub fn state(&self) -> UpdateState {
        lock(&self.state).clone()
    }

    fn set(&self, app: &AppHandle, state: UpdateState) {
        *lock(&self.state) = state.clone();
        let _ = app.emit(events::UPDATE, state);
    }

    async fn check(&self, app: &AppHandle, source: &Source) {
        if lock(&self.ready).is_some() {
            return; // a verified package already waits for the user
        }
        self.set(app, UpdateState::Checking);
        let next = self.fetch(app, source).await;
        self.set(app, next);
    }

    async fn fetch(&self, app: &AppHandle, source: &Source) -> UpdateState {
        let updater = app
            .updater_builder()
            .pubkey(source.pubkey.clone())
            .endpoints(vec![source.manifest.clone()])
            .and_then(|b| b.build());
        let found = match updater {
            Ok(updater) => updater.check().await,
            Err(e) => Err(e),
        };
        let update = match found {
            Ok(Some(update)) => update,
            Ok(None) => return UpdateState::UpToDate,
            Err(e) => return failed(&e),
        };
        let version = update.version.clone();
        match update.download(|_, _| {}, || {}).await {
            Ok(bytes) => {
                let notes = update.body.clone();
                *lock(&self.ready) = Some((update, bytes));
                tracing::info!(%version, "update downloaded and verified");
                UpdateState::Ready {
                    version,
                    notes,
                    unsent: 0,
                }
            }
            Err(
                UpdaterError::Minisign(_)
                | UpdaterError::Base64(_)
                | UpdaterError::SignatureUtf8(_)
                | UpdaterError::SignedVersionMismatch { .. }
                | UpdaterError::MissingSignedVersion,
            ) => {
                tracing::warn!(%version, "update refused: its signature does not verify");
                UpdateState::Refused {
                    version,
                    reason: "its signature does not match this app's key, so it was not installed"
                        .to_owned(),
                }
            }
            Err(e) => failed(&e),
        }
    }

    /// Installs the verified package and restarts into it.
    pub fn install(&self, app: &AppHandle) -> Result<(), ClientError> {
        let (update, bytes) = lock(&self.ready)
            .take()
            .ok_or_else(|| ClientError::Invalid("no update is ready".into()))?;
        if let Err(e) = update.install(&bytes) {
            tracing::warn!(error = %e, "update not installed");
            return Err(ClientError::Invalid(
                "the update could not be installed".into(),
            ));
        }
        app.restart()
    }
}

/// The check did not get through; the reason is logged (it may name the server), not shown.
fn failed(e: &UpdaterError) -> UpdateState {
    tracing::info!(error = %e, "update check failed");
    UpdateState::Failed {
        reason: "the update server could not be reached".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn a_release_keeps_its_built_in_key_whatever_the_environment_says() {
        let env = Some("attacker-key".to_owned());
        // A release that does not allow overrides: the built-in key wins, and without one the
        // environment alone turns nothing on.
        assert_eq!(
            pick(env.clone(), Some("built-key"), false).as_deref(),
            Some("built-key")
        );
        assert_eq!(pick(env.clone(), None, false), None);
        // Debug builds (and releases built to allow it) take the environment's.
        assert_eq!(
            pick(env.clone(), Some("built-key"), true).as_deref(),
            Some("attacker-key")
        );
        assert_eq!(
            pick(Some("  ".into()), Some("built-key"), true).as_deref(),
            Some("built-key")
        );
        assert_eq!(pick(None, Some(" "), true), None);
    }
}
