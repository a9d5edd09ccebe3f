//! The generic cell rate algorithm (GCRA) as one pure function, so the in-process limiter and
//! the Redis script (`limits.lua`, the same arithmetic in Lua) cannot disagree. A bucket's whole
//! state is one number, its theoretical arrival time (TAT): the instant at which it would be
//! full again. Written here rather than taken from `governor` because the shared level needs the
//! algorithm inside Redis (one atomic script per check, no read-modify-write race between
//! instances), and a request may take *up to* `n` cells (a sync push spends one per mutation).

/// `burst` cells at once, then one every `every` (kept to whole milliseconds, at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub every: std::time::Duration,
}

impl Rate {
    pub const fn new(burst: u32, every_ms: u64) -> Self {
        Self {
            burst,
            every: std::time::Duration::from_millis(every_ms),
        }
    }

    /// The interval in milliseconds, as the Redis script receives it.
    pub fn interval(self) -> i64 {
        i64::try_from(self.every.as_millis().max(1)).unwrap_or(i64::MAX)
    }

    fn capacity(self) -> i64 {
        i64::from(self.burst.max(1)).saturating_mul(self.interval())
    }

    /// How long an untouched bucket keeps meaning something: after that it is full again and
    /// can be forgotten (Redis key expiry, in-process eviction).
    pub fn memory_ms(self) -> u64 {
        u64::try_from(self.capacity()).unwrap_or(u64::MAX)
    }
}

/// What a take decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Cells granted, `0..=wanted`.
    pub granted: u32,
    /// The bucket's new TAT (unchanged when nothing was granted).
    pub tat: i64,
    /// When nothing was granted: milliseconds until one cell is available.
    pub retry_ms: u64,
}

/// Takes up to `wanted` cells at `now` (milliseconds) from a bucket whose TAT is `tat` (`None`:
/// never used, i.e. full).
pub fn take(rate: Rate, tat: Option<i64>, now: i64, wanted: u32) -> Decision {
    let t = rate.interval();
    let tat = tat.unwrap_or(now).max(now);
    // Cells that fit before the bucket would be over capacity.
    let room = (now.saturating_add(rate.capacity()).saturating_sub(tat)) / t;
    let granted = u32::try_from(room.clamp(0, i64::from(wanted))).unwrap_or(0);
    if granted == 0 {
        let retry = tat
            .saturating_add(t)
            .saturating_sub(now.saturating_add(rate.capacity()));
        return Decision {
            granted,
            tat,
            retry_ms: u64::try_from(retry.max(1)).unwrap_or(1),
        };
    }
    Decision {
        granted,
        tat: tat.saturating_add(i64::from(granted).saturating_mul(t)),
        retry_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn burst_then_one_per_interval() {
        let rate = Rate::new(3, 1000);
        let mut tat = None;
        for _ in 0..3 {
            let d = take(rate, tat, 0, 1);
            assert_eq!(d.granted, 1);
            tat = Some(d.tat);
        }
        let d = take(rate, tat, 0, 1);
        assert_eq!((d.granted, d.retry_ms), (0, 1000));
        let d = take(rate, tat, 1000, 1);
        assert_eq!(d.granted, 1);
    }

    #[test]
    fn takes_up_to_what_is_left() {
        let rate = Rate::new(10, 100);
        let d = take(rate, None, 0, 25);
        assert_eq!(d.granted, 10);
        let d2 = take(rate, Some(d.tat), 350, 25);
        assert_eq!(d2.granted, 3);
    }

    proptest! {
        /// Over any sequence of takes, no more than `burst + elapsed / interval` cells are
        /// granted: the budget means what it says.
        #[test]
        fn never_more_than_burst_plus_refill(
            burst in 1u32..50,
            every in 1u64..1000,
            steps in proptest::collection::vec((0i64..2000, 1u32..20), 1..60),
        ) {
            let rate = Rate::new(burst, every);
            let mut tat = None;
            let mut now = 0i64;
            let mut granted = 0u64;
            for (advance, wanted) in steps {
                now += advance;
                let d = take(rate, tat, now, wanted);
                prop_assert!(d.granted <= wanted);
                if d.granted == 0 {
                    prop_assert!(d.retry_ms >= 1);
                }
                granted += u64::from(d.granted);
                tat = Some(d.tat);
                let bound = u64::from(burst) + u64::try_from(now).unwrap_or(0) / every;
                prop_assert!(granted <= bound, "granted {granted} > {bound}");
            }
        }

        /// Waiting the announced time always frees a cell.
        #[test]
        fn retry_after_is_honest(burst in 1u32..20, every in 1u64..5000, spent in 1u32..100) {
            let rate = Rate::new(burst, every);
            let d = take(rate, None, 0, spent);
            let d2 = take(rate, Some(d.tat), 0, 1);
            if d2.granted == 0 {
                let retry = i64::try_from(d2.retry_ms).unwrap_or(i64::MAX);
                prop_assert_eq!(take(rate, Some(d2.tat), retry, 1).granted, 1);
                prop_assert_eq!(take(rate, Some(d2.tat), retry - 1, 1).granted, 0);
            }
        }
    }
}
