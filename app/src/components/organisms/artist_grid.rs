use dioxus::prelude::*;

use crate::components::molecules::{ArtistCard, CardArtist};
use crate::route::{Route, use_nav};

#[component]
pub fn ArtistGrid(
    artists: Vec<CardArtist>,
    label: String,
    #[props(default)] empty: Option<String>,
    /// Called for artists not on TheSet yet (no slug): the search page imports them.
    #[props(default)]
    onimport: Option<EventHandler<CardArtist>>,
) -> Element {
    let nav = use_nav();
    if artists.is_empty() {
        return rsx! {
            p { class: "empty", {empty.unwrap_or_else(|| "Nothing here yet.".to_owned())} }
        };
    }
    rsx! {
        section { class: "artist-grid", aria_label: "{label}",
            for a in artists {
                {
                    let mut nav = nav;
                    let card = a.clone();
                    rsx! {
                        ArtistCard { key: "{a.key}", artist: a.clone(),
                            onopen: move |_| match (&card.slug, onimport) {
                                (Some(slug), _) => nav.go(Route::Artist(slug.clone())),
                                (None, Some(import)) => import.call(card.clone()),
                                (None, None) => {}
                            },
                        }
                    }
                }
            }
        }
    }
}
