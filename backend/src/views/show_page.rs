//! The show page (`GET /api/v1/shows/{id}`): details, venue, line-up and public set-lists.

use sqlx::PgPool;
use theset_shared::api::{PriceRange, ShowDetail};
use uuid::Uuid;

use crate::db::setlists as setlists_db;
use crate::db::shows as db;
use crate::db::venues as venues_db;
use crate::error::{AppError, AppResult};

#[tracing::instrument(level = "debug", skip(pool))]
pub async fn detail(pool: &PgPool, id: Uuid) -> AppResult<ShowDetail> {
    let row = db::by_id(pool, id)
        .await?
        .ok_or_else(|| AppError::not_found("show"))?;
    let venue_id = row.base.venue_id;
    let (venue, lineup, setlists) = tokio::try_join!(
        async {
            match venue_id {
                Some(v) => venues_db::by_id(pool, v).await,
                None => Ok(None),
            }
        },
        db::lineup(pool, id),
        setlists_db::public_for_show(pool, id),
    )?;
    let price_range = row.price_currency.map(|currency| PriceRange {
        currency,
        min: row.price_min,
        max: row.price_max,
    });
    Ok(ShowDetail {
        summary: row.base.into(),
        tour_name: row.tour_name,
        price_range,
        venue_detail: venue.map(|v| v.base.into()),
        lineup,
        setlists,
        view_count: row.view_count,
    })
}
