use dioxus::prelude::*;
use theset_shared::api::{ShowStatus, ShowSummary};

use crate::components::atoms::Badge;

/// "Billie Eilish at Crypto.com Arena" or the show's own name.
pub fn show_title(s: &ShowSummary) -> String {
    match (&s.name, &s.venue) {
        (Some(n), _) if !n.trim().is_empty() => n.clone(),
        (_, Some(v)) => format!("{} at {}", s.artist.name, v.name),
        _ => s.artist.name.clone(),
    }
}

pub fn status_tone(s: ShowStatus) -> &'static str {
    match s {
        ShowStatus::Upcoming | ShowStatus::Rescheduled => "accent",
        ShowStatus::Ongoing => "stage",
        ShowStatus::Completed => "neutral",
        ShowStatus::Cancelled | ShowStatus::Postponed => "warn",
    }
}

#[component]
pub fn ShowRow(show: ShowSummary, onopen: EventHandler<()>) -> Element {
    let date = show.date.format("%a %-d %b %Y").to_string();
    let place = show
        .venue
        .as_ref()
        .map(|v| match &v.city {
            Some(c) => format!("{} · {c}", v.name),
            None => v.name.clone(),
        })
        .unwrap_or_default();
    let title = show_title(&show);
    rsx! {
        li { class: "show-row", "data-show": "{show.id}",
            time { class: "show-date", datetime: "{show.date}", "{date}" }
            div { class: "show-body",
                button { class: "link stretched", r#type: "button", onclick: move |_| onopen.call(()),
                    "{title}"
                }
                span { class: "show-place", "{place}" }
            }
            Badge { label: show.status.as_str().to_string(), tone: status_tone(show.status).to_string() }
            if show.origin == theset_shared::api::DataOrigin::Demo {
                Badge { label: "demo", tone: "warn" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use theset_shared::api::{ArtistRef, VenueRef};
    use uuid::Uuid;

    fn show(name: Option<&str>, venue: Option<&str>) -> ShowSummary {
        ShowSummary {
            id: Uuid::nil(),
            name: name.map(str::to_owned),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            start_time: None,
            starts_at: None,
            status: ShowStatus::Upcoming,
            artist: ArtistRef {
                id: Uuid::nil(),
                slug: "a".into(),
                name: "Artist".into(),
            },
            venue: venue.map(|v| VenueRef {
                id: Uuid::nil(),
                name: v.into(),
                city: None,
                country_code: None,
            }),
            ticket_url: None,
            origin: Default::default(),
        }
    }

    #[test]
    fn titles_prefer_the_show_name_then_the_venue() {
        assert_eq!(
            show_title(&show(Some("Tour Night"), Some("Arena"))),
            "Tour Night"
        );
        assert_eq!(
            show_title(&show(Some("  "), Some("Arena"))),
            "Artist at Arena"
        );
        assert_eq!(show_title(&show(None, None)), "Artist");
    }
}
