use dioxus::prelude::*;

/// A small pill label; `tone` is one of `neutral`, `accent`, `stage`, `warn`.
#[component]
pub fn Badge(label: String, #[props(default = "neutral".to_string())] tone: String) -> Element {
    rsx! {
        span { class: "badge badge-{tone}", "{label}" }
    }
}
