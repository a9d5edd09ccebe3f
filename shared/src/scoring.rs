//! Accuracy of a predicted set-list against the verified actual one, 0–100.
//!
//! ```text
//! w(s)   = 1 + rarity(s)                rarity = 1 − share of the artist's recent shows with s
//! P      = Σ w over correct songs / Σ w over predicted songs      (weighted precision)
//! R      = Σ w over correct songs / Σ w over played songs         (weighted recall)
//! F      = 2PR / (P + R)                (0 when nothing is right)
//! order  = LCS(predicted, actual over the correct songs) / number of correct songs
//! score  = 100 · F · (0.8 + 0.2 · order)
//! ```
//!
//! Songs are compared by identity (catalogue id, else normalised title). A rare song guessed
//! right counts up to twice a staple, so calling the deep cut beats listing the hits; guessing
//! every song in the catalogue is punished by precision; the order bonus rewards a running order
//! that matches, and needs the songs right first. A perfect prediction scores 100. The community
//! list is a ranking, not a running order: it is scored on its top songs (as many as were
//! played, net votes above zero) with the order term at 1.

use std::collections::{HashMap, HashSet};

/// The score of `predicted` against `actual` (both in running order, duplicates ignored).
/// `rarity` maps a song to `[0, 1]`; songs it does not know count as staples (0).
pub fn score(predicted: &[String], actual: &[String], rarity: &HashMap<String, f64>) -> f64 {
    score_with_order(predicted, actual, rarity, true)
}

/// The community list's score: its ranking is not a running order.
pub fn score_ranking(ranked: &[String], actual: &[String], rarity: &HashMap<String, f64>) -> f64 {
    let played = dedup(actual).len();
    let top: Vec<String> = dedup(ranked).into_iter().take(played).collect();
    score_with_order(&top, actual, rarity, false)
}

fn dedup(songs: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    songs
        .iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect()
}

fn score_with_order(
    predicted: &[String],
    actual: &[String],
    rarity: &HashMap<String, f64>,
    with_order: bool,
) -> f64 {
    let predicted = dedup(predicted);
    let actual = dedup(actual);
    let weight = |s: &String| 1.0 + rarity.get(s).copied().unwrap_or(0.0).clamp(0.0, 1.0);
    let played: HashSet<&String> = actual.iter().collect();
    let correct: Vec<&String> = predicted.iter().filter(|s| played.contains(s)).collect();
    if correct.is_empty() {
        return 0.0;
    }
    let hit: f64 = correct.iter().map(|s| weight(s)).sum();
    let p = hit / predicted.iter().map(weight).sum::<f64>();
    let r = hit / actual.iter().map(weight).sum::<f64>();
    let f = 2.0 * p * r / (p + r);
    let order = if with_order {
        let right: HashSet<&String> = correct.iter().copied().collect();
        let actual_right: Vec<&String> = actual.iter().filter(|s| right.contains(s)).collect();
        lcs(&correct, &actual_right) as f64 / correct.len() as f64
    } else {
        1.0
    };
    (100.0 * f * (0.8 + 0.2 * order)).clamp(0.0, 100.0)
}

/// Length of the longest common subsequence (O(n·m), lists of a few dozen songs).
fn lcs<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diag = 0;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diag + 1 } else { up.max(row[j]) };
            diag = up;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn songs(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn examples() {
        let none = HashMap::new();
        let actual = songs(&["a", "b", "c", "d"]);
        assert_eq!(score(&actual, &actual, &none), 100.0);
        assert_eq!(score(&[], &actual, &none), 0.0);
        assert_eq!(score(&songs(&["x", "y"]), &actual, &none), 0.0);
        // Right songs, reversed order: loses most of the order bonus only.
        let reversed = score(&songs(&["d", "c", "b", "a"]), &actual, &none);
        assert!((reversed - 85.0).abs() < 1e-9, "{reversed}");
        // Half the songs, in order.
        let half = score(&songs(&["a", "b"]), &actual, &none);
        assert!((half - 100.0 * (2.0 / 3.0)).abs() < 1e-9, "{half}");
        // A rare song guessed right is worth more than a staple.
        let rarity: HashMap<String, f64> = [("d".to_owned(), 1.0)].into();
        assert!(score(&songs(&["d"]), &actual, &rarity) > score(&songs(&["a"]), &actual, &rarity));
        assert_eq!(lcs(&[1, 2, 3, 4], &[1, 3, 2, 4]), 3);
        // Rankings: the top as many songs as were played.
        assert_eq!(
            score_ranking(&songs(&["d", "c", "b", "a", "x"]), &actual, &none),
            100.0
        );
    }

    fn setlist() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-h]", 0..10).prop_map(|v| dedup(&v))
    }

    proptest! {
        #[test]
        fn bounded_and_perfect_is_100(p in setlist(), a in setlist(), r in prop::collection::vec(0.0f64..1.0, 8)) {
            let rarity: HashMap<String, f64> = "abcdefgh".chars().map(String::from).zip(r).collect();
            let s = score(&p, &a, &rarity);
            prop_assert!((0.0..=100.0).contains(&s));
            if !a.is_empty() {
                prop_assert!((score(&a, &a, &rarity) - 100.0).abs() < 1e-9);
            }
            prop_assert!((0.0..=100.0).contains(&score_ranking(&p, &a, &rarity)));
        }

        #[test]
        fn a_longer_correct_prefix_never_scores_less(a in setlist(), k in 0usize..10) {
            let none = HashMap::new();
            let k = k.min(a.len());
            let shorter = score(&a[..k], &a, &none);
            let longer = score(&a[..(k + 1).min(a.len())], &a, &none);
            prop_assert!(longer + 1e-9 >= shorter);
        }

        #[test]
        fn wrong_extra_songs_never_help(p in setlist(), a in setlist()) {
            let none = HashMap::new();
            let mut padded = p.clone();
            padded.push("zz-not-played".to_owned());
            prop_assert!(score(&padded, &a, &none) <= score(&p, &a, &none) + 1e-9);
        }
    }
}
