use dioxus::prelude::*;

/// Said on every page the offline demo catalogue fills: nothing invented passes for a fact, or
/// for a real service's word.
#[component]
pub fn DemoNotice(what: String) -> Element {
    rsx! {
        p { class: "notice demo-notice", role: "note", id: "demo-notice",
            strong { "Demo data. " }
            "{what} come from the offline demo catalogue for trying the app, not from Ticketmaster, Spotify, setlist.fm or Wikipedia."
        }
    }
}
