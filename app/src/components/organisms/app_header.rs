use dioxus::prelude::*;
use theset_shared::api::Role;

use crate::components::molecules::SearchBar;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use crate::theme::{Theme, use_theme};

#[component]
pub fn AppHeader() -> Element {
    let mut nav = use_nav();
    let shared = use_shared();
    let mut theme = use_theme();
    let role = shared.role();
    let unread = shared.status.read().as_ref().map(|s| s.unread).unwrap_or(0);
    let current = nav.current();
    let link = move |to: Route, label: &'static str| {
        let here = nav.current().name() == to.name();
        let mut nav = nav;
        rsx! {
            button {
                class: if here { "nav-link here" } else { "nav-link" },
                r#type: "button",
                aria_current: if here { Some("page") } else { None },
                "data-nav": to.name(),
                onclick: move |_| nav.go(to.clone()),
                "{label}"
            }
        }
    };
    let next_theme = theme().other();
    rsx! {
        header { class: "app-header",
            div { class: "header-row",
                if nav.can_go_back() {
                    button { class: "button back", r#type: "button", aria_label: "Back",
                        onclick: move |_| nav.back(), "←" }
                }
                h1 { class: "brand",
                    button { class: "link", r#type: "button", onclick: move |_| nav.go(Route::Home), "TheSet" }
                }
                if current.name() != "search" {
                    SearchBar {}
                }
                if role.is_some() {
                    button { class: "button bell", r#type: "button", id: "notifications-bell",
                        "data-unread": "{unread}",
                        aria_label: if unread == 0 { "Notifications".to_owned() } else { format!("Notifications, {unread} unread") },
                        onclick: move |_| nav.go(Route::Notifications),
                        // Drawn, not an emoji: the window's fonts may have no emoji.
                        svg { width: "18", height: "18", view_box: "0 0 24 24", fill: "none", stroke: "currentColor",
                            stroke_width: "2", stroke_linecap: "round", stroke_linejoin: "round", "aria-hidden": "true",
                            path { d: "M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" }
                            path { d: "M13.7 21a2 2 0 0 1-3.4 0" }
                        }
                        if unread > 0 { span { class: "bell-count", aria_hidden: "true", "{unread}" } }
                    }
                }
                button {
                    class: "button theme-toggle",
                    r#type: "button",
                    id: "theme-toggle",
                    aria_label: "Switch to {next_theme.label()} theme",
                    onclick: move |_| theme.set(next_theme),
                    if theme() == Theme::Dark { "☀" } else { "☾" }
                }
            }
            nav { class: "main-nav", aria_label: "Main",
                {link(Route::Home, "Home")}
                {link(Route::Shows, "Shows")}
                {link(Route::Venues, "Venues")}
                {link(Route::Leaderboard, "Leaderboard")}
                {link(Route::Dashboard, "My TheSet")}
                if role.is_some_and(|r| r >= Role::Moderator) {
                    {link(Route::Moderation, "Moderation")}
                }
                {link(Route::Account, if role.is_some() { "Account" } else { "Sign in" })}
            }
        }
    }
}
