//! "Bring my Spotify artists": the artists the fan follows on Spotify and their top artists
//! followed on TheSet in one step, with what was matched and what was not. Nothing happens until
//! the fan asks.

use dioxus::prelude::*;
use theset_shared::api::{LibraryImport, LibrarySource};
use theset_shared::ipc::req;

use crate::components::atoms::Button;
use crate::ipc;
use crate::route::{Route, use_nav};

fn source(s: LibrarySource) -> &'static str {
    match s {
        LibrarySource::Followed => "followed on Spotify",
        LibrarySource::Top => "a top artist of yours",
    }
}

#[component]
pub fn SpotifyLibrary() -> Element {
    let mut nav = use_nav();
    let mut result = use_signal(|| None::<LibraryImport>);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    rsx! {
        section { class: "card", aria_labelledby: "spotify-library-title", id: "spotify-library",
            h2 { id: "spotify-library-title", class: "section-title", "Your Spotify artists" }
            p { class: "muted",
                "Follow here the artists you follow on Spotify and the ones you play most (up to 30). Each is matched to its Ticketmaster listing by name; new ones are imported with their shows and songs. Needs a Spotify sign-in and a confirmed email address."
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            Button { label: "Bring my Spotify artists", id: "spotify-import", busy: busy(),
                onclick: move |_| {
                    busy.set(true);
                    spawn(async move {
                        match ipc::call(req::ImportSpotifyArtists {}).await {
                            Ok(r) => { result.set(Some(r)); error.set(None); }
                            Err(e) => error.set(Some(e.message)),
                        }
                        busy.set(false);
                    });
                },
            }
            if let Some(r) = result() {
                p { class: "notice", role: "status", id: "spotify-import-summary",
                    "{r.matched.len()} followed here, {r.unmatched.len()} not found."
                }
                if !r.matched.is_empty() {
                    ul { class: "library-list", aria_label: "Followed from Spotify",
                        for a in r.matched.clone() {
                            li { key: "{a.slug}",
                                button { class: "link", r#type: "button",
                                    onclick: { let slug = a.slug.clone(); move |_| nav.go(Route::Artist(slug.clone())) },
                                    "{a.name}"
                                }
                                span { class: "muted",
                                    " · {source(a.source)}"
                                    if a.created { " · new on TheSet, importing" }
                                    if !a.newly_followed { " · already followed" }
                                }
                            }
                        }
                    }
                }
                if !r.unmatched.is_empty() {
                    ul { class: "library-list", aria_label: "Not found",
                        for m in r.unmatched.clone() {
                            li { key: "{m.name}", "{m.name}" span { class: "muted", " · {m.reason}" } }
                        }
                    }
                }
            }
        }
    }
}
