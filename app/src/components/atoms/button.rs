use dioxus::prelude::*;

/// A button; `kind` is `plain`, `primary` or `danger`. `label` is also its accessible name
/// unless `aria_label` says more (icon-like buttons such as vote arrows).
#[component]
pub fn Button(
    label: String,
    onclick: EventHandler<MouseEvent>,
    #[props(default)] busy: bool,
    #[props(default)] disabled: bool,
    #[props(default = "plain".to_string())] kind: String,
    #[props(default)] aria_label: Option<String>,
    #[props(default)] pressed: Option<bool>,
    #[props(default)] id: Option<String>,
) -> Element {
    rsx! {
        button {
            class: "button button-{kind}",
            r#type: "button",
            id,
            disabled: busy || disabled,
            aria_busy: "{busy}",
            aria_label,
            aria_pressed: pressed.map(|p| p.to_string()),
            onclick: move |e| onclick.call(e),
            "{label}"
        }
    }
}
