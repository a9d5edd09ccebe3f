//! How the one apply's answer (`actions::apply`) goes out over REST: applied — the body, 201 when
//! it made something new — or refused with its stable code, the same whether the refusal is
//! fresh or the kept answer of a pushed mutation retried here.

use axum::Json;
use axum::http::StatusCode;
use serde_json::Value;
use theset_shared::hlc::Hlc;
use theset_shared::sync::{Action, Outcome};
use uuid::Uuid;

use super::access::{ClientIp, limited};
use crate::AppState;
use crate::actions::apply;
use crate::db::sessions::Caller;
use crate::error::{AppError, AppResult};

pub(super) type Answer = (StatusCode, Json<Value>);

/// A change sent to a REST route happens now, by the server's clock.
pub(super) fn now() -> Hlc {
    Hlc::from_millis(u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0))
}

/// Applies `action` once for `mutation` (see `actions::apply::once`), after it spent its
/// budgets, and answers it.
pub(super) async fn write(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    mutation: Uuid,
    action: &Action,
) -> AppResult<Answer> {
    spend(state, ip, caller, action).await?;
    answer(apply::once(&state.db, caller, mutation, action, now()).await?)
}

/// Applies a change that carries no mutation id (see `actions::apply::direct`), after it spent
/// its budgets, and answers it.
pub(super) async fn change(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    action: &Action,
) -> AppResult<Answer> {
    spend(state, ip, caller, action).await?;
    answer(apply::direct(&state.db, caller, action, now(), Some(ip.0)).await?)
}

/// [`change`], answered by its status alone: 201 when it made something new, else 204.
pub(super) async fn change_status(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    action: &Action,
) -> AppResult<StatusCode> {
    let (status, _) = change(state, ip, caller, action).await?;
    Ok(if status == StatusCode::CREATED {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    })
}

/// Spends what `action` costs (`actions::apply::budgets`), of the caller's network and account:
/// 429 with `Retry-After` past a budget, before anything is applied.
pub(super) async fn spend(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    action: &Action,
) -> AppResult<()> {
    let account = caller.user_id.to_string();
    for bucket in apply::budgets(action) {
        limited(state, *bucket, ip, Some(&account)).await?;
    }
    Ok(())
}

pub(super) fn answer(outcome: Outcome) -> AppResult<Answer> {
    match outcome {
        Outcome::Applied { body, created } => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, Json(body)))
        }
        // Only a vote can be superseded: one of the fan's devices voted on the line later (by
        // the time the fan acted) than this request arrived.
        Outcome::Superseded => Err(AppError::Conflict(
            "a later vote of yours on this song is already in place; nothing changed".into(),
        )),
        Outcome::Rejected {
            status,
            code,
            message,
            current,
        } => Err(AppError::Replayed {
            status,
            code,
            message,
            current,
        }),
    }
}
