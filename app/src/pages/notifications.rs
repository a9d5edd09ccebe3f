//! The user's notifications, from the device (they arrive with the sync), and which kinds to get.

use dioxus::prelude::*;
use theset_shared::api::{NotificationKind, NotificationPref, NotificationPrefs};
use theset_shared::ipc::req;

use super::{Failed, Loading, when};
use crate::components::atoms::Button;
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;

fn kind_label(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::NewShow => "A followed artist announces a show",
        NotificationKind::ShowChanged => "A show I'm going to moves, changes venue or is cancelled",
        NotificationKind::PredictionScored => "My prediction is scored",
        NotificationKind::CorrectionDecided => {
            "My set-list correction is verified, rejected or changed"
        }
        NotificationKind::CommentReply => "Someone replies to my comment",
        NotificationKind::FlagResolved => "A moderator acts on my report",
        NotificationKind::TicketsOnSale => {
            "Tickets for a followed artist's show go on sale (the day before and when they do)"
        }
    }
}

#[component]
pub fn Notifications() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    if shared.role().is_none() {
        return rsx! {
            h2 { class: "page-title", "Notifications" }
            p { "Sign in to get notified of replies, scores and changes to your shows." }
            Button { label: "Sign in", kind: "primary", onclick: move |_| nav.go(Route::Account) }
        };
    }
    let list = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::Notifications {}).await
    });
    let mut error = use_signal(|| None::<String>);
    let mark = move |ids: Vec<uuid::Uuid>| {
        spawn(async move {
            match ipc::call(req::MarkNotificationsRead { ids }).await {
                Ok(s) => {
                    shared.set_status(s);
                    shared.bump();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        h2 { class: "page-title", "Notifications" }
        if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        match &*list.read() {
            None => rsx! { Loading { label: "notifications" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(items)) => {
                let unread: Vec<uuid::Uuid> = items.iter().filter(|n| !n.read).map(|n| n.id).collect();
                rsx! {
                    section { class: "card", id: "notification-list",
                        div { class: "row spread",
                            p { class: "muted", "{unread.len()} unread" }
                            if !unread.is_empty() {
                                Button { label: "Mark all read", id: "mark-all-read",
                                    onclick: { let unread = unread.clone(); move |_| mark(unread.clone()) } }
                            }
                        }
                        if items.is_empty() { p { class: "empty", "Nothing yet. Replies, scores and news of your shows appear here." } }
                        ul { class: "notification-list",
                            for n in items.clone() {
                                li { key: "{n.id}", class: if n.read { "notification" } else { "notification unread" },
                                    "data-kind": "{n.kind}", "data-read": "{n.read}",
                                    button { class: "link stretched", r#type: "button",
                                        onclick: move |_| {
                                            let (id, read, show) = (n.id, n.read, n.show_id);
                                            // Marked before leaving: a page's tasks end with it.
                                            spawn(async move {
                                                if !read {
                                                    match ipc::call(req::MarkNotificationsRead { ids: vec![id] }).await {
                                                        Ok(s) => { shared.set_status(s); shared.bump(); }
                                                        Err(e) => error.set(Some(e.message)),
                                                    }
                                                }
                                                if let Some(show) = show { nav.go(Route::Show(show)); }
                                            });
                                        },
                                        strong { "{n.title}" }
                                    }
                                    if !n.body.is_empty() { p { "{n.body}" } }
                                    span { class: "muted", {when(n.created_at)} }
                                }
                            }
                        }
                    }
                }
            }
        }
        Preferences {}
    }
}

#[component]
fn Preferences() -> Element {
    let mut prefs = use_resource(|| async move { ipc::call(req::NotificationPrefs {}).await });
    let mut error = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "prefs-title", id: "notification-prefs",
            h3 { id: "prefs-title", "Notify me when" }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            match &*prefs.read() {
                None => rsx! { Loading { label: "your choices" } },
                Some(Err(e)) => rsx! { Failed { error: e.clone() } },
                Some(Ok(p)) => rsx! {
                    for pref in p.kinds.clone() {
                        label { key: "{pref.kind}", class: "check",
                            input { r#type: "checkbox", checked: pref.enabled, "data-kind": "{pref.kind}",
                                onchange: move |e| {
                                    let prefs_now = NotificationPrefs { kinds: vec![NotificationPref { kind: pref.kind, enabled: e.checked() }] };
                                    spawn(async move {
                                        match ipc::call(req::SetNotificationPrefs { prefs: prefs_now }).await {
                                            Ok(_) => prefs.restart(),
                                            Err(e) => error.set(Some(e.message)),
                                        }
                                    });
                                },
                            }
                            " {kind_label(pref.kind)}"
                        }
                    }
                    p { class: "muted", "The desktop app also shows new ones as system notifications while it runs." }
                },
            }
        }
    }
}
