//! The database as a whole: which migrations are applied, and row counts across the catalogue.

use sqlx::PgExecutor;

/// The newest migration applied successfully (`None` on an empty database). `_sqlx_migrations`
/// is the migrator's own table; `cargo xtask sqlx-prepare` creates it in the schema the query
/// macros are checked against.
pub async fn applied_version(db: impl PgExecutor<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(db)
        .await
}

/// Rows per catalogue table (what a seed reports it holds).
#[derive(Debug)]
pub struct CatalogueCounts {
    pub artists: i64,
    pub venues: i64,
    pub shows: i64,
    pub songs: i64,
    pub setlists: i64,
}

pub async fn catalogue_counts(db: impl PgExecutor<'_>) -> sqlx::Result<CatalogueCounts> {
    sqlx::query_as!(
        CatalogueCounts,
        "SELECT (SELECT count(*) FROM artists) AS \"artists!\", \
                (SELECT count(*) FROM venues) AS \"venues!\", \
                (SELECT count(*) FROM shows) AS \"shows!\", \
                (SELECT count(*) FROM songs) AS \"songs!\", \
                (SELECT count(*) FROM setlists) AS \"setlists!\""
    )
    .fetch_one(db)
    .await
}
