//! The rows of a user's scope as the pull sends them: every artist the user follows or whose
//! show the user is going to or opened (the artist, its catalogue, its shows from
//! `PAST_SHOW_DAYS` ago on, their community and actual set-lists with lines and totals, in
//! `lists.rs`) plus the user's own rows (follows, attendance, personal predictions, votes).

use chrono::NaiveDate;
use sqlx::PgConnection;
use theset_shared::api::ShowStatus;
use theset_shared::sync::{PAST_SHOW_DAYS, SyncAttend, SyncShow, SyncSong};
use uuid::Uuid;

use crate::db::artists::ArtistRow;
use crate::db::shows::{ShowRow, show_row};

/// Which rows of an entity to read.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// These ids (from the change log).
    Ids(&'a [Uuid]),
    /// Everything of these artists (a snapshot, or a new follow).
    OfArtists(&'a [Uuid]),
    /// The user's own (predictions, votes).
    Mine,
}

/// The show window in days, as statements take it: `s.date >= current_date - $n::int4` (90 fits).
pub(super) const WINDOW_DAYS: i32 = PAST_SHOW_DAYS as i32;

/// The artists' rows, with the columns of every `ArtistRow` statement (see `artists::UPCOMING_COUNT`).
pub async fn artists(db: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as!(
        ArtistRow,
        "SELECT a.id, a.slug, a.name, lower(a.name) AS \"sort_name!\", a.image_url, a.genres, \
                a.popularity, a.followers, a.trending_score, a.origin AS \"origin: theset_shared::api::DataOrigin\", \
                (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                 AND s.date >= current_date) AS \"upcoming_show_count!\" \
         FROM artists a WHERE a.id = ANY($1)",
        ids
    )
    .fetch_all(db)
    .await
}

#[derive(Debug)]
pub struct SyncShowRow {
    pub show: ShowRow,
    pub venue_lat: Option<f64>,
    pub venue_lng: Option<f64>,
}

impl From<SyncShowRow> for SyncShow {
    fn from(r: SyncShowRow) -> Self {
        Self {
            summary: r.show.into(),
            venue_lat: r.venue_lat,
            venue_lng: r.venue_lng,
        }
    }
}

/// The [`SyncShowRow`] of a record of the show statements below.
macro_rules! sync_show_row {
    ($r:ident) => {
        SyncShowRow {
            venue_lat: $r.venue_lat,
            venue_lng: $r.venue_lng,
            show: show_row!($r),
        }
    };
}

/// In-window shows by id or by headliner. The two statements differ in their condition only; both
/// select the columns of `shows::ShowRow` (see `shows::SHOW_COLUMNS`).
pub async fn shows(db: &mut PgConnection, rows: Rows<'_>) -> sqlx::Result<Vec<SyncShowRow>> {
    match rows {
        Rows::Ids(ids) => {
            let rows = sqlx::query!(
                "SELECT s.id AS \"id!\", s.name, s.date AS \"date!\", s.start_time, s.starts_at, \
                        s.status AS \"status!: ShowStatus\", s.ticket_url, s.origin AS \"origin!: theset_shared::api::DataOrigin\", \
                        a.id AS \"artist_id!\", a.slug AS \"artist_slug!\", a.name AS \"artist_name!\", \
                        v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                        v.country_code AS venue_country_code, \
                        ST_Y(v.location::geometry) AS venue_lat, ST_X(v.location::geometry) AS venue_lng \
                 FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
                 LEFT JOIN venues v ON v.id = s.venue_id \
                 WHERE s.id = ANY($1) AND s.date >= current_date - $2::int4",
                ids,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await?;
            Ok(rows.into_iter().map(|r| sync_show_row!(r)).collect())
        }
        Rows::OfArtists(ids) => {
            let rows = sqlx::query!(
                "SELECT s.id AS \"id!\", s.name, s.date AS \"date!\", s.start_time, s.starts_at, \
                        s.status AS \"status!: ShowStatus\", s.ticket_url, s.origin AS \"origin!: theset_shared::api::DataOrigin\", \
                        a.id AS \"artist_id!\", a.slug AS \"artist_slug!\", a.name AS \"artist_name!\", \
                        v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                        v.country_code AS venue_country_code, \
                        ST_Y(v.location::geometry) AS venue_lat, ST_X(v.location::geometry) AS venue_lng \
                 FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
                 LEFT JOIN venues v ON v.id = s.venue_id \
                 WHERE s.headliner_artist_id = ANY($1) AND s.date >= current_date - $2::int4",
                ids,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await?;
            Ok(rows.into_iter().map(|r| sync_show_row!(r)).collect())
        }
        Rows::Mine => Ok(Vec::new()),
    }
}

#[derive(Debug)]
pub struct SongRow {
    id: Uuid,
    artist_id: Uuid,
    title: String,
    album: Option<String>,
    release_date: Option<NaiveDate>,
    popularity: Option<i32>,
}

impl From<SongRow> for SyncSong {
    fn from(r: SongRow) -> Self {
        Self {
            id: r.id,
            artist_id: r.artist_id,
            title: r.title,
            album: r.album,
            release_date: r.release_date,
            popularity: r.popularity,
        }
    }
}

/// Catalogue entries: of these artists, or these `(artist, song)` pairs.
pub async fn songs(
    db: &mut PgConnection,
    artists: &[Uuid],
    songs: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SongRow>> {
    match songs {
        Some(songs) => {
            sqlx::query_as!(
                SongRow,
                "SELECT s.id, x.artist_id, s.title, s.album, s.release_date, s.popularity \
                 FROM artist_songs x JOIN songs s ON s.id = x.song_id \
                 WHERE (x.artist_id, x.song_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))",
                artists,
                songs
            )
            .fetch_all(db)
            .await
        }
        None => {
            sqlx::query_as!(
                SongRow,
                "SELECT s.id, x.artist_id, s.title, s.album, s.release_date, s.popularity \
                 FROM artist_songs x JOIN songs s ON s.id = x.song_id WHERE x.artist_id = ANY($1)",
                artists
            )
            .fetch_all(db)
            .await
        }
    }
}

/// Followed artists, by id.
pub async fn followed(db: &mut PgConnection, user: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 ORDER BY artist_id",
        user
    )
    .fetch_all(db)
    .await
}

/// The artists of the user's scope (followed, or headlining a show the user is going to or
/// opened), by id: snapshot pages walk them in this order.
pub async fn scope_artists(
    db: &mut PgConnection,
    user: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT artist_id AS \"artist_id!\" FROM user_scope_artists($1) \
         WHERE $2::uuid IS NULL OR artist_id > $2 ORDER BY artist_id LIMIT $3",
        user,
        after,
        limit
    )
    .fetch_all(db)
    .await
}

/// Which of `artists` are in the user's scope now.
pub async fn in_scope(
    db: &mut PgConnection,
    user: Uuid,
    artists: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT artist_id AS \"artist_id!\" FROM user_scope_artists($1) WHERE artist_id = ANY($2)",
        user,
        artists
    )
    .fetch_all(db)
    .await
}

/// The user's attendance rows (all, or of these shows) in the window a device keeps.
pub async fn attendance(
    db: &mut PgConnection,
    user: Uuid,
    shows: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SyncAttend>> {
    let rows = sqlx::query!(
        "SELECT g.show_id, s.headliner_artist_id AS artist_id, g.going, g.public \
         FROM show_attendance g JOIN shows s ON s.id = g.show_id \
         WHERE g.user_id = $1 AND ($2::uuid[] IS NULL OR g.show_id = ANY($2)) \
           AND s.date >= current_date - $3::int4",
        user,
        shows,
        WINDOW_DAYS
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SyncAttend {
            show_id: r.show_id,
            artist_id: r.artist_id,
            going: r.going,
            public: r.public,
        })
        .collect())
}

/// Which of `artists` the user follows now.
pub async fn follows_of(
    db: &mut PgConnection,
    user: Uuid,
    artists: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 AND artist_id = ANY($2)",
        user,
        artists
    )
    .fetch_all(db)
    .await
}
