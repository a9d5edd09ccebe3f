//! The rows of a user's scope as the pull sends them: every followed artist (the artist, its
//! catalogue, its shows from `PAST_SHOW_DAYS` ago on, their community and actual set-lists with
//! lines and totals) plus the user's own rows (follows, personal predictions, votes).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection};
use theset_shared::sync::{PAST_SHOW_DAYS, SyncLine, SyncSetlist, SyncShow, SyncSong, SyncVote};
use uuid::Uuid;

use crate::db::artists::{ArtistRow, UPCOMING_COUNT};
use crate::db::shows::{SHOW_COLUMNS, SHOW_FROM, ShowRow};
use theset_shared::api::{SetlistKind, SetlistSource};

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

fn show_window() -> String {
    format!("s.date >= current_date - {PAST_SHOW_DAYS}")
}

pub async fn artists(db: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as(&format!(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS sort_name, a.image_url, a.genres, a.popularity, \
                a.followers, a.trending_score, {UPCOMING_COUNT} FROM artists a WHERE a.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct SyncShowRow {
    #[sqlx(flatten)]
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

pub async fn shows(db: &mut PgConnection, rows: Rows<'_>) -> sqlx::Result<Vec<SyncShowRow>> {
    let (which, ids) = match rows {
        Rows::Ids(ids) => ("s.id = ANY($1)", ids),
        Rows::OfArtists(ids) => ("s.headliner_artist_id = ANY($1)", ids),
        Rows::Mine => return Ok(Vec::new()),
    };
    sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS}, ST_Y(v.location::geometry) AS venue_lat, ST_X(v.location::geometry) AS venue_lng \
         {SHOW_FROM} WHERE {which} AND {}",
        show_window()
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
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
    let q = "SELECT s.id, x.artist_id, s.title, s.album, s.release_date, s.popularity \
             FROM artist_songs x JOIN songs s ON s.id = x.song_id";
    match songs {
        Some(songs) => sqlx::query_as(&format!(
            "{q} WHERE (x.artist_id, x.song_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))"
        ))
        .bind(artists)
        .bind(songs)
        .fetch_all(db)
        .await,
        None => {
            sqlx::query_as(&format!("{q} WHERE x.artist_id = ANY($1)"))
                .bind(artists)
                .fetch_all(db)
                .await
        }
    }
}

/// Set-lists a user may hold: community and actual lists of in-window shows (not hidden), and
/// the user's own predictions.
const VISIBLE: &str =
    "((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2)";

fn setlist_rows(rows: Rows<'_>) -> (&'static str, &[Uuid]) {
    match rows {
        Rows::Ids(ids) => ("l.id = ANY($1)", ids),
        Rows::OfArtists(ids) => ("l.artist_id = ANY($1) AND l.source <> 'user'", ids),
        Rows::Mine => ("l.owner_user_id = $2 AND cardinality($1::uuid[]) = 0", &[]),
    }
}

#[derive(Debug, FromRow)]
pub struct SetlistRow {
    id: Uuid,
    show_id: Uuid,
    artist_id: Uuid,
    #[sqlx(try_from = "String")]
    kind: SetlistKind,
    #[sqlx(try_from = "String")]
    source: SetlistSource,
    version: i32,
    verified: bool,
    accuracy_score: Option<f64>,
    updated_at: DateTime<Utc>,
}

impl From<SetlistRow> for SyncSetlist {
    fn from(r: SetlistRow) -> Self {
        Self {
            id: r.id,
            show_id: r.show_id,
            artist_id: r.artist_id,
            kind: r.kind,
            source: r.source,
            version: r.version,
            verified: r.verified,
            accuracy_score: r.accuracy_score,
            updated_at: r.updated_at,
        }
    }
}

pub async fn setlists(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<SetlistRow>> {
    let (which, ids) = setlist_rows(rows);
    sqlx::query_as(&format!(
        "SELECT l.id, l.show_id, l.artist_id, l.kind, l.source, l.version, \
                l.moderation_status = 'verified' AS verified, l.accuracy_score, l.updated_at \
         FROM setlists l JOIN shows s ON s.id = l.show_id \
         WHERE {which} AND {VISIBLE} AND {}",
        show_window()
    ))
    .bind(ids)
    .bind(user)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct LineRow {
    id: Uuid,
    setlist_id: Uuid,
    song_id: Option<Uuid>,
    title: String,
    position: i32,
    set_name: String,
    is_cover: bool,
    is_tape: bool,
    upvotes: i32,
    downvotes: i32,
    net_votes: i32,
}

impl From<LineRow> for SyncLine {
    fn from(r: LineRow) -> Self {
        Self {
            id: r.id,
            setlist_id: r.setlist_id,
            song_id: r.song_id,
            title: r.title,
            position: r.position,
            set_name: r.set_name,
            is_cover: r.is_cover,
            is_tape: r.is_tape,
            upvotes: r.upvotes,
            downvotes: r.downvotes,
            net_votes: r.net_votes,
        }
    }
}

/// Lines by id, or the lines of the set-lists `rows` selects.
pub async fn lines(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<LineRow>> {
    let (which, ids) = match rows {
        Rows::Ids(ids) => ("ss.id = ANY($1)", ids),
        other => setlist_rows(other),
    };
    sqlx::query_as(&format!(
        "SELECT ss.id, ss.setlist_id, ss.song_id, ss.title, ss.position, ss.set_name, ss.is_cover, ss.is_tape, \
                ss.upvotes, ss.downvotes, ss.net_votes \
         FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
         WHERE {which} AND {VISIBLE} AND {}",
        show_window()
    ))
    .bind(ids)
    .bind(user)
    .fetch_all(db)
    .await
}

/// The user's vote registers: on these lines (0 where there is none), or all of them.
pub async fn votes(
    db: &mut PgConnection,
    user: Uuid,
    lines: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SyncVote>> {
    let rows: Vec<(Uuid, i16, i64)> = match lines {
        Some(lines) => {
            sqlx::query_as(
                "SELECT x.id, coalesce(v.value, 0::smallint), coalesce(c.hlc, 0) FROM unnest($1::uuid[]) AS x(id) \
                 LEFT JOIN votes v ON v.setlist_song_id = x.id AND v.user_id = $2 \
                 LEFT JOIN vote_clocks c ON c.setlist_song_id = x.id AND c.user_id = $2",
            )
            .bind(lines)
            .bind(user)
            .fetch_all(db)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT c.setlist_song_id, coalesce(v.value, 0::smallint), c.hlc FROM vote_clocks c \
                 LEFT JOIN votes v ON v.setlist_song_id = c.setlist_song_id AND v.user_id = c.user_id \
                 JOIN setlist_songs ss ON ss.id = c.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
                 JOIN shows s ON s.id = l.show_id WHERE c.user_id = $1 AND {}",
                show_window()
            ))
            .bind(user)
            .fetch_all(db)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(line, value, hlc)| SyncVote {
            setlist_song_id: line,
            value,
            hlc: theset_shared::hlc::Hlc::from_i64(hlc),
        })
        .collect())
}

/// Followed artists, by id (snapshot pages walk them in this order).
pub async fn followed(
    db: &mut PgConnection,
    user: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 AND ($2::uuid IS NULL OR artist_id > $2) \
         ORDER BY artist_id LIMIT $3",
    )
    .bind(user)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Which of `artists` the user follows now.
pub async fn follows_of(
    db: &mut PgConnection,
    user: Uuid,
    artists: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 AND artist_id = ANY($2)",
    )
    .bind(user)
    .bind(artists)
    .fetch_all(db)
    .await
}
