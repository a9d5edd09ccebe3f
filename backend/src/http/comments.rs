//! A show's discussion: `GET|POST /api/v1/shows/{id}/comments`, `PATCH|DELETE
//! /api/v1/comments/{id}`, and moderators' `POST /api/v1/comments/{id}/hide|restore`. The rules
//! are in `actions::comments`; writing spends the comment budget per account and network.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use theset_shared::api::{Comment, CommentEdit, CommentOrder, CommentThread, NewComment, Role};
use theset_shared::sync::Action;
use uuid::Uuid;

use super::access::{ClientIp, MaybeUser, ModeratorUser, VerifiedUser};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::outcomes::{Answer, change, change_status};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::views::comments as views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shows/{id}/comments", get(thread).post(add))
        .route("/comments/{id}", patch(edit).delete(delete))
        .route("/comments/{id}/hide", post(hide))
        .route("/comments/{id}/restore", post(restore))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThreadQuery {
    /// `newest` (default) or `best` (most replied-to first).
    #[param(inline)]
    order: Option<CommentOrder>,
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/comments", tag = "comments", params(("id" = Uuid, Path, description = "Show id"), ThreadQuery),
    responses((status = 200, body = CommentThread), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn thread(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ThreadQuery>,
) -> AppResult<Json<CommentThread>> {
    if !crate::db::shows::exists(&state.db, show).await? {
        return Err(AppError::not_found("show"));
    }
    let moderates = caller.is_some_and(|c| c.acts_as(Role::Moderator));
    let order = q.order.unwrap_or(CommentOrder::Newest);
    Ok(Json(
        views::thread(&state.db, show, order, moderates).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/comments", tag = "comments", request_body = NewComment,
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 201, body = Comment), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 409, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewComment>,
) -> AppResult<Answer> {
    let action = Action::Comment {
        comment_id: req.id.unwrap_or_else(Uuid::now_v7),
        show_id: show,
        parent_id: req.parent_id,
        body: req.body,
    };
    let (_, body) = change(&state, ip, &caller, &action).await?;
    // Written (or the same comment again, by its id): 201 as before.
    Ok((StatusCode::CREATED, body))
}

#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments", request_body = CommentEdit,
    params(("id" = Uuid, Path, description = "Comment id")),
    responses((status = 200, body = Comment), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CommentEdit>,
) -> AppResult<Answer> {
    let action = Action::EditComment {
        comment_id: id,
        body: req.body,
    };
    change(&state, ip, &caller, &action).await
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let action = Action::DeleteComment { comment_id: id };
    change_status(&state, ip, &caller, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_hidden(
    state: &AppState,
    ip: ClientIp,
    caller: &crate::db::sessions::Caller,
    id: Uuid,
    hidden: bool,
) -> AppResult<Answer> {
    let action = Action::HideComment {
        comment_id: id,
        hidden,
    };
    change(state, ip, caller, &action).await
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/hide", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses((status = 200, body = Comment), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn hide(
    State(state): State<AppState>,
    ip: ClientIp,
    ModeratorUser(caller): ModeratorUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Answer> {
    set_hidden(&state, ip, &caller, id, true).await
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/restore", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses((status = 200, body = Comment), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    ip: ClientIp,
    ModeratorUser(caller): ModeratorUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Answer> {
    set_hidden(&state, ip, &caller, id, false).await
}
