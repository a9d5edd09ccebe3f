use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use theset_shared::api::VenueSummary;
use uuid::Uuid;

/// Columns of [`VenueRow`] but the distance. The dynamic list selects these; `by_id` spells them
/// out the same way: keep the two in step.
const VENUE_COLUMNS: &str = "v.id, v.name, lower(v.name) AS sort_name, v.address, v.city, v.state, v.country, v.country_code, \
    v.postal_code, v.timezone, v.origin, ST_Y(v.location::geometry) AS latitude, \
    ST_X(v.location::geometry) AS longitude, \
    (SELECT count(*) FROM shows s WHERE s.venue_id = v.id AND s.date >= current_date) AS upcoming_show_count";

/// A venue as lists show it: filled by the dynamic list through `FromRow`.
#[derive(Debug, FromRow)]
pub struct VenueRow {
    pub id: Uuid,
    pub name: String,
    /// `lower(name)` as Postgres computes it: the keyset of the name sort.
    pub sort_name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub postal_code: Option<String>,
    pub timezone: Option<String>,
    pub origin: theset_shared::api::DataOrigin,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub upcoming_show_count: i64,
    pub distance_km: Option<f64>,
}

impl From<VenueRow> for VenueSummary {
    fn from(r: VenueRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            address: r.address,
            city: r.city,
            state: r.state,
            country: r.country,
            country_code: r.country_code,
            postal_code: r.postal_code,
            timezone: r.timezone,
            latitude: r.latitude,
            longitude: r.longitude,
            upcoming_show_count: r.upcoming_show_count,
            origin: r.origin,
            distance_km: r.distance_km,
        }
    }
}

/// A point and radius for "venues near me".
#[derive(Debug, Clone, Copy)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub km: f64,
}

/// ` AND` the venue `v` is within `n`: ST_DWithin on geography, which the GiST index answers.
pub(super) fn push_within(q: &mut QueryBuilder<Postgres>, n: Near) {
    q.push(" AND ST_DWithin(v.location, ST_MakePoint(")
        .push_bind(n.longitude)
        .push(", ")
        .push_bind(n.latitude)
        .push(")::geography, ")
        .push_bind(n.km * 1000.0)
        .push(")");
}

pub struct VenueFilter<'a> {
    pub city: Option<&'a str>,
    pub has_upcoming: Option<bool>,
    pub near: Option<Near>,
    /// Keyset position: (name, id) by default, (distance in km, id) when `near` is set.
    pub after_name: Option<(String, Uuid)>,
    pub after_distance: Option<(f64, Uuid)>,
    pub limit: i64,
}

pub async fn list(db: impl PgExecutor<'_>, f: VenueFilter<'_>) -> sqlx::Result<Vec<VenueRow>> {
    // Dynamic: the city, upcoming and distance filters combine freely, and the keyset
    // and order follow whether a point is given (distance) or not (name); covered by
    // it::venues::near_a_point_orders_by_distance_within_radius (distance, its keyset) and
    // it::venues::filters_by_city_and_upcoming_shows (each filter, the name keyset).
    // Distance is computed once in a subquery so the keyset condition can use it.
    let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM (SELECT ");
    q.push(VENUE_COLUMNS).push(", ");
    match f.near {
        Some(n) => {
            q.push("ST_Distance(v.location, ST_MakePoint(")
                .push_bind(n.longitude)
                .push(", ")
                .push_bind(n.latitude)
                .push(")::geography) / 1000.0 AS distance_km");
        }
        None => {
            q.push("NULL::float8 AS distance_km");
        }
    }
    q.push(" FROM venues v WHERE true");
    if let Some(n) = f.near {
        // The ORDER BY then sorts only the hits.
        push_within(&mut q, n);
    }
    if let Some(city) = f.city {
        q.push(" AND lower(v.city) = lower(")
            .push_bind(city.to_owned())
            .push(")");
    }
    match f.has_upcoming {
        Some(true) => {
            q.push(" AND EXISTS (SELECT 1 FROM shows s WHERE s.venue_id = v.id AND s.date >= current_date)");
        }
        Some(false) => {
            q.push(" AND NOT EXISTS (SELECT 1 FROM shows s WHERE s.venue_id = v.id AND s.date >= current_date)");
        }
        None => {}
    }
    q.push(") x WHERE true");
    if f.near.is_some() {
        if let Some((d, id)) = f.after_distance {
            q.push(" AND (x.distance_km, x.id) > (")
                .push_bind(d)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY x.distance_km, x.id");
    } else {
        if let Some((name, id)) = f.after_name {
            q.push(" AND (x.sort_name, x.id) > (")
                .push_bind(name)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY x.sort_name, x.id");
    }
    q.push(" LIMIT ").push_bind(f.limit + 1);
    q.build_query_as().fetch_all(db).await
}

#[derive(Debug)]
pub struct VenueDetailRow {
    pub base: VenueRow,
    pub ticketmaster_id: Option<String>,
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<VenueDetailRow>> {
    let row = sqlx::query!(
        "SELECT v.id, v.name, lower(v.name) AS \"sort_name!\", v.address, v.city, v.state, v.country, \
                v.country_code, v.postal_code, v.timezone, v.origin AS \"origin: theset_shared::api::DataOrigin\", \
                ST_Y(v.location::geometry) AS latitude, ST_X(v.location::geometry) AS longitude, \
                (SELECT count(*) FROM shows s WHERE s.venue_id = v.id AND s.date >= current_date) \
                  AS \"upcoming_show_count!\", \
                v.ticketmaster_id \
         FROM venues v WHERE v.id = $1",
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| VenueDetailRow {
        base: VenueRow {
            id: r.id,
            name: r.name,
            sort_name: r.sort_name,
            address: r.address,
            city: r.city,
            state: r.state,
            country: r.country,
            country_code: r.country_code,
            postal_code: r.postal_code,
            timezone: r.timezone,
            origin: r.origin,
            latitude: r.latitude,
            longitude: r.longitude,
            upcoming_show_count: r.upcoming_show_count,
            distance_km: None,
        },
        ticketmaster_id: r.ticketmaster_id,
    }))
}

/// Deletes venues no show uses that Ticketmaster does not list (setlist.fm's, left behind by
/// merged or removed shows); returns how many.
pub async fn delete_orphans(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM venues v WHERE v.ticketmaster_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM shows s WHERE s.venue_id = v.id)"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
