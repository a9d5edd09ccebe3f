use dioxus::prelude::*;

#[component]
pub fn Button(
    label: String,
    onclick: EventHandler<MouseEvent>,
    #[props(default)] busy: bool,
) -> Element {
    rsx! {
        button {
            class: "button",
            r#type: "button",
            disabled: busy,
            aria_busy: "{busy}",
            onclick: move |e| onclick.call(e),
            "{label}"
        }
    }
}
