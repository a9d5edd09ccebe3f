use dioxus::prelude::*;
use theset_shared::ipc::CachedArtist;

use crate::components::atoms::Badge;

/// "3 upcoming shows", "1 upcoming show", "No upcoming shows".
pub fn shows_label(n: i64) -> String {
    match n {
        0 => "No upcoming shows".to_owned(),
        1 => "1 upcoming show".to_owned(),
        n => format!("{n} upcoming shows"),
    }
}

#[component]
pub fn ArtistCard(artist: CachedArtist) -> Element {
    let initial = artist.name.chars().next().unwrap_or('?');
    let genres = artist.genres.iter().take(3).cloned().collect::<Vec<_>>();
    rsx! {
        article { class: "artist-card", "data-slug": "{artist.slug}",
            div { class: "artist-avatar", aria_hidden: "true", "{initial}" }
            div { class: "artist-body",
                h3 { class: "artist-name", "{artist.name}" }
                p { class: "artist-meta", {shows_label(artist.upcoming_show_count)} }
                div { class: "artist-genres",
                    for g in genres {
                        Badge { label: g }
                    }
                    if let Some(p) = artist.popularity {
                        Badge { label: format!("Popularity {p}"), tone: "accent" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shows_label;

    #[test]
    fn show_counts_read_naturally() {
        assert_eq!(shows_label(0), "No upcoming shows");
        assert_eq!(shows_label(1), "1 upcoming show");
        assert_eq!(shows_label(7), "7 upcoming shows");
    }
}
