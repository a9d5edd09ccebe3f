//! Discovery reads: trending artists and shows, a fan's upcoming shows, predictions, scores and
//! contributions (home page and dashboard). Show lists select the columns of `shows::ShowRow`
//! (see `shows::SHOW_COLUMNS`): keep them in step.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use theset_shared::api::ShowStatus;
use uuid::Uuid;

use super::artists::ArtistRow;
use super::shows::{ShowRow, show_row};

/// Artists by trending score; ties (a fresh install, where nothing has trended yet) by popularity.
pub async fn trending_artists(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as!(
        ArtistRow,
        "SELECT a.id, a.slug, a.name, lower(a.name) AS \"sort_name!\", a.image_url, a.genres, \
                a.popularity, a.followers, a.trending_score, a.origin AS \"origin: theset_shared::api::DataOrigin\", \
                (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                 AND s.date >= current_date) AS \"upcoming_show_count!\" \
         FROM artists a \
         ORDER BY a.trending_score DESC, a.popularity DESC NULLS LAST, lower(a.name), a.id LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// The artists a fan's public activity is about (scored predictions, shows they said they go
/// to), most often first: a public page's "favourite artists" without revealing private follows.
pub async fn public_favourites(
    db: impl PgExecutor<'_>,
    user: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as!(
        ArtistRow,
        "WITH shown AS ( \
             SELECT show_id FROM setlists WHERE source = 'user' AND owner_user_id = $1 \
               AND accuracy_score IS NOT NULL \
             UNION ALL \
             SELECT show_id FROM show_attendance WHERE user_id = $1 AND going AND public), \
         liked AS (SELECT s.headliner_artist_id AS id, count(*) AS n \
                   FROM shown JOIN shows s ON s.id = shown.show_id GROUP BY 1) \
         SELECT a.id, a.slug, a.name, lower(a.name) AS \"sort_name!\", a.image_url, a.genres, \
                a.popularity, a.followers, a.trending_score, a.origin AS \"origin: theset_shared::api::DataOrigin\", \
                (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                 AND s.date >= current_date) AS \"upcoming_show_count!\" \
         FROM liked JOIN artists a ON a.id = liked.id \
         ORDER BY liked.n DESC, lower(a.name), a.id LIMIT $2",
        user,
        limit
    )
    .fetch_all(db)
    .await
}

#[derive(Debug)]
pub struct TrendingShowRow {
    pub show: ShowRow,
    pub trending_score: f64,
}

/// Upcoming shows by trending score; ties (nothing trending yet) soonest first.
pub async fn trending_shows(
    db: impl PgExecutor<'_>,
    limit: i64,
) -> sqlx::Result<Vec<TrendingShowRow>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code, \
                s.trending_score \
         FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         LEFT JOIN venues v ON v.id = s.venue_id \
         WHERE s.status IN ('upcoming', 'rescheduled', 'postponed', 'ongoing') AND s.date >= current_date \
         ORDER BY s.trending_score DESC, s.date, s.id LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TrendingShowRow {
            trending_score: r.trending_score,
            show: show_row!(r),
        })
        .collect())
}

/// Upcoming shows where a followed artist plays (headliner or support), soonest first.
pub async fn followed_upcoming(
    db: impl PgExecutor<'_>,
    user: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<ShowRow>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code \
         FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         LEFT JOIN venues v ON v.id = s.venue_id \
         WHERE s.date >= current_date AND s.status IN ('upcoming', 'rescheduled', 'postponed', 'ongoing') \
           AND (s.headliner_artist_id IN (SELECT artist_id FROM user_follows_artists WHERE user_id = $1) \
                OR EXISTS (SELECT 1 FROM show_artists sa JOIN user_follows_artists f ON f.artist_id = sa.artist_id \
                           WHERE sa.show_id = s.id AND f.user_id = $1)) \
         ORDER BY s.date, s.id LIMIT $2",
        user,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| show_row!(r)).collect())
}

#[derive(Debug)]
pub struct PredictionRow {
    pub show: ShowRow,
    pub songs: i64,
    pub prediction_updated_at: DateTime<Utc>,
    pub score: Option<f64>,
    pub rank: Option<i64>,
}

/// The user's personal predictions, newest show first (`scored_only`: the public history).
pub async fn predictions(
    db: impl PgExecutor<'_>,
    user: Uuid,
    scored_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<PredictionRow>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code, \
                (SELECT count(*) FROM setlist_songs ss WHERE ss.setlist_id = l.id) AS \"songs!\", \
                l.updated_at AS prediction_updated_at, l.accuracy_score AS score, \
                CASE WHEN l.accuracy_score IS NOT NULL THEN \
                  (SELECT 1 + count(*) FROM setlists o WHERE o.show_id = l.show_id AND o.source = 'user' \
                     AND o.accuracy_score > l.accuracy_score) END AS rank \
         FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         LEFT JOIN venues v ON v.id = s.venue_id \
         JOIN setlists l ON l.show_id = s.id AND l.source = 'user' AND l.owner_user_id = $1 \
         WHERE NOT $3 OR l.accuracy_score IS NOT NULL \
         ORDER BY s.date DESC, s.id DESC LIMIT $2",
        user,
        limit,
        scored_only
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PredictionRow {
            songs: r.songs,
            prediction_updated_at: r.prediction_updated_at,
            score: r.score,
            rank: r.rank,
            show: show_row!(r),
        })
        .collect())
}

#[derive(Debug)]
pub struct ScoresRow {
    pub scored: i64,
    pub average: Option<f64>,
    pub best: Option<f64>,
    pub all_time_rank: Option<i64>,
}

/// The user's scored predictions and place on the all-time board (the board's own rank: verified
/// shows only, none until one is).
pub async fn scores(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<ScoresRow> {
    sqlx::query_as!(
        ScoresRow,
        "SELECT count(*) AS \"scored!\", avg(accuracy_score) AS average, max(accuracy_score) AS best, \
                (SELECT b.rank FROM leaderboard_all_time b WHERE b.user_id = $1) AS all_time_rank \
         FROM setlists WHERE source = 'user' AND owner_user_id = $1 AND accuracy_score IS NOT NULL",
        user
    )
    .fetch_one(db)
    .await
}

#[derive(Debug)]
pub struct ContributionsRow {
    pub songs_added: i64,
    pub votes_cast: i64,
    pub corrections: i64,
    pub flags_raised: i64,
    pub setlists_verified: i64,
}

/// Counts of what the user gave: community songs added, votes, corrections, flags, verifications.
pub async fn contributions(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<ContributionsRow> {
    sqlx::query_as!(
        ContributionsRow,
        "SELECT \
           (SELECT count(*) FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
             WHERE ss.added_by = $1 AND l.source = 'community') AS \"songs_added!\", \
           (SELECT count(*) FROM votes WHERE user_id = $1) AS \"votes_cast!\", \
           (SELECT count(*) FROM setlist_versions WHERE author_id = $1) AS \"corrections!\", \
           (SELECT count(*) FROM flags WHERE reporter_id = $1) AS \"flags_raised!\", \
           (SELECT count(*) FROM setlists WHERE verified_by = $1) AS \"setlists_verified!\"",
        user
    )
    .fetch_one(db)
    .await
}
