use dioxus::prelude::*;
use theset_shared::ipc::GeoPoint;
use uuid::Uuid;

use super::{Failed, Loading, when};
use crate::components::atoms::StaleNote;
use crate::components::organisms::{MapPlace, ShowList, VenueMap};
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

#[component]
pub fn Venue(id: Uuid) -> Element {
    let shared = use_shared();
    let view = use_resource(use_reactive!(|id| async move {
        ipc::call(req::Venue { id }).await
    }));
    let Some(result) = view.read().clone() else {
        return rsx! { Loading { label: "the venue" } };
    };
    let f = match result {
        Ok(f) => f,
        Err(e) => return rsx! { Failed { error: e } },
    };
    let v = f.data.clone();
    let s = v.summary.clone();
    let tile_url = shared
        .status
        .read()
        .as_ref()
        .and_then(|st| st.tile_url.clone());
    let place = s
        .latitude
        .zip(s.longitude)
        .map(|(lat, lng)| GeoPoint { lat, lng });
    let address = [
        s.address.clone(),
        s.city.clone(),
        s.state.clone(),
        s.postal_code.clone(),
        s.country.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    rsx! {
        StaleNote { stale: f.stale, fetched_at: when(f.fetched_at) }
        if s.origin == theset_shared::api::DataOrigin::Demo {
            crate::components::atoms::DemoNotice { what: "This venue's details and shows" }
        }
        h2 { class: "page-title", id: "venue-name", "{s.name}" }
        p { class: "muted", "{address}" }
        p {
            "{s.upcoming_show_count} upcoming shows"
        }
        if let Some(p) = place {
            MapInContext { venue: s.id, place: p, label: s.name.clone(), city: s.city.clone(), tile_url }
        }
        div { class: "columns",
            section { class: "card",
                h3 { "Upcoming shows" }
                ShowList { shows: v.upcoming_shows.clone(), label: "Upcoming shows at the venue", empty: "No upcoming shows." }
            }
            section { class: "card",
                h3 { "Past shows" }
                ShowList { shows: v.past_shows.clone(), label: "Past shows at the venue", empty: "No past shows." }
            }
        }
    }
}

/// The venue's map with what the device knows around it: other venues within 25 km (the server's
/// list, or the device's own with no signal) and the fan, when "near me" found them.
#[component]
fn MapInContext(
    venue: Uuid,
    place: GeoPoint,
    label: String,
    city: Option<String>,
    tile_url: Option<String>,
) -> Element {
    let shared = use_shared();
    let around = use_resource(use_reactive!(|place| async move {
        let q = theset_shared::ipc::VenueQuery {
            near: Some(place),
            km: Some(25.0),
            ..Default::default()
        };
        ipc::call(q).await.ok()
    }));
    let places: Vec<MapPlace> = around
        .read()
        .clone()
        .flatten()
        .map(|f| {
            f.data
                .items
                .into_iter()
                .filter(|v| v.id != venue)
                .filter_map(|v| {
                    let at = GeoPoint {
                        lat: v.latitude?,
                        lng: v.longitude?,
                    };
                    Some(MapPlace { at, name: v.name })
                })
                .collect()
        })
        .unwrap_or_default();
    let me = *shared.position.read();
    rsx! {
        VenueMap { place, label, tile_url_template: tile_url, places, me, city }
    }
}
