use dioxus::prelude::*;
use theset_shared::api::FlagReason;
use theset_shared::ipc::req;
use uuid::Uuid;

use crate::ipc;
use crate::state::use_shared;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlagTarget {
    /// One line of a list (its list is implied).
    Line(Uuid),
    /// A whole list.
    List(Uuid),
    Comment(Uuid),
    /// A fan's name or picture.
    Profile(Uuid),
}

impl FlagTarget {
    /// The reasons that fit the target (a comment is not a wrong song).
    fn reasons(self) -> &'static [FlagReason] {
        match self {
            Self::Line(_) | Self::List(_) => FlagReason::ALL,
            Self::Comment(_) | Self::Profile(_) => {
                &[FlagReason::Offensive, FlagReason::Spam, FlagReason::Other]
            }
        }
    }
}

fn reason_label(r: FlagReason) -> &'static str {
    match r {
        FlagReason::WrongSong => "Wrong song",
        FlagReason::Duplicate => "Duplicate",
        FlagReason::Offensive => "Offensive",
        FlagReason::Spam => "Spam",
        FlagReason::Other => "Something else",
    }
}

/// "Report": a reason and a note for the moderators, saved on the device and sent with the next
/// sync like a vote.
#[component]
pub fn FlagButton(target: FlagTarget, label: String) -> Element {
    let shared = use_shared();
    let mut open = use_signal(|| false);
    let mut reason = use_signal(|| target.reasons()[0]);
    let mut note = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut sent = use_signal(|| None::<&'static str>);
    let dom = match target {
        FlagTarget::Line(id)
        | FlagTarget::List(id)
        | FlagTarget::Comment(id)
        | FlagTarget::Profile(id) => format!("flag-{id}"),
    };
    if let Some(done) = sent() {
        return rsx! { span { class: "flag-sent muted", role: "status", "data-flag": "{dom}", "{done}" } };
    }
    if !open() {
        return rsx! {
            button { class: "button flag", r#type: "button", "data-flag": "{dom}",
                aria_label: "Report {label}", title: "Report to the moderators",
                onclick: move |_| open.set(true), "⚑" }
        };
    }
    rsx! {
        form { class: "flag-form card", "data-flag-form": "{dom}", aria_label: "Report {label}",
            onsubmit: move |e| {
                e.prevent_default();
                let mut flag = req::RaiseFlag { setlist_id: None, setlist_song_id: None, comment_id: None, user_id: None, reason: reason(), note: None };
                match target {
                    FlagTarget::Line(line) => flag.setlist_song_id = Some(line),
                    FlagTarget::List(list) => flag.setlist_id = Some(list),
                    FlagTarget::Comment(c) => flag.comment_id = Some(c),
                    FlagTarget::Profile(u) => flag.user_id = Some(u),
                }
                flag.note = Some(note()).filter(|n| !n.trim().is_empty());
                spawn(async move {
                    match ipc::call(flag).await {
                        Ok(s) => {
                            let waiting = matches!(s.connection, theset_shared::ipc::Connection::Offline(_));
                            shared.set_status(s);
                            sent.set(Some(if waiting {
                                "Reported: saved on this device, sent when you are back online."
                            } else {
                                "Reported. A moderator will look at it."
                            }));
                        }
                        Err(e) => error.set(Some(e.message)),
                    }
                });
            },
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            div { class: "field",
                label { r#for: "{dom}-reason", "Why" }
                select { id: "{dom}-reason",
                    onchange: move |e| if let Some(r) = FlagReason::parse(&e.value()) { reason.set(r) },
                    for r in target.reasons().iter().copied() {
                        option { key: "{r.as_str()}", value: r.as_str(), selected: reason() == r, {reason_label(r)} }
                    }
                }
            }
            div { class: "field",
                label { r#for: "{dom}-note", "Anything the moderators should know (optional)" }
                textarea { id: "{dom}-note", maxlength: "500", rows: "2", value: note(), oninput: move |e| note.set(e.value()) }
            }
            div { class: "row",
                button { class: "button button-primary", r#type: "submit", "Report" }
                button { class: "button", r#type: "button", onclick: move |_| open.set(false), "Cancel" }
            }
        }
    }
}
