use dioxus::prelude::*;
use theset_shared::ipc::CachedArtist;

use crate::components::organisms::{ArtistGrid, Connection, ConnectionBar};
use crate::ipc;

/// Home: the cached artists at once, then a sync in the background that refreshes them.
#[component]
pub fn Home() -> Element {
    let mut artists = use_signal(Vec::<CachedArtist>::new);
    let mut connection = use_signal(|| Connection::Syncing);
    let mut error = use_signal(|| None::<String>);

    let refresh = move || {
        spawn(async move {
            // The store first: the page never waits for the network.
            match ipc::cached_artists().await {
                Ok(list) => artists.set(list),
                Err(e) => error.set(Some(e.message)),
            }
            connection.set(Connection::Syncing);
            match ipc::sync_artists().await {
                Ok(report) => {
                    connection.set(match report.offline_reason {
                        None => Connection::Online,
                        Some(why) => Connection::Offline(why),
                    });
                    if let Ok(list) = ipc::cached_artists().await {
                        artists.set(list);
                    }
                }
                Err(e) => connection.set(Connection::Offline(e.message)),
            }
        });
    };
    use_hook(refresh);

    rsx! {
        header { class: "app-header",
            h1 { class: "brand", "TheSet" }
            p { class: "tagline", "Vote the songs you want to hear. Predict the set. See who called it." }
        }
        ConnectionBar { state: connection(), on_retry: move |_| refresh() }
        main { class: "page",
            if let Some(e) = error() {
                p { class: "error", role: "alert", "{e}" }
            }
            h2 { class: "section-title", "Artists" }
            ArtistGrid { artists: artists() }
        }
    }
}
