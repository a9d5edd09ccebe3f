//! The all-time leaderboard: fans by the sum of their verified scores.

use dioxus::prelude::*;
use theset_shared::ipc::req;

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::components::organisms::BoardTable;
use crate::ipc;

#[component]
pub fn AllTime() -> Element {
    let board = use_resource(|| async move { ipc::call(req::Leaderboard {}).await });
    rsx! {
        h2 { class: "page-title", "All-time leaderboard" }
        p { class: "muted", "The sum of every scored prediction, counting shows whose set-list a moderator verified." }
        match &*board.read() {
            None => rsx! { Loading { label: "the leaderboard" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(b)) => rsx! {
                StaleNote { stale: b.stale, fetched_at: when(b.fetched_at) }
                section { class: "card",
                    if b.data.is_empty() {
                        p { class: "empty", "Nobody has a verified score yet." }
                    } else {
                        BoardTable { entries: b.data.clone(), total: true }
                    }
                }
            },
        }
    }
}
