//! Admin routes: start any job by hand, manage roles, read the audit log. Every handler takes
//! [`AdminUser`], the one role check.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use theset_shared::api::{
    AuditEntry, AuditPage, JobRef, PublicProfile, Role, RoleUpdate, StartJob,
};
use uuid::Uuid;

use super::access::{AdminUser, ClientIp};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::db::{audit, users};
use crate::error::{AppError, AppResult};
use crate::jobs::{Named, enqueue_artist_job, enqueue_cron_job, job_by_name};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", post(start_job))
        .route("/admin/users/{id}/role", put(set_role))
        .route("/admin/audit", get(audit_log))
}

#[utoipa::path(post, path = "/api/v1/admin/jobs", tag = "jobs", request_body = StartJob,
    responses((status = 202, body = JobRef), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn start_job(
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<StartJob>,
) -> AppResult<(StatusCode, Json<JobRef>)> {
    let named = job_by_name(req.job);
    let (id, job_type) = match (named, req.artist_id) {
        (Named::Artist(job_type), Some(artist)) => {
            if !crate::db::artists::exists(&state.db, artist).await? {
                return Err(AppError::not_found("artist"));
            }
            (
                enqueue_artist_job(&state.db, job_type, artist, 20).await?,
                job_type,
            )
        }
        (Named::Artist(_), None) => {
            return Err(AppError::invalid_parameter("this job needs artist_id"));
        }
        (Named::Cron(job_type), None) => (enqueue_cron_job(&state.db, job_type).await?, job_type),
        (Named::Cron(_), Some(_)) => {
            return Err(AppError::invalid_parameter("this job takes no artist_id"));
        }
    };
    super::auth::audit(
        &state,
        Some(admin.user_id),
        "admin.job_started",
        Some(id),
        Some(ip.0),
        json!({ "job": job_type }),
    )
    .await;
    Ok((
        StatusCode::ACCEPTED,
        Json(JobRef {
            id,
            job_type: job_type.to_owned(),
        }),
    ))
}

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/role", tag = "admin", request_body = RoleUpdate,
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, body = PublicProfile), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn set_role(
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RoleUpdate>,
) -> AppResult<Json<PublicProfile>> {
    if id == admin.user_id {
        // The last admin could lock everyone out; another admin must do it.
        return Err(AppError::Conflict(
            "admins cannot change their own role".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    if req.role > Role::User && !users::is_verified(&mut *tx, id).await? {
        return Err(if crate::db::users::public(&mut *tx, id).await?.is_none() {
            AppError::not_found("user")
        } else {
            AppError::Conflict(
                "that account's address is not confirmed: moderator and admin powers need a \
                     proven address"
                    .into(),
            )
        });
    }
    let old = users::set_role(&mut tx, id, req.role)
        .await?
        .ok_or(AppError::not_found("user"))?;
    // In the same transaction: a role change is never unaudited.
    audit::record(
        &mut *tx,
        audit::Event {
            actor: Some(admin.user_id),
            action: "user.role_changed",
            subject: Some(id),
            ip: Some(ip.0),
            detail: json!({ "from": old.as_str(), "to": req.role.as_str() }),
        },
    )
    .await?;
    tx.commit().await?;
    super::profile::profile_of(&state, id).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// The last `id` of the previous page.
    before: Option<i64>,
    /// Only actions starting with this (`auth.`, `user.role_changed`).
    action: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody)))]
pub async fn audit_log(
    _admin: AdminUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let limit = super::pagination::limit(q.limit)?;
    if q.before.is_some_and(|b| b < 1) {
        return Err(AppError::invalid_parameter("before must be a positive id"));
    }
    let prefix = q.action.as_deref().filter(|a| !a.is_empty());
    if prefix.is_some_and(|a| {
        a.len() > 64
            || !a
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
    }) {
        return Err(AppError::invalid_parameter(
            "action must be lower-case letters, '_' and '.'",
        ));
    }
    let rows = audit::page(&state.db, q.before, prefix, limit).await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Json(AuditPage {
        items: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor_id: r.actor_id,
                action: r.action,
                subject_id: r.subject_id,
                ip: r.ip,
                detail: r.detail,
            })
            .collect(),
        next_before,
    }))
}
