use dioxus::prelude::*;
use theset_shared::ipc::CatalogueSong;
use uuid::Uuid;

/// How many matches the picker lists at once.
const SHOWN: usize = 8;

/// Catalogue songs whose title contains every word typed, in catalogue order, at most `limit`.
pub fn matching(songs: &[CatalogueSong], filter: &str, limit: usize) -> Vec<CatalogueSong> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    songs
        .iter()
        .filter(|s| {
            let t = s.title.to_lowercase();
            words.iter().all(|w| t.contains(w.as_str()))
        })
        .take(limit)
        .cloned()
        .collect()
}

/// Type to find a song of the catalogue, then add it with its button.
#[component]
pub fn SongPicker(
    id: String,
    label: String,
    songs: Vec<CatalogueSong>,
    onpick: EventHandler<Uuid>,
) -> Element {
    let mut filter = use_signal(String::new);
    let shown = matching(&songs, &filter(), SHOWN);
    let more = songs.len().saturating_sub(shown.len());
    rsx! {
        div { class: "song-picker", id: "{id}",
            label { r#for: "{id}-filter", "{label}" }
            input { id: "{id}-filter", r#type: "search", placeholder: "Type a title", value: "{filter}",
                oninput: move |e| filter.set(e.value()) }
            ul { class: "picker-list",
                for s in shown {
                    li { key: "{s.id}",
                        button { class: "chip", r#type: "button", "data-song": "{s.id}",
                            aria_label: "Add {s.title}",
                            onclick: move |_| onpick.call(s.id),
                            "+ {s.title}"
                        }
                    }
                }
            }
            if more > 0 && filter().trim().is_empty() {
                p { class: "muted", "{more} more: type to find them." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn song(t: &str) -> CatalogueSong {
        CatalogueSong {
            id: Uuid::new_v4(),
            title: t.into(),
        }
    }

    #[test]
    fn every_typed_word_must_match_case_insensitively() {
        let songs = vec![
            song("All Too Well"),
            song("Anti-Hero"),
            song("Well Well Well"),
        ];
        let titles = |v: Vec<CatalogueSong>| v.into_iter().map(|s| s.title).collect::<Vec<_>>();
        assert_eq!(
            titles(matching(&songs, "well all", 8)),
            vec!["All Too Well"]
        );
        assert_eq!(
            titles(matching(&songs, "", 2)),
            vec!["All Too Well", "Anti-Hero"]
        );
        assert!(matching(&songs, "zzz", 8).is_empty());
    }
}
