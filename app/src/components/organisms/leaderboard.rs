use dioxus::prelude::*;
use theset_shared::api::{LeaderboardEntry, ShowLeaderboard};

use crate::components::atoms::{Avatar, Badge};
use crate::route::{Route, use_nav};

#[component]
pub fn Leaderboard(board: ShowLeaderboard) -> Element {
    rsx! {
        section { class: "card", aria_labelledby: "leaderboard-title",
            h2 { id: "leaderboard-title", class: "section-title", "Leaderboard "
                if board.provisional && !board.entries.is_empty() { Badge { label: "Provisional", tone: "warn" } }
            }
            if board.provisional && !board.entries.is_empty() {
                p { class: "muted", "Scored against the crowd's live capture; final once a moderator verifies the set-list." }
            }
            if let Some(c) = board.community_score {
                p { "The community list scored {c:.1}." }
            }
            if board.entries.is_empty() {
                p { class: "empty", "No predictions scored yet. Scores appear once the actual set-list is verified." }
            } else {
                BoardTable { entries: board.entries, total: false }
            }
        }
    }
}

/// Fans by score, each name a link to their public page. `total`: the all-time board (sums and
/// prediction counts) rather than one show's.
#[component]
pub fn BoardTable(entries: Vec<LeaderboardEntry>, total: bool) -> Element {
    let nav = use_nav();
    rsx! {
        table { class: "table board",
            thead { tr {
                th { scope: "col", "#" }
                th { scope: "col", "Fan" }
                th { scope: "col", "Score" }
                if total { th { scope: "col", "Shows" } }
            } }
            tbody {
                for e in entries {
                    {
                        let mut nav = nav;
                        let user = e.user_id;
                        rsx! {
                            tr { key: "{e.user_id}",
                                td { "{e.rank}" }
                                td {
                                    button { class: "link fan", r#type: "button", "data-user": "{user}",
                                        onclick: move |_| nav.go(Route::User(user)),
                                        Avatar { name: e.display_name.clone(), image: e.avatar_url.clone(), size: "sm" }
                                        span { "{e.display_name}" }
                                    }
                                }
                                td { "{e.score:.1}" }
                                if total { td { "{e.predictions}" } }
                            }
                        }
                    }
                }
            }
        }
    }
}
