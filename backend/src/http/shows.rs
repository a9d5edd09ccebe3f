//! `GET /api/v1/shows`, `GET /api/v1/shows/{id}` and `GET /api/v1/shows/{id}/setlists`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use theset_shared::api::{Items, Order, Page, Setlist, ShowDetail, ShowListQuery, ShowSummary};
use uuid::Uuid;

use super::access::ClientIp;
use super::extract::{ApiPath, ApiQuery};
use super::pagination;
use crate::AppState;
use crate::db::setlists as setlists_db;
use crate::db::shows::{self as db, ShowFilter};
use crate::error::{AppError, AppResult};
use crate::page_views::Page as Viewed;
use crate::views::show_page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shows", get(list))
        .route("/shows/{id}", get(by_id))
        .route("/shows/{id}/setlists", get(setlists))
}

#[utoipa::path(get, path = "/api/v1/shows", tag = "shows", params(ShowListQuery),
    responses((status = 200, body = Page<ShowSummary>), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ShowListQuery>,
) -> AppResult<Json<Page<ShowSummary>>> {
    let limit = pagination::limit(p.limit)?;
    if let (Some(from), Some(to)) = (p.from, p.to)
        && from > to
    {
        return Err(AppError::invalid_parameter("from must not be after to"));
    }
    let city = p.city.as_deref().map(str::trim);
    if city.is_some_and(|c| c.is_empty() || c.len() > 100) {
        return Err(AppError::invalid_parameter(
            "city must be 1 to 100 characters",
        ));
    }
    let near = super::venues::near_filter(p.near.as_deref(), p.km)?;
    let descending = p.order.unwrap_or_default() == Order::Desc;
    let sort = if descending { "date_desc" } else { "date" };
    let rows = db::list(
        &state.db,
        ShowFilter {
            artist_id: p.artist_id,
            venue_id: p.venue_id,
            city,
            from: p.from,
            to: p.to,
            status: p.status,
            near,
            descending,
            after: pagination::decode(sort, p.cursor.as_deref())?,
            limit,
        },
    )
    .await?;
    Ok(Json(pagination::page(
        rows,
        limit,
        sort,
        |r| (r.date, r.id),
        Into::into,
    )))
}

#[utoipa::path(get, path = "/api/v1/shows/{id}", tag = "shows",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ShowDetail), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn by_id(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<ShowDetail>> {
    let page = show_page::detail(&state.db, id).await?;
    state.views.record(ip.0, Viewed::Show(id));
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/setlists", tag = "setlists",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Items<Setlist>), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn setlists(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Items<Setlist>>> {
    if !db::exists(&state.db, id).await? {
        return Err(AppError::not_found("show"));
    }
    let items = setlists_db::public_for_show(&state.db, id).await?;
    Ok(Json(Items { items }))
}
