use dioxus::prelude::*;
use theset_shared::api::SearchSort;

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::components::molecules::{CardArtist, SearchBar};
use crate::components::organisms::ArtistGrid;
use crate::ipc;
use crate::route::{Route, use_nav};
use theset_shared::api::ArtistSearchQuery;
use theset_shared::ipc::req;

fn sort_of(s: &str) -> Option<SearchSort> {
    match s {
        "name" => Some(SearchSort::Name),
        "trending" => Some(SearchSort::Trending),
        _ => None,
    }
}

/// Artist search with filters. An artist not on TheSet yet is imported when opened: its page
/// shows at once with the import's progress.
#[component]
pub fn Search(q: String) -> Element {
    let mut nav = use_nav();
    let mut genre = use_signal(String::new);
    let mut min_pop = use_signal(|| 0);
    let mut sort = use_signal(|| "relevance".to_owned());
    let mut import_error = use_signal(|| None::<String>);
    let query = q.clone();
    let results = use_resource(use_reactive!(|query| async move {
        let args = ArtistSearchQuery {
            q: query,
            genre: Some(genre()).filter(|g| !g.is_empty()),
            min_popularity: Some(min_pop()).filter(|p| *p > 0),
            sort: sort_of(&sort()),
            limit: None,
        };
        ipc::call(args).await
    }));
    let import = move |card: CardArtist| {
        spawn(async move {
            match ipc::call(req::ImportArtist {
                ticketmaster_id: card.key.clone(),
            })
            .await
            {
                Ok(r) => nav.go(Route::Artist(r.artist.summary.slug)),
                Err(e) => import_error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        h2 { class: "page-title", "Search" }
        SearchBar { initial: q.clone() }
        form { class: "filters", aria_label: "Filter results", onsubmit: move |e| e.prevent_default(),
            div { class: "field",
                label { r#for: "filter-genre", "Genre" }
                input { id: "filter-genre", value: "{genre}", placeholder: "any", oninput: move |e| genre.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "filter-pop", "Popularity at least {min_pop}" }
                input { id: "filter-pop", r#type: "range", min: "0", max: "100", step: "5", value: "{min_pop}",
                    oninput: move |e| min_pop.set(e.value().parse().unwrap_or(0)) }
            }
            div { class: "field",
                label { r#for: "filter-sort", "Sort by" }
                select { id: "filter-sort", value: "{sort}", onchange: move |e| sort.set(e.value()),
                    option { value: "relevance", "Best match" }
                    option { value: "name", "Name" }
                    option { value: "trending", "Trending" }
                }
            }
        }
        if let Some(e) = import_error() { p { class: "error", role: "alert", "{e}" } }
        match &*results.read() {
            None => rsx! { Loading { label: "results" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(r)) => {
                let n = r.data.items.len();
                let cards: Vec<CardArtist> = r.data.items.iter().cloned().map(CardArtist::from).collect();
                rsx! {
                    StaleNote { stale: r.stale, fetched_at: when(r.fetched_at) }
                    if r.stale {
                        p { class: "muted", "Searching the artists saved on this device." }
                    } else if r.data.budget_spent {
                        p { class: "notice", role: "status", id: "search-held-only",
                            "Today's searches of Ticketmaster are used up, so only artists TheSet already holds are shown. New artists can be found again tomorrow." }
                    } else if r.data.unavailable.iter().any(|s| s == "ticketmaster") {
                        p { class: "notice", role: "status", id: "search-held-only",
                            "Ticketmaster could not be asked just now: only artists TheSet already holds are shown." }
                    }
                    p { class: "muted", role: "status", id: "result-count", "{n} artists" }
                    ArtistGrid { artists: cards, label: "Search results",
                        empty: "No artist matches. Try another spelling.", onimport: import }
                }
            }
        }
    }
}
