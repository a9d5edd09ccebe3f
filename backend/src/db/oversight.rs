//! The votes vote oversight reads, and voiding an account's votes (the totals trigger recounts
//! each line as its votes go).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug)]
pub struct VoteRow {
    pub user_id: Uuid,
    pub display_name: String,
    pub account_created_at: DateTime<Utc>,
    pub line_id: Uuid,
    pub value: i16,
    pub at: DateTime<Utc>,
}

/// Every vote on the community list of `show`, with its account.
pub async fn show_votes(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Vec<VoteRow>> {
    sqlx::query_as!(
        VoteRow,
        "SELECT v.user_id AS \"user_id!\", u.display_name, u.created_at AS account_created_at, \
                v.setlist_song_id AS line_id, v.value, v.updated_at AS at \
         FROM votes v JOIN users u ON u.id = v.user_id \
         JOIN setlist_songs ss ON ss.id = v.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
         WHERE l.show_id = $1 AND l.source = 'community'",
        show
    )
    .fetch_all(db)
    .await
}

/// Deletes `user`'s votes (on `show`'s lists, or all); answers how many went.
pub async fn void(db: impl PgExecutor<'_>, user: Uuid, show: Option<Uuid>) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM votes v USING setlist_songs ss, setlists l \
         WHERE v.user_id = $1 AND ss.id = v.setlist_song_id AND l.id = ss.setlist_id \
           AND ($2::uuid IS NULL OR l.show_id = $2)",
        user,
        show
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
