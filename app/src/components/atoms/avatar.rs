use dioxus::prelude::*;

/// A round picture with the name's initial behind it, which stays when the picture cannot load
/// (offline, or no picture).
#[component]
pub fn Avatar(
    name: String,
    image: Option<String>,
    #[props(default = "md".to_string())] size: String,
) -> Element {
    let mut failed = use_signal(|| false);
    let initial = name
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    rsx! {
        div { class: "avatar avatar-{size}", aria_hidden: "true",
            span { "{initial}" }
            if let Some(src) = image.filter(|_| !failed()) {
                img { src, alt: "", loading: "lazy", onerror: move |_| failed.set(true) }
            }
        }
    }
}
