//! The community list of an upcoming show (add songs, vote up or down), likely songs and
//! personal predictions; the live stream is in `show_events.rs`. Every change carries a client `mutation_id`: a retry of the same
//! mutation (an offline client resending) gets the first answer again and changes nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;
use theset_shared::api::{
    AddCommunitySong, AddCommunityTitle, CommunityList, CommunitySong, LikelySong,
    MAX_PREDICTION_SONGS, PredictedSong, Prediction, PredictionUpdate, SongTotals, VoteRequest,
};
use uuid::Uuid;

use super::access::{AuthUser, ClientIp, MaybeUser, ModeratorUser, limited};
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::db::community as db;
use crate::db::{mutations, sessions::Caller, votes};
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

type Answer = (StatusCode, Json<Value>);

/// Runs `apply` once per `(caller, mutation_id)` in one transaction with the record of its
/// answer; a repeat gets the recorded answer. Refusals (4xx) are not recorded: they change
/// nothing and a retry is judged afresh.
pub(super) async fn idempotent(
    state: &AppState,
    caller: &Caller,
    mutation: Uuid,
    kind: &str,
    apply: impl AsyncFnOnce(&mut sqlx::PgConnection) -> AppResult<(StatusCode, Value)>,
) -> AppResult<Answer> {
    let replay = |(status, body): (i16, Value)| {
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        (status, Json(body))
    };
    let mut tx = state.db.begin().await?;
    if let Some(done) = mutations::applied(&mut tx, caller.user_id, mutation).await? {
        return Ok(replay(done));
    }
    let (status, body) = apply(&mut tx).await?;
    let code = i16::try_from(status.as_u16()).unwrap_or(200);
    if !mutations::record(&mut tx, caller.user_id, mutation, kind, code, &body).await? {
        // The same mutation, sent twice at once, was applied by the other request.
        tx.rollback().await?;
        let mut conn = state.db.acquire().await?;
        let done = mutations::applied(&mut conn, caller.user_id, mutation)
            .await?
            .ok_or_else(|| AppError::Conflict("mutation in flight; retry".into()))?;
        return Ok(replay(done));
    }
    tx.commit().await?;
    Ok((status, Json(body)))
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))
}

async fn open_window(db: &mut sqlx::PgConnection, show: Uuid) -> AppResult<db::Window> {
    let w = db::window(&mut *db, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    if !w.open {
        return Err(AppError::Conflict(
            "voting and predictions closed when the show started".into(),
        ));
    }
    Ok(w)
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
    let (past, catalogue) = db::likely_inputs(conn, show).await?;
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

async fn add_line(
    state: &AppState,
    caller: &Caller,
    show: Uuid,
    mutation: Uuid,
    pick: impl AsyncFnOnce(&mut sqlx::PgConnection, Uuid) -> AppResult<(Option<Uuid>, String)>,
) -> AppResult<Answer> {
    let user = caller.user_id;
    idempotent(state, caller, mutation, "add_song", async move |tx| {
        let w = open_window(tx, show).await?;
        let (song, title) = pick(tx, w.headliner).await?;
        let setlist = db::community_setlist(tx, show, w.headliner).await?;
        let (line, created) = db::add_line(tx, setlist, song, &title, Some(user)).await?;
        let totals = db::totals(&mut *tx, line).await?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, json(&totals)?))
    })
    .await
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
    AuthUser(caller): AuthUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AddCommunitySong>,
) -> AppResult<Answer> {
    limited(&state, Bucket::Vote, ip, Some(&caller.user_id.to_string()))?;
    let song = req.song_id;
    add_line(
        &state,
        &caller,
        show,
        req.mutation_id,
        async move |tx, artist| {
            let title = db::catalogue_title(&mut *tx, artist, song)
                .await?
                .ok_or_else(|| {
                    super::auth::bad_body("song_id is not in the headliner's catalogue")
                })?;
            Ok((Some(song), title))
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/community/titles", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")), request_body = AddCommunityTitle,
    responses((status = 201, body = SongTotals), (status = 200, body = SongTotals),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn add_title(
    State(state): State<AppState>,
    ModeratorUser(caller): ModeratorUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AddCommunityTitle>,
) -> AppResult<Answer> {
    let title = req.title.trim().to_owned();
    if !(1..=200).contains(&title.chars().count())
        || title.chars().any(theset_shared::validate::unsafe_char)
    {
        return Err(super::auth::bad_body("title must be 1 to 200 characters"));
    }
    add_line(&state, &caller, show, req.mutation_id, async move |_, _| {
        Ok((None, title))
    })
    .await
}

#[utoipa::path(put, path = "/api/v1/setlist-songs/{id}/vote", tag = "voting",
    params(("id" = Uuid, Path, description = "Set-list line id")), request_body = VoteRequest,
    responses((status = 200, body = SongTotals), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(line): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> AppResult<Answer> {
    limited(&state, Bucket::Vote, ip, Some(&caller.user_id.to_string()))?;
    let value = match req.value {
        -1 | 1 => Some(req.value),
        0 => None,
        _ => return Err(super::auth::bad_body("value must be 1, -1 or 0 (clear)")),
    };
    let user = caller.user_id;
    idempotent(&state, &caller, req.mutation_id, "vote", async move |tx| {
        let ctx = db::line_context(&mut *tx, line)
            .await?
            .ok_or(AppError::not_found("set-list song"))?;
        if ctx.source != "community" {
            return Err(AppError::Conflict(
                "only the community list of an upcoming show takes votes".into(),
            ));
        }
        open_window(tx, ctx.show_id).await?;
        votes::set(&mut *tx, user, line, value).await?;
        Ok((StatusCode::OK, json(&db::totals(&mut *tx, line).await?)?))
    })
    .await
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
    let rows = db::prediction(&state.db, show, caller.user_id).await?;
    Ok(Json(Prediction {
        show_id: show,
        locked: !w.open,
        updated_at: rows.first().map(|r| r.updated_at),
        songs: rows
            .into_iter()
            .map(|r| PredictedSong {
                song_id: r.song_id,
                title: r.title,
                encore: r.encore,
            })
            .collect(),
    }))
}

#[utoipa::path(put, path = "/api/v1/shows/{id}/prediction", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id")), request_body = PredictionUpdate,
    responses((status = 200, body = Prediction), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn predict(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PredictionUpdate>,
) -> AppResult<Answer> {
    limited(&state, Bucket::Vote, ip, Some(&caller.user_id.to_string()))?;
    if req.songs.len() > MAX_PREDICTION_SONGS {
        return Err(super::auth::bad_body(format!(
            "a prediction holds at most {MAX_PREDICTION_SONGS} songs"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = req.songs.iter().find(|l| !seen.insert(l.song_id)) {
        return Err(super::auth::bad_body(format!(
            "song {} appears twice",
            dup.song_id
        )));
    }
    if req.songs.windows(2).any(|w| w[0].encore && !w[1].encore) {
        return Err(super::auth::bad_body(
            "encore songs come after the main set",
        ));
    }
    let user = caller.user_id;
    idempotent(
        &state,
        &caller,
        req.mutation_id,
        "prediction",
        async move |tx| {
            let w = open_window(tx, show).await?;
            let ids: Vec<Uuid> = req.songs.iter().map(|l| l.song_id).collect();
            let titles = db::catalogue_titles(&mut *tx, w.headliner, &ids).await?;
            let mut lines = Vec::with_capacity(ids.len());
            for l in &req.songs {
                let title = titles.get(&l.song_id).ok_or_else(|| {
                    super::auth::bad_body(format!(
                        "song {} is not in the headliner's catalogue",
                        l.song_id
                    ))
                })?;
                lines.push((l.song_id, title.clone(), l.encore));
            }
            db::replace_prediction(tx, show, w.headliner, user, &lines).await?;
            let rows = db::prediction(&mut *tx, show, user).await?;
            let body = Prediction {
                show_id: show,
                locked: false,
                updated_at: rows.first().map(|r| r.updated_at),
                songs: rows
                    .into_iter()
                    .map(|r| PredictedSong {
                        song_id: r.song_id,
                        title: r.title,
                        encore: r.encore,
                    })
                    .collect(),
            };
            Ok((StatusCode::OK, json(&body)?))
        },
    )
    .await
}
