//! The offline catalogue: loads recorded Ticketmaster, Spotify and setlist.fm answers from a
//! folder (the repo's `fixtures/`) into Postgres, so a newcomer without API keys sees a real-looking
//! product. Files are recognised by their API family (folder) and name prefix, never by artist, so
//! any set of recorded answers in these shapes loads. Idempotent: every write is an upsert keyed by
//! the services' ids, and re-running changes nothing.

pub(crate) mod files;
mod load;

use std::path::Path;

use anyhow::Context;
use sqlx::PgPool;

pub use files::Recorded;

/// What a seed run holds afterwards.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub artists: usize,
    pub venues: usize,
    pub shows: usize,
    pub songs: usize,
    pub setlists: usize,
}

/// Reads every recorded answer under `dir` and upserts it, in one transaction.
pub async fn load(pool: &PgPool, dir: &Path) -> anyhow::Result<Report> {
    let recorded = Recorded::read_dir(dir)
        .with_context(|| format!("reading fixtures in {}", dir.display()))?;
    let mut tx = pool.begin().await?;
    let report = load::all(&mut tx, &recorded).await?;
    tx.commit().await?;
    Ok(report)
}
