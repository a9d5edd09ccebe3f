use dioxus::prelude::*;
use theset_shared::ipc::{UpdateState, events, req};

use crate::ipc;
use crate::state::use_shared;

/// The desktop app's own update: offered once downloaded and verified, installed (with a
/// restart) only when the fan says so and nothing waits to be sent; a refused package is said
/// plainly. Nothing shows while there is nothing to say (no update, the web app).
#[component]
pub fn UpdateBanner() -> Element {
    let shared = use_shared();
    let mut state = use_signal(|| None::<UpdateState>);
    let mut error = use_signal(|| None::<String>);
    use_hook(move || {
        ipc::listen(events::UPDATE, move |s: UpdateState| state.set(Some(s)));
    });
    // Read again whenever the status moves: the count of unsent changes decides the button.
    let pending = shared.status.read().as_ref().map(|s| s.pending);
    use_effect(use_reactive!(|pending| {
        let _ = pending;
        spawn(async move {
            if let Ok(s) = ipc::call(req::Updates {}).await {
                state.set(Some(s));
            }
        });
    }));
    let install = move |_| {
        spawn(async move {
            match ipc::call(req::InstallUpdate {}).await {
                Ok(s) => state.set(Some(s)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    match state() {
        Some(UpdateState::Ready {
            version,
            notes,
            unsent,
        }) => rsx! {
            div { class: "notice app-notice update-notice", role: "status", id: "update-offer", "data-version": "{version}",
                div {
                    strong { "TheSet {version} is ready to install." }
                    if let Some(n) = notes { " {n}" }
                    if unsent > 0 {
                        p { class: "muted", id: "update-wait",
                            "Installing restarts the app: first send the {unsent} "
                            if unsent == 1 { "change" } else { "changes" }
                            " saved on this device (Sync now, once online)."
                        }
                    }
                    if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
                }
                button { class: "button button-primary", r#type: "button", id: "update-install",
                    disabled: unsent > 0, onclick: install, "Install and restart" }
            }
        },
        Some(UpdateState::Refused { version, reason }) => rsx! {
            div { class: "notice app-notice", role: "alert", id: "update-refused", "data-version": "{version}",
                "An update to {version} was offered and refused: {reason}."
            }
        },
        _ => rsx! {},
    }
}
