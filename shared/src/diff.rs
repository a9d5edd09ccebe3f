//! Line diff of two set-list versions for the moderator's view: the longest common subsequence
//! of titles kept, the rest marked removed or added. Set-lists are short (tens of songs), so
//! the quadratic table is fine and no diff crate is needed for it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "line", rename_all = "snake_case")]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// How `old` becomes `new`, in order.
pub fn diff(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: common subsequence length of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n && j < m {
        if old[i] == new[j] {
            out.push(DiffLine::Same(old[i].clone()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(DiffLine::Removed(old[i].clone()));
            i += 1;
        } else {
            out.push(DiffLine::Added(new[j].clone()));
            j += 1;
        }
    }
    out.extend(old[i..].iter().cloned().map(DiffLine::Removed));
    out.extend(new[j..].iter().cloned().map(DiffLine::Added));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn a_moved_song_is_one_removal_and_one_addition() {
        let d = diff(&s(&["a", "b", "c"]), &s(&["b", "c", "a"]));
        assert_eq!(
            d,
            vec![
                DiffLine::Removed("a".into()),
                DiffLine::Same("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("a".into()),
            ]
        );
    }

    proptest! {
        #[test]
        fn the_diff_rebuilds_both_versions_and_keeps_a_longest_common_part(
            old in proptest::collection::vec("[a-e]", 0..12),
            new in proptest::collection::vec("[a-e]", 0..12),
        ) {
            let d = diff(&old, &new);
            let before: Vec<String> = d.iter().filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Removed(t) => Some(t.clone()),
                DiffLine::Added(_) => None,
            }).collect();
            let after: Vec<String> = d.iter().filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Added(t) => Some(t.clone()),
                DiffLine::Removed(_) => None,
            }).collect();
            prop_assert_eq!(before, old.clone());
            prop_assert_eq!(after, new.clone());
            // Nothing both removed and re-added next to each other when it could be kept.
            let same = d.iter().filter(|l| matches!(l, DiffLine::Same(_))).count();
            let identical = old == new;
            prop_assert!(!identical || same == old.len());
        }
    }
}
