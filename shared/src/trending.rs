//! Trending scores of artists and shows: recent community activity, decayed by age, plus the pull
//! of shows coming soon. One module so the cron job, tests and docs agree.
//!
//! ```text
//! artist = Σ_votes on its lists  1.0 · 2^(−age/7d)
//!        + Σ_follows             3.0 · 2^(−age/7d)
//!        + 0.5 · ln(1 + Σ_page_views_by_day 2^(−age/7d))
//!        + Σ_upcoming_shows      5.0 · e^(−days_until/14)      (shows in the next 90 days)
//!
//! show   = Σ_votes on its lists  1.0 · 2^(−age/7d)
//!        + Σ_artist_follows      1.0 · 2^(−age/7d)
//!        + 0.5 · ln(1 + Σ_page_views_by_day 2^(−age/7d))
//!        + 5.0 · e^(−days_until/14)                             (0 past the 90-day horizon)
//! ```
//! Activity halves in weight every 7 days, so a burst last month counts a quarter of the same burst
//! this week; a follow outweighs a vote for an artist (it is rarer and lasting) but a show shares
//! its artist's follows with the artist's other shows, so there it weighs like a vote; page views
//! count logarithmically (they are cheap to inflate, and each process counts a viewer once per
//! flush window); a show next week adds almost its full 5 points, one in three months almost
//! nothing. Only upcoming (or ongoing) shows trend. The decayed sums are computed in SQL with
//! [`HALF_LIFE_DAYS`] and passed in.

/// Days after which a vote or follow counts half.
pub const HALF_LIFE_DAYS: f64 = 7.0;
/// Upcoming shows further out than this add nothing.
pub const SHOW_HORIZON_DAYS: f64 = 90.0;

pub const VOTE_WEIGHT: f64 = 1.0;
pub const FOLLOW_WEIGHT: f64 = 3.0;
pub const VIEW_WEIGHT: f64 = 0.5;
pub const SHOW_WEIGHT: f64 = 5.0;
/// A follow of the artist, as it counts for each of the artist's shows.
pub const SHOW_FOLLOW_WEIGHT: f64 = 1.0;
const SHOW_DECAY_DAYS: f64 = 14.0;

/// An artist's activity, with votes and follows already decayed (Σ 2^(−age/half-life)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub decayed_votes: f64,
    pub decayed_follows: f64,
    /// Page views, each day's count decayed by its age.
    pub decayed_views: f64,
    /// Days until each upcoming show (0 = today).
    pub upcoming_show_days: Vec<f64>,
}

/// A show's activity, decayed like [`Signals`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShowSignals {
    /// Votes on the show's community list.
    pub decayed_votes: f64,
    /// Follows of the show's headliner.
    pub decayed_artist_follows: f64,
    pub decayed_views: f64,
    /// Days until the show (0 = today).
    pub days_until: f64,
}

/// The weight of one event `age_days` old.
pub fn decay(age_days: f64) -> f64 {
    0.5f64.powf(age_days.max(0.0) / HALF_LIFE_DAYS)
}

/// The pull of one show `days` away: 0 outside today … the horizon.
fn proximity(days: f64) -> f64 {
    if (0.0..=SHOW_HORIZON_DAYS).contains(&days) {
        SHOW_WEIGHT * (-days / SHOW_DECAY_DAYS).exp()
    } else {
        0.0
    }
}

fn views(decayed: f64) -> f64 {
    VIEW_WEIGHT * decayed.max(0.0).ln_1p()
}

/// An artist's trending score.
pub fn score(s: &Signals) -> f64 {
    let shows: f64 = s.upcoming_show_days.iter().map(|d| proximity(*d)).sum();
    VOTE_WEIGHT * s.decayed_votes.max(0.0)
        + FOLLOW_WEIGHT * s.decayed_follows.max(0.0)
        + views(s.decayed_views)
        + shows
}

/// An upcoming show's trending score.
pub fn show_score(s: &ShowSignals) -> f64 {
    VOTE_WEIGHT * s.decayed_votes.max(0.0)
        + SHOW_FOLLOW_WEIGHT * s.decayed_artist_follows.max(0.0)
        + views(s.decayed_views)
        + proximity(s.days_until)
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
        let past = show_score(&ShowSignals {
            days_until: -1.0,
            ..Default::default()
        });
        assert_eq!(past, 0.0, "a show that has happened gets no proximity pull");
    }

    proptest! {
        #[test]
        fn more_activity_never_lowers_the_score(v in 0.0f64..1e4, f in 0.0f64..1e4, views in 0.0f64..1e6,
                                                 dv in 0.0f64..100.0, df in 0.0f64..100.0, dviews in 0.0f64..1e3,
                                                 days in 0.0f64..120.0) {
            let base = Signals { decayed_votes: v, decayed_follows: f, decayed_views: views, upcoming_show_days: vec![] };
            let more = Signals { decayed_votes: v + dv, decayed_follows: f + df, decayed_views: views + dviews, upcoming_show_days: vec![] };
            prop_assert!(score(&more) >= score(&base));
            let show = ShowSignals { decayed_votes: v, decayed_artist_follows: f, decayed_views: views, days_until: days };
            let busier = ShowSignals { decayed_votes: v + dv, decayed_artist_follows: f + df, decayed_views: views + dviews, days_until: days };
            prop_assert!(show_score(&busier) >= show_score(&show));
        }

        #[test]
        fn views_never_outweigh_votes_in_bulk(n in 10.0f64..1e6) {
            // n decayed views must count for less than n decayed votes: views are cheap to inflate.
            let viewed = ShowSignals { decayed_views: n, ..Default::default() };
            let voted = ShowSignals { decayed_votes: n, ..Default::default() };
            prop_assert!(show_score(&viewed) < show_score(&voted));
        }

        #[test]
        fn a_sooner_show_trends_higher_all_else_equal(a in 0.0f64..90.0, b in 0.0f64..90.0, v in 0.0f64..100.0) {
            let (near, far) = if a <= b { (a, b) } else { (b, a) };
            let s = |d: f64| show_score(&ShowSignals { decayed_votes: v, days_until: d, ..Default::default() });
            prop_assert!(s(near) >= s(far));
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
