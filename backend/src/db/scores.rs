//! Scoring predictions against a show's actual set-list (the keys and rarities the formula in
//! `theset_shared::scoring` takes, the scores written back) and the leaderboards.

use sqlx::PgExecutor;
use theset_shared::api::SetlistSource;
use uuid::Uuid;

// Song identity for scoring: the catalogue id, else the normalised title,
// `coalesce(ss.song_id::text, 't:' || lower(ss.title))`. `keys` (both statements), `rarity` and
// `predictions::likely_inputs` spell it out the same way: keep them in step.

/// The lines of a list as scoring keys, in order (`ranking`, the community list: by net votes,
/// above zero only). Tapes (intros, outros played from a recording) are not songs anyone
/// predicts: left out.
pub async fn keys(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    ranking: bool,
) -> sqlx::Result<Vec<String>> {
    if ranking {
        sqlx::query_scalar!(
            "SELECT coalesce(ss.song_id::text, 't:' || lower(ss.title)) AS \"key!\" \
             FROM setlist_songs ss WHERE ss.setlist_id = $1 AND NOT ss.is_tape AND ss.net_votes > 0 \
             ORDER BY ss.net_votes DESC, ss.upvotes DESC, ss.position",
            setlist
        )
        .fetch_all(db)
        .await
    } else {
        sqlx::query_scalar!(
            "SELECT coalesce(ss.song_id::text, 't:' || lower(ss.title)) AS \"key!\" \
             FROM setlist_songs ss WHERE ss.setlist_id = $1 AND NOT ss.is_tape \
             ORDER BY ss.position",
            setlist
        )
        .fetch_all(db)
        .await
    }
}

/// How rare each of `artist`'s songs is: 1 − its share of the artist's actual set-lists of the
/// past two years other than `show`'s. Songs never played before are fully rare.
pub async fn rarity(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    show: Uuid,
) -> sqlx::Result<std::collections::HashMap<String, f64>> {
    let rows = sqlx::query!(
        "WITH past AS ( \
           SELECT l.id FROM setlists l JOIN shows s ON s.id = l.show_id \
           WHERE l.artist_id = $1 AND l.kind = 'actual' AND l.show_id <> $2 \
             AND s.date >= current_date - 730 AND l.moderation_status <> 'hidden'), \
         n AS (SELECT greatest(count(*), 1)::float8 AS total FROM past) \
         SELECT coalesce(ss.song_id::text, 't:' || lower(ss.title)) AS \"key!\", \
                1 - count(DISTINCT ss.setlist_id)::float8 / n.total AS \"rarity!\" \
         FROM past JOIN setlist_songs ss ON ss.setlist_id = past.id, n GROUP BY 1, n.total",
        artist,
        show
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.rarity)).collect())
}

/// Predicted lists of a show: `(set-list, source)` of every personal prediction and the
/// community list.
pub async fn predictions(
    db: impl PgExecutor<'_>,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Vec<(Uuid, SetlistSource)>> {
    sqlx::query!(
        "SELECT id, source AS \"source: SetlistSource\" FROM setlists \
         WHERE show_id = $1 AND artist_id = $2 AND kind = 'predicted'",
        show,
        artist
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.source)).collect())
}

pub async fn set_score(db: impl PgExecutor<'_>, setlist: Uuid, score: f64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET accuracy_score = $2 WHERE id = $1",
        setlist,
        score
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct BoardRow {
    pub rank: i64,
    pub user_id: Uuid,
    pub display_name: String,
    pub score: f64,
    pub predictions: i64,
    /// Changes with each upload (milliseconds since the epoch); `None` without a picture.
    pub avatar_version: Option<i64>,
}

pub async fn show_board(
    db: impl PgExecutor<'_>,
    show: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<BoardRow>> {
    sqlx::query_as!(
        BoardRow,
        "SELECT rank() OVER (ORDER BY l.accuracy_score DESC) AS \"rank!\", u.id AS user_id, u.display_name, \
                l.accuracy_score AS \"score!\", 1::bigint AS \"predictions!\", \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v WHERE v.user_id = u.id) AS avatar_version \
         FROM setlists l JOIN users u ON u.id = l.owner_user_id \
         WHERE l.show_id = $1 AND l.source = 'user' AND l.accuracy_score IS NOT NULL \
         ORDER BY l.accuracy_score DESC, u.display_name, u.id LIMIT $2",
        show,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn community_score(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<f64>> {
    sqlx::query_scalar!(
        "SELECT max(accuracy_score) FROM setlists WHERE show_id = $1 AND source = 'community'",
        show
    )
    .fetch_one(db)
    .await
}

/// The show's actual list for `artist`, if it has at least one line.
pub async fn actual_with_lines(
    db: impl PgExecutor<'_>,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT l.id FROM setlists l WHERE l.show_id = $1 AND l.artist_id = $2 AND l.kind = 'actual' \
           AND EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.setlist_id = l.id) \
         ORDER BY l.created_at LIMIT 1",
        show,
        artist
    )
    .fetch_optional(db)
    .await
}

/// Takes the scores off the show's predictions for `artist` (their list went away).
pub async fn clear_scores(db: impl PgExecutor<'_>, show: Uuid, artist: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET accuracy_score = NULL WHERE show_id = $1 AND artist_id = $2 \
           AND kind = 'predicted' AND accuracy_score IS NOT NULL",
        show,
        artist
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Whether a moderator verified the show's actual list (its scores are final, not provisional).
pub async fn has_verified_actual(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM setlists WHERE show_id = $1 AND kind = 'actual' \
                        AND verified_version IS NOT NULL) AS \"verified!\"",
        show
    )
    .fetch_one(db)
    .await
}

/// All time: the sum of a fan's scores (taking part counts), then their average. Provisional
/// scores (against a crowd list nobody verified yet) wait. Read from `leaderboard_all_time`,
/// which [`refresh_all_time_board`] brings up to date.
pub async fn all_time_board(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<BoardRow>> {
    sqlx::query_as!(
        BoardRow,
        "SELECT b.rank AS \"rank!\", u.id AS user_id, u.display_name, b.score AS \"score!\", \
                b.predictions AS \"predictions!\", \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v WHERE v.user_id = u.id) AS avatar_version \
         FROM leaderboard_all_time b JOIN users u ON u.id = b.user_id \
         ORDER BY b.score DESC, b.average DESC, b.user_id LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// Recomputes the all-time board (readers keep the old one meanwhile); after a show's
/// predictions were scored against a verified list, and by the scores cron.
pub async fn refresh_all_time_board(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("REFRESH MATERIALIZED VIEW CONCURRENTLY leaderboard_all_time")
        .execute(db)
        .await
        .map(|_| ())
}
