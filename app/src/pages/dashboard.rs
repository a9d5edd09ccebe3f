use dioxus::prelude::*;
use theset_shared::api::ArtistSummary;

use super::{Failed, Loading, when};
use crate::components::atoms::{Avatar, Button, StaleNote};
use crate::components::molecules::{CardArtist, show_title};
use crate::components::organisms::{ArtistGrid, ShowList};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req;

#[component]
pub fn Dashboard() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let account = shared
        .status
        .read()
        .as_ref()
        .and_then(|s| s.account.clone());
    let Some(me) = account else {
        return rsx! {
            h2 { class: "page-title", "My TheSet" }
            p { "Sign in to see your followed artists, predictions and scores." }
            Button { label: "Sign in", kind: "primary", onclick: move |_| nav.go(Route::Account) }
        };
    };
    let board = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::Dashboard {}).await
    });
    let notifications = shared
        .status
        .read()
        .as_ref()
        .map(|s| s.rejected.clone())
        .unwrap_or_default();
    let unread = shared.status.read().as_ref().map(|s| s.unread).unwrap_or(0);
    rsx! {
        header { class: "artist-hero",
            Avatar { name: me.display_name.clone(), image: me.avatar_url.clone(), size: "xl" }
            div {
                h2 { class: "page-title", id: "profile-name", "{me.display_name}" }
                p { class: "muted",
                    {format!("{} · {}", me.email.as_deref().unwrap_or("no address yet"), me.role.as_str())}
                }
                div { class: "row",
                    button { class: "link", r#type: "button", id: "my-public-page", onclick: move |_| nav.go(Route::User(me.id)), "Your public page" }
                    button { class: "link", r#type: "button", id: "edit-profile", onclick: move |_| nav.go(Route::Account), "Edit profile" }
                }
            }
        }
        section { class: "card", aria_labelledby: "notes-title",
            h3 { id: "notes-title", "Notifications" }
            p {
                button { class: "link", r#type: "button", id: "open-notifications", onclick: move |_| nav.go(Route::Notifications),
                    if unread == 0 { "No unread notifications" } else { "{unread} unread notifications" }
                }
            }
            if notifications.is_empty() {
                p { class: "empty", "No change of yours was refused." }
            }
            ul {
                for n in notifications { li { key: "{n.id}", "{n.what} not accepted: {n.reason}" } }
            }
        }
        match &*board.read() {
            None => rsx! { Loading { label: "your dashboard" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(d)) => {
                let followed: Vec<CardArtist> = d.data.followed_artists.iter().cloned().map(ArtistSummary::into).collect();
                let sc = d.data.scores.clone();
                let c = d.data.contributions.clone();
                rsx! {
                    StaleNote { stale: d.stale, fetched_at: when(d.fetched_at) }
                    div { class: "stats",
                        div { class: "stat", strong { "{sc.scored}" } span { "scored predictions" } }
                        div { class: "stat", strong { {sc.average.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())} } span { "average score" } }
                        div { class: "stat", strong { {sc.best.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())} } span { "best score" } }
                        div { class: "stat", strong { {sc.all_time_rank.map(|r| format!("#{r}")).unwrap_or_else(|| "–".into())} } span { "all-time rank" } }
                    }
                    section { class: "card", aria_labelledby: "predictions-title",
                        h3 { id: "predictions-title", "Predictions" }
                        if d.data.predictions.is_empty() { p { class: "empty", "No predictions yet." } }
                        ul { class: "show-list",
                            for p in d.data.predictions.clone() {
                                {
                                    let id = p.show.id;
                                    let score = p.score.map(|s| format!("score {s:.1}")).unwrap_or_else(|| "not scored yet".into());
                                    let rank = p.rank.map(|r| format!(" · rank #{r}")).unwrap_or_default();
                                    rsx! {
                                        li { key: "{id}", class: "show-row",
                                            button { class: "link stretched", r#type: "button", onclick: move |_| nav.go(Route::Show(id)), {show_title(&p.show)} }
                                            span { class: "muted", "{p.songs} songs · {score}{rank}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    section { class: "card", aria_labelledby: "dash-upcoming-title",
                        h3 { id: "dash-upcoming-title", "Your upcoming shows" }
                        ShowList { shows: d.data.upcoming_shows.clone(), label: "Your upcoming shows", empty: "None of the artists you follow has a show announced." }
                    }
                    section { class: "block", aria_labelledby: "dash-followed-title",
                        h3 { id: "dash-followed-title", "Followed artists" }
                        ArtistGrid { artists: followed, label: "Followed artists", empty: "You follow nobody yet." }
                    }
                    section { class: "card", aria_labelledby: "contrib-title",
                        h3 { id: "contrib-title", "Contributions" }
                        p { "{c.votes_cast} votes · {c.songs_added} songs added · {c.corrections} corrections · {c.flags_raised} flags · {c.setlists_verified} set-lists verified" }
                    }
                }
            }
        }
        Sessions {}
    }
}

#[component]
fn Sessions() -> Element {
    let mut list = use_resource(|| async move { ipc::call(req::Sessions {}).await });
    let mut said = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "sessions-title",
            h3 { id: "sessions-title", "Signed-in devices" }
            match &*list.read() {
                None => rsx! { Loading { label: "sessions" } },
                Some(Err(e)) => rsx! { Failed { error: e.clone() } },
                Some(Ok(s)) => rsx! {
                    ul { class: "session-list",
                        for x in s.clone() {
                            li { key: "{x.id}",
                                "{x.device_name.clone().unwrap_or_else(|| x.kind.to_string())} · last used {when(x.last_used_at)}"
                                if x.current { span { class: "badge badge-accent", "this device" } }
                                else {
                                    button { class: "button", r#type: "button", aria_label: "Sign out that device",
                                        onclick: move |_| { spawn(async move { let _ = ipc::call(req::RevokeSession { id: x.id }).await; list.restart(); }); },
                                        "Sign out"
                                    }
                                }
                            }
                        }
                    }
                },
            }
            button { class: "button", r#type: "button", id: "sign-out-elsewhere",
                onclick: move |_| {
                    spawn(async move {
                        match ipc::call(req::SignOutElsewhere {}).await {
                            Ok(()) => said.set(Some("Every other device is signed out, and your calendar address stopped working: make a new one if you use it.".into())),
                            Err(e) => said.set(Some(e.message)),
                        }
                        list.restart();
                    });
                },
                "Sign out everywhere else"
            }
            if let Some(m) = said() { p { class: "muted", role: "status", "{m}" } }
        }
    }
}
