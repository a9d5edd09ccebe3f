//! What the weekly sweep checks beyond what the schema can say, and the fixes it is sure of. Each
//! check answers `(found, fixed)`: what is wrong, and how much of it was put right in the same
//! call; the rest is left for people (the sweep logs and counts it).

use sqlx::PgConnection;

/// Songs of one artist under one normal title (variants stored before they were merged, or two
/// imports racing). The song with the most set-list lines (then the oldest) stays; a duplicate
/// that no line, capture or alias refers to is removed. One that is referred to is left: moving
/// what points at it is a person's call.
pub async fn duplicate_songs(db: &mut PgConnection) -> sqlx::Result<(u64, u64)> {
    let found = sqlx::query_scalar!(
        "WITH ranked AS ( \
           SELECT s.id, row_number() OVER (PARTITION BY x.artist_id, s.normalized_title \
                    ORDER BY (SELECT count(*) FROM setlist_songs ss WHERE ss.song_id = s.id) DESC, \
                             s.created_at, s.id) AS n \
           FROM songs s JOIN artist_songs x ON x.song_id = s.id AND x.is_primary_artist) \
         SELECT count(*) AS \"n!\" FROM ranked WHERE n > 1"
    )
    .fetch_one(&mut *db)
    .await?;
    let fixed = sqlx::query!(
        "WITH ranked AS ( \
           SELECT s.id, row_number() OVER (PARTITION BY x.artist_id, s.normalized_title \
                    ORDER BY (SELECT count(*) FROM setlist_songs ss WHERE ss.song_id = s.id) DESC, \
                             s.created_at, s.id) AS n \
           FROM songs s JOIN artist_songs x ON x.song_id = s.id AND x.is_primary_artist) \
         DELETE FROM songs s USING ranked r WHERE s.id = r.id AND r.n > 1 \
           AND NOT EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.song_id = s.id) \
           AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.song_id = s.id) \
           AND NOT EXISTS (SELECT 1 FROM song_aliases a WHERE a.song_id = s.id)"
    )
    .execute(&mut *db)
    .await?
    .rows_affected();
    Ok((u64::try_from(found).unwrap_or(0), fixed))
}

/// A venue setlist.fm brought (no Ticketmaster id) that is a Ticketmaster venue we hold by name
/// and city — the rule the set-list import matches by, met in the other order. Its shows move to
/// the Ticketmaster venue, which keeps the setlist.fm id, and the copy goes.
pub async fn duplicate_venues(db: &mut PgConnection) -> sqlx::Result<(u64, u64)> {
    let pairs = sqlx::query!(
        "SELECT d.id AS dup, d.setlistfm_id, k.id AS keep FROM venues d \
         JOIN LATERAL (SELECT k.id FROM venues k WHERE k.ticketmaster_id IS NOT NULL \
                         AND lower(k.name) = lower(d.name) \
                         AND lower(coalesce(k.city, '')) = lower(coalesce(d.city, '')) \
                       ORDER BY k.created_at, k.id LIMIT 1) k ON true \
         WHERE d.ticketmaster_id IS NULL"
    )
    .fetch_all(&mut *db)
    .await?;
    let found = pairs.len() as u64;
    for p in &pairs {
        sqlx::query!(
            "UPDATE shows SET venue_id = $2 WHERE venue_id = $1",
            p.dup,
            p.keep
        )
        .execute(&mut *db)
        .await?;
        sqlx::query!("DELETE FROM venues WHERE id = $1", p.dup)
            .execute(&mut *db)
            .await?;
        sqlx::query!(
            "UPDATE venues SET setlistfm_id = $2 WHERE id = $1 AND setlistfm_id IS NULL",
            p.keep,
            p.setlistfm_id
        )
        .execute(&mut *db)
        .await?;
    }
    Ok((found, found))
}

/// A show imported twice: a night setlist.fm brought (no Ticketmaster id) that is a Ticketmaster
/// show of the same headliner and date. When the Ticketmaster show has no actual set-list and the
/// copy holds nothing of anyone's (predictions, attendance, captures, comments), the copy's actual
/// set-list moves to it and the copy goes; otherwise it is reported.
pub async fn duplicate_shows(db: &mut PgConnection) -> sqlx::Result<(u64, u64)> {
    let pairs = sqlx::query!(
        "SELECT d.id AS dup, d.setlistfm_id, d.tour_name, k.id AS keep, \
                (NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = k.id AND l.kind = 'actual') \
                 AND NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = d.id AND l.kind = 'predicted') \
                 AND NOT EXISTS (SELECT 1 FROM show_attendance g WHERE g.show_id = d.id) \
                 AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.show_id = d.id) \
                 AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.show_id = d.id)) AS \"certain!\" \
         FROM shows d \
         JOIN LATERAL (SELECT k.id FROM shows k WHERE k.ticketmaster_id IS NOT NULL \
                         AND k.headliner_artist_id = d.headliner_artist_id AND k.date = d.date \
                         AND k.status <> 'cancelled' \
                       ORDER BY k.created_at, k.id LIMIT 1) k ON true \
         WHERE d.ticketmaster_id IS NULL AND d.status <> 'cancelled'"
    )
    .fetch_all(&mut *db)
    .await?;
    let found = pairs.len() as u64;
    let mut fixed = 0;
    for p in pairs.iter().filter(|p| p.certain) {
        sqlx::query!(
            "UPDATE setlists SET show_id = $2 WHERE show_id = $1 AND kind = 'actual'",
            p.dup,
            p.keep
        )
        .execute(&mut *db)
        .await?;
        sqlx::query!(
            "UPDATE show_setlist_imports SET show_id = $2 WHERE show_id = $1 \
               AND NOT EXISTS (SELECT 1 FROM show_setlist_imports i WHERE i.show_id = $2)",
            p.dup,
            p.keep
        )
        .execute(&mut *db)
        .await?;
        sqlx::query!("DELETE FROM shows WHERE id = $1", p.dup)
            .execute(&mut *db)
            .await?;
        sqlx::query!(
            "UPDATE shows SET setlistfm_id = coalesce(setlistfm_id, $2), \
                    tour_name = coalesce(tour_name, $3) WHERE id = $1",
            p.keep,
            p.setlistfm_id,
            p.tour_name
        )
        .execute(&mut *db)
        .await?;
        fixed += 1;
    }
    Ok((found, fixed))
}

/// A set-list of an artist the show does not bill (a key the schema cannot express: the list's
/// artist must play the show). The list says they played: they are billed, after the others.
pub async fn unbilled_setlists(db: &mut PgConnection) -> sqlx::Result<(u64, u64)> {
    let fixed = sqlx::query!(
        "INSERT INTO show_artists (show_id, artist_id, role, position) \
         SELECT DISTINCT ON (l.show_id, l.artist_id) l.show_id, l.artist_id, 'support', \
                coalesce((SELECT max(position) + 1 FROM show_artists b WHERE b.show_id = l.show_id), 0) \
         FROM setlists l \
         WHERE NOT EXISTS (SELECT 1 FROM show_artists a WHERE a.show_id = l.show_id AND a.artist_id = l.artist_id) \
         ON CONFLICT DO NOTHING"
    )
    .execute(&mut *db)
    .await?
    .rows_affected();
    Ok((fixed, fixed))
}

/// Vote totals that disagree with a fresh count of the votes: recounted.
pub async fn drifted_totals(db: &mut PgConnection) -> sqlx::Result<(u64, u64)> {
    let drifted = super::votes::drifted(&mut *db).await?;
    let fixed = sqlx::query!(
        "UPDATE setlist_songs ss SET upvotes = c.up, downvotes = c.down, net_votes = c.up - c.down \
         FROM (SELECT x.id, \
                      count(v.*) FILTER (WHERE v.value = 1)::int AS up, \
                      count(v.*) FILTER (WHERE v.value = -1)::int AS down \
               FROM unnest($1::uuid[]) AS x(id) LEFT JOIN votes v ON v.setlist_song_id = x.id \
               GROUP BY x.id) c \
         WHERE ss.id = c.id",
        &drifted
    )
    .execute(&mut *db)
    .await?
    .rows_affected();
    Ok((drifted.len() as u64, fixed))
}
