use dioxus::prelude::*;
use theset_shared::ipc::CommunityLine;

use crate::components::atoms::PendingMark;

/// The vote a click on up (`1`) or down (`-1`) leaves: the same arrow again clears it.
pub fn next_vote(current: i16, clicked: i16) -> i16 {
    if current == clicked { 0 } else { clicked }
}

/// One community song with its totals and the user's vote.
#[component]
pub fn VoteRow(
    line: CommunityLine,
    rank: usize,
    enabled: bool,
    onvote: EventHandler<i16>,
    /// Actions after the vote buttons (a report button).
    children: Element,
) -> Element {
    let mine = line.my_vote;
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
                    class: if mine == 1 { "vote vote-up on" } else { "vote vote-up" },
                    r#type: "button",
                    disabled: !enabled,
                    aria_pressed: "{mine == 1}",
                    aria_label: "Vote up {title}",
                    onclick: move |_| onvote.call(next_vote(mine, 1)),
                    "▲"
                }
                button {
                    class: if mine == -1 { "vote vote-down on" } else { "vote vote-down" },
                    r#type: "button",
                    disabled: !enabled,
                    aria_pressed: "{mine == -1}",
                    aria_label: "Vote down {title}",
                    onclick: move |_| onvote.call(next_vote(mine, -1)),
                    "▼"
                }
            }
            {children}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_vote;

    #[test]
    fn clicking_the_same_arrow_clears_the_vote() {
        assert_eq!(next_vote(0, 1), 1);
        assert_eq!(next_vote(1, 1), 0);
        assert_eq!(next_vote(1, -1), -1);
        assert_eq!(next_vote(-1, -1), 0);
    }
}
