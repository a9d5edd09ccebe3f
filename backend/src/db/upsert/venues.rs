//! Venues from Ticketmaster (keyed by its id) and from setlist.fm (matched to what we hold).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::providers::{setlistfm, ticketmaster};

/// Upserts a Ticketmaster venue; known fields are never blanked by a sparser answer.
pub async fn from_ticketmaster(
    db: &mut PgConnection,
    v: &ticketmaster::Venue,
    origin: theset_shared::api::DataOrigin,
) -> sqlx::Result<Uuid> {
    let (lat, lng) = v.coordinates().unzip();
    let state = v.state.as_ref();
    let country = v.country.as_ref();
    let id = sqlx::query_scalar!(
        "INSERT INTO venues (ticketmaster_id, name, address, city, state, state_code, country, country_code, \
           postal_code, timezone, location, url, image_url, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
           CASE WHEN $11::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($12, $11), 4326)::geography END, \
           $13, $14, $15) \
         ON CONFLICT (ticketmaster_id) DO UPDATE SET name = EXCLUDED.name, \
           address = COALESCE(EXCLUDED.address, venues.address), city = COALESCE(EXCLUDED.city, venues.city), \
           state = COALESCE(EXCLUDED.state, venues.state), \
           state_code = COALESCE(EXCLUDED.state_code, venues.state_code), \
           country = COALESCE(EXCLUDED.country, venues.country), \
           country_code = COALESCE(EXCLUDED.country_code, venues.country_code), \
           postal_code = COALESCE(EXCLUDED.postal_code, venues.postal_code), \
           timezone = COALESCE(EXCLUDED.timezone, venues.timezone), \
           location = COALESCE(EXCLUDED.location, venues.location), \
           url = COALESCE(EXCLUDED.url, venues.url), image_url = COALESCE(EXCLUDED.image_url, venues.image_url), \
           origin = EXCLUDED.origin \
         RETURNING id",
        v.id.as_str(),
        v.name.as_str(),
        v.address_line(),
        v.city.as_ref().map(|c| c.name.clone()),
        state.and_then(|s| s.name.clone()),
        state.and_then(|s| s.state_code.clone()),
        country.and_then(|c| c.name.clone()),
        country_code(country.and_then(|c| c.country_code.as_deref())),
        v.postal_code.as_deref(),
        v.timezone.as_deref(),
        lat,
        lng,
        v.url.as_deref(),
        v.images.iter().find(|i| !i.fallback).map(|i| i.url.clone()),
        origin as theset_shared::api::DataOrigin
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(id)
}

fn country_code(c: Option<&str>) -> Option<String> {
    let c = c?.trim().to_uppercase();
    (c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())).then_some(c)
}

/// The venue a setlist.fm entry names: by its setlist.fm id, else by name and city (the
/// Ticketmaster venue we already hold), else a new venue at the city's coordinates.
pub async fn from_setlistfm(
    db: &mut PgConnection,
    v: &setlistfm::Venue,
    origin: theset_shared::api::DataOrigin,
) -> sqlx::Result<Option<Uuid>> {
    let city = v.city.as_ref();
    let found = sqlx::query_scalar!(
        "SELECT id FROM venues WHERE setlistfm_id = $1 \
         OR (lower(name) = lower($2) AND lower(city) = lower($3)) \
         ORDER BY (setlistfm_id = $1) DESC NULLS LAST LIMIT 1",
        v.id,
        v.name,
        city.map(|c| c.name.clone())
    )
    .fetch_optional(&mut *db)
    .await?;
    if let Some(id) = found {
        sqlx::query!(
            "UPDATE venues SET setlistfm_id = $2 WHERE id = $1 AND setlistfm_id IS NULL AND $2::text IS NOT NULL",
            id,
            v.id
        )
        .execute(&mut *db)
        .await?;
        return Ok(Some(id));
    }
    let coords = city.and_then(|c| c.coords.as_ref());
    let country = city.and_then(|c| c.country.as_ref());
    let id = sqlx::query_scalar!(
        "INSERT INTO venues (setlistfm_id, name, city, state, state_code, country, country_code, location, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, \
           CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9, $8), 4326)::geography END, $10) \
         RETURNING id",
        v.id,
        v.name,
        city.map(|c| c.name.clone()),
        city.and_then(|c| c.state.clone()),
        city.and_then(|c| c.state_code.clone()),
        country.and_then(|c| c.name.clone()),
        country_code(country.and_then(|c| c.code.as_deref())),
        coords.map(|c| c.lat),
        coords.map(|c| c.long),
        origin as theset_shared::api::DataOrigin
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(Some(id))
}
