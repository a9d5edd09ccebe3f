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

/// Every version of a public list, newest first (empty for an unknown or private list).
pub async fn history(db: impl PgExecutor<'_>, setlist: Uuid) -> sqlx::Result<Vec<SetlistVersion>> {
    Ok(db::history(db, setlist)
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
    Ok(history(db, setlist).await?.into_iter().next())
}
