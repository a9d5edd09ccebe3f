use dioxus::prelude::*;
use theset_shared::ipc::{GeoPoint, VenueQuery, req};

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::components::organisms::ShowList;
use crate::ipc;
use crate::route::{Route, use_nav};

/// Reads a "lat, lng" pair typed by the user.
pub fn parse_position(s: &str) -> Option<GeoPoint> {
    let (a, b) = s.split_once(',')?;
    let (lat, lng) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng))
        .then_some(GeoPoint { lat, lng })
}

/// The phone's position from the browser's geolocation, as "lat, lng" rounded to about 100 m
/// (so the list seen at a venue online is the one found there again offline, from the device).
async fn here() -> Result<String, String> {
    if ipc::in_tauri() {
        // The app's shell asks the OS (Android, iOS); a desktop has no location service.
        let p = ipc::call(theset_shared::ipc::req::Locate {})
            .await
            .map_err(|e| e.message)?;
        return Ok(format!("{:.3}, {:.3}", p.lat, p.lng));
    }
    let geo = web_sys::window()
        .and_then(|w| w.navigator().geolocation().ok())
        .ok_or("This browser cannot tell where you are.")?;
    let (tx, rx) = futures_channel::oneshot::channel::<Result<(f64, f64), String>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let (ok_tx, err_tx) = (tx.clone(), tx);
    let found = wasm_bindgen::closure::Closure::once(move |p: web_sys::Position| {
        let c = p.coords();
        if let Some(tx) = ok_tx.borrow_mut().take() {
            let _ = tx.send(Ok((c.latitude(), c.longitude())));
        }
    });
    let failed = wasm_bindgen::closure::Closure::once(move |e: web_sys::PositionError| {
        if let Some(tx) = err_tx.borrow_mut().take() {
            let _ = tx.send(Err(format!(
                "Your position is not available: {}",
                e.message()
            )));
        }
    });
    geo.get_current_position_with_error_callback(
        wasm_bindgen::JsCast::unchecked_ref(found.as_ref()),
        Some(wasm_bindgen::JsCast::unchecked_ref(failed.as_ref())),
    )
    .map_err(|_| "Your position is not available.".to_owned())?;
    let answer = rx
        .await
        .map_err(|_| "Your position is not available.".to_owned())?;
    drop((found, failed));
    answer.map(|(lat, lng)| format!("{lat:.3}, {lng:.3}"))
}

/// Venue discovery: by city, upcoming events, or near a position.
#[component]
pub fn Venues() -> Element {
    let mut nav = use_nav();
    let shared = crate::state::use_shared();
    let mut city = use_signal(String::new);
    let mut upcoming = use_signal(|| false);
    let mut near = use_signal(String::new);
    let mut km = use_signal(|| "50".to_owned());
    let near_ok = near().trim().is_empty() || parse_position(&near()).is_some();
    let mut locating = use_signal(|| None::<String>);
    let list = use_resource(move || async move {
        let q = VenueQuery {
            city: Some(city()).filter(|c| !c.trim().is_empty()),
            has_upcoming: upcoming(),
            near: parse_position(&near()),
            km: km().trim().parse().ok(),
        };
        ipc::call(q.clone()).await
    });
    // Tonight around the point asked about: shows to walk to.
    let tonight = use_resource(move || async move {
        let at = parse_position(&near())?;
        let km = km().trim().parse().unwrap_or(50.0);
        Some((km, ipc::call(req::TonightNear { near: at, km }).await))
    });
    rsx! {
        h2 { class: "page-title", "Venues" }
        form { class: "filters", aria_label: "Find venues", onsubmit: move |e| e.prevent_default(),
            div { class: "field",
                label { r#for: "venue-city", "City" }
                input { id: "venue-city", value: "{city}", oninput: move |e| city.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "venue-near", "Near (latitude, longitude)" }
                input { id: "venue-near", value: "{near}", placeholder: "51.5, -0.12",
                    aria_invalid: "{!near_ok}", oninput: move |e| near.set(e.value()) }
            }
            if !ipc::in_tauri() {
                div { class: "field",
                    button {
                        class: "button button-primary",
                        r#type: "button",
                        id: "near-me",
                        onclick: move |_| {
                            locating.set(Some("Finding where you are…".to_owned()));
                            spawn(async move {
                                match here().await {
                                    Ok(p) => {
                                        if let Some(at) = parse_position(&p) {
                                            shared.set_position(at);
                                        }
                                        near.set(p);
                                        locating.set(None);
                                    }
                                    Err(why) => locating.set(Some(why)),
                                }
                            });
                        },
                        "Near me"
                    }
                }
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
        if let Some(note) = locating() { p { class: "muted", role: "status", id: "near-me-status", "{note}" } }
        if let Some(Some((km, answer))) = &*tonight.read() {
            section { class: "tonight", id: "tonight-near", aria_label: "Tonight nearby",
                h3 { "Tonight within {km} km" }
                match answer {
                    Err(e) => rsx! { Failed { error: e.clone() } },
                    Ok(f) => rsx! {
                        StaleNote { stale: f.stale, fetched_at: when(f.fetched_at) }
                        ShowList { shows: f.data.clone(), label: "Tonight nearby", empty: "No show tonight around here.".to_owned() }
                    },
                }
            }
        }
        match &*list.read() {
            None => rsx! { Loading { label: "venues" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(p)) => rsx! {
                StaleNote { stale: p.stale, fetched_at: when(p.fetched_at) }
                if p.data.items.is_empty() { p { class: "empty", "No venue matches." } }
                ul { class: "venue-list",
                    for v in p.data.items.clone() {
                        li { key: "{v.id}", class: "venue-row", "data-venue": "{v.id}",
                            button { class: "link stretched", r#type: "button", onclick: move |_| nav.go(Route::Venue(v.id)), "{v.name}" }
                            span { class: "muted",
                                {v.city.clone().unwrap_or_default()}
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
