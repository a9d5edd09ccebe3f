//! The root: shared state and theme, the header and status bar, then the page of the route.

use dioxus::prelude::*;

use crate::components::organisms::{AppHeader, StatusBar, UpdateBanner};
use crate::pages;
use crate::route::{Nav, Route};
use crate::state::Shared;
use crate::theme::provide_theme;
use theset_shared::ipc::{ServerChoice, req};

#[component]
pub fn App() -> Element {
    let nav = Nav::provide();
    let shared = Shared::provide();
    use_hook(move || spawn(crate::link_in::sign_in_from_address(shared)));
    provide_theme();
    let route = nav.current();
    let page = route.name();
    // The web app's store is held by one tab at a time; a second one says so and stops here.
    let unavailable = use_resource(crate::ipc::unavailable);
    // Until a server is chosen (a new install with no THESET_API_URL) the app asks for one.
    let server = use_resource(|| crate::ipc::call(req::Server {}));
    if let Some(Some(why)) = unavailable.read().as_ref() {
        let message = why.error.message.clone();
        return rsx! {
            main { class: "page", id: "main-content", "data-page": "unavailable",
                div {
                    class: "notice",
                    role: "alert",
                    id: if why.elsewhere { "store-elsewhere" } else { "store-unavailable" },
                    h1 { "TheSet can't open here" }
                    p { "{message}" }
                }
            }
        };
    }
    let first_run = matches!(
        server.read().as_ref(),
        Some(Ok(info)) if info.chosen_by == ServerChoice::Nobody
    );
    if first_run {
        return rsx! { pages::server::FirstRun {} };
    }
    rsx! {
        a { class: "skip-link", href: "#main-content", "Skip to content" }
        AppHeader {}
        StatusBar {}
        UpdateBanner {}
        if let Some(text) = shared.notice.read().clone() {
            div { class: "notice app-notice", role: "alert", id: "app-notice",
                span { "{text}" }
                button {
                    class: "button",
                    r#type: "button",
                    onclick: move |_| shared.set_notice(None),
                    "Dismiss"
                }
            }
        }
        main { class: "page", id: "main-content", tabindex: "-1", "data-page": page,
            match route {
                Route::Home => rsx! { pages::home::Home {} },
                Route::Search(q) => rsx! { pages::search::Search { key: "{q}", q } },
                Route::Artist(slug) => rsx! { pages::artist::Artist { key: "{slug}", slug } },
                Route::Show(id) => rsx! { pages::show::Show { key: "{id}", id } },
                Route::Venue(id) => rsx! { pages::venue::Venue { key: "{id}", id } },
                Route::Venues => rsx! { pages::venues::Venues {} },
                Route::Shows => rsx! { pages::shows::Shows {} },
                Route::Dashboard => rsx! { pages::dashboard::Dashboard {} },
                Route::Moderation => rsx! { pages::moderation::Moderation {} },
                Route::Account => rsx! { pages::account::Account {} },
                Route::User(id) => rsx! { pages::user::User { key: "{id}", id } },
                Route::Leaderboard => rsx! { pages::leaderboard::AllTime {} },
                Route::Notifications => rsx! { pages::notifications::Notifications {} },
            }
        }
    }
}
