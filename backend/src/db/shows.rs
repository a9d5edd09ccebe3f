use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use theset_shared::api::{DataOrigin, LineupEntry, LineupRole, ShowStatus, ShowSummary, VenueRef};
use uuid::Uuid;

use super::artists::ArtistRefRow;

/// Columns of [`ShowRow`]; every query that lists shows selects exactly these. The dynamic
/// [`list`] uses this; the static statements (`around_today`, `by_id`, `discovery`'s,
/// `sync::scope::shows`) spell it out the same way, with the venue's columns marked nullable
/// (`"venue_id?"`: the venue is left-joined): keep them in step, and fill the row with
/// [`show_row!`].
const SHOW_COLUMNS: &str = "s.id, s.name, s.date, s.start_time, s.starts_at, s.status, s.ticket_url, s.origin, \
    a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
    v.id AS venue_id, v.name AS venue_name, v.city AS venue_city, v.country_code AS venue_country_code";

/// `FROM` clause that goes with [`SHOW_COLUMNS`].
const SHOW_FROM: &str = " FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
    LEFT JOIN venues v ON v.id = s.venue_id";

/// A show as lists show it. The dynamic [`list`] fills it through `FromRow`; records of the
/// static statements through [`show_row!`].
#[derive(Debug, FromRow)]
pub struct ShowRow {
    pub id: Uuid,
    pub name: Option<String>,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub starts_at: Option<DateTime<Utc>>,
    pub status: ShowStatus,
    pub ticket_url: Option<String>,
    pub origin: DataOrigin,
    #[sqlx(flatten)]
    pub artist: ArtistRefRow,
    pub venue_id: Option<Uuid>,
    pub venue_name: Option<String>,
    pub venue_city: Option<String>,
    pub venue_country_code: Option<String>,
}

/// The [`ShowRow`] of a `query!` record that selected the show columns (see [`SHOW_COLUMNS`]).
macro_rules! show_row {
    ($r:ident) => {
        $crate::db::shows::ShowRow {
            id: $r.id,
            name: $r.name,
            date: $r.date,
            start_time: $r.start_time,
            starts_at: $r.starts_at,
            status: $r.status,
            ticket_url: $r.ticket_url,
            origin: $r.origin,
            artist: $crate::db::artists::ArtistRefRow {
                artist_id: $r.artist_id,
                artist_slug: $r.artist_slug,
                artist_name: $r.artist_name,
            },
            venue_id: $r.venue_id,
            venue_name: $r.venue_name,
            venue_city: $r.venue_city,
            venue_country_code: $r.venue_country_code,
        }
    };
}
pub(crate) use show_row;

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
            status: r.status,
            artist: r.artist.into(),
            venue,
            ticket_url: r.ticket_url,
            origin: r.origin,
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
    /// Only shows at venues within this distance.
    pub near: Option<super::venues::Near>,
    pub descending: bool,
    pub after: Option<(NaiveDate, Uuid)>,
    pub limit: i64,
}

pub async fn list(db: impl PgExecutor<'_>, f: ShowFilter<'_>) -> sqlx::Result<Vec<ShowRow>> {
    // Dynamic: the artist, venue, city, date range and status filters combine freely, and the
    // keyset and order follow the direction; covered by it::shows::list_filters_and_orders (each
    // filter, pages in both directions).
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
        q.push(" AND s.status = ").push_bind(status);
    }
    if let Some(near) = f.near {
        super::venues::push_within(&mut q, near);
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

/// Up to `limit` shows of an artist (headliner or support) or at a venue, nearest to today first
/// (a postponed show is still ahead, whatever its old date).
pub async fn around_today(
    db: impl PgExecutor<'_>,
    artist_id: Option<Uuid>,
    venue_id: Option<Uuid>,
    when: When,
    limit: i64,
) -> sqlx::Result<Vec<ShowRow>> {
    // The two sides differ in their condition and order only.
    match when {
        When::Upcoming => {
            let rows = sqlx::query!(
                "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                        a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                        v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                        v.country_code AS venue_country_code \
                 FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
                 LEFT JOIN venues v ON v.id = s.venue_id \
                 WHERE (s.date >= current_date OR s.status = 'postponed') \
                 AND ($1::uuid IS NULL OR s.headliner_artist_id = $1 \
                      OR EXISTS (SELECT 1 FROM show_artists sa WHERE sa.show_id = s.id AND sa.artist_id = $1)) \
                 AND ($2::uuid IS NULL OR s.venue_id = $2) \
                 ORDER BY s.date ASC, s.id ASC LIMIT $3",
                artist_id,
                venue_id,
                limit
            )
            .fetch_all(db)
            .await?;
            Ok(rows.into_iter().map(|r| show_row!(r)).collect())
        }
        When::Past => {
            let rows = sqlx::query!(
                "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                        a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                        v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                        v.country_code AS venue_country_code \
                 FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
                 LEFT JOIN venues v ON v.id = s.venue_id \
                 WHERE s.date < current_date AND s.status <> 'postponed' \
                 AND ($1::uuid IS NULL OR s.headliner_artist_id = $1 \
                      OR EXISTS (SELECT 1 FROM show_artists sa WHERE sa.show_id = s.id AND sa.artist_id = $1)) \
                 AND ($2::uuid IS NULL OR s.venue_id = $2) \
                 ORDER BY s.date DESC, s.id DESC LIMIT $3",
                artist_id,
                venue_id,
                limit
            )
            .fetch_all(db)
            .await?;
            Ok(rows.into_iter().map(|r| show_row!(r)).collect())
        }
    }
}

#[derive(Debug)]
pub struct ShowDetailRow {
    pub base: ShowRow,
    pub tour_name: Option<String>,
    pub price_currency: Option<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub view_count: i64,
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ShowDetailRow>> {
    let row = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code, \
                s.tour_name, s.price_currency, s.price_min::float8 AS price_min, \
                s.price_max::float8 AS price_max, s.view_count \
         FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         LEFT JOIN venues v ON v.id = s.venue_id WHERE s.id = $1",
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| ShowDetailRow {
        tour_name: r.tour_name,
        price_currency: r.price_currency,
        price_min: r.price_min,
        price_max: r.price_max,
        view_count: r.view_count,
        base: show_row!(r),
    }))
}

pub async fn lineup(db: impl PgExecutor<'_>, show_id: Uuid) -> sqlx::Result<Vec<LineupEntry>> {
    let rows = sqlx::query!(
        "SELECT a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                sa.role AS \"role: LineupRole\", sa.position \
         FROM show_artists sa JOIN artists a ON a.id = sa.artist_id \
         WHERE sa.show_id = $1 ORDER BY sa.position, a.name",
        show_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LineupEntry {
            artist: ArtistRefRow {
                artist_id: r.artist_id,
                artist_slug: r.artist_slug,
                artist_name: r.artist_name,
            }
            .into(),
            role: r.role,
            position: r.position,
        })
        .collect())
}

/// Moves shows whose date has passed to `completed` (cancelled ones stay cancelled).
pub async fn complete_past(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE shows SET status = 'completed' \
         WHERE status IN ('upcoming', 'rescheduled', 'ongoing') AND date < current_date",
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Shows start and end on the clock (see `theset_shared::crowd::on_stage`): `ongoing` from
/// `starts_at`, `completed` `ONGOING_HOURS` later (shows without a start time: after their date).
/// Returns `(started, ended)`.
pub async fn advance_statuses(db: impl PgExecutor<'_> + Copy) -> sqlx::Result<(u64, u64)> {
    let hours = theset_shared::crowd::ONGOING_HOURS as i32;
    let ended = sqlx::query!(
        "UPDATE shows SET status = 'completed' \
         WHERE status IN ('upcoming', 'rescheduled', 'ongoing') \
           AND (starts_at <= now() - make_interval(hours => $1) \
                OR (starts_at IS NULL AND date < current_date - 1))",
        hours
    )
    .execute(db)
    .await?
    .rows_affected();
    let started = sqlx::query!(
        "UPDATE shows SET status = 'ongoing' \
         WHERE status IN ('upcoming', 'rescheduled') AND starts_at <= now() \
           AND starts_at > now() - make_interval(hours => $1)",
        hours
    )
    .execute(db)
    .await?
    .rows_affected();
    Ok((started, ended))
}

pub async fn exists(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1) AS \"exists!\"",
        id
    )
    .fetch_one(db)
    .await
}
