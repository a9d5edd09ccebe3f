//! What the shell adds on Android and iOS: the OS's location service (`theset_mobile::phone`)
//! and the app's own scheme, through which the browser hands a finished sign-in back (RFC 8252
//! §7.1; the desktop uses a loopback port instead). Compiled on every target, installed only in
//! phone builds (`cfg(mobile)` in `run`).

use std::sync::Arc;

use tauri::{AppHandle, Builder, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;
use theset_mobile::{Desktop, Platform};
use theset_shared::ipc::GeoPoint;
use theset_shared::validate::APP_SCHEME;
use tokio::sync::{broadcast, oneshot};

/// The plugins phones need, registered before the app starts.
pub fn plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(theset_mobile::phone::plugin())
        .plugin(tauri_plugin_deep_link::init())
}

/// The device's side of the app: where it is, and the addresses the OS opens it with.
pub struct Device<R: Runtime> {
    locator: Locator<R>,
    links: Option<broadcast::Sender<String>>,
}

enum Locator<R: Runtime> {
    Desktop,
    Phone(Arc<theset_mobile::phone::Phone<R>>),
}

// By hand: a derive would ask `R: Clone`, which runtimes are not.
impl<R: Runtime> Clone for Locator<R> {
    fn clone(&self) -> Self {
        match self {
            Self::Desktop => Self::Desktop,
            Self::Phone(p) => Self::Phone(p.clone()),
        }
    }
}

impl<R: Runtime> Clone for Device<R> {
    fn clone(&self) -> Self {
        Self {
            locator: self.locator.clone(),
            links: self.links.clone(),
        }
    }
}

impl<R: Runtime> Device<R> {
    pub fn desktop() -> Self {
        Self {
            locator: Locator::Desktop,
            links: None,
        }
    }

    /// After `plugins` were registered: the location service, and every `app.theset:` address
    /// the OS opens the app with, from now on and the one it was started with.
    pub fn phone(app: &AppHandle<R>) -> Self {
        let (links, _) = broadcast::channel(8);
        let forward = links.clone();
        let send = move |urls: Vec<tauri::Url>| {
            for url in urls.into_iter().filter(|u| u.scheme() == APP_SCHEME) {
                let _ = forward.send(url.to_string());
            }
        };
        if let Ok(Some(urls)) = app.deep_link().get_current() {
            send(urls);
        }
        app.deep_link().on_open_url(move |event| send(event.urls()));
        Self {
            locator: Locator::Phone(Arc::new(theset_mobile::phone::Phone::new(app.clone()))),
            links: Some(links),
        }
    }

    pub fn app_links(&self) -> Option<broadcast::Receiver<String>> {
        self.links.as_ref().map(broadcast::Sender::subscribe)
    }

    /// Asks the OS (or the desktop fallback) where the device is.
    pub fn locate(&self) -> oneshot::Receiver<Result<GeoPoint, String>> {
        let (tx, rx) = oneshot::channel();
        let locator = self.locator.clone();
        tauri::async_runtime::spawn(async move {
            let found = match locator {
                Locator::Desktop => Desktop.position().await,
                Locator::Phone(phone) => phone.position().await,
            };
            let _ = tx.send(
                found
                    .map(|p| GeoPoint {
                        lat: p.latitude,
                        lng: p.longitude,
                    })
                    .map_err(|e| e.to_string()),
            );
        });
        rx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desktop_says_it_has_no_location_and_no_app_links() {
        let device = Device::<tauri::Wry>::desktop();
        assert!(device.app_links().is_none());
        let answer = tauri::async_runtime::block_on(device.locate()).expect("answered");
        let why = answer.expect_err("no location service on a desktop");
        assert!(why.contains("no location service"), "{why}");
    }
}
