use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use theset_shared::api::{LineupEntry, LineupRole, ShowStatus, ShowSummary, VenueRef};
use uuid::Uuid;

use super::artists::ArtistRefRow;

/// Columns of [`ShowRow`]; every query that lists shows selects exactly these.
pub const SHOW_COLUMNS: &str = "s.id, s.name, s.date, s.start_time, s.starts_at, s.status, s.ticket_url, \
    s.sold_out, a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
    v.id AS venue_id, v.name AS venue_name, v.city AS venue_city, v.country_code AS venue_country_code";

/// `FROM` clause that goes with [`SHOW_COLUMNS`].
pub const SHOW_FROM: &str = " FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
    LEFT JOIN venues v ON v.id = s.venue_id";

#[derive(Debug, FromRow)]
pub struct ShowRow {
    pub id: Uuid,
    pub name: Option<String>,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub starts_at: Option<DateTime<Utc>>,
    pub status: String,
    pub ticket_url: Option<String>,
    pub sold_out: bool,
    #[sqlx(flatten)]
    pub artist: ArtistRefRow,
    pub venue_id: Option<Uuid>,
    pub venue_name: Option<String>,
    pub venue_city: Option<String>,
    pub venue_country_code: Option<String>,
}

impl From<ShowRow> for ShowSummary {
    fn from(r: ShowRow) -> Self {
        let venue = match (r.venue_id, r.venue_name) {
            (Some(id), Some(name)) => Some(VenueRef {
                id,
                name,
                city: r.venue_city,
                country_code: r.venue_country_code,
            }),
            _ => None,
        };
        Self {
            id: r.id,
            name: r.name,
            date: r.date,
            start_time: r.start_time,
            starts_at: r.starts_at,
            // The CHECK constraint admits only known statuses.
            status: ShowStatus::parse(&r.status).unwrap_or(ShowStatus::Upcoming),
            artist: r.artist.into(),
            venue,
            ticket_url: r.ticket_url,
            sold_out: r.sold_out,
        }
    }
}

pub struct ShowFilter<'a> {
    pub artist_id: Option<Uuid>,
    pub venue_id: Option<Uuid>,
    pub city: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<ShowStatus>,
    pub descending: bool,
    pub after: Option<(NaiveDate, Uuid)>,
    pub limit: i64,
}

pub async fn list(db: impl PgExecutor<'_>, f: ShowFilter<'_>) -> sqlx::Result<Vec<ShowRow>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    q.push(SHOW_COLUMNS).push(SHOW_FROM).push(" WHERE true");
    if let Some(id) = f.artist_id {
        q.push(" AND (s.headliner_artist_id = ")
            .push_bind(id)
            .push(" OR EXISTS (SELECT 1 FROM show_artists sa WHERE sa.show_id = s.id AND sa.artist_id = ")
            .push_bind(id)
            .push("))");
    }
    if let Some(id) = f.venue_id {
        q.push(" AND s.venue_id = ").push_bind(id);
    }
    if let Some(city) = f.city {
        q.push(" AND lower(v.city) = lower(")
            .push_bind(city.to_owned())
            .push(")");
    }
    if let Some(from) = f.from {
        q.push(" AND s.date >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND s.date <= ").push_bind(to);
    }
    if let Some(status) = f.status {
        q.push(" AND s.status = ").push_bind(status.as_str());
    }
    let (cmp, dir) = if f.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((date, id)) = f.after {
        q.push(format!(" AND (s.date, s.id) {cmp} ("))
            .push_bind(date)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(format!(" ORDER BY s.date {dir}, s.id {dir} LIMIT "))
        .push_bind(f.limit + 1);
    q.build_query_as().fetch_all(db).await
}

/// Which side of today a short show list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Upcoming,
    Past,
}

/// Up to `limit` shows of an artist (headliner or support) or at a venue, nearest to today first.
pub async fn around_today(
    db: impl PgExecutor<'_>,
    artist_id: Option<Uuid>,
    venue_id: Option<Uuid>,
    when: When,
    limit: i64,
) -> sqlx::Result<Vec<ShowRow>> {
    let (cond, order) = match when {
        When::Upcoming => ("s.date >= current_date", "s.date ASC, s.id ASC"),
        When::Past => ("s.date < current_date", "s.date DESC, s.id DESC"),
    };
    sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS}{SHOW_FROM} WHERE {cond} \
         AND ($1::uuid IS NULL OR s.headliner_artist_id = $1 \
              OR EXISTS (SELECT 1 FROM show_artists sa WHERE sa.show_id = s.id AND sa.artist_id = $1)) \
         AND ($2::uuid IS NULL OR s.venue_id = $2) \
         ORDER BY {order} LIMIT $3"
    ))
    .bind(artist_id)
    .bind(venue_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct ShowDetailRow {
    #[sqlx(flatten)]
    pub base: ShowRow,
    pub tour_name: Option<String>,
    pub price_currency: Option<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub view_count: i64,
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ShowDetailRow>> {
    sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS}, s.tour_name, s.price_currency, s.price_min::float8 AS price_min, \
         s.price_max::float8 AS price_max, s.view_count \
         {SHOW_FROM} WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

#[derive(Debug, FromRow)]
struct LineupRow {
    #[sqlx(flatten)]
    artist: ArtistRefRow,
    role: String,
    position: i32,
}

pub async fn lineup(db: impl PgExecutor<'_>, show_id: Uuid) -> sqlx::Result<Vec<LineupEntry>> {
    let rows: Vec<LineupRow> = sqlx::query_as(
        "SELECT a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, sa.role, sa.position \
         FROM show_artists sa JOIN artists a ON a.id = sa.artist_id \
         WHERE sa.show_id = $1 ORDER BY sa.position, a.name",
    )
    .bind(show_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LineupEntry {
            artist: r.artist.into(),
            role: if r.role == "headliner" {
                LineupRole::Headliner
            } else {
                LineupRole::Support
            },
            position: r.position,
        })
        .collect())
}

/// Moves shows whose date has passed to `completed` (cancelled ones stay cancelled).
pub async fn complete_past(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE shows SET status = 'completed' \
         WHERE status IN ('upcoming', 'ongoing') AND date < current_date",
    )
    .execute(db)
    .await?
    .rows_affected())
}

pub async fn exists(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}
