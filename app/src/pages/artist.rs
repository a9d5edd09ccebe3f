use dioxus::prelude::*;
use theset_shared::api::{DataOrigin, JobEvent};
use theset_shared::validate::outbound_link;

use super::{Failed, Loading, use_latest, when};
use crate::components::atoms::{Avatar, Badge, Button, DemoNotice, PendingMark, StaleNote};
use crate::components::molecules::PhaseProgress;
use crate::components::organisms::{ArtistLinks, ShowList};
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

use crate::components::molecules::compact_count as compact;

#[component]
pub fn Artist(slug: String) -> Element {
    let shared = use_shared();
    let mut error = use_signal(|| None::<String>);
    let key = slug.clone();
    // Each phase an import finishes brings shows or songs: read the page again then.
    let finished = use_memo(move || {
        shared
            .progress
            .read()
            .iter()
            .filter(|e| e.is_terminal())
            .count()
    });
    let view = use_resource(use_reactive!(|key| async move {
        let _ = (shared.revision)();
        let _ = finished();
        ipc::call(req::Artist { slug: key.clone() }).await
    }));
    let last = use_latest(view);
    let Some(result) = last() else {
        return rsx! { Loading { label: "the artist" } };
    };
    let v = match result {
        Ok(v) => v,
        Err(e) => return rsx! { Failed { error: e } },
    };
    let a = v.artist.data.clone();
    let id = a.summary.id;
    let progress: Vec<JobEvent> = shared
        .progress
        .read()
        .iter()
        .filter(|e| e.artist_id == Some(id))
        .cloned()
        .collect();
    let image = a
        .images
        .first()
        .map(|i| i.url.clone())
        .or(a.summary.image_url.clone());
    let followed = v.followed;
    let signed_in = shared
        .status
        .read()
        .as_ref()
        .is_some_and(|s| s.account.is_some());
    let moderates = shared
        .role()
        .is_some_and(|r| r >= theset_shared::api::Role::Moderator);
    let trending = a.trending_songs.clone();
    let demo = a.summary.origin == DataOrigin::Demo;
    rsx! {
        StaleNote { stale: v.artist.stale, fetched_at: when(v.artist.fetched_at) }
        if demo {
            DemoNotice { what: "This artist's shows, songs, numbers and biography" }
        }
        header { class: "artist-hero",
            Avatar { name: a.summary.name.clone(), image, size: "xl" }
            div {
                h2 { class: "page-title", id: "artist-name", "{a.summary.name}" }
                div { class: "artist-genres",
                    for g in a.summary.genres.clone() { Badge { label: g } }
                }
                p { class: "muted", id: "artist-numbers",
                    if let Some(p) = a.summary.popularity { "Popularity {p} · " }
                    if let Some(f) = a.summary.followers { "{compact(f)} followers · " }
                    "{a.song_count} songs"
                    if demo { " (demo figures)" }
                }
                div { class: "row",
                    if signed_in {
                        Button {
                            label: if followed { "Following" } else { "Follow" },
                            kind: if followed { "plain" } else { "primary" },
                            id: "follow",
                            pressed: Some(followed),
                            onclick: move |_| {
                                spawn(async move {
                                    match ipc::call(req::Follow { artist_id: id, follow: !followed }).await {
                                        Ok(s) => { shared.set_status(s); shared.bump(); }
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                });
                            },
                        }
                        if v.follow_pending { PendingMark {} }
                    } else {
                        p { class: "muted", "Sign in to follow: followed artists' shows are kept on this device for offline use." }
                    }
                    // Stored links were checked when imported; a copy kept on the device from
                    // before is checked again here.
                    for l in a.links.iter().filter(|l| outbound_link(&l.url)).cloned() {
                        a { class: "chip", href: "{l.url}", target: "_blank", rel: "noopener noreferrer", "{l.kind}" }
                    }
                }
            }
        }
        if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        PhaseProgress { events: progress }
        if let Some(bio) = a.bio.clone() {
            section { class: "card", id: "artist-bio", aria_labelledby: "bio-title",
                h3 { id: "bio-title", "About" }
                p { class: "bio", "{bio}" }
                if a.bio_origin == Some(DataOrigin::Demo) {
                    p { class: "muted attribution", id: "bio-credit",
                        "Written for TheSet's demo catalogue — not from Wikipedia."
                    }
                } else if let Some(src) = a.bio_source.clone().filter(|s| outbound_link(&s.url) && outbound_link(&s.licence_url)) {
                    p { class: "muted attribution", id: "bio-credit",
                        "From "
                        a { href: "{src.url}", target: "_blank", rel: "noopener noreferrer", "{src.name}" }
                        ", "
                        a { href: "{src.licence_url}", target: "_blank", rel: "noopener noreferrer", "{src.licence}" }
                    }
                }
            }
        }
        div { class: "columns",
            section { class: "card", aria_labelledby: "upcoming-title",
                h3 { id: "upcoming-title", "Upcoming shows" }
                ShowList { shows: a.upcoming_shows.clone(), label: "Upcoming shows", empty: "No upcoming shows announced." }
            }
            section { class: "card", aria_labelledby: "past-title",
                h3 { id: "past-title", "Past shows" }
                ShowList { shows: a.past_shows.clone(), label: "Past shows", empty: "No past shows yet." }
            }
        }
        div { class: "columns",
            section { class: "card", aria_labelledby: "trending-songs-title",
                h3 { id: "trending-songs-title", "Trending songs" }
                if trending.is_empty() {
                    p { class: "muted", "Nothing yet: songs trend here when fans vote and predict, and when the artist plays them." }
                }
                ol { class: "song-list trending",
                    for s in trending {
                        li { key: "{s.song_id}", "{s.title}"
                            span { class: "muted",
                                if s.played_share > 0.0 { " · played at {s.played_share * 100.0:.0}% of recent shows" }
                                if s.fan_interest > 0.05 { " · fans want it" }
                            }
                        }
                    }
                }
            }
            section { class: "card", aria_labelledby: "catalogue-title",
                h3 { id: "catalogue-title", "Catalogue ({a.song_count} songs)" }
                ul { class: "song-list catalogue",
                    for s in a.catalogue_preview.clone() {
                        li { key: "{s.id}", class: "catalogue-song",
                            if let Some(cover) = &s.album_image_url {
                                img { class: "cover", src: "{cover}", alt: "", width: "40", height: "40", loading: "lazy" }
                            } else {
                                span { class: "cover none", aria_hidden: "true" }
                            }
                            span { "{s.title}"
                                if let Some(al) = &s.album { span { class: "muted", " · {al}" } }
                            }
                        }
                    }
                }
            }
        }
        if moderates { ArtistLinks { slug: a.summary.slug.clone() } }
    }
}
