use dioxus::prelude::*;
use theset_shared::api::CommentOrder;
use theset_shared::comments::{Segment, editable, segments};
use theset_shared::ipc::{AppStatus, CommentItem, IpcError, req};
use uuid::Uuid;

use crate::components::atoms::{Avatar, PendingMark, StaleNote};
use crate::components::organisms::{FlagButton, FlagTarget};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::{Shared, use_shared};

/// After a change: the status everywhere, and the thread read again.
fn settle(shared: Shared, mut error: Signal<Option<String>>, r: Result<AppStatus, IpcError>) {
    match r {
        Ok(s) => {
            shared.set_status(s);
            shared.bump();
            error.set(None);
        }
        Err(e) => error.set(Some(e.message)),
    }
}

/// A show's discussion: comments and replies one level deep, newest or most replied-to first;
/// written offline like votes ("Saved on this device" until sent).
#[component]
pub fn CommentThread(show_id: Uuid) -> Element {
    let shared = use_shared();
    let mut order = use_signal(|| CommentOrder::Newest);
    let mut draft = use_signal(String::new);
    let error = use_signal(|| None::<String>);
    let signed_in = shared.role().is_some();
    let thread = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::Comments {
            show_id,
            order: order(),
        })
        .await
    });
    let view = thread.read().clone();
    rsx! {
        section { class: "card", aria_labelledby: "comments-title", id: "comments",
            div { class: "row spread",
                h2 { id: "comments-title", class: "section-title", "Discussion" }
                div { class: "tabs", role: "tablist", aria_label: "Order of the discussion",
                    for (o, label) in [(CommentOrder::Newest, "Newest"), (CommentOrder::Best, "Most replies")] {
                        button { key: "{o}", class: "tab", role: "tab", r#type: "button", "data-order": "{o}",
                            aria_selected: "{order() == o}", onclick: move |_| order.set(o), "{label}" }
                    }
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            if signed_in {
                form { class: "comment-form", id: "comment-new",
                    onsubmit: move |e| {
                        e.prevent_default();
                        let body = draft();
                        spawn(async move {
                            let r = ipc::call(req::AddComment { show_id, parent_id: None, body }).await;
                            if r.is_ok() { draft.set(String::new()); }
                            settle(shared, error, r);
                        });
                    },
                    label { r#for: "comment-body", class: "visually-hidden", "Add to the discussion" }
                    textarea { id: "comment-body", rows: "2", maxlength: "2000", placeholder: "Add to the discussion",
                        value: draft(), oninput: move |e| draft.set(e.value()) }
                    button { class: "button button-primary", r#type: "submit", id: "comment-post", disabled: draft().trim().is_empty(), "Post" }
                }
            } else {
                p { class: "muted", "Sign in to join the discussion." }
            }
            match view {
                None => rsx! { p { class: "loading", role: "status", "Loading the discussion…" } },
                Some(Err(e)) => rsx! { p { class: "error", role: "alert", "{e.message}" } },
                Some(Ok(t)) => rsx! {
                    if t.fetched_at.is_none() && t.stale {
                        p { class: "stale-note", role: "note", "The discussion is not saved on this device; it loads once you are back online." }
                    } else if let Some(at) = t.fetched_at {
                        StaleNote { stale: t.stale, fetched_at: crate::pages::when(at) }
                    }
                    if t.comments.is_empty() {
                        p { class: "empty", "No comments yet." }
                    }
                    ol { class: "comment-list",
                        for c in t.comments.clone() {
                            CommentView { key: "{c.id}", show_id, comment: c, top: true }
                        }
                    }
                },
            }
        }
    }
}

/// A comment's text: plain, with `http(s)` addresses as links that open outside the app.
#[component]
fn Body(text: String) -> Element {
    rsx! {
        p { class: "comment-body",
            for (i, s) in segments(&text).into_iter().enumerate() {
                match s {
                    Segment::Text(t) => rsx! { span { key: "{i}", "{t}" } },
                    Segment::Link(url) => {
                        let open = url.clone();
                        rsx! {
                            a { key: "{i}", href: "{url}", target: "_blank", rel: "noopener noreferrer nofollow ugc",
                                onclick: move |e| {
                                    // The desktop window has no tabs: the system browser opens it.
                                    if ipc::in_tauri() {
                                        e.prevent_default();
                                        let url = open.clone();
                                        spawn(async move { let _ = ipc::call(req::OpenLink { url }).await; });
                                    }
                                },
                                "{url}"
                            }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn CommentView(show_id: Uuid, comment: CommentItem, top: bool) -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let moderates = shared
        .role()
        .is_some_and(|r| r >= theset_shared::api::Role::Moderator);
    let signed_in = shared.role().is_some();
    let mut replying = use_signal(|| false);
    let mut editing = use_signal(|| false);
    let mut text = use_signal(String::new);
    let error = use_signal(|| None::<String>);
    let c = comment.clone();
    let id = c.id;
    let author = c.author.id;
    let can_edit = c.mine && !c.deleted && editable(c.created_at, chrono::Utc::now());
    rsx! {
        li { class: "comment", "data-comment": "{id}", "data-mine": "{c.mine}",
            div { class: "comment-head",
                button { class: "link fan", r#type: "button", onclick: move |_| nav.go(Route::User(author)),
                    Avatar { name: c.author.display_name.clone(), image: c.author.avatar_url.clone(), size: "sm" }
                    span { "{c.author.display_name}" }
                }
                span { class: "muted", {crate::pages::when(c.created_at)} }
                if c.edited_at.is_some() && !c.deleted { span { class: "muted", "· edited" } }
                if c.hidden { span { class: "badge badge-warn", "hidden" } }
                if c.pending { PendingMark {} }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            if c.deleted {
                p { class: "comment-body muted", "Deleted by its author." }
            } else if c.hidden && c.body.is_empty() {
                p { class: "comment-body muted", "Hidden by a moderator." }
            } else if editing() {
                form { class: "comment-form",
                    onsubmit: move |e| {
                        e.prevent_default();
                        let body = text();
                        spawn(async move {
                            let r = ipc::call(req::EditComment { comment_id: id, body }).await;
                            if r.is_ok() { editing.set(false); }
                            settle(shared, error, r);
                        });
                    },
                    label { r#for: "edit-{id}", class: "visually-hidden", "Your comment" }
                    textarea { id: "edit-{id}", rows: "2", maxlength: "2000", value: text(), oninput: move |e| text.set(e.value()) }
                    div { class: "row",
                        button { class: "button button-primary", r#type: "submit", "Save" }
                        button { class: "button", r#type: "button", onclick: move |_| editing.set(false), "Cancel" }
                    }
                }
            } else {
                Body { text: c.body.clone() }
            }
            div { class: "row comment-actions",
                if top && signed_in && !c.deleted && !c.hidden {
                    button { class: "link", r#type: "button", "data-action": "reply", onclick: move |_| replying.toggle(), "Reply" }
                }
                if can_edit && !editing() {
                    button { class: "link", r#type: "button", "data-action": "edit",
                        onclick: { let body = c.body.clone(); move |_| { text.set(body.clone()); editing.set(true); } }, "Edit" }
                }
                if c.mine && !c.deleted {
                    button { class: "link", r#type: "button", "data-action": "delete",
                        onclick: move |_| { spawn(async move { settle(shared, error, ipc::call(req::DeleteComment { comment_id: id }).await); }); }, "Delete" }
                }
                if moderates && !c.deleted {
                    button { class: "link", r#type: "button", "data-action": if c.hidden { "restore" } else { "hide" },
                        onclick: { let hidden = !c.hidden; move |_| { spawn(async move { settle(shared, error, ipc::call(req::HideComment { comment_id: id, hidden }).await); }); } },
                        if c.hidden { "Restore" } else { "Hide" } }
                }
                if signed_in && !c.mine && !c.deleted && !c.pending {
                    FlagButton { target: FlagTarget::Comment(id), label: format!("{}'s comment", c.author.display_name) }
                }
            }
            if replying() {
                form { class: "comment-form reply-form",
                    onsubmit: move |e| {
                        e.prevent_default();
                        let body = text();
                        spawn(async move {
                            let r = ipc::call(req::AddComment { show_id, parent_id: Some(id), body }).await;
                            if r.is_ok() { replying.set(false); text.set(String::new()); }
                            settle(shared, error, r);
                        });
                    },
                    label { r#for: "reply-{id}", class: "visually-hidden", "Your reply" }
                    textarea { id: "reply-{id}", rows: "2", maxlength: "2000", placeholder: "Your reply", value: text(), oninput: move |e| text.set(e.value()) }
                    div { class: "row",
                        button { class: "button button-primary", r#type: "submit", "Reply" }
                        button { class: "button", r#type: "button", onclick: move |_| replying.set(false), "Cancel" }
                    }
                }
            }
            if !c.replies.is_empty() {
                ol { class: "comment-list replies",
                    for r in c.replies.clone() {
                        CommentView { key: "{r.id}", show_id, comment: r, top: false }
                    }
                }
            }
        }
    }
}
