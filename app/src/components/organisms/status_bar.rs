use dioxus::prelude::*;
use theset_shared::ipc::{AppStatus, Connection};

use crate::components::atoms::{Badge, Button};
use crate::components::organisms::MergeView;
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req;

/// Label, tone and detail of the connection state.
pub fn connection_label(c: &Connection) -> (&'static str, &'static str, Option<String>) {
    match c {
        Connection::Online => ("Online", "accent", None),
        Connection::Syncing => ("Syncing", "neutral", None),
        Connection::Offline(why) => (
            "Offline",
            "warn",
            Some(format!("Showing what is saved on this device. {why}")),
        ),
        Connection::SignedOut => ("Signed out", "neutral", None),
        Connection::UpgradeRequired => (
            "Update needed",
            "warn",
            Some("This version of TheSet is too old to sync; please update it.".to_owned()),
        ),
        Connection::AwaitingConfirmation => (
            "Confirm your email",
            "warn",
            Some("Your changes wait on this device until your address is confirmed.".to_owned()),
        ),
    }
}

/// "1 change not sent yet", "3 changes not sent yet".
pub fn pending_label(n: usize) -> String {
    match n {
        1 => "1 change not sent yet".to_owned(),
        n => format!("{n} changes not sent yet"),
    }
}

/// What the browser itself says of the network, kept current by its `online`/`offline` events;
/// `None` in the desktop window (where the sync's own finding is all there is).
fn use_browser_online() -> Option<Signal<bool>> {
    let online = use_signal(|| {
        web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true)
    });
    use_hook(move || {
        if ipc::in_tauri() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, now) in [("online", true), ("offline", false)] {
            let mut online = online;
            let on_change =
                wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || online.set(now));
            let _ = window.add_event_listener_with_callback(
                event,
                wasm_bindgen::JsCast::unchecked_ref(on_change.as_ref()),
            );
            // Listeners live as long as the page.
            on_change.forget();
        }
    });
    (!ipc::in_tauri()).then_some(online)
}

/// Connection state, unsent changes, refusals (each with the server's reason, and a merge view
/// for a set-list edit that lost a race).
#[component]
pub fn StatusBar() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    // Hooks before the early return below: their order must not depend on the status.
    let mut busy = use_signal(|| false);
    let browser_online = use_browser_online();
    let status: Option<AppStatus> = shared.status.read().clone();
    let Some(status) = status else {
        return rsx! {
            div { class: "status-bar", id: "connection", "data-state": "Starting", role: "status",
                Badge { label: "Starting…" }
            }
        };
    };
    let (label, tone, detail) = connection_label(&status.connection);
    rsx! {
        div { class: "status-bar", id: "connection", "data-state": "{label}", role: "status", aria_live: "polite",
            // The phone's own view of its network beside what the last sync found.
            if let Some(online) = browser_online {
                if !online() {
                    span { id: "browser-offline", Badge { label: "No network", tone: "warn" } }
                }
            }
            Badge { label: label.to_string(), tone: tone.to_string() }
            if let Some(d) = detail {
                span { class: "status-detail", "{d}" }
            }
            if status.pending > 0 {
                span { class: "pending-count", id: "pending-count", "data-count": "{status.pending}",
                    {pending_label(status.pending)}
                }
            }
            span { class: "status-spacer" }
            if let Some(a) = &status.account {
                if !a.email_verified {
                    Button { label: "Confirm your email", id: "confirm-nudge", onclick: move |_| nav.go(Route::Account) }
                }
                span { class: "status-account", "Signed in as {a.display_name}" }
            } else {
                span { class: "status-sign-in", Button { label: "Sign in", onclick: move |_| nav.go(Route::Account) } }
            }
            Button { label: "Sync now", busy: busy(), id: "sync-now",
                onclick: move |_| {
                    busy.set(true);
                    spawn(async move {
                        if let Ok(s) = ipc::call(req::SyncNow {}).await {
                            shared.set_status(s);
                        }
                        busy.set(false);
                    });
                },
            }
        }
        if !status.rejected.is_empty() {
            section { class: "rejected", aria_label: "Changes the server refused", role: "alert",
                for r in status.rejected.clone() {
                    div { class: "rejected-item", key: "{r.id}", "data-code": "{r.code}",
                        p {
                            strong { "{r.what} not accepted: " }
                            "{r.reason}"
                        }
                        if r.current.is_some() && r.mine.is_some() {
                            MergeView { change: r.clone() }
                        } else {
                            Button { label: "Dismiss",
                                onclick: move |_| {
                                    spawn(async move {
                                        if let Ok(s) = ipc::call(req::DismissChange { id: r.id }).await {
                                            shared.set_status(s);
                                        }
                                    });
                                },
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_naturally() {
        assert_eq!(pending_label(1), "1 change not sent yet");
        assert_eq!(pending_label(4), "4 changes not sent yet");
        assert_eq!(connection_label(&Connection::Online).0, "Online");
        let (l, tone, detail) = connection_label(&Connection::Offline("No network.".into()));
        assert_eq!((l, tone), ("Offline", "warn"));
        assert!(detail.is_some_and(|d| d.contains("No network.")));
        let (l, _, detail) = connection_label(&Connection::AwaitingConfirmation);
        assert_eq!(l, "Confirm your email");
        assert!(detail.is_some_and(|d| d.contains("wait on this device")));
    }
}
