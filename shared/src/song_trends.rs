//! Which of an artist's songs are trending, from what fans do and what is played — not from
//! Spotify's popularity, which says what is streamed, not what a crowd wants to hear tonight.
//!
//! ```text
//! score = VOTE_WEIGHT       · Σ_upvotes − downvotes on community lines   2^(−age/14 d)
//!       + PREDICTION_WEIGHT · Σ_predictions that include the song        2^(−age/14 d)
//!       + PLAYED_WEIGHT     · share of the artist's last PLAYED_LISTS actual set-lists with it
//! ```
//! Only the last [`WINDOW_DAYS`] of votes and predictions count, each halving in weight every
//! [`HALF_LIFE_DAYS`]; a prediction weighs more than a vote (it is a considered pick among a
//! handful), and a song on every recent set-list adds [`PLAYED_WEIGHT`], so a staple the crowd is
//! quiet about still trends above a song nobody plays or asks for. Net votes below zero pull a
//! song down but never below what its plays give it. The decayed sums are computed in SQL with
//! these constants and passed in.

/// Days after which a vote or prediction counts half.
pub const HALF_LIFE_DAYS: f64 = 14.0;
/// Older votes and predictions do not count at all.
pub const WINDOW_DAYS: i32 = 42;
/// How many of the artist's newest actual set-lists the played share is taken over.
pub const PLAYED_LISTS: i64 = 10;
pub const VOTE_WEIGHT: f64 = 1.0;
pub const PREDICTION_WEIGHT: f64 = 2.0;
pub const PLAYED_WEIGHT: f64 = 5.0;

/// One song's signals: votes and predictions already decayed (Σ 2^(−age/half-life)).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SongSignals {
    pub decayed_net_votes: f64,
    pub decayed_predictions: f64,
    /// Lists with the song among the last [`PLAYED_LISTS`], and how many lists there were.
    pub played_in: u32,
    pub lists: u32,
}

/// The weight of one vote or prediction `age_days` old.
pub fn decay(age_days: f64) -> f64 {
    if !(0.0..=f64::from(WINDOW_DAYS)).contains(&age_days.max(0.0)) {
        return 0.0;
    }
    (-age_days.max(0.0) / HALF_LIFE_DAYS).exp2()
}

/// Share of recent set-lists with the song, 0–1 (0 when there are none).
pub fn played_share(s: &SongSignals) -> f64 {
    if s.lists == 0 {
        return 0.0;
    }
    (f64::from(s.played_in.min(s.lists)) / f64::from(s.lists)).clamp(0.0, 1.0)
}

pub fn score(s: &SongSignals) -> f64 {
    let played = PLAYED_WEIGHT * played_share(s);
    let fans =
        VOTE_WEIGHT * s.decayed_net_votes + PREDICTION_WEIGHT * s.decayed_predictions.max(0.0);
    (played + fans).max(played)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_played_staple_outranks_a_song_nobody_plays_or_asks_for() {
        let staple = SongSignals {
            played_in: 9,
            lists: 10,
            ..Default::default()
        };
        let deep_cut = SongSignals::default();
        assert!(score(&staple) > score(&deep_cut));
        // A burst of fan interest lifts a song above the staple.
        let wanted = SongSignals {
            decayed_net_votes: 3.0,
            decayed_predictions: 2.0,
            ..Default::default()
        };
        assert!(score(&wanted) > score(&staple));
        assert_eq!(score(&deep_cut), 0.0);
    }

    #[test]
    fn interest_halves_every_two_weeks_and_ends_after_six() {
        assert!((decay(0.0) - 1.0).abs() < 1e-12);
        assert!((decay(14.0) - 0.5).abs() < 1e-12);
        assert!((decay(28.0) - 0.25).abs() < 1e-12);
        assert_eq!(decay(43.0), 0.0);
    }

    fn signals() -> impl Strategy<Value = SongSignals> {
        (-20.0f64..50.0, 0.0f64..50.0, 0u32..12, 0u32..12).prop_map(|(v, p, played, lists)| {
            SongSignals {
                decayed_net_votes: v,
                decayed_predictions: p,
                played_in: played,
                lists,
            }
        })
    }

    proptest! {
        /// More votes, predictions or plays never lower a song.
        #[test]
        fn more_of_anything_never_lowers_a_score(s in signals(), extra in 0.0f64..10.0, plays in 0u32..3) {
            let base = score(&s);
            let voted = SongSignals { decayed_net_votes: s.decayed_net_votes + extra, ..s };
            let predicted = SongSignals { decayed_predictions: s.decayed_predictions + extra, ..s };
            let played = SongSignals {
                played_in: (s.played_in + plays).min(s.lists).max(s.played_in.min(s.lists)),
                ..s
            };
            prop_assert!(score(&voted) >= base);
            prop_assert!(score(&predicted) >= base);
            prop_assert!(score(&played) >= base);
        }

        /// Downvotes never push a song below what its plays give it, and scores are finite.
        #[test]
        fn scores_are_bounded_below_by_plays(s in signals()) {
            let sc = score(&s);
            prop_assert!(sc.is_finite());
            prop_assert!(sc >= PLAYED_WEIGHT * played_share(&s) - 1e-12);
        }

        /// Older interest weighs less.
        #[test]
        fn older_weighs_less(a in 0.0f64..42.0, b in 0.0f64..42.0) {
            if a < b {
                prop_assert!(decay(a) >= decay(b));
            }
        }
    }
}
