//! A fan's public page: picture, favourite artists, scores and rank, what they gave, and the
//! shows they predicted or said they go to.

use dioxus::prelude::*;
use theset_shared::api::ArtistSummary;
use theset_shared::ipc::req;
use uuid::Uuid;

use super::{Failed, Loading, when};
use crate::components::atoms::{Avatar, Badge, StaleNote};
use crate::components::molecules::{CardArtist, show_title};
use crate::components::organisms::{ArtistGrid, FlagButton, FlagTarget, ShowList};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;

#[component]
pub fn User(id: Uuid) -> Element {
    let mut nav = use_nav();
    let shared = use_shared();
    let me = shared
        .status
        .read()
        .as_ref()
        .and_then(|s| s.account.as_ref().map(|a| a.id));
    let page = use_resource(move || async move { ipc::call(req::UserPage { id }).await });
    match &*page.read() {
        None => rsx! { Loading { label: "this fan's page" } },
        Some(Err(e)) => rsx! { Failed { error: e.clone() } },
        Some(Ok(p)) => {
            let u = p.data.clone();
            let sc = u.scores.clone();
            let c = u.contributions.clone();
            let favourites: Vec<CardArtist> = u
                .favourite_artists
                .iter()
                .cloned()
                .map(ArtistSummary::into)
                .collect();
            rsx! {
                StaleNote { stale: p.stale, fetched_at: when(p.fetched_at) }
                header { class: "artist-hero",
                    Avatar { name: u.profile.display_name.clone(), image: u.profile.avatar_url.clone(), size: "xl" }
                    div {
                        h2 { class: "page-title", id: "user-name", "{u.profile.display_name}" }
                        if u.profile.role != theset_shared::api::Role::User {
                            Badge { label: u.profile.role.as_str().to_owned(), tone: "accent" }
                        }
                    }
                    if me.is_some() && me != Some(id) {
                        FlagButton { target: FlagTarget::Profile(id), label: format!("{}'s profile", u.profile.display_name) }
                    }
                }
                div { class: "stats",
                    div { class: "stat", strong { "{sc.scored}" } span { "scored predictions" } }
                    div { class: "stat", strong { {sc.average.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())} } span { "average score" } }
                    div { class: "stat", strong { {sc.best.map(|a| format!("{a:.1}")).unwrap_or_else(|| "–".into())} } span { "best score" } }
                    div { class: "stat", strong { id: "user-rank", {sc.all_time_rank.map(|r| format!("#{r}")).unwrap_or_else(|| "–".into())} } span { "all-time rank" } }
                }
                section { class: "card", aria_labelledby: "user-contrib-title",
                    h3 { id: "user-contrib-title", "Contributions" }
                    p { "{c.votes_cast} votes · {c.songs_added} songs added · {c.corrections} corrections · {c.setlists_verified} set-lists verified" }
                }
                section { class: "block", aria_labelledby: "user-artists-title",
                    h3 { id: "user-artists-title", "Favourite artists" }
                    ArtistGrid { artists: favourites, label: "Favourite artists", empty: "Nothing public yet." }
                }
                section { class: "card", aria_labelledby: "user-scored-title",
                    h3 { id: "user-scored-title", "Scored predictions" }
                    if u.show_history.is_empty() { p { class: "empty", "No scored predictions yet." } }
                    ul { class: "show-list",
                        for s in u.show_history.clone() {
                            {
                                let show = s.show.id;
                                let rank = s.rank.map(|r| format!(" · rank #{r}")).unwrap_or_default();
                                rsx! {
                                    li { key: "{show}", class: "show-row",
                                        button { class: "link stretched", r#type: "button", onclick: move |_| nav.go(Route::Show(show)), {show_title(&s.show)} }
                                        span { class: "muted", "score {s.score:.1}{rank}" }
                                    }
                                }
                            }
                        }
                    }
                }
                section { class: "card", aria_labelledby: "user-going-title",
                    h3 { id: "user-going-title", "Shows" }
                    ShowList { shows: u.attending.clone(), label: "Shows this fan goes to", empty: "None shown." }
                }
            }
        }
    }
}
