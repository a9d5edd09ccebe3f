use dioxus::prelude::*;

/// A labelled text input. The label is a real `<label for>`, so screen readers name the field.
#[component]
pub fn Field(
    id: String,
    label: String,
    value: String,
    oninput: EventHandler<String>,
    #[props(default = "text".to_string())] kind: String,
    #[props(default)] placeholder: Option<String>,
    #[props(default)] autocomplete: Option<String>,
    #[props(default)] required: bool,
) -> Element {
    rsx! {
        div { class: "field",
            label { r#for: "{id}", "{label}" }
            input {
                id: "{id}",
                r#type: "{kind}",
                value,
                placeholder,
                autocomplete,
                required,
                oninput: move |e| oninput.call(e.value()),
            }
        }
    }
}
