use dioxus::prelude::*;
use theset_shared::api::ShowLeaderboard;

use crate::components::atoms::Badge;

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
                table { class: "table",
                    thead { tr { th { scope: "col", "#" } th { scope: "col", "Fan" } th { scope: "col", "Score" } } }
                    tbody {
                        for e in board.entries {
                            tr { key: "{e.user_id}",
                                td { "{e.rank}" }
                                td { "{e.display_name}" }
                                td { "{e.score:.1}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
