//! Every show by date range, city, artist and status: what the API's show list answers, with
//! the artists this device knows to pick from.

use dioxus::prelude::*;
use theset_shared::api::ShowStatus;
use theset_shared::ipc::{ShowQuery, req};

use super::{Failed, Loading, when};
use crate::components::atoms::{Button, StaleNote};
use crate::components::organisms::ShowList;
use crate::ipc;

fn date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[component]
pub fn Shows() -> Element {
    // The device's own date (the browser's clock and zone), not UTC's.
    let today = {
        let d = js_sys::Date::new_0();
        chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    };
    let mut from = use_signal(move || today.format("%Y-%m-%d").to_string());
    let mut to = use_signal(String::new);
    let mut city = use_signal(String::new);
    let mut artist = use_signal(String::new);
    let mut status = use_signal(String::new);
    // Pages already read for these filters (a filter change starts over).
    let mut cursor = use_signal(|| None::<String>);
    let artists = use_resource(|| async { ipc::call(req::CachedArtists {}).await });
    let list = use_resource(move || async move {
        let q = ShowQuery {
            from: date(&from()),
            to: date(&to()),
            city: Some(city()).filter(|c| !c.trim().is_empty()),
            artist_id: artist().parse().ok(),
            status: ShowStatus::parse(&status()),
            cursor: cursor(),
        };
        ipc::call(q).await
    });
    let mut reset = move || cursor.set(None);
    rsx! {
        h2 { class: "page-title", "Shows" }
        form { class: "filters", aria_label: "Find shows", onsubmit: move |e| e.prevent_default(),
            div { class: "field",
                label { r#for: "shows-from", "From" }
                input { id: "shows-from", r#type: "date", value: "{from}", oninput: move |e| { from.set(e.value()); reset(); } }
            }
            div { class: "field",
                label { r#for: "shows-to", "To" }
                input { id: "shows-to", r#type: "date", value: "{to}", oninput: move |e| { to.set(e.value()); reset(); } }
            }
            div { class: "field",
                label { r#for: "shows-city", "City" }
                input { id: "shows-city", maxlength: "100", value: "{city}", oninput: move |e| { city.set(e.value()); reset(); } }
            }
            div { class: "field",
                label { r#for: "shows-artist", "Artist" }
                select { id: "shows-artist", value: "{artist}", onchange: move |e| { artist.set(e.value()); reset(); },
                    option { value: "", "Any artist" }
                    if let Some(Ok(list)) = &*artists.read() {
                        for a in list.iter() {
                            option { key: "{a.id}", value: "{a.id}", "{a.name}" }
                        }
                    }
                }
            }
            div { class: "field",
                label { r#for: "shows-status", "Status" }
                select { id: "shows-status", value: "{status}", onchange: move |e| { status.set(e.value()); reset(); },
                    option { value: "", "Any" }
                    for s in ShowStatus::ALL {
                        option { key: "{s.as_str()}", value: "{s.as_str()}", "{s.as_str()}" }
                    }
                }
            }
        }
        match &*list.read() {
            None => rsx! { Loading { label: "shows" } },
            Some(Err(e)) => rsx! { Failed { error: e.clone() } },
            Some(Ok(p)) => rsx! {
                StaleNote { stale: p.stale, fetched_at: when(p.fetched_at) }
                ShowList { shows: p.data.items.clone(), label: "Shows", empty: "No show matches these filters.".to_owned() }
                div { class: "row pager",
                    if cursor().is_some() {
                        Button { label: "First page", kind: "plain", onclick: move |_| cursor.set(None) }
                    }
                    if let Some(next) = p.data.next_cursor.clone() {
                        Button { label: "Next page", id: "shows-next", onclick: move |_| cursor.set(Some(next.clone())) }
                    }
                }
            },
        }
    }
}
