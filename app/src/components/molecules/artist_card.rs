use dioxus::prelude::*;
use theset_shared::api::{ArtistSearchHit, ArtistSummary, DataOrigin};
use theset_shared::ipc::CachedArtist;

use crate::components::atoms::{Avatar, Badge};

/// "3 upcoming shows", "1 upcoming show", "No upcoming shows".
pub fn shows_label(n: i64) -> String {
    match n {
        0 => "No upcoming shows".to_owned(),
        1 => "1 upcoming show".to_owned(),
        n => format!("{n} upcoming shows"),
    }
}

/// What a card shows, from whichever list the artist came.
#[derive(Debug, Clone, PartialEq)]
pub struct CardArtist {
    pub key: String,
    pub slug: Option<String>,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub followers: Option<i64>,
    pub meta: String,
    /// From the offline demo catalogue: said on the card.
    pub demo: bool,
}

impl From<ArtistSummary> for CardArtist {
    fn from(a: ArtistSummary) -> Self {
        Self {
            key: a.id.to_string(),
            slug: Some(a.slug),
            meta: shows_label(a.upcoming_show_count),
            name: a.name,
            image_url: a.image_url,
            genres: a.genres,
            popularity: a.popularity,
            followers: a.followers,
            demo: a.origin == DataOrigin::Demo,
        }
    }
}

impl From<CachedArtist> for CardArtist {
    fn from(a: CachedArtist) -> Self {
        Self {
            key: a.id,
            slug: Some(a.slug),
            meta: shows_label(a.upcoming_show_count),
            name: a.name,
            image_url: a.image_url,
            genres: a.genres,
            popularity: a.popularity,
            followers: None,
            demo: a.origin == DataOrigin::Demo,
        }
    }
}

impl From<ArtistSearchHit> for CardArtist {
    fn from(a: ArtistSearchHit) -> Self {
        Self {
            key: a
                .id
                .map(|i| i.to_string())
                .or(a.ticketmaster_id.clone())
                .unwrap_or_else(|| a.name.clone()),
            meta: if a.in_database {
                "On TheSet".to_owned()
            } else {
                "Not on TheSet yet: opening it imports the artist".to_owned()
            },
            slug: a.slug,
            name: a.name,
            image_url: a.image_url,
            genres: a.genres,
            popularity: a.popularity,
            followers: None,
            demo: a.origin == DataOrigin::Demo,
        }
    }
}

/// "1.2 M", "35 k", "900": follower counts at a glance.
pub fn compact_count(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{} k", n / 1000),
        n => n.to_string(),
    }
}

/// A card that opens the artist; the whole card is one button for keyboard users.
#[component]
pub fn ArtistCard(artist: CardArtist, onopen: EventHandler<()>) -> Element {
    let genres = artist.genres.iter().take(3).cloned().collect::<Vec<_>>();
    rsx! {
        article { class: "artist-card", "data-slug": artist.slug.clone().unwrap_or_default(),
            Avatar { name: artist.name.clone(), image: artist.image_url.clone() }
            div { class: "artist-body",
                h3 { class: "artist-name",
                    button { class: "link stretched", r#type: "button", onclick: move |_| onopen.call(()),
                        "{artist.name}"
                    }
                }
                p { class: "artist-meta", "{artist.meta}"
                    if let Some(f) = artist.followers { " · {compact_count(f)} followers" }
                }
                div { class: "artist-genres",
                    for g in genres {
                        Badge { label: g }
                    }
                    if let Some(p) = artist.popularity {
                        Badge { label: format!("Popularity {p}"), tone: "accent" }
                    } else if artist.slug.is_none() {
                        Badge { label: "Not rated yet" }
                    }
                    if artist.demo { Badge { label: "Demo data", tone: "warn" } }
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

    #[test]
    fn follower_counts_are_compact() {
        use super::compact_count;
        assert_eq!(compact_count(24_318_850), "24.3 M");
        assert_eq!(compact_count(35_400), "35 k");
        assert_eq!(compact_count(900), "900");
    }
}
