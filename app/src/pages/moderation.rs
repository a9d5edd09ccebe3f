use dioxus::prelude::*;
use theset_shared::api::{FlagAction, FlagTargetKind, JobName, Role};
use uuid::Uuid;

use super::{Failed, Loading};
use crate::components::atoms::{Button, ProgressBar};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req;

/// The moderators' desk: flags to resolve (set-list verification with the diff of versions is on
/// each show page), and for admins: jobs with live progress, roles and the audit log.
#[component]
pub fn Moderation() -> Element {
    let shared = use_shared();
    let role = shared.role();
    if role.is_none_or(|r| r < Role::Moderator) {
        return rsx! { p { class: "error", role: "alert", "Moderators only." } };
    }
    let admin = role == Some(Role::Admin);
    rsx! {
        h2 { class: "page-title", "Moderation" }
        FlagQueue {}
        if admin {
            Jobs {}
            Roles {}
            Audit {}
        }
    }
}

fn kind_label(kind: FlagTargetKind) -> &'static str {
    match kind {
        FlagTargetKind::Line => "Song",
        FlagTargetKind::Setlist => "Set-list",
        FlagTargetKind::Comment => "Comment",
        FlagTargetKind::Profile => "Profile",
    }
}

/// The decisions that fit what a flag is about.
fn actions_for(kind: FlagTargetKind) -> Vec<(FlagAction, &'static str)> {
    let fix = match kind {
        FlagTargetKind::Line => vec![
            (FlagAction::RemoveSong, "Remove song"),
            (FlagAction::HideSetlist, "Hide list"),
        ],
        FlagTargetKind::Setlist => vec![(FlagAction::HideSetlist, "Hide list")],
        FlagTargetKind::Comment => vec![(FlagAction::HideComment, "Hide comment")],
        FlagTargetKind::Profile => vec![(FlagAction::ResetProfile, "Reset name and picture")],
    };
    std::iter::once((FlagAction::Dismiss, "Dismiss"))
        .chain(fix)
        .collect()
}

#[component]
fn FlagQueue() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let mut flags = use_resource(|| async move { ipc::call(req::Flags {}).await });
    let mut error = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "flags-title", id: "flag-queue",
            h3 { id: "flags-title", "Flag queue" }
            p { class: "muted", "Kept on this device: work through it with no signal; your decisions are sent with the next sync." }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            match &*flags.read() {
                None => rsx! { Loading { label: "flags" } },
                Some(Err(e)) => rsx! { Failed { error: e.clone() } },
                Some(Ok(list)) if list.is_empty() => rsx! { p { class: "empty", "No open flags." } },
                Some(Ok(list)) => rsx! {
                    table { class: "table",
                        thead { tr { th { scope: "col", "Subject" } th { scope: "col", "Reason" } th { scope: "col", "Reports" } th { scope: "col", "Actions" } } }
                        tbody {
                            for f in list.clone() {
                                tr { key: "{f.id}", "data-flag-kind": "{f.kind}",
                                    td {
                                        span { class: "badge", "{kind_label(f.kind)}" }
                                        " "
                                        {
                                            let to = match (f.kind, f.show_id, f.target_user_id) {
                                                (FlagTargetKind::Profile, _, Some(u)) => Some(Route::User(u)),
                                                (_, Some(show), _) => Some(Route::Show(show)),
                                                _ => None,
                                            };
                                            rsx! {
                                                if let Some(to) = to {
                                                    button { class: "link", r#type: "button", onclick: move |_| nav.go(to.clone()), "{f.subject}" }
                                                } else {
                                                    span { "{f.subject}" }
                                                }
                                            }
                                        }
                                        if let Some(who) = &f.reporter { p { class: "muted", "reported by {who}" } }
                                    }
                                    td { "{f.reason}" if let Some(n) = &f.note { span { class: "muted", " — {n}" } } }
                                    td { "{f.reports}" }
                                    td { class: "row",
                                        for (action, label) in actions_for(f.kind) {
                                            button { key: "{action}", class: "button", r#type: "button",
                                                onclick: move |_| {
                                                    spawn(async move {
                                                        match ipc::call(req::ResolveFlag { id: f.id, action }).await {
                                                            Ok(s) => { shared.set_status(s); flags.restart(); }
                                                            Err(e) => error.set(Some(e.message)),
                                                        }
                                                    });
                                                },
                                                "{label}"
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn Jobs() -> Element {
    let shared = use_shared();
    let mut job = use_signal(|| JobName::Trending);
    let mut started = use_signal(|| None::<Uuid>);
    let mut error = use_signal(|| None::<String>);
    let events: Vec<_> = shared
        .progress
        .read()
        .iter()
        .filter(|e| Some(e.job_id) == started())
        .cloned()
        .collect();
    rsx! {
        section { class: "card", aria_labelledby: "jobs-title",
            h3 { id: "jobs-title", "Jobs" }
            div { class: "row",
                label { r#for: "job-select", "Job" }
                select { id: "job-select", value: "{job}", onchange: move |e| if let Some(j) = JobName::parse(&e.value()) { job.set(j) },
                    for j in [JobName::Trending, JobName::Scores, JobName::Active, JobName::Weekly] { option { key: "{j}", value: "{j}", "{j}" } }
                }
                Button { label: "Run now", kind: "primary",
                    onclick: move |_| {
                        spawn(async move {
                            match ipc::call(req::StartJob { job: job(), artist_id: None }).await {
                                Ok(r) => started.set(Some(r.id)),
                                Err(e) => error.set(Some(e.message)),
                            }
                        });
                    },
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            for e in events {
                ProgressBar { key: "{e.phase}", label: "{e.job_type}: {e.phase}", percent: e.percent, status: e.status.as_str().to_owned() }
            }
        }
    }
}

#[component]
fn Roles() -> Element {
    let mut user = use_signal(String::new);
    let mut role = use_signal(|| "moderator".to_owned());
    let mut message = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "roles-title",
            h3 { id: "roles-title", "Roles" }
            form { class: "row",
                onsubmit: move |e| {
                    e.prevent_default();
                    let (Ok(id), Some(r)) = (user().trim().parse::<Uuid>(), Role::parse(&role())) else {
                        message.set(Some("Give the user's id and a role.".into()));
                        return;
                    };
                    spawn(async move {
                        message.set(Some(match ipc::call(req::SetRole { user_id: id, role: r }).await {
                            Ok(p) => format!("{} is now {}.", p.display_name, r.as_str()),
                            Err(e) => e.message,
                        }));
                    });
                },
                label { r#for: "role-user", "User id" }
                input { id: "role-user", value: "{user}", oninput: move |e| user.set(e.value()) }
                label { r#for: "role-role", "Role" }
                select { id: "role-role", value: "{role}", onchange: move |e| role.set(e.value()),
                    for r in ["user", "moderator", "admin"] { option { key: "{r}", value: "{r}", "{r}" } }
                }
                button { class: "button", r#type: "submit", "Change role" }
            }
            if let Some(m) = message() { p { role: "status", "{m}" } }
        }
    }
}

#[component]
fn Audit() -> Element {
    let log = use_resource(|| async move { ipc::call(req::Audit {}).await });
    rsx! {
        section { class: "card", aria_labelledby: "audit-title",
            h3 { id: "audit-title", "Audit log" }
            match &*log.read() {
                None => rsx! { Loading { label: "the audit log" } },
                Some(Err(e)) => rsx! { Failed { error: e.clone() } },
                Some(Ok(p)) => rsx! {
                    table { class: "table",
                        thead { tr { th { scope: "col", "When" } th { scope: "col", "Action" } th { scope: "col", "Subject" } } }
                        tbody {
                            for e in p.items.iter().take(50).cloned() {
                                tr { key: "{e.id}",
                                    td { {super::when(e.at)} }
                                    td { "{e.action}" }
                                    td { {e.subject_id.map(|s| s.to_string()).unwrap_or_default()} }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}
