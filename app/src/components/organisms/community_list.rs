use dioxus::prelude::*;
use theset_shared::ipc::{CatalogueSong, CommunityLine};
use uuid::Uuid;

use crate::components::molecules::{SongPicker, VoteRow};
use crate::components::organisms::{FlagButton, FlagTarget};
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

/// The community set-list: best first, votes shown at once (saved on this device until the
/// server confirms), songs added from the catalogue.
#[component]
pub fn CommunityList(
    show_id: Uuid,
    lines: Vec<CommunityLine>,
    catalogue: Vec<CatalogueSong>,
    can_vote: bool,
    closed_reason: Option<String>,
    /// Signed in: lines can be reported to the moderators.
    can_flag: bool,
) -> Element {
    let shared = use_shared();
    let mut error = use_signal(|| None::<String>);
    // The core hands the list over best first (`theset_shared::api::sort_best_first`).
    let sorted = lines.clone();
    let listed: Vec<Uuid> = lines.iter().filter_map(|l| l.song_id).collect();
    let addable: Vec<CatalogueSong> = catalogue
        .into_iter()
        .filter(|s| !listed.contains(&s.id))
        .collect();
    rsx! {
        section { class: "card", aria_labelledby: "community-title", id: "community",
            h2 { id: "community-title", class: "section-title", "Community set-list" }
            if let Some(why) = closed_reason {
                p { class: "muted", "{why}" }
            }
            if let Some(e) = error() {
                p { class: "error", role: "alert", "{e}" }
            }
            if sorted.is_empty() {
                p { class: "empty",
                    if can_vote { "No songs yet. Add the first one you want to hear." } else { "No songs on the list." }
                }
            }
            ol { class: "vote-list",
                for (i, line) in sorted.into_iter().enumerate() {
                    {
                        let (line_id, on) = (line.line_id, line.vote_on(show_id));
                        let title = line.title.clone();
                        rsx! {
                            VoteRow { key: "{line.title}", line, rank: i + 1, enabled: can_vote && on.is_some(),
                                onvote: move |value| {
                                    let Some(on) = on else { return };
                                    spawn(async move {
                                        match ipc::call(req::Vote { on, value }).await {
                                            Ok(s) => { shared.set_status(s); shared.bump(); error.set(None); }
                                            Err(e) => error.set(Some(e.message)),
                                        }
                                    });
                                },
                                if let Some(id) = line_id.filter(|_| can_flag) {
                                    FlagButton { target: FlagTarget::Line(id), label: title.clone() }
                                }
                            }
                        }
                    }
                }
            }
            if can_vote && !addable.is_empty() {
                SongPicker { id: "add-song", label: "Add a song you want to hear", songs: addable,
                    onpick: move |song| {
                        spawn(async move {
                            match ipc::call(req::AddSong { show_id, song_id: song }).await {
                                Ok(s) => { shared.set_status(s); shared.bump(); error.set(None); }
                                Err(e) => error.set(Some(e.message)),
                            }
                        });
                    },
                }
            }
        }
    }
}
