use dioxus::prelude::*;

use crate::route::{Route, use_nav};

/// The search field: Enter (or the button) opens the search page with the query.
#[component]
pub fn SearchBar(#[props(default)] initial: String) -> Element {
    let mut q = use_signal(|| initial.clone());
    let mut nav = use_nav();
    let mut submit = move || {
        let text = q().trim().to_owned();
        if !text.is_empty() {
            nav.go(Route::Search(text));
        }
    };
    rsx! {
        form { class: "search-bar", role: "search",
            onsubmit: move |e| { e.prevent_default(); submit(); },
            label { r#for: "search-input", class: "visually-hidden", "Search artists" }
            input {
                id: "search-input",
                r#type: "search",
                placeholder: "Search artists",
                value: "{q}",
                oninput: move |e| q.set(e.value()),
            }
            button { class: "button button-primary", r#type: "submit", "Search" }
        }
    }
}
