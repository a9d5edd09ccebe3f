use dioxus::prelude::*;
use theset_shared::ipc::{GeoPoint, VenueQuery};

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::ipc;
use crate::route::{Route, use_nav};

/// Reads a "lat, lng" pair typed by the user.
pub fn parse_position(s: &str) -> Option<GeoPoint> {
    let (a, b) = s.split_once(',')?;
    let (lat, lng) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng))
        .then_some(GeoPoint { lat, lng })
}

/// Venue discovery: by city, capacity, upcoming events, or near a position.
#[component]
pub fn Venues() -> Element {
    let mut nav = use_nav();
    let mut city = use_signal(String::new);
    let mut min_cap = use_signal(String::new);
    let mut upcoming = use_signal(|| false);
    let mut near = use_signal(String::new);
    let mut km = use_signal(|| "50".to_owned());
    let near_ok = near().trim().is_empty() || parse_position(&near()).is_some();
    let list = use_resource(move || async move {
        let q = VenueQuery {
            city: Some(city()).filter(|c| !c.trim().is_empty()),
            min_capacity: min_cap().trim().parse().ok(),
            has_upcoming: upcoming(),
            near: parse_position(&near()),
            km: km().trim().parse().ok(),
        };
        ipc::call(q.clone()).await
    });
    rsx! {
        h2 { class: "page-title", "Venues" }
        form { class: "filters", aria_label: "Find venues", onsubmit: move |e| e.prevent_default(),
            div { class: "field",
                label { r#for: "venue-city", "City" }
                input { id: "venue-city", value: "{city}", oninput: move |e| city.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "venue-cap", "Capacity at least" }
                input { id: "venue-cap", r#type: "number", min: "0", value: "{min_cap}", oninput: move |e| min_cap.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "venue-near", "Near (latitude, longitude)" }
                input { id: "venue-near", value: "{near}", placeholder: "51.5, -0.12",
                    aria_invalid: "{!near_ok}", oninput: move |e| near.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "venue-km", "Within km" }
                input { id: "venue-km", r#type: "number", min: "1", value: "{km}", oninput: move |e| km.set(e.value()) }
            }
            div { class: "field check",
                input { id: "venue-upcoming", r#type: "checkbox", checked: upcoming(), onchange: move |e| upcoming.set(e.checked()) }
                label { r#for: "venue-upcoming", "With upcoming shows" }
            }
        }
        if !near_ok { p { class: "error", role: "alert", "Type a position as “latitude, longitude”, e.g. 51.5, -0.12." } }
        match &*list.read() {
            None => rsx! { Loading { label: "venues" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(p)) => rsx! {
                StaleNote { stale: p.stale, fetched_at: when(p.fetched_at) }
                if p.data.items.is_empty() { p { class: "empty", "No venue matches." } }
                ul { class: "venue-list",
                    for v in p.data.items.clone() {
                        li { key: "{v.id}", class: "venue-row",
                            button { class: "link stretched", r#type: "button", onclick: move |_| nav.go(Route::Venue(v.id)), "{v.name}" }
                            span { class: "muted",
                                {v.city.clone().unwrap_or_default()}
                                if let Some(c) = v.capacity { " · capacity {c}" }
                                " · {v.upcoming_show_count} upcoming"
                                if let Some(d) = v.distance_km { " · {d:.1} km" }
                            }
                        }
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_position;

    #[test]
    fn positions_are_read_and_checked() {
        assert_eq!(
            parse_position(" 51.5, -0.12 ").map(|p| (p.lat, p.lng)),
            Some((51.5, -0.12))
        );
        assert!(parse_position("91, 0").is_none());
        assert!(parse_position("abc").is_none());
        assert!(parse_position("1;2").is_none());
    }
}
