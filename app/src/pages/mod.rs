//! One module per page; `app.rs` picks the one for the current route.

pub mod account;
pub mod artist;
pub mod dashboard;
pub mod home;
pub mod leaderboard;
pub mod moderation;
pub mod notifications;
pub mod profile;
pub mod search;
pub mod server;
pub mod show;
pub mod shows;
pub mod user;
pub mod venue;
pub mod venues;

use dioxus::prelude::*;
use theset_shared::ipc::{IpcCode, IpcError};

/// What a page shows while its data loads, or when it cannot load.
#[component]
pub fn Loading(label: String) -> Element {
    rsx! { p { class: "loading", role: "status", aria_busy: "true", "Loading {label}…" } }
}

#[component]
pub fn Failed(error: IpcError) -> Element {
    let text = if error.code == IpcCode::Offline {
        "This page is not saved on this device and the server can't be reached. It will load once you are back online.".to_owned()
    } else {
        error.message.clone()
    };
    rsx! { p { class: "error", role: "alert", "data-code": "{error.code}", "{text}" } }
}

/// A short local date-time for "saved at" notes.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %H:%M UTC").to_string()
}

/// The latest answer of `resource`, kept while a re-read is in flight, so a page that re-reads
/// on every change (live votes, import progress) does not flicker back to "Loading".
pub fn use_latest<T: Clone + PartialEq + 'static>(resource: Resource<T>) -> Signal<Option<T>> {
    let mut last = use_signal(|| None::<T>);
    use_effect(move || {
        if let Some(r) = resource.read().clone()
            && last.peek().as_ref() != Some(&r)
        {
            last.set(Some(r));
        }
    });
    last
}
