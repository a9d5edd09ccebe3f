//! A moderator's tools on a show page: titles of the actual list that almost match a catalogue
//! song (taken as an alias in one click), titles the catalogue lacks added to the community list,
//! and the vote oversight of the show.

use dioxus::prelude::*;
use theset_shared::api::Anomaly;
use theset_shared::ipc::{CatalogueSong, Listed, req};
use theset_shared::titles::candidates;
use uuid::Uuid;

use crate::components::atoms::Button;
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;

/// A catalogue song a title almost is: its id, title and likeness (0–1).
type Candidate = (Uuid, String, f64);

/// Unlinked titles of the actual list with the catalogue songs they almost are.
#[component]
pub fn AliasSuggestions(actual: Listed, catalogue: Vec<CatalogueSong>) -> Element {
    let shared = use_shared();
    let mut notice = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let songs: Vec<(Uuid, String)> = catalogue.iter().map(|s| (s.id, s.title.clone())).collect();
    let offers: Vec<(String, Vec<Candidate>)> = actual
        .songs
        .iter()
        .filter(|l| l.song_id.is_none())
        .map(|l| {
            let found = candidates(&l.title, &songs)
                .into_iter()
                .map(|(id, t, s)| (id, t.to_owned(), s))
                .collect::<Vec<_>>();
            (l.title.clone(), found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect();
    if offers.is_empty() && notice().is_none() {
        return rsx! {};
    }
    rsx! {
        section { class: "card", aria_labelledby: "alias-title", id: "alias-suggestions",
            h2 { id: "alias-title", class: "section-title", "Titles that almost match" }
            p { class: "muted", "The set-list writes these titles differently from the catalogue. Taking a suggestion records the title as another name of the song, so this list and every later import match it." }
            if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            ul { class: "alias-list",
                for (title, found) in offers {
                    li { key: "{title}", "data-title": "{title}",
                        strong { "“{title}”" }
                        " could be "
                        for (id, song, score) in found {
                            {
                                let alias = title.clone();
                                let label = format!("{song} ({:.0}%)", score * 100.0);
                                rsx! {
                                    Button { key: "{id}", label, aria_label: format!("Record “{alias}” as {song}"),
                                        onclick: move |_| {
                                            let alias = alias.clone();
                                            spawn(async move {
                                                match ipc::call(req::AddAlias { song_id: id, alias: alias.clone() }).await {
                                                    Ok(added) => {
                                                        error.set(None);
                                                        notice.set(Some(format!("“{alias}” is now a name of that song ({} lines linked).", added.lines_linked)));
                                                        shared.bump();
                                                    }
                                                    Err(e) => error.set(Some(e.message)),
                                                }
                                            });
                                        },
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

/// A title the catalogue does not have, added to the community list (a cover, a new song).
#[component]
pub fn FreeTitle(show_id: Uuid) -> Element {
    let shared = use_shared();
    let mut title = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    rsx! {
        form { class: "card row free-title", id: "free-title",
            onsubmit: move |e| {
                e.prevent_default();
                let t = title();
                spawn(async move {
                    match ipc::call(req::AddTitle { show_id, title: t }).await {
                        Ok(s) => { shared.set_status(s); shared.bump(); title.set(String::new()); error.set(None); }
                        Err(e) => error.set(Some(e.message)),
                    }
                });
            },
            div { class: "field",
                label { r#for: "free-title-input", "Moderators: a title not in the catalogue (a cover, a new song)" }
                input { id: "free-title-input", r#type: "text", maxlength: "200", value: title(), oninput: move |e| title.set(e.value()) }
            }
            button { class: "button", r#type: "submit", disabled: title().trim().is_empty(), "Add title" }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
    }
}

fn reason_text(a: Anomaly) -> &'static str {
    match a {
        Anomaly::FreshBurst => "new account, burst of votes",
        Anomaly::Lockstep => "voted with others within seconds",
    }
}

/// The show's vote oversight: accounts the rules list, and voiding their votes.
#[component]
pub fn VoteOversight(show_id: Uuid) -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let mut open = use_signal(|| false);
    let mut report = use_resource(move || async move {
        if !open() {
            return None;
        }
        Some(ipc::call(req::VoteOversight { show_id }).await)
    });
    let mut notice = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "oversight-title", id: "vote-oversight",
            div { class: "row spread",
                h2 { id: "oversight-title", class: "section-title", "Vote oversight" }
                Button { label: if open() { "Hide" } else { "Check the votes" }, id: "oversight-open", onclick: move |_| open.toggle() }
            }
            if open() {
                p { class: "muted", "Listed: accounts made less than a day before voting that cast three or more votes within ten minutes, and three or more accounts giving a line the same vote within ten seconds. Votes of deleted accounts left with them." }
                if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
                match &*report.read() {
                    Some(Some(Ok(r))) => rsx! {
                        p { "{r.data.votes} votes on this show; {r.data.suspects.len()} accounts listed." }
                        ul { class: "suspect-list",
                            for s in r.data.suspects.clone() {
                                li { key: "{s.user_id}", "data-suspect": "{s.user_id}",
                                    div {
                                        button { class: "link", r#type: "button", onclick: move |_| nav.go(Route::User(s.user_id)), "{s.display_name}" }
                                        span { class: "muted", " · {s.votes} votes · account made {crate::pages::when(s.account_created_at)}" }
                                        p { class: "muted", {s.reasons.iter().map(|a| reason_text(*a)).collect::<Vec<_>>().join("; ")} }
                                    }
                                    Button { label: "Void their votes", kind: "danger",
                                        onclick: move |_| {
                                            spawn(async move {
                                                match ipc::call(req::VoidVotes { user_id: s.user_id, show_id }).await {
                                                    Ok(v) => { notice.set(Some(format!("{} votes voided; the totals are recounted.", v.removed))); shared.bump(); report.restart(); }
                                                    Err(e) => notice.set(Some(e.message)),
                                                }
                                            });
                                        },
                                    }
                                }
                            }
                        }
                    },
                    Some(Some(Err(e))) => rsx! { p { class: "error", role: "alert", "{e.message}" } },
                    _ => rsx! { p { class: "loading", "Checking…" } },
                }
            }
        }
    }
}
