use dioxus::prelude::*;
use theset_shared::ipc::{CatalogueSong, Listed, PredictionEdit};
use uuid::Uuid;

use crate::components::atoms::PendingMark;
use crate::components::molecules::SongPicker;
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

/// The user's own prediction. Every step (add, move, encore, remove) is saved on the device at
/// once, on the prediction as the device holds it, so nothing is lost if the app closes and
/// quick steps never undo each other; it is sent when the server can be reached. Songs move by
/// dragging, or with the arrow buttons from the keyboard.
#[component]
pub fn PredictionEditor(
    show_id: Uuid,
    prediction: Listed,
    catalogue: Vec<CatalogueSong>,
    open: bool,
) -> Element {
    let shared = use_shared();
    let mut error = use_signal(|| None::<String>);
    let mut dragging = use_signal(|| None::<Uuid>);
    let apply = move |edit: PredictionEdit| {
        spawn(async move {
            match ipc::call(req::EditPrediction {
                show_id,
                edit: edit.clone(),
            })
            .await
            {
                Ok(s) => {
                    shared.set_status(s);
                    shared.bump();
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let lines: Vec<(Uuid, String, bool)> = prediction
        .songs
        .iter()
        .filter_map(|s| {
            s.song_id
                .map(|id| (id, s.title.clone(), s.set_name != "main"))
        })
        .collect();
    let chosen: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
    let addable: Vec<CatalogueSong> = catalogue
        .into_iter()
        .filter(|s| !chosen.contains(&s.id))
        .collect();
    let count = lines.len();
    rsx! {
        section { class: "card", aria_labelledby: "prediction-title", id: "prediction",
            h2 { id: "prediction-title", class: "section-title",
                "Your prediction"
                if prediction.pending { PendingMark {} }
            }
            if let Some(e) = error() {
                p { class: "error", role: "alert", "{e}" }
            }
            if lines.is_empty() {
                p { class: "empty", "Pick the songs you think they will play, in order." }
            }
            ol { class: "prediction-list",
                for (i, (song_id, title, encore)) in lines.into_iter().enumerate() {
                    li {
                        key: "{song_id}",
                        class: if encore { "prediction-line encore" } else { "prediction-line" },
                        "data-title": "{title}",
                        draggable: open,
                        ondragstart: move |_| dragging.set(Some(song_id)),
                        ondragover: move |e| e.prevent_default(),
                        ondrop: move |e| {
                            e.prevent_default();
                            if let Some(moved) = dragging.take() {
                                apply(PredictionEdit::Move { song_id: moved, to: i });
                            }
                        },
                        span { class: "drag-handle", aria_hidden: "true", "⠿" }
                        span { class: "prediction-title", "{title}" }
                        if encore { span { class: "badge badge-stage", "Encore" } }
                        if open {
                            div { class: "line-tools", role: "group", aria_label: "Arrange {title}",
                                button { class: "icon", r#type: "button", aria_label: "Move {title} up", disabled: i == 0,
                                    onclick: move |_| apply(PredictionEdit::Move { song_id, to: i.saturating_sub(1) }), "↑" }
                                button { class: "icon", r#type: "button", aria_label: "Move {title} down", disabled: i + 1 == count,
                                    onclick: move |_| apply(PredictionEdit::Move { song_id, to: i + 1 }), "↓" }
                                button { class: "icon", r#type: "button",
                                    aria_label: if encore { "Move {title} to the main set" } else { "Move {title} to the encore" },
                                    aria_pressed: "{encore}",
                                    onclick: move |_| apply(PredictionEdit::Encore { song_id, encore: !encore }),
                                    "E"
                                }
                                button { class: "icon", r#type: "button", aria_label: "Remove {title}",
                                    onclick: move |_| apply(PredictionEdit::Remove { song_id }), "✕" }
                            }
                        }
                    }
                }
            }
            if open {
                SongPicker { id: "predict", label: "Add to your prediction", songs: addable,
                    onpick: move |song_id| apply(PredictionEdit::Add { song_id }) }
            } else {
                p { class: "muted", "Predictions are locked once the show starts." }
            }
        }
    }
}
