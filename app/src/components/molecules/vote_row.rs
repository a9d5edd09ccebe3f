use dioxus::prelude::*;
use theset_shared::api::VoteValue;
use theset_shared::ipc::CommunityLine;

use crate::components::atoms::PendingMark;

/// One community song with its totals and the user's vote.
#[component]
pub fn VoteRow(
    line: CommunityLine,
    rank: usize,
    enabled: bool,
    onvote: EventHandler<VoteValue>,
    /// Actions after the vote buttons (a report button).
    children: Element,
) -> Element {
    // The store holds 1, -1 or 0; anything else shows as no vote.
    let mine = VoteValue::try_from(line.my_vote).unwrap_or(VoteValue::Clear);
    let title = line.title.clone();
    rsx! {
        li { class: "vote-row", "data-title": "{line.title}", "data-net": "{line.net_votes}",
            span { class: "vote-rank", "{rank}" }
            span { class: "vote-title", "{line.title}" }
            if line.pending {
                PendingMark {}
            }
            span { class: "vote-totals", aria_label: "{line.upvotes} up, {line.downvotes} down",
                "+{line.upvotes} / −{line.downvotes}"
            }
            strong { class: "vote-net", "{line.net_votes}" }
            div { class: "vote-buttons", role: "group", aria_label: "Vote on {title}",
                button {
                    class: if mine == VoteValue::Up { "vote vote-up on" } else { "vote vote-up" },
                    r#type: "button",
                    disabled: !enabled,
                    aria_pressed: "{mine == VoteValue::Up}",
                    aria_label: "Vote up {title}",
                    onclick: move |_| onvote.call(mine.after_click(VoteValue::Up)),
                    "▲"
                }
                button {
                    class: if mine == VoteValue::Down { "vote vote-down on" } else { "vote vote-down" },
                    r#type: "button",
                    disabled: !enabled,
                    aria_pressed: "{mine == VoteValue::Down}",
                    aria_label: "Vote down {title}",
                    onclick: move |_| onvote.call(mine.after_click(VoteValue::Down)),
                    "▼"
                }
            }
            {children}
        }
    }
}
