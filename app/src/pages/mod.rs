//! One module per page; `app.rs` picks the one for the current route.

pub mod account;
pub mod artist;
pub mod dashboard;
pub mod home;
pub mod moderation;
pub mod search;
pub mod show;
pub mod venue;
pub mod venues;

use dioxus::prelude::*;
use theset_shared::ipc::IpcError;

/// What a page shows while its data loads, or when it cannot load.
#[component]
pub fn Loading(label: String) -> Element {
    rsx! { p { class: "loading", role: "status", aria_busy: "true", "Loading {label}…" } }
}

#[component]
pub fn Failed(error: IpcError) -> Element {
    let text = if error.code == "offline" {
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
