//! A show's discussion, by REST or sync push: write (a reply answers a top-level comment), edit
//! within ten minutes, delete one's own; moderators hide and restore, audited. A comment's id is
//! chosen by the device, so a retried push writes it once; an id that is someone else's comment
//! is refused, so nobody writes as another.

use std::net::IpAddr;

use serde_json::json;
use sqlx::PgConnection;
use theset_shared::api::{Comment, Role};
use theset_shared::comments as rules;
use uuid::Uuid;

use super::bad_body;
use crate::db::comments as db;
use crate::db::sessions::Caller;
use crate::error::{AppError, AppResult};
use crate::views::comments::comment;

/// A burst a fan may write in a minute, whatever the limiter remembers (see
/// `db::comments::recent_by`).
const PER_MINUTE: i64 = 10;

fn body_of(text: &str) -> AppResult<String> {
    rules::clean(text).map_err(|p| bad_body(format!("body: {p}")))
}

pub async fn add(
    tx: &mut PgConnection,
    caller: &Caller,
    show: Uuid,
    id: Uuid,
    parent: Option<Uuid>,
    text: &str,
) -> AppResult<Comment> {
    let body = body_of(text)?;
    let moderates = caller.acts_as(Role::Moderator);
    // A retry of the caller's own comment answers it again.
    if let Some(existing) = db::for_update(&mut *tx, id).await? {
        return if existing.author_id == caller.user_id && existing.show_id == show {
            Ok(comment(existing, moderates))
        } else {
            Err(AppError::Conflict("that comment id is taken".into()))
        };
    }
    let mut parent_author = None;
    if let Some(parent) = parent {
        let Some(p) = db::for_update(&mut *tx, parent).await? else {
            return Err(AppError::not_found("comment"));
        };
        if p.show_id != show {
            return Err(AppError::not_found("comment"));
        }
        if p.parent_id.is_some() {
            return Err(bad_body("parent_id: replies answer a comment, not a reply"));
        }
        if p.deleted || p.hidden {
            return Err(AppError::Conflict("that comment was removed".into()));
        }
        parent_author = Some(p.author_id);
    }
    if db::recent_by(&mut *tx, caller.user_id, 60.0).await? >= PER_MINUTE {
        return Err(AppError::RateLimited(std::time::Duration::from_secs(60)));
    }
    if !crate::db::shows::exists(&mut *tx, show).await? {
        return Err(AppError::not_found("show"));
    }
    db::insert(&mut *tx, id, show, caller.user_id, parent, &body).await?;
    if let Some(author) = parent_author {
        super::notices::reply(
            tx,
            id,
            show,
            author,
            caller.user_id,
            &caller.display_name,
            &body,
        )
        .await?;
    }
    let written = db::for_update(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("comment {id} not written")))?;
    Ok(comment(written, moderates))
}

/// The caller's own comment, for a change; someone else's answers "not found".
async fn own(tx: &mut PgConnection, caller: &Caller, id: Uuid) -> AppResult<db::CommentRow> {
    match db::for_update(&mut *tx, id).await? {
        Some(c) if c.author_id == caller.user_id => Ok(c),
        _ => Err(AppError::not_found("comment")),
    }
}

pub async fn edit(
    tx: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
    text: &str,
) -> AppResult<Comment> {
    let body = body_of(text)?;
    let c = own(tx, caller, id).await?;
    if c.deleted {
        return Err(AppError::Conflict("that comment was deleted".into()));
    }
    if c.body != body {
        if !rules::editable(c.created_at, chrono::Utc::now()) {
            return Err(AppError::Conflict(
                "comments can be edited for ten minutes after they are written".into(),
            ));
        }
        db::set_body(&mut *tx, id, &body).await?;
    }
    let now = db::for_update(&mut *tx, id)
        .await?
        .ok_or(AppError::not_found("comment"))?;
    Ok(comment(now, caller.acts_as(Role::Moderator)))
}

/// Deletes the caller's comment (again: nothing to do).
pub async fn delete(tx: &mut PgConnection, caller: &Caller, id: Uuid) -> AppResult<()> {
    match db::for_update(&mut *tx, id).await? {
        Some(c) if c.author_id == caller.user_id => {
            db::delete(&mut *tx, id).await?;
            Ok(())
        }
        Some(_) => Err(AppError::not_found("comment")),
        None => Ok(()),
    }
}

/// A moderator hides (or restores) a comment; audited when it changed.
pub async fn hide(
    tx: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
    hidden: bool,
    ip: Option<IpAddr>,
) -> AppResult<Comment> {
    if caller.role < Role::Moderator {
        return Err(AppError::Forbidden);
    }
    if !caller.acts_as(Role::Moderator) {
        return Err(AppError::EmailUnverified);
    }
    if db::for_update(&mut *tx, id).await?.is_none() {
        return Err(AppError::not_found("comment"));
    }
    if db::set_hidden(&mut *tx, id, caller.user_id, hidden).await? {
        crate::db::audit::record(
            &mut *tx,
            crate::db::audit::Event {
                actor: Some(caller.user_id),
                action: if hidden {
                    "moderation.comment_hidden"
                } else {
                    "moderation.comment_restored"
                },
                subject: Some(id),
                ip,
                detail: json!({}),
            },
        )
        .await?;
    }
    let now = db::for_update(&mut *tx, id)
        .await?
        .ok_or(AppError::not_found("comment"))?;
    Ok(comment(now, true))
}
