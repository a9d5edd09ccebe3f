use dioxus::prelude::*;
use theset_shared::api::{JobEvent, JobStatus};

use crate::components::atoms::ProgressBar;

/// The import phases in the order they run.
const PHASES: [(&str, &str); 3] = [
    ("shows", "Shows"),
    ("catalogue", "Songs"),
    ("setlists", "Past set-lists"),
];

/// One bar per phase, from the latest event of each.
#[component]
pub fn PhaseProgress(events: Vec<JobEvent>) -> Element {
    if events.is_empty() {
        return rsx! {};
    }
    let done = PHASES
        .iter()
        .all(|(p, _)| events.iter().any(|e| e.phase == *p && e.is_terminal()));
    rsx! {
        section { class: "phase-progress", aria_label: "Import progress", "data-done": "{done}",
            h3 { class: "section-title", if done { "Import finished" } else { "Importing…" } }
            for (phase, label) in PHASES {
                {
                    let latest = events.iter().rev().find(|e| e.phase == phase);
                    let (percent, status, step) = match latest {
                        Some(e) => (
                            if e.status == JobStatus::Succeeded { Some(100.0) } else { e.percent },
                            e.status.as_str().to_owned(),
                            e.step.clone(),
                        ),
                        None => (Some(0.0), "queued".to_owned(), String::new()),
                    };
                    rsx! {
                        div { key: "{phase}",
                            ProgressBar { label: label.to_string(), percent, status }
                            if !step.is_empty() {
                                p { class: "progress-step", "{step}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
