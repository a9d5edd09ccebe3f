//! The signals trending scores are made of (votes, follows, page views, upcoming shows, each
//! decayed by age), and the scores written back to `artists` and `shows`.

use sqlx::PgExecutor;
use uuid::Uuid;

// The signals' common CTEs, spelled out in both statements below (keep them in step): votes of
// the last ten half-lives (an older one weighs < 1/1000 of a fresh one; the wider 180 days read
// 5 of 10 million votes every 15 minutes at scale), follows and page views,
// each `Σ 2^(−age/half-life)` in days with the half-life as `$1::float8`. Each is aggregated in
// one pass and joined: a per-row subquery over `vs` was planned as one scan of the set-list
// lines per artist, hours at ten million votes (`cargo xtask bench --scale`).
//
//   WITH vs AS (SELECT l.artist_id (or l.show_id), sum(power(0.5, greatest(extract(epoch FROM now() - v.updated_at), 0) / 86400.0 / $1::float8)) AS w ...
//        fs AS (SELECT artist_id, sum(power(0.5, greatest(extract(epoch FROM now() - created_at), 0) / 86400.0 / $1::float8)) AS w ...
//        pv AS (SELECT subject_id, sum(views * power(0.5, (current_date - day) / $1::float8)) AS w ...

#[derive(Debug)]
pub struct ArtistSignals {
    pub id: Uuid,
    pub votes: f64,
    pub follows: f64,
    pub views: f64,
    pub show_days: Vec<f64>,
}

#[derive(Debug)]
pub struct ShowSignals {
    pub id: Uuid,
    pub votes: f64,
    pub artist_follows: f64,
    pub views: f64,
    pub days_until: f64,
}

/// Every artist's signals; `$1` is the half-life in days, `$2` the show horizon in days.
pub async fn artists(
    db: impl PgExecutor<'_>,
    half_life_days: f64,
    horizon_days: i32,
) -> sqlx::Result<Vec<ArtistSignals>> {
    sqlx::query_as!(
        ArtistSignals,
        "WITH vs AS (SELECT l.artist_id, \
                       sum(power(0.5, greatest(extract(epoch FROM now() - v.updated_at), 0) / 86400.0 / $1::float8)) AS w \
                     FROM votes v \
                     JOIN setlist_songs ss ON ss.id = v.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
                     WHERE v.updated_at > now() - make_interval(secs => 10 * 86400 * $1::float8) GROUP BY l.artist_id), \
              fs AS (SELECT artist_id, \
                       sum(power(0.5, greatest(extract(epoch FROM now() - created_at), 0) / 86400.0 / $1::float8)) AS w \
                     FROM user_follows_artists GROUP BY artist_id), \
              pv AS (SELECT subject_id, sum(views * power(0.5, (current_date - day) / $1::float8)) AS w \
                     FROM page_views WHERE day > current_date - 180 GROUP BY subject_id) \
         SELECT a.id AS \"id!\", \
           coalesce(vs.w, 0)::float8 AS \"votes!\", \
           coalesce(fs.w, 0)::float8 AS \"follows!\", coalesce(pv.w, 0)::float8 AS \"views!\", \
           ARRAY(SELECT (s.date - current_date)::float8 FROM shows s \
                 WHERE s.headliner_artist_id = a.id AND s.status <> 'cancelled' \
                   AND s.date BETWEEN current_date AND current_date + $2::int) AS \"show_days!\" \
         FROM artists a LEFT JOIN vs ON vs.artist_id = a.id LEFT JOIN fs ON fs.artist_id = a.id \
         LEFT JOIN pv ON pv.subject_id = a.id",
        half_life_days,
        horizon_days
    )
    .fetch_all(db)
    .await
}

/// Signals of the shows that can trend: upcoming or ongoing, not past yesterday.
pub async fn shows(db: impl PgExecutor<'_>, half_life_days: f64) -> sqlx::Result<Vec<ShowSignals>> {
    sqlx::query_as!(
        ShowSignals,
        "WITH vs AS (SELECT l.show_id, \
                       sum(power(0.5, greatest(extract(epoch FROM now() - v.updated_at), 0) / 86400.0 / $1::float8)) AS w \
                     FROM votes v \
                     JOIN setlist_songs ss ON ss.id = v.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
                     WHERE v.updated_at > now() - make_interval(secs => 10 * 86400 * $1::float8) GROUP BY l.show_id), \
              fs AS (SELECT artist_id, \
                       sum(power(0.5, greatest(extract(epoch FROM now() - created_at), 0) / 86400.0 / $1::float8)) AS w \
                     FROM user_follows_artists GROUP BY artist_id), \
              pv AS (SELECT subject_id, sum(views * power(0.5, (current_date - day) / $1::float8)) AS w \
                     FROM page_views WHERE day > current_date - 180 GROUP BY subject_id) \
         SELECT s.id AS \"id!\", \
           coalesce(vs.w, 0)::float8 AS \"votes!\", \
           coalesce(fs.w, 0)::float8 AS \"artist_follows!\", coalesce(pv.w, 0)::float8 AS \"views!\", \
           greatest(s.date - current_date, 0)::float8 AS \"days_until!\" \
         FROM shows s LEFT JOIN vs ON vs.show_id = s.id LEFT JOIN fs ON fs.artist_id = s.headliner_artist_id \
         LEFT JOIN pv ON pv.subject_id = s.id \
         WHERE s.status IN ('upcoming', 'rescheduled', 'ongoing') AND s.date >= current_date - 1",
        half_life_days
    )
    .fetch_all(db)
    .await
}

/// Writes artist scores (only those that changed).
pub async fn set_artist_scores(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
    scores: &[f64],
) -> sqlx::Result<u64> {
    sqlx::query!(
        "UPDATE artists a SET trending_score = x.score FROM unnest($1::uuid[], $2::float8[]) AS x(id, score) \
         WHERE a.id = x.id AND a.trending_score IS DISTINCT FROM x.score",
        ids,
        scores
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Writes show scores; shows not among `ids` (past, cancelled) drop to 0.
pub async fn set_show_scores(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
    scores: &[f64],
) -> sqlx::Result<u64> {
    sqlx::query!(
        "WITH x AS (SELECT * FROM unnest($1::uuid[], $2::float8[]) AS x(id, score)) \
         UPDATE shows s SET trending_score = coalesce(x.score, 0) \
         FROM shows s2 LEFT JOIN x ON x.id = s2.id \
         WHERE s.id = s2.id AND (x.id IS NOT NULL OR s2.trending_score <> 0) \
           AND s.trending_score IS DISTINCT FROM coalesce(x.score, 0)",
        ids,
        scores
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
