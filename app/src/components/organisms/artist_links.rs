//! Moderators on an artist page: how the artist's Spotify and setlist.fm links were made (taken
//! from Ticketmaster, found by name with the rule's confidence and runner-up, or why nothing was
//! linked) and replacing a wrong one, which runs the import phase it feeds again.

use dioxus::prelude::*;
use theset_shared::api::{ArtistLink, LinkOrigin, LinkService};
use theset_shared::ipc::req;

use crate::components::atoms::Button;
use crate::ipc;
use crate::state::use_shared;

fn service_name(s: LinkService) -> &'static str {
    match s {
        LinkService::Spotify => "Spotify (catalogue)",
        LinkService::Setlistfm => "setlist.fm (set-lists, by MusicBrainz id)",
    }
}

fn origin_text(l: &ArtistLink) -> String {
    match (l.origin, &l.external_id) {
        (LinkOrigin::ProviderLink, _) => "Ticketmaster's link, answered by the service".into(),
        (LinkOrigin::NameSearch, Some(_)) => format!(
            "Found by name ({:.0}% confident){}",
            l.confidence.unwrap_or(0.0) * 100.0,
            l.stale_id
                .as_ref()
                .map(|s| format!("; Ticketmaster's link {s} was unknown there"))
                .unwrap_or_default()
        ),
        (LinkOrigin::NameSearch, None) => format!(
            "Not linked: {}{}",
            l.no_match.map(|n| n.describe()).unwrap_or("no match"),
            l.stale_id
                .as_ref()
                .map(|s| format!(" (Ticketmaster's link {s} was unknown there)"))
                .unwrap_or_default()
        ),
        (LinkOrigin::Moderator, Some(_)) => format!(
            "Set by {}",
            l.decided_by.clone().unwrap_or_else(|| "a moderator".into())
        ),
        (LinkOrigin::Moderator, None) => format!(
            "Marked not at this service by {}",
            l.decided_by.clone().unwrap_or_else(|| "a moderator".into())
        ),
    }
}

#[component]
pub fn ArtistLinks(slug: String) -> Element {
    let shared = use_shared();
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    let mut typed = use_signal(|| [String::new(), String::new()]);
    let mut saved = use_signal(|| 0u32);
    let key = slug.clone();
    let links = use_resource(use_reactive!(|key| async move {
        let _ = saved();
        let _ = (shared.revision)();
        ipc::call(req::ArtistLinks { slug: key.clone() }).await
    }));
    let set = use_callback(
        move |(service, external_id): (LinkService, Option<String>)| {
            let slug = slug.clone();
            spawn(async move {
                error.set(None);
                match ipc::call(req::SetArtistLink {
                    slug,
                    service,
                    external_id,
                })
                .await
                {
                    Ok(_) => {
                        notice.set(Some(format!(
                            "Saved: the {} import runs again.",
                            match service {
                                LinkService::Spotify => "catalogue",
                                LinkService::Setlistfm => "set-list",
                            }
                        )));
                        saved += 1;
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        },
    );
    let Some(result) = links() else {
        return rsx! {};
    };
    let items = match result {
        Ok(f) => f.data.items,
        Err(e) => return rsx! { p { class: "muted", "Links unavailable: {e.message}" } },
    };
    rsx! {
        section { class: "card", id: "artist-links", aria_labelledby: "links-title",
            h3 { id: "links-title", "Provider links (moderators)" }
            p { class: "muted", "Where the catalogue and set-lists come from. A link Ticketmaster lacks or that has gone stale is found by name; check it and replace it if it is someone else." }
            if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            dl { class: "link-list",
                for (i, service) in LinkService::ALL.iter().copied().enumerate() {
                    {
                        let row = items.iter().find(|l| l.service == service).cloned();
                        let input_id = format!("link-{}", service.as_str());
                        rsx! {
                            div { key: "{service}", class: "link-row", "data-service": "{service}",
                                dt { "{service_name(service)}" }
                                dd {
                                    match &row {
                                        Some(l) => rsx! {
                                            if let (Some(id), Some(url)) = (&l.external_id, l.url.as_ref().filter(|u| theset_shared::validate::outbound_link(u))) {
                                                a { href: "{url}", target: "_blank", rel: "noopener noreferrer", class: "mono", "{id}" }
                                                " · "
                                            }
                                            span { class: "link-origin", "{origin_text(l)}" }
                                            if let Some(r) = &l.runner_up {
                                                span { class: "muted", " · runner-up: {r.name} ({r.confidence * 100.0:.0}%)" }
                                            }
                                        },
                                        None => rsx! { span { class: "muted", "Not looked up yet" } },
                                    }
                                    div { class: "row",
                                        label { class: "visually-hidden", r#for: "{input_id}", "Right id at {service}" }
                                        input { id: "{input_id}", r#type: "text", maxlength: "36",
                                            placeholder: if service == LinkService::Spotify { "Spotify artist id" } else { "MusicBrainz id" },
                                            value: typed.read()[i].clone(),
                                            oninput: move |e| typed.write()[i] = e.value() }
                                        Button { label: "Replace", id: format!("replace-{service}"),
                                            onclick: move |_| {
                                                let id = typed.read()[i].trim().to_owned();
                                                if id.is_empty() {
                                                    error.set(Some("Type the right id first.".into()));
                                                } else {
                                                    set((service, Some(id)));
                                                }
                                            } }
                                        Button { label: "Not at this service", kind: "plain",
                                            onclick: move |_| set((service, None)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
