use dioxus::prelude::*;

use crate::components::atoms::{Badge, Button};

/// Where the data on screen comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Syncing,
    Online,
    /// Showing what is saved on this device; the reason is for people.
    Offline(String),
}

#[component]
pub fn ConnectionBar(state: Connection, on_retry: EventHandler<()>) -> Element {
    let (label, tone, detail) = match &state {
        Connection::Syncing => ("Syncing…", "neutral", None),
        Connection::Online => ("Online", "accent", None),
        Connection::Offline(why) => ("Offline", "warn", Some(why.clone())),
    };
    rsx! {
        div { class: "connection-bar", role: "status", aria_live: "polite", id: "connection",
            "data-state": "{label}",
            Badge { label: label.to_string(), tone: tone.to_string() }
            if let Some(why) = detail {
                span { class: "connection-detail", "Showing data saved on this device. {why}" }
            }
            Button { label: "Refresh", busy: state == Connection::Syncing, onclick: move |_| on_retry.call(()) }
        }
    }
}
