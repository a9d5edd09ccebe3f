//! The community list of an upcoming show (add songs, vote up or down), likely songs and
//! personal predictions; the live stream is in `show_events.rs`. Every change carries a client
//! `mutation_id` and is the sync push's [`Action`], applied once through the one apply
//! (`actions::apply`): a retry of the same mutation — over REST or in a push — gets the first
//! answer again and changes nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use theset_shared::api::{
    AddCommunitySong, AddCommunityTitle, CommunityList, CommunitySong, LikelySong, Prediction,
    PredictionUpdate, SongTotals, VoteRequest,
};
use theset_shared::sync::{Action, VoteAction, VoteOn};
use uuid::Uuid;

use super::access::{AuthUser, ClientIp, MaybeUser, VerifiedModerator, VerifiedUser};
use super::extract::{ApiJson, ApiPath};
use super::outcomes::{Answer, answer, now, spend, write};
use crate::AppState;
use crate::actions::apply::VoteWrite;
use crate::db::community as db;
use crate::db::predictions;
use crate::error::{AppError, AppResult};
use theset_shared::likely;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shows/{id}/community", get(community))
        .route("/shows/{id}/likely", get(likely))
        .route("/shows/{id}/community/songs", post(add_song))
        .route("/shows/{id}/community/titles", post(add_title))
        .route("/setlist-songs/{id}/vote", put(vote))
        .route("/shows/{id}/prediction", get(prediction).put(predict))
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/community", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = CommunityList), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn community(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<Json<CommunityList>> {
    let mut conn = state.db.acquire().await?;
    let w = db::window(&mut *conn, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    let likely = likely_songs(&state, show).await?;
    // Only a list that never existed is seeded (a hidden one stays empty).
    if w.open && !db::has_community(&mut *conn, show).await? {
        seed(&mut conn, show, w.headliner, &likely).await?;
    }
    // The watermark first: a change landing between the two reads is sent again by the stream,
    // never lost.
    let cursor = db::watermark(&mut *conn, show).await?;
    let lines = db::lines(&mut *conn, show, caller.map(|c| c.user_id)).await?;
    let chance: std::collections::HashMap<Uuid, f64> =
        likely.iter().map(|l| (l.song_id, l.probability)).collect();
    Ok(Json(CommunityList {
        show_id: show,
        voting_open: w.open,
        closes_at: w.closes_at,
        cursor: cursor.encode(),
        songs: lines
            .into_iter()
            .map(|l| CommunitySong {
                likelihood: l.song_id.and_then(|id| chance.get(&id).copied()),
                id: l.id,
                song_id: l.song_id,
                title: l.title,
                upvotes: l.upvotes,
                downvotes: l.downvotes,
                net_votes: l.net_votes,
                my_vote: l.my_vote,
            })
            .collect(),
    }))
}

/// Songs seeded into an empty community list: the likeliest, while at least this likely.
const SEED_SONGS: usize = 12;
const SEED_MIN: f64 = 0.3;

/// An empty list starts from what the artist has been playing, so the first fans vote on
/// something instead of a blank page. Seeding is idempotent: a concurrent reader adds nothing new.
async fn seed(
    conn: &mut sqlx::PgConnection,
    show: Uuid,
    artist: Uuid,
    likely: &[LikelySong],
) -> AppResult<()> {
    let picks: Vec<&LikelySong> = likely
        .iter()
        .filter(|l| l.probability >= SEED_MIN)
        .take(SEED_SONGS)
        .collect();
    if picks.is_empty() {
        return Ok(());
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let setlist = db::community_setlist(&mut tx, show, artist).await?;
    for l in picks {
        db::add_line(&mut tx, setlist, Some(l.song_id), &l.title, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The headliner's catalogue by the chance each song is played (`theset_shared::likely`). It
/// reads two years of the artist's set-lists, which change at most with a nightly import, so
/// each process keeps the answer per show for a few minutes (`AppState::likely`).
async fn likely_songs(state: &AppState, show: Uuid) -> AppResult<Arc<Vec<LikelySong>>> {
    state
        .likely
        .try_get_with(show, async {
            let mut conn = state.db.acquire().await?;
            compute_likely(&mut conn, show).await.map(Arc::new)
        })
        .await
        .map_err(|e: Arc<AppError>| AppError::Internal(anyhow::anyhow!("likely songs: {e}")))
}

async fn compute_likely(conn: &mut sqlx::PgConnection, show: Uuid) -> AppResult<Vec<LikelySong>> {
    let (past, catalogue) = predictions::likely_inputs(conn, show).await?;
    let keys: Vec<String> = catalogue.iter().map(|(id, _)| id.to_string()).collect();
    let titles: std::collections::HashMap<String, &str> = catalogue
        .iter()
        .map(|(id, t)| (id.to_string(), t.as_str()))
        .collect();
    let probs = likely::probabilities(&past, &keys, &likely::Params::default());
    Ok(probs
        .into_iter()
        .filter_map(|(key, p)| {
            let title = titles.get(&key)?;
            Some(LikelySong {
                song_id: key.parse().ok()?,
                title: (*title).to_owned(),
                probability: p,
            })
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/likely", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = [LikelySong]), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn likely(
    State(state): State<AppState>,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<Json<Vec<LikelySong>>> {
    let mut conn = state.db.acquire().await?;
    db::window(&mut *conn, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    drop(conn);
    let songs = likely_songs(&state, show).await?;
    Ok(Json(songs.iter().take(100).cloned().collect()))
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/community/songs", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")), request_body = AddCommunitySong,
    responses((status = 201, body = SongTotals), (status = 200, body = SongTotals),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 409, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn add_song(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AddCommunitySong>,
) -> AppResult<Answer> {
    let action = Action::AddSong {
        show_id: show,
        song_id: req.song_id,
    };
    write(&state, ip, &caller, req.mutation_id, &action).await
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/community/titles", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")), request_body = AddCommunityTitle,
    responses((status = 201, body = SongTotals), (status = 200, body = SongTotals),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn add_title(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedModerator(caller): VerifiedModerator,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AddCommunityTitle>,
) -> AppResult<Answer> {
    let action = Action::AddTitle {
        show_id: show,
        title: req.title,
    };
    write(&state, ip, &caller, req.mutation_id, &action).await
}

#[utoipa::path(put, path = "/api/v1/setlist-songs/{id}/vote", tag = "voting",
    params(("id" = Uuid, Path, description = "Set-list line id")), request_body = VoteRequest,
    responses((status = 200, body = SongTotals), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(line): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> AppResult<Answer> {
    let action = Action::Vote(VoteAction {
        on: VoteOn::Line(line),
        value: req.value,
    });
    spend(&state, ip, &caller, &action).await?;
    // A vote over REST happens now, by the server's clock; it is committed with the other votes
    // arriving meanwhile (see `commits`), in line order.
    let write = VoteWrite {
        caller,
        mutation: req.mutation_id,
        action,
        at: now(),
        pushed: None,
    };
    answer(state.votes.submit(line, write).await?)
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/prediction", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = Prediction), (status = 401, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn prediction(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<Json<Prediction>> {
    let w = db::window(&state.db, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    let rows = predictions::prediction(&state.db, show, caller.user_id).await?;
    Ok(Json(crate::views::prediction::assemble(
        show, !w.open, rows,
    )))
}

#[utoipa::path(put, path = "/api/v1/shows/{id}/prediction", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")), request_body = PredictionUpdate,
    responses((status = 200, body = Prediction), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn predict(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PredictionUpdate>,
) -> AppResult<Answer> {
    let action = Action::Predict {
        show_id: show,
        songs: req.songs,
    };
    write(&state, ip, &caller, req.mutation_id, &action).await
}
