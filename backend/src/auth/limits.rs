//! Rate limits per client IP and per account (GCRA from `governor`), and the progressive delay
//! after failed logins. Limits live in each process: behind N processes an attacker gets N times
//! the budget, which still bounds guessing to a few thousand tries a day per account.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// What a request spends budget on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Login,
    Signup,
    /// Magic links, password resets and verification mails: each costs a real email.
    Mail,
    Search,
    Vote,
}

/// `burst` requests at once, then one every `every`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    const fn new(burst: u32, every_ms: u64) -> Self {
        Self {
            burst,
            every: Duration::from_millis(every_ms),
        }
    }

    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// Per-IP and per-account rates of every bucket.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub login_ip: Rate,
    pub login_account: Rate,
    pub signup_ip: Rate,
    pub mail_ip: Rate,
    pub mail_account: Rate,
    pub search_ip: Rate,
    pub vote_ip: Rate,
    pub vote_account: Rate,
    /// Failed logins for one account after which each further attempt is slowed down.
    pub free_failures: u32,
    pub failure_delay: Duration,
    pub max_failure_delay: Duration,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            login_ip: Rate::new(30, 2_000),
            login_account: Rate::new(10, 30_000),
            signup_ip: Rate::new(10, 60_000),
            mail_ip: Rate::new(10, 60_000),
            mail_account: Rate::new(3, 300_000),
            search_ip: Rate::new(60, 250),
            vote_ip: Rate::new(200, 20),
            vote_account: Rate::new(60, 100),
            free_failures: 3,
            failure_delay: Duration::from_millis(250),
            max_failure_delay: Duration::from_secs(4),
        }
    }
}

/// How long to wait before retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

type Keyed<K> = DefaultKeyedRateLimiter<K>;

pub struct Limits {
    rates: Rates,
    /// Checks since the last sweep of idle keys (see [`Limits::check`]).
    checks: std::sync::atomic::AtomicU32,
    ip: [Keyed<IpAddr>; 5],
    account: [Keyed<String>; 3],
    failures: moka::sync::Cache<String, u32>,
}

impl Limits {
    pub fn new(rates: Rates) -> Arc<Self> {
        fn keyed<K: std::hash::Hash + Eq + Clone>(r: Rate) -> Keyed<K> {
            RateLimiter::keyed(r.quota())
        }
        Arc::new(Self {
            checks: std::sync::atomic::AtomicU32::new(0),
            ip: [
                keyed(rates.login_ip),
                keyed(rates.signup_ip),
                keyed(rates.mail_ip),
                keyed(rates.search_ip),
                keyed(rates.vote_ip),
            ],
            account: [
                keyed(rates.login_account),
                keyed(rates.mail_account),
                keyed(rates.vote_account),
            ],
            failures: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(15 * 60))
                .build(),
            rates,
        })
    }

    /// Spends one request of `bucket` for `ip` and, where the bucket has one, the account `key`
    /// (a user id or a lower-cased email, known or not: the answer must not tell which).
    pub fn check(
        &self,
        bucket: Bucket,
        ip: IpAddr,
        account: Option<&str>,
    ) -> Result<(), RetryAfter> {
        let (ip_limiter, account_limiter) = match bucket {
            Bucket::Login => (&self.ip[0], Some(&self.account[0])),
            Bucket::Signup => (&self.ip[1], None),
            Bucket::Mail => (&self.ip[2], Some(&self.account[1])),
            Bucket::Search => (&self.ip[3], None),
            Bucket::Vote => (&self.ip[4], Some(&self.account[2])),
        };
        // Every key is kept until swept: without sweeping, a spray of made-up addresses would grow
        // the maps without bound. Sweeping drops keys whose budget is full again.
        if self
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % 10_000
            == 9_999
        {
            self.ip.iter().for_each(|l| l.retain_recent());
            self.account.iter().for_each(|l| l.retain_recent());
        }
        let now = DefaultClock::default().now();
        ip_limiter
            .check_key(&ip)
            .map_err(|n| RetryAfter(n.wait_time_from(now)))?;
        if let (Some(limiter), Some(key)) = (account_limiter, account) {
            limiter
                .check_key(&key.to_lowercase())
                .map_err(|n| RetryAfter(n.wait_time_from(now)))?;
        }
        Ok(())
    }

    /// The pause before checking a password for `account`: nothing for the first few failures,
    /// then doubling up to a cap. Applied to unknown addresses alike.
    pub fn failure_delay(&self, account: &str) -> Duration {
        let failures = self.failures.get(&account.to_lowercase()).unwrap_or(0);
        if failures < self.rates.free_failures {
            return Duration::ZERO;
        }
        let factor = 1u32 << (failures - self.rates.free_failures).min(16);
        self.rates
            .failure_delay
            .saturating_mul(factor)
            .min(self.rates.max_failure_delay)
    }

    pub fn login_failed(&self, account: &str) {
        let key = account.to_lowercase();
        let n = self.failures.get(&key).unwrap_or(0);
        self.failures.insert(key, n.saturating_add(1));
    }

    pub fn login_succeeded(&self, account: &str) {
        self.failures.invalidate(&account.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tight() -> Rates {
        Rates {
            login_ip: Rate::new(3, 60_000),
            login_account: Rate::new(2, 60_000),
            ..Rates::default()
        }
    }

    #[test]
    fn ip_and_account_budgets_are_separate() {
        let limits = Limits::new(tight());
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!(limits.check(Bucket::Login, a, Some("x@y.z")).is_ok());
        assert!(limits.check(Bucket::Login, a, Some("X@Y.Z")).is_ok());
        // The account is spent (case-insensitively), whatever the IP.
        let retry = limits
            .check(Bucket::Login, b, Some("x@y.z"))
            .expect_err("limited");
        assert!(retry.0 > Duration::from_secs(1));
        assert!(
            limits.check(Bucket::Login, a, Some("other@y.z")).is_ok(),
            "third for IP a"
        );
        assert!(
            limits.check(Bucket::Login, a, Some("third@y.z")).is_err(),
            "IP a spent"
        );
        assert!(
            limits.check(Bucket::Search, a, None).is_ok(),
            "other bucket"
        );
    }

    #[test]
    fn delay_grows_after_free_failures_and_resets_on_success() {
        let limits = Limits::new(Rates::default());
        for _ in 0..3 {
            assert_eq!(limits.failure_delay("fan@x.y"), Duration::ZERO);
            limits.login_failed("fan@x.y");
        }
        assert_eq!(limits.failure_delay("FAN@x.y"), Duration::from_millis(250));
        limits.login_failed("fan@x.y");
        assert_eq!(limits.failure_delay("fan@x.y"), Duration::from_millis(500));
        for _ in 0..20 {
            limits.login_failed("fan@x.y");
        }
        assert_eq!(limits.failure_delay("fan@x.y"), Duration::from_secs(4));
        limits.login_succeeded("fan@x.y");
        assert_eq!(limits.failure_delay("fan@x.y"), Duration::ZERO);
    }
}
