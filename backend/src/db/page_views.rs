//! Page views by day (`page_views`) and the lifetime counters on `artists` and `shows`.

use sqlx::PgPool;
use uuid::Uuid;

/// Adds today's views of artist pages (by slug) and show pages (by id) in one transaction.
pub async fn add(
    db: &PgPool,
    artists: &[(String, i64)],
    shows: &[(Uuid, i64)],
) -> sqlx::Result<()> {
    let (slugs, artist_n): (Vec<&str>, Vec<i64>) =
        artists.iter().map(|(s, n)| (s.as_str(), *n)).unzip();
    let (ids, show_n): (Vec<Uuid>, Vec<i64>) = shows.iter().copied().unzip();
    let mut tx = db.begin().await?;
    sqlx::query!(
        "WITH a AS (UPDATE artists ar SET view_count = ar.view_count + x.n \
                    FROM unnest($1::text[], $2::int8[]) AS x(slug, n) WHERE ar.slug = x.slug \
                    RETURNING ar.id, x.n), \
              s AS (UPDATE shows sh SET view_count = sh.view_count + x.n \
                    FROM unnest($3::uuid[], $4::int8[]) AS x(id, n) WHERE sh.id = x.id \
                    RETURNING sh.id, x.n) \
         INSERT INTO page_views (subject_id, day, views) \
         SELECT id, current_date, n FROM (SELECT * FROM a UNION ALL SELECT * FROM s) v ORDER BY id \
         ON CONFLICT (subject_id, day) DO UPDATE SET views = page_views.views + EXCLUDED.views",
        &slugs as &[&str],
        &artist_n,
        &ids,
        &show_n
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Forgets daily counts older than `days` (trending reads only the recent ones).
pub async fn purge_older_than(db: &PgPool, days: i32) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM page_views WHERE day < current_date - $1::int4",
        days
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
