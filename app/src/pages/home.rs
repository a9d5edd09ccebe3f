use dioxus::prelude::*;
use theset_shared::api::{ArtistSummary, ShowSummary};
use theset_shared::ipc::{CachedArtist, IpcCode};

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::components::molecules::CardArtist;
use crate::components::organisms::{ArtistGrid, ShowList};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req;

/// Home: what is on the device first (instantly), then the server's trending lists.
#[component]
pub fn Home() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let cached = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::CachedArtists {}).await
    });
    let mine = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::MyShows {}).await
    });
    // The first page is on screen once the device's own lists are: the cold-start mark.
    let mut marked = use_signal(|| false);
    use_effect(move || {
        if cached.read().is_some() && mine.read().is_some() && !marked() {
            marked.set(true);
            spawn(async {
                let _ = ipc::call(req::FirstRender {}).await;
            });
        }
    });
    let home = use_resource(move || async move {
        let _ = (shared.revision)();
        ipc::call(req::Home {}).await
    });
    let local: Vec<CachedArtist> = cached
        .read()
        .clone()
        .and_then(Result::ok)
        .unwrap_or_default();
    let my_shows: Vec<ShowSummary> = mine.read().clone().and_then(Result::ok).unwrap_or_default();
    let signed_in = shared
        .status
        .read()
        .as_ref()
        .is_some_and(|s| s.account.is_some());
    rsx! {
        div { class: "quick-links", role: "navigation", aria_label: "Quick links",
            button { class: "chip", r#type: "button", onclick: move |_| nav.go(Route::Venues), "Find venues" }
            button { class: "chip", r#type: "button", onclick: move |_| nav.go(Route::Dashboard), "My predictions" }
            if !signed_in {
                button { class: "chip chip-accent", r#type: "button", onclick: move |_| nav.go(Route::Account), "Sign in to vote" }
            }
        }
        if signed_in {
            section { class: "block", aria_labelledby: "followed-title", id: "my-shows",
                h2 { id: "followed-title", class: "section-title", "Your shows" }
                p { class: "muted", "Shows of the artists you follow, kept on this device: voting and predicting work here without a network." }
                ShowList { shows: my_shows, label: "Your shows", empty: "Follow artists to see their shows here." }
            }
        }
        match &*home.read() {
            Some(Ok(h)) => {
                let trending: Vec<CardArtist> = h.data.trending_artists.iter().cloned().map(ArtistSummary::into).collect();
                let shows: Vec<ShowSummary> = h.data.trending_shows.iter().map(|t| t.summary.clone()).collect();
                rsx! {
                    StaleNote { stale: h.stale, fetched_at: when(h.fetched_at) }
                    section { class: "block", aria_labelledby: "trending-shows-title",
                        h2 { id: "trending-shows-title", class: "section-title", "Trending shows" }
                        ShowList { shows, label: "Trending shows" }
                    }
                    section { class: "block", aria_labelledby: "trending-artists-title",
                        h2 { id: "trending-artists-title", class: "section-title", "Trending artists" }
                        ArtistGrid { artists: trending, label: "Trending artists" }
                    }
                }
            }
            Some(Err(e)) if e.code != IpcCode::Offline => rsx! { Failed { error: e.clone() } },
            Some(Err(_)) => rsx! {},
            None => rsx! { Loading { label: "what is trending" } },
        }
        section { class: "block", aria_labelledby: "local-title", id: "local-artists",
            h2 { id: "local-title", class: "section-title", "Artists" }
            ArtistGrid {
                artists: local.into_iter().map(CardArtist::from).collect::<Vec<_>>(),
                label: "Artists",
                empty: "No artists saved on this device yet. Connect to load the catalogue.",
            }
        }
    }
}
