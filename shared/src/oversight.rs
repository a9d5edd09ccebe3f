//! Vote oversight: which accounts' votes on a show look organised. The rules, as the
//! moderators' view explains them:
//!
//! - **Fresh burst**: an account made less than a day before its first vote on the show that
//!   casts at least [`BURST_VOTES`] votes on it within [`BURST_WINDOW_SECS`].
//! - **Lockstep**: at least [`LOCKSTEP_ACCOUNTS`] accounts give the same line the same vote
//!   within [`LOCKSTEP_WINDOW_SECS`] of each other; each of them is listed.
//!
//! Votes of deleted accounts leave with the account (the totals are recounted then), so there is
//! nothing of them left to void. A moderator decides: voiding an account's votes deletes them and
//! the database recounts the totals.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

pub const BURST_VOTES: usize = 3;
pub const BURST_WINDOW_SECS: i64 = 600;
pub const FRESH_ACCOUNT_HOURS: i64 = 24;
pub const LOCKSTEP_ACCOUNTS: usize = 3;
pub const LOCKSTEP_WINDOW_SECS: i64 = 10;

/// One vote as the rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CastVote {
    pub user: Uuid,
    pub account_created: DateTime<Utc>,
    pub line: Uuid,
    pub value: i16,
    pub at: DateTime<Utc>,
}

crate::named! {
    /// Why an account is listed.
    #[derive(PartialOrd, Ord)]
    pub enum Anomaly {
        FreshBurst = "fresh_burst",
        Lockstep = "lockstep",
    }
}

/// The accounts the rules list, each with its reasons (in a stable order).
pub fn suspects(votes: &[CastVote]) -> BTreeMap<Uuid, BTreeSet<Anomaly>> {
    let mut out: BTreeMap<Uuid, BTreeSet<Anomaly>> = BTreeMap::new();
    // Fresh burst.
    let mut by_user: BTreeMap<Uuid, Vec<&CastVote>> = BTreeMap::new();
    for v in votes {
        by_user.entry(v.user).or_default().push(v);
    }
    for (user, mut mine) in by_user {
        mine.sort_by_key(|v| v.at);
        // An account has one creation time; the earliest stated one is taken, so the verdict
        // cannot hang on which of two simultaneous votes is read first.
        let (Some(first), Some(created)) =
            (mine.first(), mine.iter().map(|v| v.account_created).min())
        else {
            continue;
        };
        if first.at - created >= Duration::hours(FRESH_ACCOUNT_HOURS) {
            continue;
        }
        let burst = mine
            .windows(BURST_VOTES)
            .any(|w| w[BURST_VOTES - 1].at - w[0].at <= Duration::seconds(BURST_WINDOW_SECS));
        if burst {
            out.entry(user).or_default().insert(Anomaly::FreshBurst);
        }
    }
    // Lockstep: per line and value, a window of distinct accounts.
    let mut by_line: BTreeMap<(Uuid, i16), Vec<&CastVote>> = BTreeMap::new();
    for v in votes {
        by_line.entry((v.line, v.value)).or_default().push(v);
    }
    for (_, mut cast) in by_line {
        cast.sort_by_key(|v| (v.at, v.user));
        let mut start = 0;
        for end in 0..cast.len() {
            while cast[end].at - cast[start].at > Duration::seconds(LOCKSTEP_WINDOW_SECS) {
                start += 1;
            }
            let accounts: BTreeSet<Uuid> = cast[start..=end].iter().map(|v| v.user).collect();
            if accounts.len() >= LOCKSTEP_ACCOUNTS {
                for a in accounts {
                    out.entry(a).or_default().insert(Anomaly::Lockstep);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).expect("time")
    }

    fn vote(user: u128, created: i64, line: u128, value: i16, at: i64) -> CastVote {
        CastVote {
            user: Uuid::from_u128(user),
            account_created: t(created),
            line: Uuid::from_u128(line),
            value,
            at: t(at),
        }
    }

    #[test]
    fn fresh_accounts_voting_in_a_burst_are_listed() {
        let day = 24 * 3600;
        let votes = [
            // Made an hour before: three votes in two minutes.
            vote(1, -3600, 10, 1, 0),
            vote(1, -3600, 11, 1, 60),
            vote(1, -3600, 12, -1, 120),
            // An old account doing the same: not a fresh burst.
            vote(2, -10 * day, 10, 1, 5000),
            vote(2, -10 * day, 11, 1, 5060),
            vote(2, -10 * day, 12, 1, 5120),
            // A fresh account voting slowly.
            vote(3, -60, 10, 1, 0),
            vote(3, -60, 11, 1, 2000),
            vote(3, -60, 12, 1, 4000),
        ];
        let s = suspects(&votes);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(s[&Uuid::from_u128(1)].contains(&Anomaly::FreshBurst));
    }

    #[test]
    fn an_earlier_vote_is_not_in_step_with_later_ones() {
        let old = -100 * 24 * 3600;
        let votes = [
            vote(9, old, 7, 1, -3600),
            vote(1, -60, 7, 1, 0),
            vote(2, -60, 7, 1, 0),
            vote(3, -60, 7, 1, 1),
        ];
        let s = suspects(&votes);
        assert!(!s.contains_key(&Uuid::from_u128(9)), "{s:?}");
    }

    #[test]
    fn accounts_voting_the_same_line_together_are_listed() {
        let old = -100 * 24 * 3600;
        let votes = [
            vote(1, old, 7, 1, 100),
            vote(2, old, 7, 1, 104),
            vote(3, old, 7, 1, 109),
            // Same line, other value, or much later: not with them.
            vote(4, old, 7, -1, 105),
            vote(5, old, 7, 1, 500),
        ];
        let s = suspects(&votes);
        let listed: Vec<u128> = s.keys().map(|u| u.as_u128()).collect();
        assert_eq!(listed, vec![1, 2, 3]);
        assert!(s.values().all(|r| r.contains(&Anomaly::Lockstep)));
    }

    proptest! {
        /// The verdict does not depend on the order votes are read in, and one account alone
        /// is never in lockstep with itself.
        #[test]
        fn order_does_not_matter(
            raw in proptest::collection::vec((0u128..6, 0i64..200_000, 0u128..4, prop_oneof![Just(1i16), Just(-1i16)], 0i64..3_000), 0..40),
            seed in any::<u64>(),
        ) {
            let votes: Vec<CastVote> = raw.iter().map(|(u, c, l, v, a)| vote(*u, -c, *l, *v, *a)).collect();
            let mut shuffled = votes.clone();
            let n = shuffled.len();
            if n > 1 {
                for i in 0..n {
                    let j = (seed as usize).wrapping_mul(31).wrapping_add(i * 17) % n;
                    shuffled.swap(i, j);
                }
            }
            prop_assert_eq!(suspects(&votes), suspects(&shuffled));
            let alone: Vec<CastVote> = votes.iter().map(|v| CastVote { user: Uuid::from_u128(99), ..*v }).collect();
            prop_assert!(suspects(&alone).values().all(|r| !r.contains(&Anomaly::Lockstep)));
        }
    }
}
