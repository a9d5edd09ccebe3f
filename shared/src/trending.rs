//! The trending score of an artist: recent community activity, decayed by age, plus the pull of
//! shows coming soon. One function so the cron job, tests and docs agree.
//!
//! ```text
//! score = Σ_votes  1.0 · 2^(−age/7d)
//!       + Σ_follows 3.0 · 2^(−age/7d)
//!       + 0.5 · ln(1 + page_views)
//!       + Σ_upcoming_shows 5.0 · e^(−days_until/14)      (shows in the next 90 days)
//! ```
//! Activity halves in weight every 7 days, so a burst last month counts a quarter of the same burst
//! this week; a follow outweighs a vote (it is rarer and lasting); page views count logarithmically
//! (they are cheap to inflate); a show next week adds almost its full 5 points, one in three months
//! almost nothing. The decayed sums are computed in SQL with [`HALF_LIFE_DAYS`] and passed in.

/// Days after which a vote or follow counts half.
pub const HALF_LIFE_DAYS: f64 = 7.0;
/// Upcoming shows further out than this add nothing.
pub const SHOW_HORIZON_DAYS: f64 = 90.0;

pub const VOTE_WEIGHT: f64 = 1.0;
pub const FOLLOW_WEIGHT: f64 = 3.0;
pub const VIEW_WEIGHT: f64 = 0.5;
pub const SHOW_WEIGHT: f64 = 5.0;
const SHOW_DECAY_DAYS: f64 = 14.0;

/// An artist's activity, with votes and follows already decayed (Σ 2^(−age/half-life)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub decayed_votes: f64,
    pub decayed_follows: f64,
    pub page_views: u64,
    /// Days until each upcoming show (0 = today).
    pub upcoming_show_days: Vec<f64>,
}

/// The weight of one event `age_days` old.
pub fn decay(age_days: f64) -> f64 {
    0.5f64.powf(age_days.max(0.0) / HALF_LIFE_DAYS)
}

pub fn score(s: &Signals) -> f64 {
    let shows: f64 = s
        .upcoming_show_days
        .iter()
        .filter(|d| (0.0..=SHOW_HORIZON_DAYS).contains(*d))
        .map(|d| SHOW_WEIGHT * (-d / SHOW_DECAY_DAYS).exp())
        .sum();
    VOTE_WEIGHT * s.decayed_votes.max(0.0)
        + FOLLOW_WEIGHT * s.decayed_follows.max(0.0)
        + VIEW_WEIGHT * (s.page_views as f64).ln_1p()
        + shows
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decay_halves_every_week() {
        assert!((decay(0.0) - 1.0).abs() < 1e-12);
        assert!((decay(7.0) - 0.5).abs() < 1e-12);
        assert!((decay(14.0) - 0.25).abs() < 1e-12);
        assert_eq!(decay(-3.0), 1.0, "future timestamps count as now");
    }

    #[test]
    fn nothing_scores_zero_and_a_follow_outweighs_a_vote() {
        assert_eq!(score(&Signals::default()), 0.0);
        let vote = score(&Signals {
            decayed_votes: 1.0,
            ..Default::default()
        });
        let follow = score(&Signals {
            decayed_follows: 1.0,
            ..Default::default()
        });
        assert!(follow > vote);
        let far = score(&Signals {
            upcoming_show_days: vec![200.0],
            ..Default::default()
        });
        assert_eq!(far, 0.0);
    }

    proptest! {
        #[test]
        fn more_activity_never_lowers_the_score(v in 0.0f64..1e4, f in 0.0f64..1e4, views in 0u64..1_000_000,
                                                 dv in 0.0f64..100.0, df in 0.0f64..100.0, dviews in 0u64..1000) {
            let base = Signals { decayed_votes: v, decayed_follows: f, page_views: views, upcoming_show_days: vec![] };
            let more = Signals { decayed_votes: v + dv, decayed_follows: f + df, page_views: views + dviews, upcoming_show_days: vec![] };
            prop_assert!(score(&more) >= score(&base));
        }

        #[test]
        fn a_sooner_show_pulls_harder(a in 0.0f64..90.0, b in 0.0f64..90.0) {
            let (near, far) = if a <= b { (a, b) } else { (b, a) };
            let s = |d: f64| score(&Signals { upcoming_show_days: vec![d], ..Default::default() });
            prop_assert!(s(near) >= s(far));
        }

        #[test]
        fn older_activity_weighs_less(a in 0.0f64..365.0, b in 0.0f64..365.0) {
            let (young, old) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(decay(young) >= decay(old));
        }
    }
}
