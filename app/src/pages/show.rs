use dioxus::prelude::*;
use theset_shared::api::{LineupRole, ShowStatus};
use uuid::Uuid;

use super::{Failed, Loading, use_latest, when};
use crate::components::atoms::{Badge, Button, PendingMark, StaleNote};
use crate::components::molecules::show_title;
use crate::components::organisms::{
    ActualSetlist, AliasSuggestions, CommentThread, CommunityList, CrowdBeside, FreeTitle,
    Leaderboard, NowPlaying, PredictionEditor, ShareQr, VenueMap, VoteOversight,
};
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req;

/// Whether the show is on the device for the evening: size and age of its pack, or what is
/// missing, and a button to make it now.
#[component]
fn PackLine(show_id: Uuid, pack: Option<theset_shared::ipc::PackState>) -> Element {
    let shared = use_shared();
    let mut busy = use_signal(|| false);
    let state = match &pack {
        Some(p) if p.missing.is_empty() => {
            let age = (chrono::Utc::now() - p.prepared_at).num_minutes().max(0);
            let size = p.bytes as f64 / 1000.0;
            let tiles = if p.tiles > 0 {
                format!(", {} map tiles", p.tiles)
            } else {
                String::new()
            };
            format!("Ready offline: {size:.0} kB on this device{tiles}, made {age} min ago.")
        }
        Some(p) => format!("Not fully ready offline: missing {}.", p.missing.join(", ")),
        None => "Not on this device yet for tonight.".to_owned(),
    };
    let ready = pack.as_ref().is_some_and(|p| p.missing.is_empty());
    rsx! {
        p { class: if ready { "pack-state ready" } else { "pack-state" }, id: "pack-state", "data-ready": "{ready}",
            "{state} "
            Button { label: "Get ready now", id: "get-ready", busy: busy(),
                onclick: move |_| {
                    busy.set(true);
                    spawn(async move {
                        let _ = ipc::call(req::GetReady { show_id }).await;
                        busy.set(false);
                        shared.bump();
                    });
                },
            }
        }
    }
}

/// The show: details, venue and map, the community list with live votes, the user's
/// prediction, the actual set-list and the leaderboard. Re-read whenever the store changes, so
/// other fans' votes arrive while it is open.
#[component]
pub fn Show(id: Uuid) -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let view = use_resource(use_reactive!(|id| async move {
        let _ = (shared.revision)();
        ipc::call(req::Show { id }).await
    }));
    let last = use_latest(view);
    let Some(result) = last() else {
        return rsx! { Loading { label: "the show" } };
    };
    let v = match result {
        Ok(v) => v,
        Err(e) => return rsx! { Failed { error: e } },
    };
    let s = v.summary.clone();
    let title = show_title(&s);
    let detail = v.detail.as_ref().map(|d| d.data.clone());
    let venue = detail.as_ref().and_then(|d| d.venue_detail.clone());
    let signed_in = shared
        .status
        .read()
        .as_ref()
        .is_some_and(|st| st.account.is_some());
    let moderates = shared
        .role()
        .is_some_and(|r| r >= theset_shared::api::Role::Moderator);
    let tile_url = shared
        .status
        .read()
        .as_ref()
        .and_then(|st| st.tile_url.clone());
    let artist_slug = s.artist.slug.clone();
    let artist_id = s.artist.id;
    // Voting needs no follow: a signed-in fan's vote goes to the outbox like any other, and
    // opening the page keeps the show on the device from the next sync on.
    let can_vote = v.voting_open && signed_in;
    let closed_reason = if !signed_in {
        Some("Sign in to vote and predict.".to_owned())
    } else if s.status == ShowStatus::Cancelled {
        Some("The show was cancelled: voting is closed.".to_owned())
    } else if !v.voting_open {
        Some("Voting closed when the show started.".to_owned())
    } else {
        None
    };
    let date = s.date.format("%A %-d %B %Y").to_string();
    let going = v.going;
    // Anyone signed in can write the list of a show that has started and has none.
    let can_start = signed_in
        && s.status != ShowStatus::Cancelled
        && s.starts_at
            .map_or(s.date <= chrono::Utc::now().date_naive(), |t| {
                t <= chrono::Utc::now()
            });
    rsx! {
        if let Some(d) = &v.detail {
            StaleNote { stale: d.stale, fetched_at: when(d.fetched_at) }
        }
        if s.origin == theset_shared::api::DataOrigin::Demo {
            crate::components::atoms::DemoNotice { what: "This show, its date, venue and set-lists" }
        }
        header { class: "show-hero",
            h2 { class: "page-title", id: "show-title", "{title}" }
            p { class: "show-meta",
                time { datetime: "{s.date}", "{date}" }
                if let Some(t) = s.start_time.map(|t| t.format("%H:%M").to_string()) { " · doors {t}" }
                " "
                Badge { label: s.status.as_str().to_string(), tone: crate::components::molecules::status_tone(s.status) }
            }
            if let Some(n) = s.status.notice() {
                p { class: "status-notice", role: "status", id: "status-notice", "{n}" }
            }
            div { class: "row",
                Button { label: "{s.artist.name}", onclick: move |_| nav.go(Route::Artist(artist_slug.clone())) }
                if let Some(url) = s.ticket_url.clone().filter(|u| theset_shared::validate::outbound_link(u)) {
                    a { class: "button button-primary", href: "{url}", target: "_blank", rel: "noopener noreferrer", "Tickets" }
                }
                if signed_in {
                    Button {
                        label: if v.going.going { "Going ✓".to_string() } else { "I'm going".to_string() },
                        kind: if v.going.going { "plain" } else { "primary" },
                        id: "going",
                        pressed: Some(v.going.going),
                        onclick: move |_| {
                            let (going, public) = (!going.going, going.public);
                            spawn(async move {
                                if let Ok(st) = ipc::call(req::SetGoing { show_id: id, going, public }).await {
                                    shared.set_status(st);
                                    shared.bump();
                                }
                            });
                        },
                    }
                }
                if signed_in && !v.in_scope {
                    Button { label: "Follow {s.artist.name}", id: "follow-from-show",
                        onclick: move |_| {
                            spawn(async move {
                                if let Ok(st) = ipc::call(req::Follow { artist_id, follow: true }).await {
                                    shared.set_status(st);
                                    shared.bump();
                                }
                            });
                        },
                    }
                }
            }
            if signed_in && v.going.going {
                label { class: "check",
                    input { r#type: "checkbox", id: "going-public", checked: v.going.public,
                        onchange: move |e| {
                            let public = e.checked();
                            spawn(async move {
                                if let Ok(st) = ipc::call(req::SetGoing { show_id: id, going: true, public }).await {
                                    shared.set_status(st);
                                    shared.bump();
                                }
                            });
                        },
                    }
                    " Show it on my profile"
                }
                if v.going.pending { " " PendingMark {} }
                PackLine { show_id: id, pack: v.pack.clone() }
            }
            if let Some(d) = &detail {
                if let Some(tour) = &d.tour_name { p { class: "muted", "Tour: {tour}" } }
                if d.lineup.len() > 1 {
                    p { class: "lineup",
                        "Line-up: "
                        for (i, l) in d.lineup.iter().enumerate() {
                            span { key: "{l.artist.id}",
                                if i > 0 { ", " }
                                "{l.artist.name}"
                                if l.role == LineupRole::Support { span { class: "muted", " (support)" } }
                            }
                        }
                    }
                }
            }
        }
        if let Some(live) = v.live.clone() {
            NowPlaying { show_id: id, live }
        }
        div { class: "columns",
            div {
                CommunityList { show_id: id, lines: v.community.clone(), catalogue: v.catalogue.clone(), can_vote, closed_reason, can_flag: signed_in }
                if moderates && v.voting_open {
                    FreeTitle { show_id: id }
                }
                if moderates {
                    VoteOversight { show_id: id }
                }
                // A closed show only keeps a prediction that was made.
                if v.in_scope && signed_in && (v.voting_open || !v.prediction.songs.is_empty()) {
                    PredictionEditor { show_id: id, prediction: v.prediction.clone(), catalogue: v.catalogue.clone(), open: v.voting_open }
                } else if signed_in && v.voting_open {
                    p { class: "muted", id: "keeping",
                        "This show is coming onto your device with the next sync: then you can predict its set-list here, also with no signal."
                    }
                }
            }
            div {
                section { class: "card venue-block", aria_labelledby: "venue-title",
                    h2 { id: "venue-title", class: "section-title", "Venue" }
                    if let Some(vr) = s.venue.clone() {
                        p {
                            button { class: "link", r#type: "button", onclick: move |_| nav.go(Route::Venue(vr.id)), "{vr.name}" }
                            if let Some(c) = &vr.city { ", {c}" }
                        }
                    }
                    if let Some(vd) = &venue {
                        if let Some(a) = &vd.address { p { class: "muted", "{a}" } }
                    }
                    if let Some(p) = v.location {
                        VenueMap { place: p, label: s.venue.as_ref().map(|v| v.name.clone()).unwrap_or_default(), tile_url_template: tile_url }
                    } else {
                        p { class: "empty", "No location known for this venue." }
                    }
                }
                ActualSetlist { show_id: id, actual: v.actual.clone(), history: v.history.clone(), can_start }
                if moderates {
                    AliasSuggestions { actual: v.actual.clone(), catalogue: v.catalogue.clone() }
                }
                if v.crowd.setlist_id.is_some() {
                    CrowdBeside { crowd: v.crowd.clone(), actual: v.actual.clone() }
                }
                if let Some(b) = v.leaderboard.clone() {
                    Leaderboard { board: b }
                }
                ShareQr { show: id }
            }
        }
        CommentThread { show_id: id }
    }
}
