use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use theset_shared::api::{ArtistRef, ArtistSort, ArtistSummary, ExternalLink, Image, SongSummary};
use uuid::Uuid;

/// Shows still to come at the artist, as a correlated subquery over the `shows_artist_date_idx`.
pub(super) const UPCOMING_COUNT: &str = "(SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                              AND s.date >= current_date) AS upcoming_show_count";

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
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS sort_name, a.image_url, a.genres, a.popularity, \
         a.followers, a.trending_score, ",
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

#[derive(Debug, FromRow)]
pub struct ArtistDetailRow {
    #[sqlx(flatten)]
    pub base: ArtistRow,
    pub ticketmaster_id: Option<String>,
    pub spotify_id: Option<String>,
    pub musicbrainz_id: Option<Uuid>,
    pub images: sqlx::types::Json<Vec<Image>>,
    pub bio: Option<String>,
    pub links: sqlx::types::Json<Vec<ExternalLink>>,
    pub updated_at: DateTime<Utc>,
}

pub async fn by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<ArtistDetailRow>> {
    sqlx::query_as(&format!(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS sort_name, a.image_url, a.genres, a.popularity, \
         a.followers, a.trending_score, {UPCOMING_COUNT}, a.ticketmaster_id, a.spotify_id, a.musicbrainz_id, a.images, a.bio, a.links, \
         a.updated_at FROM artists a WHERE a.slug = $1"
    ))
    .bind(slug)
    .fetch_optional(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct SongRow {
    pub id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub duration_ms: Option<i32>,
    pub popularity: Option<i32>,
    pub spotify_id: Option<String>,
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
        }
    }
}

/// The artist's most popular studio songs.
pub async fn top_songs(
    db: impl PgExecutor<'_>,
    artist_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<SongRow>> {
    sqlx::query_as(
        "SELECT s.id, s.title, s.album, s.duration_ms, s.popularity, s.spotify_id \
         FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND NOT s.is_live AND NOT s.is_remix \
         ORDER BY s.popularity DESC NULLS LAST, s.title, s.id LIMIT $2",
    )
    .bind(artist_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn song_count(db: impl PgExecutor<'_>, artist_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND NOT s.is_live AND NOT s.is_remix",
    )
    .bind(artist_id)
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
#[derive(Debug, FromRow)]
pub struct SearchRow {
    pub id: Uuid,
    pub slug: String,
    pub ticketmaster_id: Option<String>,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub trending_score: f64,
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
        }
    }
}

const SEARCH_COLUMNS: &str =
    "id, slug, ticketmaster_id, name, image_url, genres, popularity, trending_score";

pub async fn by_ticketmaster_ids(
    db: impl PgExecutor<'_>,
    ids: &[String],
) -> sqlx::Result<Vec<SearchRow>> {
    sqlx::query_as(&format!(
        "SELECT {SEARCH_COLUMNS} FROM artists WHERE ticketmaster_id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Our artists whose name contains `q` or is similar to it (trigram index), best first.
pub async fn search_by_name(
    db: impl PgExecutor<'_>,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<SearchRow>> {
    sqlx::query_as(&format!(
        "SELECT {SEARCH_COLUMNS} FROM artists \
         WHERE name ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' \
            OR name % $1 \
         ORDER BY similarity(name, $1) DESC, lower(name), id LIMIT $2"
    ))
    .bind(q)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The artist holding a Ticketmaster id, if any: `(id, slug)`.
pub async fn by_ticketmaster_id(
    db: impl PgExecutor<'_>,
    tm_id: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as("SELECT id, slug FROM artists WHERE ticketmaster_id = $1")
        .bind(tm_id)
        .fetch_optional(db)
        .await
}
