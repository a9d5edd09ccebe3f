use dioxus::prelude::*;
use theset_shared::api::ShowSummary;

use crate::components::molecules::ShowRow;
use crate::route::{Route, use_nav};

#[component]
pub fn ShowList(
    shows: Vec<ShowSummary>,
    label: String,
    #[props(default)] empty: Option<String>,
) -> Element {
    let nav = use_nav();
    if shows.is_empty() {
        return rsx! {
            p { class: "empty", {empty.unwrap_or_else(|| "No shows.".to_owned())} }
        };
    }
    rsx! {
        ul { class: "show-list", aria_label: "{label}",
            for s in shows {
                {
                    let mut nav = nav;
                    let id = s.id;
                    rsx! { ShowRow { key: "{s.id}", show: s, onopen: move |_| nav.go(Route::Show(id)) } }
                }
            }
        }
    }
}
