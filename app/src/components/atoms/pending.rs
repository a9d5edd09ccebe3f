use dioxus::prelude::*;

/// "Saved on this device": the change is shown but the server has not confirmed it yet.
#[component]
pub fn PendingMark() -> Element {
    rsx! {
        span { class: "pending-mark", title: "Saved on this device; it will be sent when the server can be reached",
            "Saved on this device"
        }
    }
}

/// Says the page is the copy kept on this device, and from when.
#[component]
pub fn StaleNote(stale: bool, fetched_at: String) -> Element {
    if !stale {
        return rsx! {};
    }
    rsx! {
        p { class: "stale-note", role: "note",
            "Offline: showing the copy saved on this device ({fetched_at})."
        }
    }
}
