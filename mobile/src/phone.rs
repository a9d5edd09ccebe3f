//! Android and iOS: the position from Tauri's geolocation plugin, after the OS's permission
//! prompt. Built on every target (the plugin has a desktop stub), used only on phones, where the
//! shell registers the plugin.

use tauri::plugin::PermissionState;
use tauri::{AppHandle, Runtime};
use tauri_plugin_geolocation::{GeolocationExt, PermissionType, PositionOptions};

use crate::{Connectivity, LocationError, Platform, Position};

/// What the venues page needs: a fix within a minute, good to about a street.
const OPTIONS: PositionOptions = PositionOptions {
    enable_high_accuracy: false,
    // The plugin's default of 0 means "wait forever" on Android.
    timeout: 10_000,
    maximum_age: 60_000,
};

/// The plugin [`Phone`] asks; the shell registers it in phone builds.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_geolocation::init()
}

pub struct Phone<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> Phone<R> {
    /// The shell registers `tauri_plugin_geolocation::init()` before making this.
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

/// Whether the OS lets the app read the position, asking once when it has not been decided.
fn allowed(state: PermissionState, ask: impl FnOnce() -> Option<PermissionState>) -> bool {
    match state {
        PermissionState::Granted => true,
        PermissionState::Prompt | PermissionState::PromptWithRationale => {
            ask() == Some(PermissionState::Granted)
        }
        _ => false,
    }
}

impl<R: Runtime> Platform for Phone<R> {
    fn connectivity(&self) -> Connectivity {
        Connectivity::Unknown
    }

    async fn position(&self) -> Result<Position, LocationError> {
        let app = self.app.clone();
        // The plugin's calls wait on the OS (and the person at the permission prompt).
        let answer = tauri::async_runtime::spawn_blocking(move || {
            let geo = app.geolocation();
            let state = geo
                .check_permissions()
                .map_err(|e| LocationError::Failed(e.to_string()))?
                .location;
            let granted = allowed(state, || {
                geo.request_permissions(Some(vec![PermissionType::Location]))
                    .ok()
                    .map(|s| s.location)
            });
            if !granted {
                return Err(LocationError::Denied);
            }
            let fix = geo
                .get_current_position(Some(OPTIONS))
                .map_err(|e| LocationError::Failed(e.to_string()))?;
            Position::new(fix.coords.latitude, fix.coords.longitude)
                .ok_or_else(|| LocationError::Failed("the position is out of range".into()))
        })
        .await;
        answer.map_err(|e| LocationError::Failed(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_is_shown_only_when_the_os_has_not_decided() {
        let never = || -> Option<PermissionState> { panic!("asked again") };
        assert!(allowed(PermissionState::Granted, never));
        assert!(!allowed(PermissionState::Denied, never));
        assert!(allowed(PermissionState::Prompt, || Some(
            PermissionState::Granted
        )));
        assert!(!allowed(PermissionState::PromptWithRationale, || Some(
            PermissionState::Denied
        )));
        assert!(!allowed(PermissionState::Prompt, || None));
    }
}
