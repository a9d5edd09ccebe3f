use dioxus::prelude::*;
use theset_shared::api::PredictionLine;
use theset_shared::ipc::{CatalogueSong, Listed};
use uuid::Uuid;

use crate::components::atoms::PendingMark;
use crate::ipc;
use crate::state::use_shared;

/// A song of the draft: (song, title, encore).
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub song: Uuid,
    pub title: String,
    pub encore: bool,
}

/// Moves item `from` to position `to`; the encore songs stay after the main set, so a song
/// takes the set of the place it lands in.
pub fn move_pick(list: &[Pick], from: usize, to: usize) -> Vec<Pick> {
    let mut out = list.to_vec();
    if from >= out.len() || to >= out.len() || from == to {
        return out;
    }
    // The song joins the set of the one whose place it takes.
    let target_encore = out[to].encore;
    let mut item = out.remove(from);
    item.encore = target_encore;
    out.insert(to, item);
    normalise(out)
}

/// Main set first, encore after, each keeping its order.
pub fn normalise(list: Vec<Pick>) -> Vec<Pick> {
    let (main, encore): (Vec<_>, Vec<_>) = list.into_iter().partition(|p| !p.encore);
    main.into_iter().chain(encore).collect()
}

fn lines(list: &[Pick]) -> Vec<PredictionLine> {
    list.iter()
        .map(|p| PredictionLine { song_id: p.song, encore: p.encore })
        .collect()
}

/// The user's own prediction. Every change is saved on the device at once (nothing typed is
/// lost if the app closes), and sent when the server can be reached.
#[component]
pub fn PredictionEditor(
    show_id: Uuid,
    prediction: Listed,
    catalogue: Vec<CatalogueSong>,
    open: bool,
) -> Element {
    let shared = use_shared();
    let mut error = use_signal(|| None::<String>);
    let mut pick = use_signal(String::new);
    let mut dragging = use_signal(|| None::<usize>);
    let current: Vec<Pick> = prediction
        .songs
        .iter()
        .filter_map(|s| {
            s.song_id.map(|song| Pick {
                song,
                title: s.title.clone(),
                encore: s.set_name != "main",
            })
        })
        .collect();
    let save = move |next: Vec<Pick>| {
        spawn(async move {
            match ipc::predict(show_id, lines(&next)).await {
                Ok(s) => { shared.set_status(s); shared.bump(); error.set(None); }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let chosen: Vec<Uuid> = current.iter().map(|p| p.song).collect();
    let addable: Vec<CatalogueSong> = catalogue.into_iter().filter(|s| !chosen.contains(&s.id)).collect();
    let count = current.len();
    let known = addable.clone();
    rsx! {
        section { class: "card", aria_labelledby: "prediction-title", id: "prediction",
            h2 { id: "prediction-title", class: "section-title",
                "Your prediction"
                if prediction.pending { PendingMark {} }
            }
            if let Some(e) = error() {
                p { class: "error", role: "alert", "{e}" }
            }
            if current.is_empty() {
                p { class: "empty", "Pick the songs you think they will play, in order." }
            }
            ol { class: "prediction-list",
                for (i, p) in current.clone().into_iter().enumerate() {
                    {
                        let list = current.clone();
                        let (l1, l2, l3, l4, l5) = (list.clone(), list.clone(), list.clone(), list.clone(), list.clone());
                        rsx! {
                            li {
                                key: "{p.song}",
                                class: if p.encore { "prediction-line encore" } else { "prediction-line" },
                                "data-title": "{p.title}",
                                draggable: open,
                                ondragstart: move |_| dragging.set(Some(i)),
                                ondragover: move |e| e.prevent_default(),
                                ondrop: move |e| {
                                    e.prevent_default();
                                    if let Some(from) = dragging.take() {
                                        save(move_pick(&l1, from, i));
                                    }
                                },
                                span { class: "drag-handle", aria_hidden: "true", "⠿" }
                                span { class: "prediction-title", "{p.title}" }
                                if p.encore { span { class: "badge badge-stage", "Encore" } }
                                if open {
                                    div { class: "line-tools", role: "group", aria_label: "Arrange {p.title}",
                                        button { class: "icon", r#type: "button", aria_label: "Move {p.title} up", disabled: i == 0,
                                            onclick: move |_| save(move_pick(&l2, i, i.saturating_sub(1))), "↑" }
                                        button { class: "icon", r#type: "button", aria_label: "Move {p.title} down", disabled: i + 1 == count,
                                            onclick: move |_| save(move_pick(&l3, i, i + 1)), "↓" }
                                        button { class: "icon", r#type: "button",
                                            aria_label: if p.encore { "Move {p.title} to the main set" } else { "Move {p.title} to the encore" },
                                            aria_pressed: "{p.encore}",
                                            onclick: move |_| {
                                                let mut next = l4.clone();
                                                if let Some(x) = next.get_mut(i) { x.encore = !x.encore; }
                                                save(normalise(next));
                                            },
                                            "E"
                                        }
                                        button { class: "icon", r#type: "button", aria_label: "Remove {p.title}",
                                            onclick: move |_| {
                                                let mut next = l5.clone();
                                                next.remove(i);
                                                save(next);
                                            },
                                            "✕"
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if open {
                form { class: "row",
                    onsubmit: move |e| {
                        e.prevent_default();
                        let Ok(song) = pick().parse::<Uuid>() else { return };
                        let mut next = current.clone();
                        let name = known.iter().find(|s| s.id == song).map(|s| s.title.clone()).unwrap_or_default();
                        next.push(Pick { song, title: name, encore: false });
                        pick.set(String::new());
                        save(normalise(next));
                    },
                    label { r#for: "predict-select", "Add to your prediction" }
                    select { id: "predict-select", value: "{pick}", onchange: move |e| pick.set(e.value()),
                        option { value: "", "Choose a song…" }
                        for s in addable {
                            option { key: "{s.id}", value: "{s.id}", "{s.title}" }
                        }
                    }
                    button { class: "button", r#type: "submit", id: "predict-add", "Add" }
                }
            } else {
                p { class: "muted", "Predictions are locked once the show starts." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str, encore: bool) -> Pick {
        Pick { song: Uuid::new_v4(), title: t.into(), encore }
    }

    fn titles(l: &[Pick]) -> Vec<(&str, bool)> {
        l.iter().map(|p| (p.title.as_str(), p.encore)).collect()
    }

    #[test]
    fn moving_keeps_the_encore_after_the_main_set() {
        let l = vec![p("a", false), p("b", false), p("c", true)];
        assert_eq!(titles(&move_pick(&l, 0, 1)), vec![("b", false), ("a", false), ("c", true)]);
        // Dropped onto the encore, a song joins it.
        assert_eq!(titles(&move_pick(&l, 0, 2)), vec![("b", false), ("c", true), ("a", true)]);
        // Out of range does nothing.
        assert_eq!(titles(&move_pick(&l, 5, 0)), titles(&l));
    }
}
