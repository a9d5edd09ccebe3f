//! The OpenAPI document (`/api/v1/openapi.json`) and an interactive page (`/api/v1/docs`).

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_scalar::{Scalar, Servable};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "TheSet API", version = "1", description = "Concert set-list predictions, votes and actual set-lists."),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::artists::list,
        super::artists::by_slug,
        super::shows::list,
        super::shows::by_id,
        super::shows::setlists,
        super::venues::list,
        super::venues::by_id,
        super::search::search,
        super::imports::import,
        super::jobs::job,
        super::jobs::job_events,
        super::jobs::artist_events,
        super::admin::start_job,
        super::auth::signup,
        super::auth::login,
        super::auth::refresh,
        super::auth::logout,
        super::auth::me,
    ),
    tags((name = "artists"), (name = "shows"), (name = "venues"), (name = "setlists"), (name = "health"), (name = "search"), (name = "jobs"), (name = "auth"))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .merge(Scalar::with_url("/docs", ApiDoc::openapi()))
}
