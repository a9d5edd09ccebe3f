use dioxus::prelude::*;
use theset_shared::ipc::{Listed, ListedSong};
use theset_shared::titles;

use crate::components::atoms::Badge;

fn key(s: &ListedSong) -> String {
    s.song_id
        .map_or_else(|| titles::normalize(&s.title), |id| id.to_string())
}

/// The fans' live capture beside an imported (or hand-started) actual list, with what differs
/// marked: songs only the crowd heard, and songs of the list the crowd did not capture.
#[component]
pub fn CrowdBeside(crowd: Listed, actual: Listed) -> Element {
    let in_actual: Vec<String> = actual.songs.iter().map(key).collect();
    let in_crowd: Vec<String> = crowd.songs.iter().map(key).collect();
    let missed: Vec<ListedSong> = actual
        .songs
        .iter()
        .filter(|s| !in_crowd.contains(&key(s)))
        .cloned()
        .collect();
    rsx! {
        section { class: "card", aria_labelledby: "crowd-title", id: "crowd",
            h2 { id: "crowd-title", class: "section-title",
                "What the crowd captured "
                Badge { label: "live capture" }
            }
            ol { class: "setlist crowd-list",
                for (i, s) in crowd.songs.iter().enumerate() {
                    li { key: "{i}",
                        class: if in_actual.contains(&key(s)) { "" } else { "diff-added" },
                        "{s.title}"
                        if s.set_name != "main" { span { class: "muted", " ({s.set_name})" } }
                        if !in_actual.contains(&key(s)) { span { class: "diff-note", " — not in the set-list above" } }
                    }
                }
            }
            if !missed.is_empty() {
                p { class: "muted", "In the set-list above but not captured by the crowd: "
                    for (i, s) in missed.iter().enumerate() {
                        span { key: "{i}", class: "diff-removed", if i > 0 { ", " } "{s.title}" }
                    }
                }
            }
        }
    }
}
