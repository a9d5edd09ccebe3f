//! Discovery: `GET /api/v1/trending/artists`, `GET /api/v1/trending/shows`, `GET /api/v1/home`
//! and the caller's `GET /api/v1/me/dashboard`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use theset_shared::api::{
    ArtistSummary, Contributions, Dashboard, Home, MyPrediction, MyScores, TrendingShow,
};
use utoipa::IntoParams;

use super::access::{AuthUser, MaybeUser};
use super::extract::ApiQuery;
use crate::AppState;
use crate::db::{discovery as db, follows};
use crate::error::{AppError, AppResult};

const HOME_TRENDING: i64 = 12;
const HOME_FOLLOWED: i64 = 20;
const DASHBOARD_SHOWS: i64 = 50;
const DASHBOARD_PREDICTIONS: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/trending/artists", get(trending_artists))
        .route("/trending/shows", get(trending_shows))
        .route("/home", get(home))
        .route("/me/dashboard", get(dashboard))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendingParams {
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

fn limit(p: &TrendingParams) -> AppResult<i64> {
    match p.limit {
        None => Ok(20),
        Some(n @ 1..=50) => Ok(i64::from(n)),
        Some(_) => Err(AppError::invalid_parameter("limit must be 1 to 50")),
    }
}

fn trending(rows: Vec<db::TrendingShowRow>) -> Vec<TrendingShow> {
    rows.into_iter()
        .map(|r| TrendingShow {
            summary: r.show.into(),
            trending_score: r.trending_score,
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/trending/artists", tag = "discovery", params(TrendingParams),
    responses((status = 200, body = [ArtistSummary]), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn trending_artists(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TrendingParams>,
) -> AppResult<Json<Vec<ArtistSummary>>> {
    let rows = db::trending_artists(&state.db, limit(&p)?).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/trending/shows", tag = "discovery", params(TrendingParams),
    responses((status = 200, body = [TrendingShow]), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn trending_shows(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TrendingParams>,
) -> AppResult<Json<Vec<TrendingShow>>> {
    Ok(Json(trending(
        db::trending_shows(&state.db, limit(&p)?).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/home", tag = "discovery",
    responses((status = 200, body = Home), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn home(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
) -> AppResult<Json<Home>> {
    let followed = async {
        match &caller {
            Some(c) => db::followed_upcoming(&state.db, c.user_id, HOME_FOLLOWED).await,
            None => Ok(Vec::new()),
        }
    };
    let (artists, shows, followed) = tokio::try_join!(
        db::trending_artists(&state.db, HOME_TRENDING),
        db::trending_shows(&state.db, HOME_TRENDING),
        followed,
    )?;
    Ok(Json(Home {
        trending_artists: artists.into_iter().map(Into::into).collect(),
        trending_shows: trending(shows),
        followed_upcoming: followed.into_iter().map(Into::into).collect(),
        signed_in: caller.is_some(),
    }))
}

#[utoipa::path(get, path = "/api/v1/me/dashboard", tag = "profile",
    responses((status = 200, body = Dashboard), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<Dashboard>> {
    let user = caller.user_id;
    let (followed, upcoming, predictions, scores, contributions) = tokio::try_join!(
        follows::list(&state.db, user),
        db::followed_upcoming(&state.db, user, DASHBOARD_SHOWS),
        db::predictions(&state.db, user, false, DASHBOARD_PREDICTIONS),
        db::scores(&state.db, user),
        db::contributions(&state.db, user),
    )?;
    Ok(Json(Dashboard {
        followed_artists: followed.into_iter().map(Into::into).collect(),
        upcoming_shows: upcoming.into_iter().map(Into::into).collect(),
        predictions: predictions
            .into_iter()
            .map(|p| MyPrediction {
                songs: p.songs,
                updated_at: p.prediction_updated_at,
                score: p.score,
                rank: p.rank,
                show: p.show.into(),
            })
            .collect(),
        scores: MyScores {
            scored: scores.scored,
            average: scores.average,
            best: scores.best,
            all_time_rank: scores.all_time_rank,
        },
        contributions: Contributions {
            songs_added: contributions.songs_added,
            votes_cast: contributions.votes_cast,
            corrections: contributions.corrections,
            flags_raised: contributions.flags_raised,
            setlists_verified: contributions.setlists_verified,
        },
    }))
}
