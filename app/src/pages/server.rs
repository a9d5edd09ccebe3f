//! The server the app talks to: the first-run screen that asks for it, and the account page's
//! section that shows it and lets the user change it where that is theirs to decide.

use dioxus::prelude::*;
use theset_shared::ipc::req;
use theset_shared::ipc::{ServerChoice, ServerInfo};

use crate::ipc;

/// After a switch every page reads the new server's store: a fresh start is the plain way.
fn start_over() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The address form, shared by the first-run screen and the settings section.
#[component]
fn AddressForm(submit: String) -> Element {
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    rsx! {
        form { class: "auth-form", id: "server-form",
            onsubmit: move |e| {
                e.prevent_default();
                busy.set(true);
                error.set(None);
                // Read from the form, not from input events: autofill and pasted text do not
                // always send those.
                let typed = match e.get_first("address") {
                    Some(FormValue::Text(t)) => t,
                    _ => String::new(),
                };
                spawn(async move {
                    match ipc::call(req::ChooseServer { address: typed }).await {
                        Ok(_) => start_over(),
                        Err(e) => error.set(Some(e.message)),
                    }
                    busy.set(false);
                });
            },
            div { class: "field",
                label { r#for: "server-address", "Server address" }
                // Plain text, not `url`: people type addresses without the scheme.
                input { id: "server-address", name: "address", r#type: "text", inputmode: "url",
                    placeholder: "theset.example.org or 192.168.1.20:8080", autocomplete: "url",
                    autocapitalize: "none", spellcheck: "false", required: true }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", id: "server-error", "{e}" } }
            button { class: "button button-primary", r#type: "submit", id: "server-connect", disabled: busy(),
                if busy() { "Checking the server…" } else { "{submit}" }
            }
        }
    }
}

/// Shown instead of the app until a server is chosen.
#[component]
pub fn FirstRun() -> Element {
    rsx! {
        main { class: "page first-run", id: "main-content", "data-page": "first-run",
            h1 { class: "page-title", "Welcome to TheSet" }
            p { "Which TheSet server should this app use? Type the address your club, your friends or your community gave you." }
            AddressForm { submit: "Connect" }
            p { class: "muted",
                "A server on this computer or your local network can use plain http (192.168.1.20:8080); one on the internet needs https."
            }
        }
    }
}

/// The account page's "Server" section.
#[component]
pub fn ServerSettings(info: ServerInfo) -> Element {
    let mut changing = use_signal(|| false);
    let address = info.address.clone().unwrap_or_default();
    let why = match info.chosen_by {
        ServerChoice::Environment => Some("Set where the app was started (THESET_API_URL)."),
        ServerChoice::WebOrigin => Some("The web app uses the server it was opened from."),
        ServerChoice::User | ServerChoice::Nobody => None,
    };
    rsx! {
        section { class: "server-settings", aria_labelledby: "server-title",
            h3 { id: "server-title", "Server" }
            p { "This app uses " code { id: "server-current", "{address}" } "." }
            if let Some(why) = why { p { class: "muted", "{why}" } }
            if info.chosen_by.changeable() {
                if changing() {
                    p { class: "muted", "Each server keeps its own data on this device: coming back to this one finds everything as you left it." }
                    AddressForm { submit: "Switch server" }
                } else {
                    button { class: "button", r#type: "button", id: "server-change",
                        onclick: move |_| changing.set(true), "Use another server" }
                }
            }
        }
    }
}
