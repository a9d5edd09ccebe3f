//! TheSet's backend: an axum server over Postgres (+PostGIS).
//!
//! The process is stateless; everything it knows lives in Postgres, so several instances can
//! serve one database. Modules: `http` (routes, thin handlers), `db` (all SQL), `providers`
//! (typed models of Ticketmaster, Spotify and setlist.fm answers), `seed` (the offline catalogue).

pub mod actions;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod commits;
pub mod config;
pub mod cron;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod import;
pub mod jobs;
pub mod library;
pub mod page_views;
pub mod providers;
pub mod replay;
pub mod scores;
pub mod seed;
pub mod show_feed;
pub mod sync;
pub mod telemetry;
pub mod views;

use sqlx::PgPool;
use sqlx::migrate::Migrator;

/// Migrations in `migrations/`, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub providers: jobs::Providers,
    pub progress: events::ProgressHub,
    /// Wake-ups when a show's community list changes (votes, songs), for live streams.
    pub shows: events::Hub,
    /// Wake-ups when something in a sync scope changed (payload: artist or user id).
    pub sync: events::Hub,
    /// One reader per watched show in this process (see `show_feed`).
    pub feeds: show_feed::Feeds,
    /// Hot reads (artist pages, Ticketmaster search answers): in-process, plus Redis when
    /// configured.
    pub cache: cache::Cache,
    /// The attractions of this process's recent Ticketmaster searches by id, so picking a
    /// search hit (phase 1 of an import) costs no second request (in-process only: on another
    /// instance phase 1 asks Ticketmaster for the one attraction).
    pub attractions: moka::future::Cache<String, providers::ticketmaster::Attraction>,
    pub auth: auth::AuthConfig,
    /// Likely songs per show (`http::voting`): an expensive read that changes with imports only.
    pub likely:
        moka::future::Cache<uuid::Uuid, std::sync::Arc<Vec<theset_shared::api::LikelySong>>>,
    /// Page views waiting to be written (trending reads them).
    pub views: page_views::PageViews,
    /// The web app served at `/app/`, when one is built and configured (`THESET_WEB_DIR`).
    pub web: Option<std::sync::Arc<http::web::WebApp>>,
    /// Fired when the process starts stopping: live streams end with a reconnect hint.
    pub draining: tokio_util::sync::CancellationToken,
    /// Votes, pushed or sent over REST, committed in groups (`commits`).
    pub votes: commits::GroupCommit<actions::apply::VoteWrite>,
}

impl AppState {
    /// State without external services (tests, the offline catalogue).
    pub fn new(db: PgPool) -> Self {
        Self::with_providers(db, jobs::Providers::default())
    }

    pub fn with_providers(db: PgPool, providers: jobs::Providers) -> Self {
        Self::with_cache(db, providers, cache::Cache::local())
    }

    pub fn with_cache(db: PgPool, providers: jobs::Providers, cache: cache::Cache) -> Self {
        Self::serving(db, providers, cache, page_views::FLUSH_PERIOD)
    }

    /// The state a server runs with: page views written every `view_flush`.
    pub fn serving(
        db: PgPool,
        providers: jobs::Providers,
        cache: cache::Cache,
        view_flush: std::time::Duration,
    ) -> Self {
        let ttl = std::time::Duration::from_secs(600);
        let views = page_views::PageViews::default();
        views.spawn_flusher(db.clone(), view_flush);
        let votes = commits::GroupCommit::start(db.clone(), "vote");
        Self {
            views,
            likely: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(300))
                .build(),
            cache,
            progress: events::ProgressHub::start(db.clone()),
            shows: events::Hub::listen_to(db.clone(), "show_changes"),
            sync: events::Hub::listen_to(db.clone(), "sync_changes"),
            feeds: show_feed::Feeds::default(),
            db,
            providers,
            attractions: moka::future::Cache::builder()
                .max_capacity(50_000)
                .time_to_live(ttl * 3)
                .build(),
            auth: auth::AuthConfig::new(auth::tokens::random_key()),
            web: None,
            draining: tokio_util::sync::CancellationToken::new(),
            votes,
        }
    }

    /// Serves the web app built into `dir` (`app/dist`) at `/app/`.
    pub fn with_web_app(mut self, dir: &std::path::Path) -> Self {
        self.web = http::web::WebApp::load(dir);
        self
    }

    /// Replaces the accounts configuration (the server: from the environment; tests: a mail
    /// server, fake OAuth providers, limits). Without it, accounts run on defaults: a random key,
    /// no mail, no OAuth providers, in-process limits.
    pub fn with_auth(mut self, auth: auth::AuthConfig) -> Self {
        self.auth = auth;
        self
    }
}

/// The full application router for `state`.
pub fn app(state: AppState) -> axum::Router {
    http::router(state)
}
