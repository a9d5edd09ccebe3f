//! What the import and cron jobs read and mark on `artists`: the services' ids, when each import
//! phase last completed, and which artists the cron jobs refresh.

use sqlx::PgExecutor;
use uuid::Uuid;

/// An artist's id at a service the import phases fetch from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalId {
    Spotify,
    Ticketmaster,
}

/// The artist's id at `service`: `None` when the artist does not exist, `Some(None)` when it has
/// no id there.
pub async fn external_id(
    db: impl PgExecutor<'_>,
    id: Uuid,
    service: ExternalId,
) -> sqlx::Result<Option<Option<String>>> {
    match service {
        ExternalId::Spotify => {
            sqlx::query_scalar!("SELECT spotify_id FROM artists WHERE id = $1", id)
                .fetch_optional(db)
                .await
        }
        ExternalId::Ticketmaster => {
            sqlx::query_scalar!("SELECT ticketmaster_id FROM artists WHERE id = $1", id)
                .fetch_optional(db)
                .await
        }
    }
}

/// `(name, MusicBrainz id)` of the artist, if it exists.
pub async fn name_and_mbid(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> sqlx::Result<Option<(String, Option<Uuid>)>> {
    sqlx::query!("SELECT name, musicbrainz_id FROM artists WHERE id = $1", id)
        .fetch_optional(db)
        .await
        .map(|r| r.map(|r| (r.name, r.musicbrainz_id)))
}

/// Sets the artist's MusicBrainz id if it has none; a unique violation when another artist holds
/// the id already.
pub async fn adopt_musicbrainz_id(
    db: impl PgExecutor<'_>,
    id: Uuid,
    mbid: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE artists SET musicbrainz_id = $2 WHERE id = $1 AND musicbrainz_id IS NULL",
        id,
        mbid
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// An import phase whose completion the artist row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    /// Shows from Ticketmaster (`ticketmaster_synced_at`).
    Shows,
    /// The catalogue from Spotify (`catalogue_synced_at`; the profile's `spotify_synced_at` too).
    Catalogue,
    /// Actual set-lists from setlist.fm (`setlistfm_synced_at`).
    Setlists,
}

/// Records that `phase` completed for the artist now.
pub async fn mark_synced(db: impl PgExecutor<'_>, id: Uuid, phase: Synced) -> sqlx::Result<()> {
    let done = match phase {
        Synced::Shows => {
            sqlx::query!(
                "UPDATE artists SET ticketmaster_synced_at = now() WHERE id = $1",
                id
            )
            .execute(db)
            .await
        }
        Synced::Catalogue => {
            sqlx::query!(
                "UPDATE artists SET spotify_synced_at = now(), catalogue_synced_at = now() WHERE id = $1",
                id
            )
            .execute(db)
            .await
        }
        Synced::Setlists => {
            sqlx::query!(
                "UPDATE artists SET setlistfm_synced_at = now() WHERE id = $1",
                id
            )
            .execute(db)
            .await
        }
    };
    done.map(|_| ())
}

/// Whether `phase` never completed for the artist; an error when there is no such artist.
pub async fn never_synced(db: impl PgExecutor<'_>, id: Uuid, phase: Synced) -> sqlx::Result<bool> {
    match phase {
        Synced::Shows => {
            sqlx::query_scalar!(
                "SELECT ticketmaster_synced_at IS NULL AS \"never!\" FROM artists WHERE id = $1",
                id
            )
            .fetch_one(db)
            .await
        }
        Synced::Catalogue => {
            sqlx::query_scalar!(
                "SELECT catalogue_synced_at IS NULL AS \"never!\" FROM artists WHERE id = $1",
                id
            )
            .fetch_one(db)
            .await
        }
        Synced::Setlists => {
            sqlx::query_scalar!(
                "SELECT setlistfm_synced_at IS NULL AS \"never!\" FROM artists WHERE id = $1",
                id
            )
            .fetch_one(db)
            .await
        }
    }
}

/// Artists with votes or follows in the last 7 days, or among the 50 most viewed (those with a
/// Ticketmaster id: the refresh fetches from there).
pub async fn active(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT a.id FROM artists a WHERE a.ticketmaster_id IS NOT NULL AND ( \
           EXISTS (SELECT 1 FROM user_follows_artists f WHERE f.artist_id = a.id AND f.created_at > now() - interval '7 days') \
           OR EXISTS (SELECT 1 FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
                      JOIN votes v ON v.setlist_song_id = ss.id \
                      WHERE l.artist_id = a.id AND v.updated_at > now() - interval '7 days') \
           OR a.id IN (SELECT p.subject_id FROM page_views p JOIN artists x ON x.id = p.subject_id \
                       WHERE p.day > current_date - 7 \
                       GROUP BY p.subject_id ORDER BY sum(p.views) DESC LIMIT 50))",
    )
    .fetch_all(db)
    .await
}

/// The `n` artists with a Ticketmaster id that trend most.
pub async fn top_trending(db: impl PgExecutor<'_>, n: i64) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM artists WHERE ticketmaster_id IS NOT NULL ORDER BY trending_score DESC, id LIMIT $1",
        n
    )
    .fetch_all(db)
    .await
}

/// How many artists have a Ticketmaster id (what the weekly sweep walks).
pub async fn count_with_ticketmaster(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM artists WHERE ticketmaster_id IS NOT NULL")
        .fetch_one(db)
        .await
}

/// The next `limit` artists with a Ticketmaster id after `after`, by id (the weekly sweep's pages).
pub async fn with_ticketmaster_after(
    db: impl PgExecutor<'_>,
    after: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM artists WHERE ticketmaster_id IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
        after,
        limit
    )
    .fetch_all(db)
    .await
}

/// Whether the artist's biography was never looked for or was last looked for a week ago.
pub async fn biography_due(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT (bio_checked_at IS NULL OR bio_checked_at < now() - interval '7 days') AS \"due!\" \
         FROM artists WHERE id = $1 AND musicbrainz_id IS NOT NULL",
        id
    )
    .fetch_optional(db)
    .await
    .map(|due| due.unwrap_or(false))
}

/// Keeps the biography found (text and source page), or none; records the look either way.
pub async fn set_biography(
    db: impl PgExecutor<'_>,
    id: Uuid,
    bio: Option<(&str, &str)>,
    origin: theset_shared::api::DataOrigin,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE artists SET bio = $2, bio_url = $3, bio_origin = CASE WHEN $2::text IS NULL THEN NULL ELSE $4::data_origin END, \
                bio_checked_at = now() WHERE id = $1",
        id,
        bio.map(|b| b.0),
        bio.map(|b| b.1),
        origin as theset_shared::api::DataOrigin
    )
    .execute(db)
    .await
    .map(|_| ())
}
