//! Artists: the list, the page, songs, search; what the import jobs read and mark is in
//! `refresh.rs`, how its provider ids were made in `links.rs`.

pub mod links;
mod refresh;
pub mod trends;

pub use refresh::*;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use theset_shared::api::{ArtistRef, ArtistSort, ArtistSummary, ExternalLink, Image, SongSummary};
use uuid::Uuid;

/// Shows still to come at the artist, as a correlated subquery over the `shows_artist_date_idx`.
/// The statements that select an [`ArtistRow`] (here, `discovery::trending_artists`,
/// `follows::list`, `sync::scope::artists`) spell it out the same way: keep them in step.
const UPCOMING_COUNT: &str = "(SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                              AND s.date >= current_date) AS upcoming_show_count";

/// An artist as lists show it. Static statements fill it with `query_as!` (same columns, same
/// names); the dynamic list through `FromRow`.
#[derive(Debug, FromRow)]
pub struct ArtistRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// `lower(name)` as Postgres computes it: the keyset of the name sort.
    pub sort_name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub followers: Option<i64>,
    pub trending_score: f64,
    pub upcoming_show_count: i64,
    pub origin: theset_shared::api::DataOrigin,
}

impl From<ArtistRow> for ArtistSummary {
    fn from(r: ArtistRow) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            name: r.name,
            image_url: r.image_url,
            genres: r.genres,
            popularity: r.popularity,
            followers: r.followers,
            trending_score: r.trending_score,
            upcoming_show_count: r.upcoming_show_count,
            origin: r.origin,
        }
    }
}

/// Filters of the artist list; the cursor key type depends on the sort.
pub struct ArtistFilter<'a> {
    pub genre: Option<&'a str>,
    pub min_popularity: Option<i32>,
    pub sort: ArtistSort,
    pub after_name: Option<(String, Uuid)>,
    pub after_trending: Option<(f64, Uuid)>,
    pub limit: i64,
}

pub async fn list(db: impl PgExecutor<'_>, f: ArtistFilter<'_>) -> sqlx::Result<Vec<ArtistRow>> {
    // Dynamic: the genre and popularity filters combine freely with two sorts, each with its own
    // keyset; covered by it::artists::list_sorts_by_name_case_insensitively_and_pages_through_all
    // (name keyset) and it::artists::list_filters_by_genre_and_popularity_and_sorts_by_trending
    // (genre, popularity, trending keyset, genre with trending).
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS sort_name, a.image_url, a.genres, a.popularity, \
         a.followers, a.trending_score, a.origin, ",
    );
    q.push(UPCOMING_COUNT).push(" FROM artists a WHERE true");
    if let Some(genre) = f.genre {
        q.push(" AND a.genres @> ARRAY[")
            .push_bind(genre.to_lowercase())
            .push("]::text[]");
    }
    if let Some(min) = f.min_popularity {
        q.push(" AND a.popularity >= ").push_bind(min);
    }
    match f.sort {
        ArtistSort::Name => {
            if let Some((name, id)) = f.after_name {
                q.push(" AND (lower(a.name), a.id) > (")
                    .push_bind(name)
                    .push(", ")
                    .push_bind(id)
                    .push(")");
            }
            q.push(" ORDER BY lower(a.name), a.id");
        }
        ArtistSort::Trending => {
            if let Some((score, id)) = f.after_trending {
                q.push(" AND (a.trending_score, a.id) < (")
                    .push_bind(score)
                    .push(", ")
                    .push_bind(id)
                    .push(")");
            }
            q.push(" ORDER BY a.trending_score DESC, a.id DESC");
        }
    }
    q.push(" LIMIT ").push_bind(f.limit + 1);
    q.build_query_as().fetch_all(db).await
}

#[derive(Debug)]
pub struct ArtistDetailRow {
    pub base: ArtistRow,
    pub ticketmaster_id: Option<String>,
    pub spotify_id: Option<String>,
    pub musicbrainz_id: Option<Uuid>,
    pub images: Json<Vec<Image>>,
    pub bio: Option<String>,
    pub bio_url: Option<String>,
    /// `live` or `demo` (where the biography was fetched).
    pub bio_origin: Option<theset_shared::api::DataOrigin>,
    pub links: Json<Vec<ExternalLink>>,
    pub updated_at: DateTime<Utc>,
}

pub async fn by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<ArtistDetailRow>> {
    let row = sqlx::query!(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS \"sort_name!\", a.image_url, a.genres, \
                a.popularity, a.followers, a.trending_score, a.origin AS \"origin: theset_shared::api::DataOrigin\", \
                (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                 AND s.date >= current_date) AS \"upcoming_show_count!\", \
                a.ticketmaster_id, a.spotify_id, a.musicbrainz_id, \
                a.images AS \"images: Json<Vec<Image>>\", a.bio, a.bio_url, a.bio_origin AS \"bio_origin: theset_shared::api::DataOrigin\", \
                a.links AS \"links: Json<Vec<ExternalLink>>\", a.updated_at \
         FROM artists a WHERE a.slug = $1",
        slug
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| ArtistDetailRow {
        base: ArtistRow {
            id: r.id,
            slug: r.slug,
            name: r.name,
            sort_name: r.sort_name,
            image_url: r.image_url,
            genres: r.genres,
            popularity: r.popularity,
            followers: r.followers,
            trending_score: r.trending_score,
            upcoming_show_count: r.upcoming_show_count,
            origin: r.origin,
        },
        ticketmaster_id: r.ticketmaster_id,
        spotify_id: r.spotify_id,
        musicbrainz_id: r.musicbrainz_id,
        images: r.images,
        bio: r.bio,
        bio_url: r.bio_url,
        bio_origin: r.bio_origin,
        links: r.links,
        updated_at: r.updated_at,
    }))
}

#[derive(Debug)]
pub struct SongRow {
    pub id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub duration_ms: Option<i32>,
    pub popularity: Option<i32>,
    pub spotify_id: Option<String>,
    pub album_image_url: Option<String>,
}

impl From<SongRow> for SongSummary {
    fn from(r: SongRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            album: r.album,
            duration_ms: r.duration_ms,
            popularity: r.popularity,
            spotify_id: r.spotify_id,
            album_image_url: r.album_image_url,
        }
    }
}

/// The artist's most popular songs (the catalogue holds studio recordings only).
pub async fn top_songs(
    db: impl PgExecutor<'_>,
    artist_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<SongRow>> {
    sqlx::query_as!(
        SongRow,
        "SELECT s.id, s.title, s.album, s.duration_ms, s.popularity, s.spotify_id, s.album_image_url \
         FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 \
         ORDER BY s.popularity DESC NULLS LAST, s.title, s.id LIMIT $2",
        artist_id,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn song_count(db: impl PgExecutor<'_>, artist_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1",
        artist_id
    )
    .fetch_one(db)
    .await
}

/// `ArtistRef` columns as selected by other families' queries (aliased `artist_*`).
#[derive(Debug, FromRow)]
pub struct ArtistRefRow {
    pub artist_id: Uuid,
    pub artist_slug: String,
    pub artist_name: String,
}

impl From<ArtistRefRow> for ArtistRef {
    fn from(r: ArtistRefRow) -> Self {
        Self {
            id: r.artist_id,
            slug: r.artist_slug,
            name: r.artist_name,
        }
    }
}

/// An artist as search results show it.
#[derive(Debug)]
pub struct SearchRow {
    pub id: Uuid,
    pub slug: String,
    pub ticketmaster_id: Option<String>,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub trending_score: f64,
    pub origin: theset_shared::api::DataOrigin,
}

impl SearchRow {
    pub fn to_hit(&self) -> theset_shared::api::ArtistSearchHit {
        theset_shared::api::ArtistSearchHit {
            id: Some(self.id),
            slug: Some(self.slug.clone()),
            ticketmaster_id: self.ticketmaster_id.clone(),
            name: self.name.clone(),
            image_url: self.image_url.clone(),
            genres: self.genres.clone(),
            popularity: self.popularity,
            trending_score: Some(self.trending_score),
            in_database: true,
            origin: self.origin,
        }
    }
}

// Both searches select exactly the columns of [`SearchRow`]: keep them in step.

pub async fn by_ticketmaster_ids(
    db: impl PgExecutor<'_>,
    ids: &[String],
) -> sqlx::Result<Vec<SearchRow>> {
    sqlx::query_as!(
        SearchRow,
        "SELECT id, slug, ticketmaster_id, name, image_url, genres, popularity, trending_score, origin AS \"origin: theset_shared::api::DataOrigin\" \
         FROM artists WHERE ticketmaster_id = ANY($1)",
        ids
    )
    .fetch_all(db)
    .await
}

/// Our artists whose name contains `q` or is similar to it (trigram index), best first.
pub async fn search_by_name(
    db: impl PgExecutor<'_>,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<SearchRow>> {
    sqlx::query_as!(
        SearchRow,
        "SELECT id, slug, ticketmaster_id, name, image_url, genres, popularity, trending_score, origin AS \"origin: theset_shared::api::DataOrigin\" \
         FROM artists \
         WHERE name ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' \
            OR name % $1 \
         ORDER BY similarity(name, $1) DESC, lower(name), id LIMIT $2",
        q,
        limit
    )
    .fetch_all(db)
    .await
}

/// The artist holding a Ticketmaster id, if any: `(id, slug)`.
pub async fn by_ticketmaster_id(
    db: impl PgExecutor<'_>,
    tm_id: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query!(
        "SELECT id, slug FROM artists WHERE ticketmaster_id = $1",
        tm_id
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.id, r.slug)))
}

/// The artist holding Spotify id `spotify_id`: `(id, slug)`.
pub async fn by_spotify_id(
    db: impl PgExecutor<'_>,
    spotify_id: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query!(
        "SELECT id, slug FROM artists WHERE spotify_id = $1",
        spotify_id
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.id, r.slug)))
}

/// The artist's slug, if the artist exists.
pub async fn slug_of(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT slug FROM artists WHERE id = $1", id)
        .fetch_optional(db)
        .await
}

/// The slugs of those of `ids` that exist (in no particular order).
pub async fn slugs_of(db: impl PgExecutor<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!("SELECT slug FROM artists WHERE id = ANY($1)", ids)
        .fetch_all(db)
        .await
}

pub async fn id_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM artists WHERE slug = $1", slug)
        .fetch_optional(db)
        .await
}

/// `(id, name)` of the artist with `slug`.
pub async fn id_and_name_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query!("SELECT id, name FROM artists WHERE slug = $1", slug)
        .fetch_optional(db)
        .await
        .map(|r| r.map(|r| (r.id, r.name)))
}

pub async fn exists(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM artists WHERE id = $1) AS \"exists!\"",
        id
    )
    .fetch_one(db)
    .await
}
