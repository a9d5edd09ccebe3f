//! `GET /api/v1/venues` (with "near a point" discovery) and `GET /api/v1/venues/{id}`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use theset_shared::api::{Page, VenueDetail, VenueListQuery, VenueSummary};
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::pagination;
use crate::AppState;
use crate::db::shows::{self as shows_db, When};
use crate::db::venues::{self as db, Near, VenueFilter};
use crate::error::{AppError, AppResult};

/// Radius when `near` comes without `km`.
const DEFAULT_NEAR_KM: f64 = 25.0;
/// Half the Earth's circumference: any larger radius means "everywhere".
const MAX_NEAR_KM: f64 = 20_000.0;
const PAGE_SHOWS: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/venues", get(list))
        .route("/venues/{id}", get(by_id))
}

/// The `near`/`km` pair of a list query: none, or a point with range checks and a radius (`km`
/// alone is refused).
pub(super) fn near_filter(near: Option<&str>, km: Option<f64>) -> Result<Option<Near>, AppError> {
    match near {
        Some(raw) => parse_near(raw, km).map(Some),
        None if km.is_some() => Err(AppError::invalid_parameter("km needs near")),
        None => Ok(None),
    }
}

/// Parses `lat,lng` with range checks.
fn parse_near(raw: &str, km: Option<f64>) -> Result<Near, AppError> {
    let bad = || AppError::invalid_parameter("near must be `latitude,longitude` in degrees");
    let (lat, lng) = raw.split_once(',').ok_or_else(bad)?;
    let latitude: f64 = lat.trim().parse().map_err(|_| bad())?;
    let longitude: f64 = lng.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&latitude) {
        return Err(AppError::invalid_parameter(
            "latitude must be between -90 and 90",
        ));
    }
    if !(-180.0..=180.0).contains(&longitude) {
        return Err(AppError::invalid_parameter(
            "longitude must be between -180 and 180",
        ));
    }
    let km = km.unwrap_or(DEFAULT_NEAR_KM);
    // `!(x > 0)` also refuses NaN.
    if !(km > 0.0 && km <= MAX_NEAR_KM) {
        return Err(AppError::invalid_parameter(format!(
            "km must be above 0 and at most {MAX_NEAR_KM}"
        )));
    }
    Ok(Near {
        latitude,
        longitude,
        km,
    })
}

#[utoipa::path(get, path = "/api/v1/venues", tag = "venues", params(VenueListQuery),
    responses((status = 200, body = Page<VenueSummary>), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<VenueListQuery>,
) -> AppResult<Json<Page<VenueSummary>>> {
    let limit = pagination::limit(p.limit)?;
    let near = near_filter(p.near.as_deref(), p.km)?;
    let city = p.city.as_deref().map(str::trim);
    if city.is_some_and(|c| c.is_empty() || c.len() > 100) {
        return Err(AppError::invalid_parameter(
            "city must be 1 to 100 characters",
        ));
    }
    let sort = if near.is_some() { "distance" } else { "name" };
    let (after_name, after_distance) = if near.is_some() {
        (None, pagination::decode(sort, p.cursor.as_deref())?)
    } else {
        (pagination::decode(sort, p.cursor.as_deref())?, None)
    };
    let rows = db::list(
        &state.db,
        VenueFilter {
            city,
            has_upcoming: p.has_upcoming,
            near,
            after_name,
            after_distance,
            limit,
        },
    )
    .await?;
    Ok(Json(if near.is_some() {
        pagination::page(
            rows,
            limit,
            sort,
            |r| (r.distance_km.unwrap_or_default(), r.id),
            Into::into,
        )
    } else {
        pagination::page(
            rows,
            limit,
            sort,
            |r| (r.sort_name.clone(), r.id),
            Into::into,
        )
    }))
}

#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "venues",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = VenueDetail), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn by_id(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<VenueDetail>> {
    let row = db::by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("venue"))?;
    let (upcoming, past) = tokio::try_join!(
        shows_db::around_today(&state.db, None, Some(id), When::Upcoming, PAGE_SHOWS),
        shows_db::around_today(&state.db, None, Some(id), When::Past, PAGE_SHOWS),
    )?;
    Ok(Json(VenueDetail {
        summary: row.base.into(),
        ticketmaster_id: row.ticketmaster_id,
        upcoming_shows: upcoming.into_iter().map(Into::into).collect(),
        past_shows: past.into_iter().map(Into::into).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_parsing() {
        let n = parse_near("40.7505,-73.9934", Some(5.0)).expect("valid");
        assert_eq!((n.latitude, n.longitude, n.km), (40.7505, -73.9934, 5.0));
        assert!(parse_near("95,0", None).is_err());
        assert!(parse_near("0,181", None).is_err());
        assert!(parse_near("0;0", None).is_err());
        assert!(parse_near("a,b", None).is_err());
        assert!(parse_near("0,0", Some(0.0)).is_err());
        assert!(parse_near("0,0", Some(f64::NAN)).is_err());
        assert!(parse_near("NaN,0", None).is_err());
    }
}
