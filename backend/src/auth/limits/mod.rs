//! Rate limits per client network and per account, and the progressive delay after failed
//! logins, shared by every backend instance.
//!
//! Every budget is a GCRA bucket ([`super::gcra`]). With Redis (`REDIS_URL`) the buckets live
//! there and each check is one atomic Lua script (`limits.lua`), so N instances spend one budget,
//! not N. When Redis does not answer within [`REDIS_TIMEOUT`] the check falls back to this
//! process's own buckets (logged once a minute): limits loosen to per-instance, the service stays
//! up. Without Redis the buckets are in-process only.
//!
//! Keys: a client network is its IPv4 address or its IPv6 /64 (one subscriber's whole prefix,
//! so rotating addresses inside it does not reset a budget); an account key is a hash of the
//! lower-cased address or the user id, so Redis holds no email addresses.
//!
//! Logins are never locked out by someone else: the per-account budget is kept per account *and*
//! network, so a flood from elsewhere spends the flooder's budget, not the owner's; what a flood
//! does to the account everywhere is the failure delay (at most [`Rates::max_failure_delay`]
//! before each check), a back-off rather than a refusal.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

pub use super::gcra::Rate;
use super::gcra::{self, Decision};

mod daily;
pub use daily::Quota;

/// A Redis call slower than this counts as Redis being down.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// How long failed logins are remembered.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);

/// What a request spends budget on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Login,
    Signup,
    /// Magic links, password resets and verification mails: each costs a real email.
    Mail,
    /// Any search (answered from our database and caches).
    Search,
    /// A search that costs a call to Ticketmaster (not in our cache).
    UpstreamSearch,
    /// Votes, songs added, predictions and corrections, by REST or sync push (per mutation).
    Vote,
    /// Artist imports: each queues work against three providers' quotas.
    Import,
    /// Anonymous OAuth starts: each writes a flow row.
    OAuthStart,
    /// Avatar uploads: each decodes and re-encodes an image.
    Avatar,
    /// Comments written (REST or sync push): each is text other people read.
    Comment,
    /// Corrections of actual set-lists (REST or sync push): each stores a whole version that
    /// everyone's history shows.
    Correction,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Signup => "signup",
            Self::Mail => "mail",
            Self::Search => "search",
            Self::UpstreamSearch => "upstream_search",
            Self::Vote => "vote",
            Self::Import => "import",
            Self::OAuthStart => "oauth_start",
            Self::Avatar => "avatar",
            Self::Comment => "comment",
            Self::Correction => "correction",
        }
    }
}

/// Per-network and per-account rates of every bucket.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub login_ip: Rate,
    /// Per account and network (see the module notes).
    pub login_account: Rate,
    pub signup_ip: Rate,
    pub mail_ip: Rate,
    pub mail_account: Rate,
    pub search_ip: Rate,
    pub upstream_search_ip: Rate,
    pub vote_ip: Rate,
    pub vote_account: Rate,
    pub import_ip: Rate,
    pub import_account: Rate,
    pub oauth_start_ip: Rate,
    pub avatar_account: Rate,
    pub comment_ip: Rate,
    pub comment_account: Rate,
    pub correction_account: Rate,
    /// An IPv6 client's /48 (up to 65,536 /64 networks of one site) on uncached upstream
    /// searches, beside its /64: one site cannot multiply its budget by rotating prefixes.
    pub upstream_search_net48: Rate,
    /// Ticketmaster calls people may cause in a UTC day, across instances (the rest of the
    /// service's daily quota is kept for the scheduled jobs).
    pub people_upstream_daily: u32,
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
            upstream_search_ip: Rate::new(20, 3_000),
            vote_ip: Rate::new(200, 20),
            vote_account: Rate::new(60, 100),
            import_ip: Rate::new(60, 10_000),
            import_account: Rate::new(10, 60_000),
            oauth_start_ip: Rate::new(20, 10_000),
            avatar_account: Rate::new(5, 60_000),
            comment_ip: Rate::new(60, 2_000),
            comment_account: Rate::new(5, 20_000),
            // Ten at once (a list fixed line by line), then one every 30 s.
            correction_account: Rate::new(10, 30_000),
            upstream_search_net48: Rate::new(80, 750),
            // Of Ticketmaster's 5,000 calls a day, 2,000 stay with the scheduled jobs.
            people_upstream_daily: 3_000,
            free_failures: 3,
            failure_delay: Duration::from_millis(250),
            max_failure_delay: Duration::from_secs(4),
        }
    }
}

/// A setting the server refuses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("THESET_RATES: {0:?} is not `name=burst/milliseconds` with a known name")]
pub struct BadRate(String);

impl Rates {
    /// These rates with the `name=burst/ms` settings of `list` applied.
    pub fn with(mut self, list: &str) -> Result<Self, BadRate> {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || BadRate(item.to_owned());
            let (name, value) = item.split_once('=').ok_or_else(bad)?;
            let (burst, every) = value.split_once('/').ok_or_else(bad)?;
            let rate = Rate::new(
                burst.trim().parse().map_err(|_| bad())?,
                every.trim().parse().map_err(|_| bad())?,
            );
            let slot = match name.trim() {
                "login_ip" => &mut self.login_ip,
                "login_account" => &mut self.login_account,
                "signup_ip" => &mut self.signup_ip,
                "mail_ip" => &mut self.mail_ip,
                "mail_account" => &mut self.mail_account,
                "search_ip" => &mut self.search_ip,
                "upstream_search_ip" => &mut self.upstream_search_ip,
                "vote_ip" => &mut self.vote_ip,
                "vote_account" => &mut self.vote_account,
                "import_ip" => &mut self.import_ip,
                "import_account" => &mut self.import_account,
                "oauth_start_ip" => &mut self.oauth_start_ip,
                "avatar_account" => &mut self.avatar_account,
                "comment_ip" => &mut self.comment_ip,
                "comment_account" => &mut self.comment_account,
                "correction_account" => &mut self.correction_account,
                "upstream_search_net48" => &mut self.upstream_search_net48,
                _ => return Err(bad()),
            };
            *slot = rate;
        }
        Ok(self)
    }

    /// The bucket's (per-network, per-account) rates.
    fn of(&self, bucket: Bucket) -> (Option<Rate>, Option<Rate>) {
        match bucket {
            Bucket::Login => (Some(self.login_ip), Some(self.login_account)),
            Bucket::Signup => (Some(self.signup_ip), None),
            Bucket::Mail => (Some(self.mail_ip), Some(self.mail_account)),
            Bucket::Search => (Some(self.search_ip), None),
            Bucket::UpstreamSearch => (Some(self.upstream_search_ip), None),
            Bucket::Vote => (Some(self.vote_ip), Some(self.vote_account)),
            Bucket::Import => (Some(self.import_ip), Some(self.import_account)),
            Bucket::OAuthStart => (Some(self.oauth_start_ip), None),
            Bucket::Avatar => (None, Some(self.avatar_account)),
            Bucket::Comment => (Some(self.comment_ip), Some(self.comment_account)),
            Bucket::Correction => (None, Some(self.correction_account)),
        }
    }
}

/// How long to wait before retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

/// The shared level: a Redis connection and this deployment's key prefix.
struct Shared {
    redis: ConnectionManager,
    prefix: String,
    /// Last time (ms since the epoch) a Redis failure was logged.
    logged_at: AtomicI64,
}

pub struct Limits {
    rates: Rates,
    /// In-process buckets: theoretical arrival times by key.
    local: moka::sync::Cache<String, i64>,
    failures: moka::sync::Cache<String, u32>,
    /// In-process day counts (see `daily`), kept past their day.
    daily: moka::sync::Cache<String, i64>,
    shared: Option<Shared>,
}

/// The key of a client network: IPv4 as is, IPv6 by its /64 (IPv4-mapped addresses as IPv4).
pub fn network_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The /48 of an IPv6 client (a site), `None` for IPv4 and IPv4-mapped addresses.
pub fn site_key(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
        }
        _ => None,
    }
}

/// A short, fixed-size key for an account (a lower-cased address or a user id).
fn account_key(account: &str) -> String {
    let digest = Sha256::digest(account.trim().to_lowercase().as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Limits {
    /// In-process limits only.
    pub fn new(rates: Rates) -> Arc<Self> {
        Arc::new(Self::build(rates, None))
    }

    /// Limits whose buckets live in Redis, shared by every instance using `prefix`.
    pub fn shared(rates: Rates, redis: ConnectionManager, prefix: &str) -> Arc<Self> {
        Arc::new(Self::build(
            rates,
            Some(Shared {
                redis,
                prefix: format!("{prefix}limit:"),
                logged_at: AtomicI64::new(0),
            }),
        ))
    }

    fn build(rates: Rates, shared: Option<Shared>) -> Self {
        Self {
            rates,
            // A bucket untouched for an hour is full again under every rate we use; evicting it
            // early only makes the limit looser for a spray of made-up keys, never stricter.
            local: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            failures: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(FAILURE_MEMORY)
                .build(),
            daily: moka::sync::Cache::builder()
                .max_capacity(64)
                .time_to_live(Duration::from_secs(2 * 86_400))
                .build(),
            shared,
        }
    }

    pub fn rates(&self) -> Rates {
        self.rates
    }

    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Spends one request of `bucket` for the client network of `ip` and, where the bucket has
    /// one, the account `account` (a user id or a lower-cased email, known or not: the answer
    /// must not tell which).
    pub async fn check(
        &self,
        bucket: Bucket,
        ip: IpAddr,
        account: Option<&str>,
    ) -> Result<(), RetryAfter> {
        let (ip_rate, account_rate) = self.rates.of(bucket);
        let network = network_key(ip);
        if let Some(rate) = ip_rate {
            self.take(&format!("{}:ip:{network}", bucket.name()), rate, 1)
                .await?;
        }
        if bucket == Bucket::UpstreamSearch
            && let Some(site) = site_key(ip)
        {
            let rate = self.rates.upstream_search_net48;
            self.take(&format!("{}:site:{site}", bucket.name()), rate, 1)
                .await?;
        }
        if let (Some(rate), Some(account)) = (account_rate, account) {
            let key = match bucket {
                Bucket::Login => format!(
                    "{}:acct:{}",
                    bucket.name(),
                    account_key(&format!("{account}|{network}"))
                ),
                _ => format!("{}:acct:{}", bucket.name(), account_key(account)),
            };
            self.take(&key, rate, 1).await?;
        }
        Ok(())
    }

    /// Takes up to `wanted` requests of `bucket`'s per-account budget at once: how many may go
    /// ahead now (at least one), or how long until one may.
    pub async fn take_up_to(
        &self,
        bucket: Bucket,
        account: &str,
        wanted: u32,
    ) -> Result<u32, RetryAfter> {
        let Some(rate) = self.rates.of(bucket).1 else {
            return Ok(wanted);
        };
        let key = format!("{}:acct:{}", bucket.name(), account_key(account));
        self.take(&key, rate, wanted).await
    }

    async fn take(&self, key: &str, rate: Rate, wanted: u32) -> Result<u32, RetryAfter> {
        if wanted == 0 {
            return Ok(0);
        }
        let decision = match self.take_shared(key, rate, wanted).await {
            Some(d) => d,
            None => self.take_local(key, rate, wanted),
        };
        if decision.granted == 0 {
            return Err(RetryAfter(Duration::from_millis(decision.retry_ms)));
        }
        Ok(decision.granted)
    }

    fn take_local(&self, key: &str, rate: Rate, wanted: u32) -> Decision {
        let now = now_ms();
        let mut decision = None;
        self.local.entry(key.to_owned()).and_compute_with(|entry| {
            let d = gcra::take(rate, entry.map(|e| e.into_value()), now, wanted);
            decision = Some(d);
            moka::ops::compute::Op::Put(d.tat)
        });
        decision.unwrap_or_else(|| gcra::take(rate, None, now, wanted))
    }

    async fn take_shared(&self, key: &str, rate: Rate, wanted: u32) -> Option<Decision> {
        let shared = self.shared.as_ref()?;
        let mut redis = shared.redis.clone();
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(include_str!("limits.lua"))
            .arg(1)
            .arg(format!("{}{key}", shared.prefix))
            .arg(rate.burst)
            .arg(rate.interval())
            .arg(wanted);
        let call = cmd.query_async::<(i64, i64)>(&mut redis);
        match tokio::time::timeout(REDIS_TIMEOUT, call).await {
            Ok(Ok((granted, retry))) => Some(Decision {
                granted: u32::try_from(granted.max(0)).unwrap_or(0),
                tat: 0,
                retry_ms: u64::try_from(retry.max(0)).unwrap_or(0),
            }),
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

    fn redis_down(&self, shared: &Shared, why: &str) {
        let now = now_ms();
        let last = shared.logged_at.load(Ordering::Relaxed);
        if now - last > 60_000
            && shared
                .logged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                reason = why,
                "Redis unavailable for rate limits; this instance limits on its own"
            );
        }
    }

    async fn failures_of(&self, account: &str) -> u32 {
        let key = account_key(account);
        if let Some(shared) = &self.shared {
            let mut redis = shared.redis.clone();
            let mut cmd = redis::cmd("GET");
            cmd.arg(format!("{}fail:{key}", shared.prefix));
            let call = cmd.query_async::<Option<u32>>(&mut redis);
            match tokio::time::timeout(REDIS_TIMEOUT, call).await {
                Ok(Ok(n)) => return n.unwrap_or(0),
                Ok(Err(e)) => self.redis_down(shared, &e.to_string()),
                Err(_) => self.redis_down(shared, "timed out"),
            }
        }
        self.failures.get(&key).unwrap_or(0)
    }

    /// The pause before checking a password for `account`: nothing for the first few failures,
    /// then doubling up to a cap. Applied to unknown addresses alike.
    pub async fn failure_delay(&self, account: &str) -> Duration {
        let failures = self.failures_of(account).await;
        if failures < self.rates.free_failures {
            return Duration::ZERO;
        }
        let factor = 1u32 << (failures - self.rates.free_failures).min(16);
        self.rates
            .failure_delay
            .saturating_mul(factor)
            .min(self.rates.max_failure_delay)
    }

    pub async fn login_failed(&self, account: &str) {
        let key = account_key(account);
        if let Some(shared) = &self.shared {
            let mut redis = shared.redis.clone();
            let full = format!("{}fail:{key}", shared.prefix);
            let mut pipe = redis::pipe();
            pipe.incr(&full, 1)
                .ignore()
                .pexpire(
                    &full,
                    i64::try_from(FAILURE_MEMORY.as_millis()).unwrap_or(i64::MAX),
                )
                .ignore();
            match tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<()>(&mut redis)).await {
                Ok(Ok(())) => return,
                Ok(Err(e)) => self.redis_down(shared, &e.to_string()),
                Err(_) => self.redis_down(shared, "timed out"),
            }
        }
        let n = self.failures.get(&key).unwrap_or(0);
        self.failures.insert(key, n.saturating_add(1));
    }

    pub async fn login_succeeded(&self, account: &str) {
        let key = account_key(account);
        if let Some(shared) = &self.shared {
            let mut redis = shared.redis.clone();
            let mut cmd = redis::cmd("DEL");
            cmd.arg(format!("{}fail:{key}", shared.prefix));
            let call = cmd.query_async::<()>(&mut redis);
            if let Ok(Err(e)) = tokio::time::timeout(REDIS_TIMEOUT, call).await {
                self.redis_down(shared, &e.to_string());
            }
        }
        self.failures.invalidate(&key);
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

    #[tokio::test]
    async fn an_ipv6_site_cannot_multiply_its_upstream_budget_by_rotating_prefixes() {
        let limits = Limits::new(Rates {
            upstream_search_ip: Rate::new(2, 600_000),
            upstream_search_net48: Rate::new(3, 600_000),
            ..Rates::default()
        });
        let in_site = |n: u16| -> IpAddr {
            std::net::Ipv6Addr::new(0x2001, 0xdb8, 0x42, n, 0, 0, 0, 1).into()
        };
        // Three /64s of one /48: the site's budget ends before each /64's does.
        assert!(
            limits
                .check(Bucket::UpstreamSearch, in_site(1), None)
                .await
                .is_ok()
        );
        assert!(
            limits
                .check(Bucket::UpstreamSearch, in_site(2), None)
                .await
                .is_ok()
        );
        assert!(
            limits
                .check(Bucket::UpstreamSearch, in_site(3), None)
                .await
                .is_ok()
        );
        assert!(
            limits
                .check(Bucket::UpstreamSearch, in_site(4), None)
                .await
                .is_err()
        );
        // Another site is untouched; IPv4 has no site.
        let other: IpAddr = std::net::Ipv6Addr::new(0x2001, 0xdb8, 0x43, 1, 0, 0, 0, 1).into();
        assert!(
            limits
                .check(Bucket::UpstreamSearch, other, None)
                .await
                .is_ok()
        );
        assert_eq!(site_key("192.0.2.1".parse().expect("ip")), None);
        assert_eq!(site_key(in_site(9)).as_deref(), Some("2001:db8:42::/48"));
    }
    #[tokio::test]
    async fn network_and_account_budgets_are_separate() {
        let limits = Limits::new(tight());
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!(limits.check(Bucket::Login, a, Some("x@y.z")).await.is_ok());
        assert!(limits.check(Bucket::Login, a, Some("X@Y.Z")).await.is_ok());
        // The account is spent (case-insensitively) from this network…
        let retry = limits
            .check(Bucket::Login, a, Some("x@y.z"))
            .await
            .expect_err("limited");
        assert!(retry.0 > Duration::from_secs(1));
        // …but not from another: a flood elsewhere never locks the owner out.
        assert!(limits.check(Bucket::Login, b, Some("x@y.z")).await.is_ok());
        assert!(
            limits
                .check(Bucket::Login, a, Some("third@y.z"))
                .await
                .is_err(),
            "network a spent"
        );
        assert!(
            limits.check(Bucket::Search, a, None).await.is_ok(),
            "other bucket"
        );
    }

    #[tokio::test]
    async fn ipv6_is_limited_by_its_64() {
        let limits = Limits::new(Rates {
            search_ip: Rate::new(2, 60_000),
            ..Rates::default()
        });
        for ip in ["2001:db8:1:2::1", "2001:db8:1:2::ffff"] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert!(limits.check(Bucket::Search, ip, None).await.is_ok());
        }
        let rotated: IpAddr = "2001:db8:1:2:dead:beef:0:1".parse().expect("ip");
        assert!(limits.check(Bucket::Search, rotated, None).await.is_err());
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert!(limits.check(Bucket::Search, other, None).await.is_ok());
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().expect("ip");
        assert_eq!(network_key(mapped), "10.1.2.3");
    }

    #[test]
    fn rates_are_set_by_name() {
        let r = Rates::default()
            .with("search_ip=5/60000, vote_account = 100/10")
            .expect("parse");
        assert_eq!(r.search_ip, Rate::new(5, 60_000));
        assert_eq!(r.vote_account, Rate::new(100, 10));
        assert_eq!(r.login_ip, Rates::default().login_ip);
        for bad in ["search_ip=5", "nope=1/1", "search_ip=x/1", "search_ip"] {
            assert!(Rates::default().with(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn take_up_to_grants_what_is_left() {
        let limits = Limits::new(Rates {
            vote_account: Rate::new(5, 60_000),
            ..Rates::default()
        });
        assert_eq!(limits.take_up_to(Bucket::Vote, "u", 3).await, Ok(3));
        assert_eq!(limits.take_up_to(Bucket::Vote, "u", 3).await, Ok(2));
        assert!(limits.take_up_to(Bucket::Vote, "u", 3).await.is_err());
    }

    #[tokio::test]
    async fn delay_grows_after_free_failures_and_resets_on_success() {
        let limits = Limits::new(Rates::default());
        for _ in 0..3 {
            assert_eq!(limits.failure_delay("fan@x.y").await, Duration::ZERO);
            limits.login_failed("fan@x.y").await;
        }
        assert_eq!(
            limits.failure_delay("FAN@x.y").await,
            Duration::from_millis(250)
        );
        limits.login_failed("fan@x.y").await;
        assert_eq!(
            limits.failure_delay("fan@x.y").await,
            Duration::from_millis(500)
        );
        for _ in 0..20 {
            limits.login_failed("fan@x.y").await;
        }
        assert_eq!(
            limits.failure_delay("fan@x.y").await,
            Duration::from_secs(4)
        );
        limits.login_succeeded("fan@x.y").await;
        assert_eq!(limits.failure_delay("fan@x.y").await, Duration::ZERO);
    }
}
