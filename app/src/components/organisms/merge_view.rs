use dioxus::prelude::*;
use theset_shared::diff::{DiffLine, diff};
use theset_shared::ipc::RejectedChange;

use crate::components::atoms::Button;
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

/// A set-list edit the server refused because someone else changed the list first: both
/// versions side by side with the difference, and the choice of which to keep.
#[component]
pub fn MergeView(change: RejectedChange) -> Element {
    let shared = use_shared();
    let (Some(mine), Some(current), Some(setlist)) = (
        change.mine.clone(),
        change.current.clone(),
        change.setlist_id,
    ) else {
        return rsx! {};
    };
    let theirs: Vec<String> = current.songs.iter().map(|s| s.title.clone()).collect();
    let ours: Vec<String> = mine.iter().map(|s| s.title.clone()).collect();
    let lines = diff(&theirs, &ours);
    let id = change.id;
    let version = current.version;
    let author = current
        .author
        .clone()
        .unwrap_or_else(|| "someone".to_owned());
    rsx! {
        div { class: "merge-view", id: "merge-view",
            h3 { "Your edit and version {version} by {author}" }
            p { class: "muted", "Lines marked + are only in your edit, − only in theirs." }
            ol { class: "diff",
                for (i, l) in lines.into_iter().enumerate() {
                    match l {
                        DiffLine::Same(t) => rsx! { li { key: "{i}", class: "diff-same", "{t}" } },
                        DiffLine::Added(t) => rsx! { li { key: "{i}", class: "diff-added", aria_label: "only in yours: {t}", "+ {t}" } },
                        DiffLine::Removed(t) => rsx! { li { key: "{i}", class: "diff-removed", aria_label: "only in theirs: {t}", "− {t}" } },
                    }
                }
            }
            div { class: "row",
                Button { label: "Keep mine", kind: "primary", id: "merge-keep-mine",
                    onclick: move |_| {
                        let mine = mine.clone();
                        spawn(async move {
                            // Resubmitted on top of their version; the refused one goes.
                            if ipc::call(req::EditSetlist { setlist_id: setlist, base_version: version, songs: mine, note: Some("merged after a conflict".into()) }).await.is_ok()
                                && let Ok(s) = ipc::call(req::DismissChange { id }).await
                            {
                                shared.set_status(s);
                            }
                        });
                    },
                }
                Button { label: "Keep theirs", id: "merge-keep-theirs",
                    onclick: move |_| {
                        spawn(async move {
                            if let Ok(s) = ipc::call(req::DismissChange { id }).await {
                                shared.set_status(s);
                            }
                        });
                    },
                }
            }
        }
    }
}
