//! TheSet's backend: an axum server over Postgres (+PostGIS).
//!
//! The process is stateless; everything it knows lives in Postgres, so several instances can
//! serve one database. Modules: `http` (routes, thin handlers), `db` (all SQL), `providers`
//! (typed models of Ticketmaster, Spotify and setlist.fm answers), `seed` (the offline catalogue).

pub mod db;
pub mod error;
pub mod http;
pub mod jobs;
pub mod providers;
pub mod seed;

use sqlx::PgPool;
use sqlx::migrate::Migrator;

/// Migrations in `migrations/`, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
}

impl AppState {
    pub fn new(db: PgPool) -> Self {
        Self { db }
    }
}

/// The full application router for `state`.
pub fn app(state: AppState) -> axum::Router {
    http::router(state)
}
