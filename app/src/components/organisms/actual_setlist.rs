use dioxus::prelude::*;
use theset_shared::api::{Role, SetlistVersion};
use theset_shared::diff::{DiffLine, diff};
use theset_shared::ipc::Listed;
use theset_shared::setlist_text;
use uuid::Uuid;

use crate::components::atoms::{Badge, Button, PendingMark};
use crate::components::organisms::{FlagButton, FlagTarget};
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

/// The actual set-list: what was played, its corrections (an editor whose text is kept on the
/// device while typed), the history of versions with what each changed, and verification for
/// moderators.
#[component]
pub fn ActualSetlist(
    show_id: Uuid,
    actual: Listed,
    history: Vec<SetlistVersion>,
    /// The show has started and the user may write its list.
    can_start: bool,
) -> Element {
    let shared = use_shared();
    let role = shared.role();
    let mut editing = use_signal(|| false);
    let mut text = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    let mut reason = use_signal(String::new);
    let mut rejecting = use_signal(|| false);
    // Drafts are saved one after another, newest last: separate calls per keystroke could reach
    // the core out of order and leave an older text as the draft. Each text typed gets a number;
    // "kept on this device" shows once the newest number is saved.
    let mut typed = use_signal(|| 0u64);
    let mut kept = use_signal(|| 0u64);
    let saver = use_coroutine(
        move |mut rx: UnboundedReceiver<(u64, Uuid, Option<String>)>| async move {
            while let Ok(mut next) = rx.recv().await {
                // Only the newest text of the same list matters: skip what was typed over.
                while let Ok(newer) = rx.try_recv() {
                    if newer.1 != next.1 {
                        save_draft(next.1, next.2).await;
                    }
                    next = newer;
                }
                let (n, id, text) = next;
                if save_draft(id, text).await {
                    kept.set(n);
                }
            }
        },
    );
    let Some(setlist) = actual.setlist_id else {
        return rsx! {
            section { class: "card", aria_labelledby: "actual-title", id: "actual",
                h2 { id: "actual-title", class: "section-title", "Actual set-list "
                    if actual.pending { PendingMark {} }
                }
                if actual.pending {
                    ol { class: "setlist",
                        for (i, s) in actual.songs.iter().enumerate() { li { key: "{i}", "{s.title}" } }
                    }
                } else if can_start && editing() {
                    if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
                    form { class: "setlist-editor",
                        onsubmit: move |e| {
                            e.prevent_default();
                            match setlist_text::parse(&text()) {
                                Err(why) => error.set(Some(why.to_string())),
                                Ok(lines) => {
                                    spawn(async move {
                                        match ipc::call(req::StartSetlist { show_id, songs: lines, note: None }).await {
                                            Ok(s) => { shared.set_status(s); shared.bump(); editing.set(false); error.set(None); }
                                            Err(e) => error.set(Some(e.message)),
                                        }
                                    });
                                }
                            }
                        },
                        label { r#for: "setlist-text", "One song per line, as played; a line like “# encore” starts a new set." }
                        textarea { id: "setlist-text", rows: "14", value: "{text}", oninput: move |e| text.set(e.value()) }
                        div { class: "row",
                            button { class: "button button-primary", r#type: "submit", id: "setlist-start-save", "Save the set-list" }
                            Button { label: "Cancel", onclick: move |_| editing.set(false) }
                        }
                    }
                } else {
                    p { class: "empty", "Not known yet. It is imported after the show, or written by the fans who were there, then checked by moderators." }
                    if can_start {
                        Button { label: "Write the set-list", id: "setlist-start", kind: "primary", onclick: move |_| editing.set(true) }
                    }
                }
            }
        };
    };
    let version = actual.version;
    let songs = actual.songs.clone();
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    for s in &actual.songs {
        match sets.last_mut() {
            Some((name, titles)) if *name == s.set_name => titles.push(s.title.clone()),
            _ => sets.push((s.set_name.clone(), vec![s.title.clone()])),
        }
    }
    // The text being typed is kept on the device by the core (and wiped with the sign-out).
    let mut keep = move |text: Option<String>| {
        let n = typed() + 1;
        typed.set(n);
        saver.send((n, setlist, text));
    };
    rsx! {
        section { class: "card", aria_labelledby: "actual-title", id: "actual",
            h2 { id: "actual-title", class: "section-title",
                if actual.crowd { "Set-list from the crowd " } else { "Actual set-list " }
                Badge { label: format!("version {version}") }
                if actual.verified { Badge { label: "Verified", tone: "accent" } }
                if actual.crowd && !actual.verified { Badge { label: "Live capture, not verified", tone: "warn" } }
                if actual.pending { PendingMark {} }
            }
            if role.is_some() && !editing() && !actual.pending {
                div { class: "row end",
                    FlagButton { target: FlagTarget::List(setlist), label: "the actual set-list".to_owned() }
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
            if editing() {
                form { class: "setlist-editor",
                    onsubmit: move |e| {
                        e.prevent_default();
                        match setlist_text::parse(&text()) {
                            Err(why) => error.set(Some(why.to_string())),
                            Ok(lines) => {
                                spawn(async move {
                                    match ipc::call(req::EditSetlist { setlist_id: setlist, base_version: version, songs: lines, note: None }).await {
                                        Ok(s) => {
                                            keep(None);
                                            shared.set_status(s);
                                            shared.bump();
                                            editing.set(false);
                                            error.set(None);
                                        }
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                });
                            }
                        }
                    },
                    label { r#for: "setlist-text", "One song per line; a line like “# encore” starts a new set." }
                    textarea { id: "setlist-text", rows: "14", value: "{text}",
                        oninput: move |e| { keep(Some(e.value())); text.set(e.value()); },
                    }
                    if typed() > 0 && kept() == typed() && !text().trim().is_empty() {
                        p { class: "muted", id: "draft-kept", role: "status", "Draft kept on this device" }
                    }
                    div { class: "row",
                        button { class: "button button-primary", r#type: "submit", id: "setlist-save", "Save correction" }
                        Button { label: "Cancel", onclick: move |_| { keep(None); editing.set(false); } }
                    }
                }
            } else {
                for (name, titles) in sets {
                    if name != "main" { h3 { class: "set-name", "{name}" } }
                    ol { class: "setlist", "data-set": "{name}",
                        for (i, t) in titles.into_iter().enumerate() { li { key: "{i}", "{t}" } }
                    }
                }
                div { class: "row",
                    if role.is_some() {
                        Button { label: "Correct it", id: "setlist-edit",
                            onclick: move |_| {
                                let songs = songs.clone();
                                spawn(async move {
                                    // A draft typed earlier (the app may have closed) wins over the list.
                                    let draft = ipc::call(req::Draft { setlist_id: setlist }).await.ok().flatten();
                                    text.set(draft.unwrap_or_else(|| setlist_text::to_text(&songs)));
                                    editing.set(true);
                                });
                            },
                        }
                    }
                    if role.is_some_and(|r| r >= Role::Moderator) && !actual.verified && !actual.pending {
                        Button { label: "Verify version {version}", kind: "primary", id: "setlist-verify",
                            onclick: move |_| {
                                spawn(async move {
                                    match ipc::call(req::VerifySetlist { setlist_id: setlist, version }).await {
                                        Ok(s) => {
                                            notice.set(Some(format!("Version {version} verified on this device: it applies when it reaches the server, unless the list changed meanwhile (then you will see both).")));
                                            shared.set_status(s);
                                            shared.bump();
                                        }
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                });
                            },
                        }
                        if version > 1 && !rejecting() {
                            Button { label: "Reject version {version}", id: "setlist-reject", onclick: move |_| rejecting.set(true) }
                        }
                    }
                }
                if rejecting() {
                    form { class: "row reject-form",
                        onsubmit: move |e| {
                            e.prevent_default();
                            spawn(async move {
                                match ipc::call(req::RejectVersion { setlist_id: setlist, version, reason: reason() }).await {
                                    Ok(s) => { shared.set_status(s); shared.bump(); rejecting.set(false); reason.set(String::new()); error.set(None); }
                                    Err(e) => error.set(Some(e.message)),
                                }
                            });
                        },
                        div { class: "field",
                            label { r#for: "reject-reason", "Why is version {version} wrong?" }
                            input { id: "reject-reason", r#type: "text", maxlength: "500", value: "{reason}", oninput: move |e| reason.set(e.value()) }
                        }
                        button { class: "button", r#type: "submit", id: "reject-confirm", "Reject" }
                        Button { label: "Cancel", onclick: move |_| rejecting.set(false) }
                    }
                }
            }
            if history.len() > 1 {
                details { class: "history",
                    summary { "Edit history ({history.len()} versions)" }
                    ol { class: "history-list",
                        for (i, v) in history.iter().enumerate() {
                            {
                                let older = history.get(i + 1).map(|o| o.songs.iter().map(|s| s.title.clone()).collect::<Vec<_>>()).unwrap_or_default();
                                let now: Vec<String> = v.songs.iter().map(|s| s.title.clone()).collect();
                                let by = v.author.clone().unwrap_or_else(|| "import".into());
                                let at = v.created_at.format("%-d %b %Y %H:%M").to_string();
                                let changes: Vec<DiffLine> = diff(&older, &now).into_iter().filter(|d| !matches!(d, DiffLine::Same(_))).collect();
                                rsx! {
                                    li { key: "{v.version}", class: "history-item",
                                        p {
                                            strong { "Version {v.version}" }
                                            " by {by}, {at}"
                                            if v.verified { " · verified" }
                                        }
                                        if let Some(n) = &v.note { p { class: "muted", "“{n}”" } }
                                        if let Some(r) = &v.rejected_reason { p { class: "error", "Rejected: {r}" } }
                                        ul { class: "diff",
                                            for (j, d) in changes.into_iter().enumerate() {
                                                match d {
                                                    DiffLine::Added(t) => rsx! { li { key: "{j}", class: "diff-added", "+ {t}" } },
                                                    DiffLine::Removed(t) => rsx! { li { key: "{j}", class: "diff-removed", "− {t}" } },
                                                    DiffLine::Same(_) => rsx! {},
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Keeps (or forgets, with `None`) the text being typed for a list; whether the core kept it.
async fn save_draft(setlist_id: Uuid, text: Option<String>) -> bool {
    ipc::call(req::SaveDraft { setlist_id, text }).await.is_ok()
}
