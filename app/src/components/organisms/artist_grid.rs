use dioxus::prelude::*;
use theset_shared::ipc::CachedArtist;

use crate::components::molecules::ArtistCard;

#[component]
pub fn ArtistGrid(artists: Vec<CachedArtist>) -> Element {
    if artists.is_empty() {
        return rsx! {
            p { class: "empty", "No artists saved on this device yet. Connect to load the catalogue." }
        };
    }
    rsx! {
        section { class: "artist-grid", aria_label: "Artists",
            for a in artists {
                ArtistCard { key: "{a.id}", artist: a }
            }
        }
    }
}
