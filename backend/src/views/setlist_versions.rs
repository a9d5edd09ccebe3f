//! A set-list's versions as the API shows them: its history (`GET /setlists/{id}/history`),
//! and its current version (the answer to a correction, and the `current` of a 409).

use sqlx::PgExecutor;
use theset_shared::api::SetlistVersion;
use uuid::Uuid;

use crate::db::actuals::{self as db, VersionRow};

fn version(r: VersionRow) -> SetlistVersion {
    SetlistVersion {
        version: r.version,
        author: r.author,
        note: r.note,
        created_at: r.created_at,
        songs: serde_json::from_value(r.songs).unwrap_or_default(),
        verified: r.verified,
        rejected_reason: r.reject_reason,
    }
}

/// A page of a public list's versions, newest first, older than `before` (empty for an unknown
/// or private list).
pub async fn history(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    before: Option<i32>,
    limit: i64,
) -> sqlx::Result<Vec<SetlistVersion>> {
    Ok(db::history(db, setlist, before, limit)
        .await?
        .into_iter()
        .map(version)
        .collect())
}

/// The newest version.
pub async fn current(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
) -> sqlx::Result<Option<SetlistVersion>> {
    Ok(history(db, setlist, None, 1).await?.into_iter().next())
}
