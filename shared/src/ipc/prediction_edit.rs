//! Steps of the prediction editor, applied by the core to the prediction as the device holds it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One step of editing a prediction, applied by the shell to the prediction as the device holds
/// it at that moment (so quick successive steps never work on a stale copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PredictionEdit {
    Add {
        song_id: Uuid,
    },
    Remove {
        song_id: Uuid,
    },
    /// To position `to` (0-based) of the list as it is.
    Move {
        song_id: Uuid,
        to: usize,
    },
    Encore {
        song_id: Uuid,
        encore: bool,
    },
}

/// A song of a prediction being edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub song_id: Uuid,
    pub encore: bool,
}

impl PredictionEdit {
    /// The list after this step: main set first, then the encore, each keeping its order. A
    /// moved song takes the set of the song whose place it takes. Unknown songs change nothing.
    pub fn apply(&self, list: &[Pick]) -> Vec<Pick> {
        let mut out = list.to_vec();
        let at = |l: &[Pick], id: Uuid| l.iter().position(|p| p.song_id == id);
        match *self {
            Self::Add { song_id } => {
                if at(&out, song_id).is_none() {
                    out.push(Pick {
                        song_id,
                        encore: false,
                    });
                }
            }
            Self::Remove { song_id } => out.retain(|p| p.song_id != song_id),
            Self::Move { song_id, to } => {
                if let Some(from) = at(&out, song_id)
                    && to < out.len()
                    && from != to
                {
                    let target_encore = out[to].encore;
                    let mut item = out.remove(from);
                    item.encore = target_encore;
                    out.insert(to, item);
                }
            }
            Self::Encore { song_id, encore } => {
                if let Some(i) = at(&out, song_id) {
                    out[i].encore = encore;
                }
            }
        }
        let (main, encore): (Vec<Pick>, Vec<Pick>) = out.into_iter().partition(|p| !p.encore);
        main.into_iter().chain(encore).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    fn picks(spec: &[(usize, bool)], ids: &[Uuid]) -> Vec<Pick> {
        spec.iter()
            .map(|&(i, encore)| Pick {
                song_id: ids[i],
                encore,
            })
            .collect()
    }

    #[test]
    fn moving_onto_the_encore_joins_it() {
        let id = ids(3);
        let l = picks(&[(0, false), (1, false), (2, true)], &id);
        let moved = PredictionEdit::Move {
            song_id: id[0],
            to: 2,
        }
        .apply(&l);
        assert_eq!(moved, picks(&[(1, false), (2, true), (0, true)], &id));
        let up = PredictionEdit::Move {
            song_id: id[1],
            to: 0,
        }
        .apply(&l);
        assert_eq!(up, picks(&[(1, false), (0, false), (2, true)], &id));
        let twice = PredictionEdit::Add { song_id: id[0] }.apply(&l);
        assert_eq!(twice, l, "a song is in a prediction once");
    }

    fn edit(n: usize) -> impl Strategy<Value = PredictionEdit> {
        let id = move || (0..n).prop_map(|i| Uuid::from_u128(i as u128 + 1));
        prop_oneof![
            id().prop_map(|song_id| PredictionEdit::Add { song_id }),
            id().prop_map(|song_id| PredictionEdit::Remove { song_id }),
            (id(), 0..n).prop_map(|(song_id, to)| PredictionEdit::Move { song_id, to }),
            (id(), any::<bool>())
                .prop_map(|(song_id, encore)| PredictionEdit::Encore { song_id, encore }),
        ]
    }

    proptest! {
        #[test]
        fn any_edits_keep_songs_unique_and_the_encore_last(
            steps in proptest::collection::vec(edit(8), 0..40),
        ) {
            let mut list: Vec<Pick> = Vec::new();
            for s in &steps {
                list = s.apply(&list);
                let mut seen: Vec<Uuid> = list.iter().map(|p| p.song_id).collect();
                seen.sort();
                seen.dedup();
                prop_assert_eq!(seen.len(), list.len());
                prop_assert!(list.windows(2).all(|w| !w[0].encore || w[1].encore));
            }
        }
    }
}
