use dioxus::prelude::*;
use theset_shared::ipc::{LiveView, req};
use uuid::Uuid;

use crate::components::atoms::{Button, PendingMark};
use crate::components::molecules::matching;
use crate::ipc;
use crate::state::use_shared;

/// Songs offered as one-tap buttons at once (the likeliest first; typing finds the rest).
const TAPS: usize = 12;

/// The time of day on this device's clock (captures are read back at the venue, in its zone).
fn clock(t: chrono::DateTime<chrono::Utc>) -> String {
    // The browser knows the zone; the offset is minutes to add to local time to get UTC.
    let offset = js_sys::Date::new_0().get_timezone_offset();
    (t - chrono::Duration::minutes(offset as i64))
        .format("%H:%M")
        .to_string()
}

/// "Now playing" for a fan at the show: one tap records the song being played (at this device's
/// time, saved on the device with no signal), a typed title for covers and new songs, an encore
/// mark, and the fan's own captures with undo for a minute.
#[component]
pub fn NowPlaying(show_id: Uuid, live: LiveView) -> Element {
    let shared = use_shared();
    let mut filter = use_signal(String::new);
    let mut typed = use_signal(String::new);
    let mut encore = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let taps = matching(&live.picks, &filter(), TAPS);
    let send = move |song_id: Option<Uuid>, title: String| {
        spawn(async move {
            let r = ipc::call(req::Capture {
                show_id,
                song_id,
                title,
                encore: encore(),
            })
            .await;
            match r {
                Ok(s) => {
                    shared.set_status(s);
                    shared.bump();
                    error.set(None);
                    filter.set(String::new());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        section { class: "card now-playing", aria_labelledby: "now-playing-title", id: "now-playing",
            h2 { id: "now-playing-title", class: "section-title", "Now playing" }
            if live.open {
                p { class: "muted", "Tap the song as it starts. It is saved on this phone even with no signal and joins the crowd's set-list when it syncs." }
                if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
                div { class: "field",
                    label { r#for: "now-playing-filter", "Find the song" }
                    input { id: "now-playing-filter", r#type: "search", placeholder: "Type a title", value: "{filter}",
                        oninput: move |e| filter.set(e.value()) }
                }
                ul { class: "picker-list capture-taps",
                    for s in taps {
                        li { key: "{s.id}",
                            button { class: "chip chip-big", r#type: "button", "data-song": "{s.id}",
                                aria_label: "Now playing: {s.title}",
                                onclick: { let title = s.title.clone(); move |_| send(Some(s.id), title.clone()) },
                                "{s.title}"
                            }
                        }
                    }
                }
                div { class: "row capture-typed",
                    div { class: "field",
                        label { r#for: "now-playing-title-input", "Not listed (a cover, a new song)" }
                        input { id: "now-playing-title-input", r#type: "text", maxlength: "200", value: "{typed}",
                            oninput: move |e| typed.set(e.value()) }
                    }
                    Button { label: "Add", id: "now-playing-add",
                        disabled: typed().trim().is_empty(),
                        onclick: move |_| { let t = typed(); typed.set(String::new()); send(None, t) },
                    }
                }
                label { class: "check",
                    input { r#type: "checkbox", id: "now-playing-encore", checked: encore(),
                        onchange: move |e| encore.set(e.checked()) }
                    " This is the encore"
                }
            } else {
                p { class: "muted", "The show is over. What you captured is below; the crowd's set-list is built from every fan's captures." }
            }
            if !live.captured.is_empty() {
                h3 { class: "subsection-title", "You captured" }
                ol { class: "captured-list", reversed: true,
                    for c in live.captured {
                        li { key: "{c.capture_id}", "data-title": "{c.title}",
                            span { class: "captured-time", "{clock(c.at)} " }
                            "{c.title}"
                            if c.encore { span { class: "muted", " (encore)" } }
                            if c.pending { " " PendingMark {} }
                            if c.undo_until.is_some() {
                                " "
                                Button { label: "Undo", aria_label: "Undo {c.title}",
                                    onclick: move |_| {
                                        spawn(async move {
                                            match ipc::call(req::UndoCapture { capture_id: c.capture_id }).await {
                                                Ok(s) => { shared.set_status(s); shared.bump(); error.set(None); }
                                                Err(e) => error.set(Some(e.message)),
                                            }
                                        });
                                    },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
