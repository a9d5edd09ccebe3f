use dioxus::prelude::*;

/// "42 %" for a known percentage, "working…" otherwise.
pub fn percent_label(percent: Option<f32>) -> String {
    match percent {
        Some(p) => format!("{:.0} %", p.clamp(0.0, 100.0)),
        None => "working…".to_owned(),
    }
}

/// A labelled progress bar (`<progress>`, so assistive technology reads the value).
#[component]
pub fn ProgressBar(label: String, percent: Option<f32>, status: String) -> Element {
    let value = percent.map(|p| p.clamp(0.0, 100.0));
    rsx! {
        div { class: "progress progress-{status}", "data-phase": "{label}",
            div { class: "progress-head",
                span { class: "progress-label", "{label}" }
                span { class: "progress-value", "{percent_label(value)} · {status}" }
            }
            progress {
                max: "100",
                value: value.map(|v| v.to_string()),
                aria_label: "{label}",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent_label;

    #[test]
    fn percentages_are_clamped_and_rounded() {
        assert_eq!(percent_label(Some(41.6)), "42 %");
        assert_eq!(percent_label(Some(130.0)), "100 %");
        assert_eq!(percent_label(Some(-3.0)), "0 %");
        assert_eq!(percent_label(None), "working…");
    }
}
