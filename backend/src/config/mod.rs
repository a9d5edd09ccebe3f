//! Every setting of the backend, in one place: flags with environment variables (clap), parsed
//! once in `main` and handed down. Nothing else in the backend reads the environment; each part
//! takes its own group (`accounts`, `providers`, `cache`, `schedule`) and defaults exist for
//! tests and tools ([`Config::default`]). The README's configuration table is checked against
//! these variables by a test.
//!
//! Values that are secrets (keys, client secrets, URLs that may carry passwords) are never echoed:
//! clap hides them in `--help`, and they are checked after parsing with errors that do not
//! repeat them.

use std::str::FromStr;
use std::time::Duration;

use clap::{Args, ValueEnum};
use url::Url;

mod build;

pub use build::ConfigError;

use crate::auth::limits::{BadRate, Rates};
use crate::auth::proxies::{BadProxy, ForwardedHeader, TrustedProxies};

/// All settings shared by the subcommands (each subcommand adds its own, like `--listen`).
#[derive(Debug, Clone, Default, Args)]
pub struct Config {
    /// Postgres connection string.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// The built web app to serve at `/app/` (`cargo xtask build-ui` writes `app/dist`).
    #[arg(long, env = "THESET_WEB_DIR", global = true)]
    pub web_dir: Option<std::path::PathBuf>,
    /// Log lines as text, or as one JSON object a line (with the request span).
    #[arg(
        long,
        env = "THESET_LOG_FORMAT",
        global = true,
        value_enum,
        ignore_case = true,
        default_value_t
    )]
    pub log_format: LogFormat,
    /// Seconds a stopping server (SIGTERM) gives requests in flight and a running job before it
    /// exits anyway; the job goes back to the queue.
    #[arg(
        long,
        env = "THESET_SHUTDOWN_GRACE",
        global = true,
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub shutdown_grace: u64,
    #[command(flatten)]
    pub accounts: AccountsConfig,
    #[command(flatten)]
    pub providers: ProviderSettings,
    #[command(flatten)]
    pub cache: CacheConfig,
    #[command(flatten)]
    pub schedule: ScheduleConfig,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

pub const MAIL_FROM: &str = "TheSet <no-reply@theset.localhost>";

/// Sign-in, sessions, mail, rate limits and the proxies in front.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Accounts")]
pub struct AccountsConfig {
    /// Key (at least 32 characters) deriving refresh successors, CSRF tokens and the sealing
    /// key; the same on every process. Required unless the server is reachable from this machine
    /// only.
    #[arg(
        long,
        env = "THESET_TOKEN_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub token_secret: Option<String>,
    /// Where users reach the server: mailed links and the OAuth callback are built on it.
    #[arg(long, env = "THESET_PUBLIC_URL", global = true, default_value = crate::auth::DEFAULT_PUBLIC_URL)]
    pub public_url: Url,
    /// Browser origins allowed to call the API with credentials (comma separated).
    #[arg(
        long,
        env = "THESET_CORS_ORIGINS",
        global = true,
        value_delimiter = ',',
        value_parser = origin
    )]
    pub cors_origins: Vec<String>,
    /// `name=burst/ms,…` overrides of the rate limits (names as in `auth/limits.rs`).
    #[arg(long, env = "THESET_RATES", global = true, value_parser = rates, default_value = "")]
    pub rates: Rates,
    /// Networks (CIDRs, comma separated) of reverse proxies whose forwarded header is believed.
    #[arg(
        long,
        env = "THESET_TRUSTED_PROXIES",
        global = true,
        value_parser = proxies,
        default_value = ""
    )]
    pub trusted_proxies: TrustedProxies,
    /// The one header those proxies write.
    #[arg(
        long,
        env = "THESET_FORWARDED_HEADER",
        global = true,
        value_enum,
        ignore_case = true,
        default_value_t
    )]
    pub forwarded_header: ForwardedHeader,
    /// The bearer token `/metrics` asks for; unset, it answers loopback scrapes only.
    #[arg(
        long,
        env = "THESET_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Mail server (`smtps://user:pass@host`); unset, mails are logged as not sent.
    #[arg(long, env = "THESET_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of every mail.
    #[arg(long, env = "THESET_MAIL_FROM", global = true, default_value = MAIL_FROM)]
    pub mail_from: String,
    #[arg(long, env = "GOOGLE_CLIENT_ID", global = true)]
    pub google_client_id: Option<String>,
    #[arg(
        long,
        env = "GOOGLE_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub google_client_secret: Option<String>,
    /// A fake Google's base URL (the offline run's replay server); the real one when unset.
    #[arg(long, env = "GOOGLE_OAUTH_BASE_URL", global = true)]
    pub google_oauth_base_url: Option<Url>,
    /// A fake Spotify's authorisation base URL; Spotify sign-in uses the Spotify client below.
    #[arg(long, env = "SPOTIFY_OAUTH_BASE_URL", global = true)]
    pub spotify_oauth_base_url: Option<Url>,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            token_secret: None,
            public_url: crate::auth::default_public_url(),
            cors_origins: Vec::new(),
            rates: Rates::default(),
            trusted_proxies: TrustedProxies::default(),
            forwarded_header: ForwardedHeader::default(),
            metrics_token: None,
            smtp_url: None,
            mail_from: MAIL_FROM.to_owned(),
            google_client_id: None,
            google_client_secret: None,
            google_oauth_base_url: None,
            spotify_oauth_base_url: None,
        }
    }
}

pub const TICKETMASTER_BASE_URL: &str = "https://app.ticketmaster.com/discovery/v2";
pub const SPOTIFY_API_BASE_URL: &str = "https://api.spotify.com/v1";
pub const SPOTIFY_ACCOUNTS_BASE_URL: &str = "https://accounts.spotify.com";
pub const SETLISTFM_BASE_URL: &str = "https://api.setlist.fm/rest/1.0";
pub const WIKIDATA_BASE_URL: &str = "https://www.wikidata.org";
pub const WIKIPEDIA_BASE_URL: &str = "https://en.wikipedia.org";

/// The music services. A missing key turns that service's client off (the offline catalogue
/// serves instead); rates are shared by every task of a process.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Music services")]
pub struct ProviderSettings {
    /// Ticketmaster Discovery key.
    #[arg(
        long,
        env = "TICKETMASTER_API_KEY",
        global = true,
        hide_env_values = true
    )]
    pub ticketmaster_api_key: Option<String>,
    #[arg(long, env = "TICKETMASTER_BASE_URL", global = true, value_parser = base_url, default_value = TICKETMASTER_BASE_URL)]
    pub ticketmaster_base_url: String,
    /// Requests per second.
    #[arg(long, env = "TICKETMASTER_RPS", global = true, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub ticketmaster_rps: u32,
    /// Requests per day.
    #[arg(long, env = "TICKETMASTER_DAILY", global = true, default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub ticketmaster_daily: u32,
    /// The percentage of the daily Ticketmaster quota people may spend (uncached searches,
    /// Spotify library imports), across instances; the rest stays with the scheduled jobs.
    #[arg(long, env = "THESET_PEOPLE_UPSTREAM_SHARE", global = true, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub people_upstream_share: u32,
    /// The Spotify app (client credentials for the catalogue; also Spotify sign-in).
    #[arg(long, env = "SPOTIFY_CLIENT_ID", global = true)]
    pub spotify_client_id: Option<String>,
    #[arg(
        long,
        env = "SPOTIFY_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub spotify_client_secret: Option<String>,
    #[arg(long, env = "SPOTIFY_API_BASE_URL", global = true, value_parser = base_url, default_value = SPOTIFY_API_BASE_URL)]
    pub spotify_api_base_url: String,
    #[arg(long, env = "SPOTIFY_ACCOUNTS_BASE_URL", global = true, value_parser = base_url, default_value = SPOTIFY_ACCOUNTS_BASE_URL)]
    pub spotify_accounts_base_url: String,
    /// Requests per minute (Spotify counts a rolling 30 s window).
    #[arg(long, env = "SPOTIFY_RPM", global = true, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub spotify_rpm: u32,
    #[arg(long, env = "SETLISTFM_API_KEY", global = true, hide_env_values = true)]
    pub setlistfm_api_key: Option<String>,
    #[arg(long, env = "SETLISTFM_BASE_URL", global = true, value_parser = base_url, default_value = SETLISTFM_BASE_URL)]
    pub setlistfm_base_url: String,
    /// Requests per second.
    #[arg(long, env = "SETLISTFM_RPS", global = true, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub setlistfm_rps: u32,
    /// Biographies come from Wikidata and Wikipedia (no key): on with any music service key, or
    /// when these addresses are set (the offline catalogue points them at its replay server).
    #[arg(long, env = "WIKIDATA_BASE_URL", global = true, value_parser = base_url)]
    pub wikidata_base_url: Option<String>,
    #[arg(long, env = "WIKIPEDIA_BASE_URL", global = true, value_parser = base_url)]
    pub wikipedia_base_url: Option<String>,
    /// `on`: the services above are the offline demo catalogue's replay (the run command sets it
    /// without API keys); what they answer is stored, and shown, as demo data.
    #[arg(
        long,
        env = "THESET_DEMO_CATALOGUE",
        global = true,
        value_enum,
        ignore_case = true,
        default_value = "off"
    )]
    pub demo_catalogue: Switch,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            ticketmaster_api_key: None,
            ticketmaster_base_url: TICKETMASTER_BASE_URL.to_owned(),
            ticketmaster_rps: 2,
            ticketmaster_daily: 5_000,
            people_upstream_share: 60,
            spotify_client_id: None,
            spotify_client_secret: None,
            spotify_api_base_url: SPOTIFY_API_BASE_URL.to_owned(),
            spotify_accounts_base_url: SPOTIFY_ACCOUNTS_BASE_URL.to_owned(),
            spotify_rpm: 100,
            setlistfm_api_key: None,
            setlistfm_base_url: SETLISTFM_BASE_URL.to_owned(),
            setlistfm_rps: 2,
            wikidata_base_url: None,
            wikipedia_base_url: None,
            demo_catalogue: Switch::Off,
        }
    }
}

impl ProviderSettings {
    /// Ticketmaster calls people may cause in a day: their share of the daily quota.
    pub fn people_upstream_daily(&self) -> u32 {
        let share =
            u64::from(self.ticketmaster_daily) * u64::from(self.people_upstream_share) / 100;
        u32::try_from(share).unwrap_or(u32::MAX).max(1)
    }
}

/// The shared cache level (and shared limits).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Cache")]
pub struct CacheConfig {
    /// Redis for the shared cache level, rate limits and stream caps; in-process only without.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Prefix of this deployment's Redis keys (default: the database served).
    #[arg(long, env = "THESET_CACHE_NAMESPACE", global = true)]
    pub cache_namespace: Option<String>,
    /// How often each process writes the page views it counted, in seconds.
    #[arg(long, env = "THESET_VIEW_FLUSH_SECS", global = true, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub view_flush_secs: u64,
}

impl CacheConfig {
    pub fn view_flush(&self) -> Duration {
        Duration::from_secs(self.view_flush_secs.max(1))
    }
}

/// On or off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    #[default]
    On,
    Off,
}

pub const CRON_ACTIVE: &str = "0 0 */6 * * *";
pub const CRON_TRENDING: &str = "0 0 2 * * *";
pub const CRON_SCORES: &str = "0 */15 * * * *";
pub const CRON_WEEKLY: &str = "0 0 3 * * Sun";
pub const CRON_STATUSES: &str = "0 * * * * *";

/// The scheduler (sec min hour day month weekday, server time) and its jobs' knobs.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Schedule")]
pub struct ScheduleConfig {
    /// `off` disables the scheduler in this process (another process may run it).
    #[arg(
        long,
        env = "THESET_CRON",
        global = true,
        value_enum,
        ignore_case = true,
        default_value_t
    )]
    pub cron: Switch,
    #[arg(long, env = "THESET_CRON_ACTIVE", global = true, value_parser = schedule, default_value = CRON_ACTIVE)]
    pub cron_active: cron::Schedule,
    #[arg(long, env = "THESET_CRON_TRENDING", global = true, value_parser = schedule, default_value = CRON_TRENDING)]
    pub cron_trending: cron::Schedule,
    #[arg(long, env = "THESET_CRON_SCORES", global = true, value_parser = schedule, default_value = CRON_SCORES)]
    pub cron_scores: cron::Schedule,
    #[arg(long, env = "THESET_CRON_WEEKLY", global = true, value_parser = schedule, default_value = CRON_WEEKLY)]
    pub cron_weekly: cron::Schedule,
    #[arg(long, env = "THESET_CRON_STATUSES", global = true, value_parser = schedule, default_value = CRON_STATUSES)]
    pub cron_statuses: cron::Schedule,
    /// Pause between batches of the weekly sweep, in seconds.
    #[arg(
        long,
        env = "THESET_CRON_BATCH_DELAY_SECS",
        global = true,
        default_value_t = 5
    )]
    pub cron_batch_delay_secs: u64,
    /// Artists deep-refreshed (and pre-cached) after the trending run.
    #[arg(long, env = "THESET_TRENDING_TOP_N", global = true, default_value_t = 10, value_parser = clap::value_parser!(u16))]
    pub trending_top_n: u16,
    /// `on` keeps the offline catalogue's demo show on stage "tonight" (the run command sets it
    /// without API keys; never in production).
    #[arg(
        long,
        env = "THESET_DEMO_TONIGHT",
        global = true,
        value_enum,
        ignore_case = true,
        default_value = "off"
    )]
    pub demo_tonight: Switch,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        let parse = |s| schedule(s).unwrap_or_else(|_| unreachable!("valid default schedules"));
        Self {
            cron: Switch::On,
            cron_active: parse(CRON_ACTIVE),
            cron_trending: parse(CRON_TRENDING),
            cron_scores: parse(CRON_SCORES),
            cron_weekly: parse(CRON_WEEKLY),
            cron_statuses: parse(CRON_STATUSES),
            cron_batch_delay_secs: 5,
            trending_top_n: 10,
            demo_tonight: Switch::Off,
        }
    }
}

impl ScheduleConfig {
    pub fn enabled(&self) -> bool {
        self.cron == Switch::On
    }
}

fn rates(list: &str) -> Result<Rates, BadRate> {
    Rates::default().with(list)
}

fn proxies(list: &str) -> Result<TrustedProxies, BadProxy> {
    TrustedProxies::parse(list)
}

fn schedule(expr: &str) -> Result<cron::Schedule, cron::error::Error> {
    cron::Schedule::from_str(expr)
}

/// A service's base URL: http(s), kept as written without a trailing slash (clients append
/// `/path`).
fn base_url(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be http or https".into());
    }
    Ok(raw.trim().trim_end_matches('/').to_owned())
}

/// A browser origin: `scheme://host[:port]`, nothing after it (empty: none, as when unset).
fn origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let url = Url::parse(raw).map_err(|e| format!("not an origin: {e}"))?;
    if url.origin().ascii_serialization() != raw.trim_end_matches('/') {
        return Err("an origin is scheme://host[:port] and nothing more".into());
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// A setting given but empty counts as not given (a deployment's template often leaves
/// `KEY=` lines for what it does not use).
pub fn set(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Probe::try_parse_from(std::iter::once("probe").chain(args.iter().copied()))
            .map(|p| p.config)
    }

    #[test]
    fn the_flags_default_as_the_code_does() {
        // Run without the test's environment mattering: every flag the defaults cover is given
        // nothing, so what comes back is clap's defaults, compared with `Default`.
        let parsed = parse(&[]).expect("defaults parse");
        let coded = Config::default();
        assert_eq!(parsed.schedule.cron_active, coded.schedule.cron_active);
        assert_eq!(
            parsed.schedule.trending_top_n,
            coded.schedule.trending_top_n
        );
        assert_eq!(
            parsed.providers.ticketmaster_base_url,
            coded.providers.ticketmaster_base_url
        );
        assert_eq!(parsed.accounts.mail_from, coded.accounts.mail_from);
    }

    #[test]
    fn malformed_values_are_refused_with_the_setting_named() {
        for (args, named) in [
            (
                &["--trusted-proxies", "10.0.0.0/33"][..],
                "THESET_TRUSTED_PROXIES",
            ),
            (&["--rates", "search_ip=fast"][..], "THESET_RATES"),
            (&["--cron-weekly", "every sunday"][..], "cron-weekly"),
            (&["--public-url", "not a url"][..], "public-url"),
            (
                &["--cors-origins", "https://a.example/path"][..],
                "cors-origins",
            ),
            (
                &["--ticketmaster-base-url", "ftp://x"][..],
                "ticketmaster-base-url",
            ),
            (&["--ticketmaster-rps", "0"][..], "ticketmaster-rps"),
            (&["--cron", "sometimes"][..], "cron"),
        ] {
            let err = parse(args).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(named), "{args:?}: {err}");
        }
    }

    #[test]
    fn lists_and_switches_parse() {
        let c = parse(&[
            "--cors-origins",
            "https://a.example, http://127.0.0.1:3000",
            "--forwarded-header",
            "Forwarded",
            "--cron",
            "off",
            "--rates",
            "search_ip=3/60000",
        ])
        .expect("valid");
        assert_eq!(
            c.accounts.cors_origins,
            ["https://a.example", "http://127.0.0.1:3000"]
        );
        assert_eq!(c.accounts.forwarded_header, ForwardedHeader::Forwarded);
        assert!(!c.schedule.enabled());
        assert_eq!(
            c.accounts.rates.search_ip,
            Rates::default()
                .with("search_ip=3/60000")
                .expect("rate")
                .search_ip
        );
    }

    #[test]
    fn empty_settings_count_as_unset() {
        assert_eq!(set(&Some("  ".into())), None);
        assert_eq!(set(&Some(" k ".into())), Some("k"));
        assert_eq!(set(&None), None);
    }
}
