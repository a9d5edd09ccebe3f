//! Day quotas shared by every instance: how many calls to a music service people may cause in a
//! (UTC) day, so that what they cause cannot drain the service's own daily quota and starve the
//! scheduled jobs that keep the catalogue current.
//!
//! A count per day rather than a GCRA bucket: a bucket refills all day, so its burst plus its
//! rate could spend more than the day's share. With Redis the count is one `INCR` (and an expiry
//! after the day); without Redis, or when it does not answer, this process counts on its own.

use super::{Limits, REDIS_TIMEOUT};

/// What people may spend in a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Ticketmaster calls caused by people (uncached searches, library imports).
    PeopleUpstream,
}

impl Quota {
    fn name(self) -> &'static str {
        match self {
            Self::PeopleUpstream => "people_upstream",
        }
    }
}

/// The key of `quota` on the UTC date of `now_ms`.
fn day_key(quota: Quota, now_ms: i64) -> String {
    let day = now_ms.div_euclid(86_400_000);
    format!("day:{}:{day}", quota.name())
}

impl Limits {
    /// Spends one call of today's `quota`; `false` when the day's share is spent (the caller
    /// answers from what it holds, and says so).
    pub async fn spend_daily(&self, quota: Quota) -> bool {
        let limit = match quota {
            Quota::PeopleUpstream => self.rates.people_upstream_daily,
        };
        let key = day_key(quota, super::now_ms());
        let count = match self.count_shared(&key).await {
            Some(n) => n,
            None => {
                let mut n = 0;
                self.daily.entry(key).and_compute_with(|entry| {
                    n = entry.map_or(0, |e| e.into_value()) + 1;
                    moka::ops::compute::Op::Put(n)
                });
                n
            }
        };
        count <= i64::from(limit)
    }

    async fn count_shared(&self, key: &str) -> Option<i64> {
        let shared = self.shared.as_ref()?;
        let mut redis = shared.redis.clone();
        let full = format!("{}{key}", shared.prefix);
        let mut pipe = redis::pipe();
        // Kept two days: a clock a little off between instances still finds yesterday's count.
        pipe.incr(&full, 1).expire(&full, 2 * 86_400).ignore();
        match tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<(i64,)>(&mut redis)).await {
            Ok(Ok((n,))) => Some(n),
            Ok(Err(e)) => {
                self.redis_down(shared, &e.to_string());
                None
            }
            Err(_) => {
                self.redis_down(shared, "timed out");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Rates;
    use super::*;

    #[tokio::test]
    async fn the_days_share_runs_out_and_comes_back_the_next_day() {
        let limits = Limits::new(Rates {
            people_upstream_daily: 3,
            ..Rates::default()
        });
        for _ in 0..3 {
            assert!(limits.spend_daily(Quota::PeopleUpstream).await);
        }
        assert!(!limits.spend_daily(Quota::PeopleUpstream).await);
        assert!(!limits.spend_daily(Quota::PeopleUpstream).await);
        // Keys are per UTC day.
        let day = 86_400_000;
        assert_ne!(
            day_key(Quota::PeopleUpstream, 5 * day + 10),
            day_key(Quota::PeopleUpstream, 6 * day + 10)
        );
        assert_eq!(
            day_key(Quota::PeopleUpstream, 5 * day),
            day_key(Quota::PeopleUpstream, 6 * day - 1)
        );
    }
}
