//! Actual set-lists from setlist.fm: the show (matched or created), the set-list and its songs,
//! matched to the catalogue by normalised title (covers never match).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sqlx::PgConnection;
use theset_shared::titles;
use uuid::Uuid;

use super::venues;
use crate::providers::setlistfm;

/// Imports setlist `s` if it is a past show with songs by an artist we hold; returns the set-list
/// id. A show already holding an actual set-list keeps it (a second entry for the same night does
/// not replace the first), and songs are written only into an empty set-list.
pub async fn from_setlistfm(
    db: &mut PgConnection,
    s: &setlistfm::Setlist,
    today: NaiveDate,
    origin: theset_shared::api::DataOrigin,
) -> sqlx::Result<Option<Uuid>> {
    if !s.has_songs() {
        return Ok(None);
    }
    let Some(date) = s.date().filter(|d| *d < today) else {
        return Ok(None);
    };
    let mbid = s
        .artist
        .mbid
        .as_deref()
        .and_then(|m| Uuid::parse_str(m).ok());
    let artist = sqlx::query_scalar!(
        "SELECT id FROM artists WHERE musicbrainz_id = $1 OR ($1 IS NULL AND lower(name) = lower($2)) LIMIT 1",
        mbid,
        s.artist.name
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(artist) = artist else {
        return Ok(None);
    };
    let venue = venues::from_setlistfm(db, &s.venue, origin).await?;
    // An artist plays one show a day: match on the date, preferring the same venue when the
    // names differ between services (Ticketmaster's and setlist.fm's spellings).
    let matched = sqlx::query_scalar!(
        "SELECT id FROM shows WHERE headliner_artist_id = $1 AND date = $2 AND status <> 'cancelled' \
         ORDER BY (venue_id IS NOT DISTINCT FROM $3) DESC, created_at LIMIT 1",
        artist,
        date,
        venue
    )
    .fetch_optional(&mut *db)
    .await?;
    let show = match matched {
        Some(id) => id,
        None => {
            sqlx::query_scalar!(
                "INSERT INTO shows (setlistfm_id, headliner_artist_id, venue_id, date, status, tour_name, origin) \
                 VALUES ($1, $2, $3, $4, 'completed', $5, $6) RETURNING id",
                s.id,
                artist,
                venue,
                date,
                s.tour.as_ref().map(|t| t.name.clone()),
                origin as theset_shared::api::DataOrigin
            )
            .fetch_one(&mut *db)
            .await?
        }
    };
    sqlx::query!(
        "INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'headliner', 0) \
         ON CONFLICT DO NOTHING",
        show,
        artist
    )
    .execute(&mut *db)
    .await?;
    // An imported list takes the place of the fans' live capture as the show's actual list,
    // unless a moderator verified the capture; the crowd list stays beside it.
    sqlx::query!(
        "UPDATE setlists SET kind = 'crowd' WHERE show_id = $1 AND artist_id = $2 AND source = 'crowd' \
           AND kind = 'actual' AND verified_version IS NULL",
        show,
        artist
    )
    .execute(&mut *db)
    .await?;
    // One actual set-list per show: a second setlist.fm entry for the same night (a duplicate
    // or an edit under another id) does not replace the first.
    sqlx::query!(
        "INSERT INTO setlists (show_id, artist_id, kind, source, external_id, external_url, moderation_status) \
         VALUES ($1, $2, 'actual', 'setlistfm', $3, $4, 'approved') ON CONFLICT DO NOTHING",
        show,
        artist,
        s.id,
        s.url.as_deref()
    )
    .execute(&mut *db)
    .await?;
    let row = sqlx::query!(
        "SELECT l.id, (SELECT count(*) FROM setlist_songs ss WHERE ss.setlist_id = l.id) AS \"songs!\" \
         FROM setlists l WHERE l.show_id = $1 AND l.artist_id = $2 AND l.kind = 'actual'",
        show,
        artist
    )
    .fetch_one(&mut *db)
    .await?;
    let (setlist, existing) = (row.id, row.songs);
    if existing == 0 {
        setlist_songs(db, setlist, artist, s).await?;
    }
    Ok(Some(setlist))
}

async fn setlist_songs(
    db: &mut PgConnection,
    setlist: Uuid,
    artist: Uuid,
    s: &setlistfm::Setlist,
) -> sqlx::Result<()> {
    let catalogue = catalogue_keys(&mut *db, artist).await?;
    let mut used = HashSet::new();
    let mut position: i32 = 0;
    for set in &s.sets.set {
        let set_name = match (set.encore, set.name.as_deref()) {
            (Some(1), _) => "encore".to_owned(),
            (Some(n), _) => format!("encore {n}"),
            (None, Some(name)) if !name.trim().is_empty() => name.trim().chars().take(40).collect(),
            _ => "main".to_owned(),
        };
        for song in &set.song {
            let title = song.name.trim();
            if title.is_empty() {
                continue;
            }
            let song_id = (song.cover.is_none())
                .then(|| catalogue.get(&titles::normalize(title)).copied())
                .flatten()
                .filter(|id| used.insert(*id));
            sqlx::query!(
                "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, is_cover, cover_of, \
                   is_tape, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                setlist,
                song_id,
                title,
                position,
                set_name,
                song.cover.is_some(),
                song.cover.as_ref().map(|c| c.name.clone()),
                song.tape,
                song.info.as_deref()
            )
            .execute(&mut *db)
            .await?;
            position += 1;
        }
    }
    Ok(())
}

/// The artist's catalogue by normalised title and alias: titles first, then known aliases, so a
/// song's own title beats another song's alias; the earlier release wins a tie.
pub async fn catalogue_keys(
    db: &mut PgConnection,
    artist: Uuid,
) -> sqlx::Result<HashMap<String, Uuid>> {
    Ok(sqlx::query!(
        "SELECT key AS \"key!\", id AS \"id!\" FROM ( \
           SELECT s.normalized_title AS key, s.id, 0 AS pref, s.release_date \
           FROM artist_songs x JOIN songs s ON s.id = x.song_id WHERE x.artist_id = $1 \
           UNION ALL \
           SELECT a.alias_normalized, s.id, 1, s.release_date \
           FROM artist_songs x JOIN songs s ON s.id = x.song_id JOIN song_aliases a ON a.song_id = s.id \
           WHERE x.artist_id = $1) m \
         ORDER BY pref, release_date NULLS LAST",
        artist
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .rev() // so the preferred (first) row wins the map insert
    .map(|r| (r.key, r.id))
    .collect())
}
