//! The one apply: every change — a mutation in a sync push or a REST route's body — is an
//! [`Action`], applied here once per fan and mutation id, its first answer kept in the one
//! exactly-once record (`db::mutations`) and given again to every retry, through either door.
//!
//! A refusal the fan caused (a closed vote, a stale base version) is an answer too
//! ([`Outcome::Rejected`]): a push keeps it, because the device's sequence number is spent; a REST
//! call does not (nothing changed, a retry is judged afresh). Anything else — the database, a
//! busy server — is an error: nothing is kept and the client retries.

use std::net::IpAddr;

use sqlx::{Acquire, PgConnection, PgPool};
use theset_shared::hlc::Hlc;
use theset_shared::sync::{Action, Outcome, PushGap, VoteOn};
use uuid::Uuid;

use super::voting::VoteTarget;
use super::{attendance, bad_body, comments, follows, live, moderation, setlists, voting};
use crate::auth::limits::Bucket;
use crate::db::mutations::{self, Record};
use crate::db::sessions::Caller;
use crate::error::{AppError, AppResult};

mod votes;
pub use votes::VoteWrite;

/// `current` of a push answered 409: where the device must resume ([`PushGap`]).
pub fn gap(expected_seq: i64) -> serde_json::Value {
    serde_json::to_value(PushGap { expected_seq }).unwrap_or_default()
}

/// The budgets `action` spends, one request each, whichever door it comes through: every change
/// one of the account's (and, over REST, the network's) vote budget; comments and corrections
/// their own smaller ones too (each is text or a whole version other people read).
pub fn budgets(action: &Action) -> &'static [Bucket] {
    match action {
        Action::Comment { .. } => &[Bucket::Vote, Bucket::Comment],
        Action::EditSetlist { .. } => &[Bucket::Vote, Bucket::Correction],
        _ => &[Bucket::Vote],
    }
}

/// Applies `action` for `caller` as of `at`; a refusal is `Err` and may have written (the caller
/// rolls back, see [`attempt`]). `from`: the request's network, kept in moderators' audits (a
/// push's network is not where an offline decision was taken: none).
async fn apply(
    tx: &mut PgConnection,
    caller: &Caller,
    action: &Action,
    at: Hlc,
    from: Option<IpAddr>,
) -> AppResult<Outcome> {
    let user = caller.user_id;
    let applied = |body| Outcome::Applied {
        body,
        created: false,
    };
    let created = |body| Outcome::Applied {
        body,
        created: true,
    };
    Ok(match action {
        Action::Vote(v) => {
            let target = match v.on {
                VoteOn::Line(line) => VoteTarget::Line(line),
                VoteOn::Song { show_id, song_id } => VoteTarget::Song {
                    show: show_id,
                    song: song_id,
                },
            };
            let voted = voting::vote(tx, user, target, v.value, at).await?;
            if voted.superseded {
                return Ok(Outcome::Superseded);
            }
            applied(json(&voted.totals)?)
        }
        Action::AddSong { show_id, song_id } => {
            added(voting::add_line(tx, user, *show_id, Some(*song_id), None).await?)?
        }
        Action::AddTitle { show_id, title } => {
            // Titles outside the catalogue are the moderators' (the REST route checks the role
            // too; a push carries no route).
            if !caller.acts_as(theset_shared::api::Role::Moderator) {
                return Err(AppError::Forbidden);
            }
            added(voting::add_line(tx, user, *show_id, None, Some(title.clone())).await?)?
        }
        Action::Predict { show_id, songs } => {
            applied(json(&voting::predict(tx, user, *show_id, songs).await?)?)
        }
        Action::EditSetlist {
            setlist_id,
            base_version,
            songs,
            note,
        } => applied(json(
            &setlists::correct(tx, user, *setlist_id, *base_version, songs, note.as_deref())
                .await?,
        )?),
        Action::Follow { artist_id, follow } => {
            match follows::set(tx, user, *artist_id, *follow).await? {
                follows::Followed::Started => created(serde_json::Value::Null),
                _ => applied(serde_json::Value::Null),
            }
        }
        Action::Attend {
            show_id,
            going,
            public,
        } => match attendance::set(tx, user, *show_id, *going, *public).await? {
            attendance::Attended::Changed => created(serde_json::Value::Null),
            _ => applied(serde_json::Value::Null),
        },
        Action::Keep { show_id } => {
            attendance::keep(tx, user, *show_id).await?;
            applied(serde_json::Value::Null)
        }
        Action::Capture(c) => {
            live::capture(tx, user, c).await?;
            applied(serde_json::Value::Null)
        }
        Action::Uncapture { capture_id } => {
            live::undo(tx, user, *capture_id).await?;
            applied(serde_json::Value::Null)
        }
        Action::StartSetlist {
            show_id,
            songs,
            note,
        } => created(json(
            &setlists::start(tx, user, *show_id, songs, note.as_deref()).await?,
        )?),
        Action::VerifySetlist {
            setlist_id,
            version,
        } => applied(json(
            &moderation::verify(tx, caller, *setlist_id, *version, from).await?,
        )?),
        Action::RejectVersion {
            setlist_id,
            version,
            reason,
        } => applied(json(
            &moderation::reject(tx, caller, *setlist_id, *version, reason, from).await?,
        )?),
        Action::ResolveFlag { flag_id, action } => {
            let done = moderation::resolve_flag(tx, caller, *flag_id, *action, from).await?;
            applied(
                serde_json::json!({ "resolution": done.resolution, "flags_closed": done.flags_closed }),
            )
        }
        Action::RaiseFlag(flag) => {
            applied(serde_json::json!({ "id": moderation::raise_flag(tx, user, flag).await? }))
        }
        Action::Comment {
            comment_id,
            show_id,
            parent_id,
            body,
        } => applied(json(
            &comments::add(tx, caller, *show_id, *comment_id, *parent_id, body).await?,
        )?),
        Action::EditComment { comment_id, body } => {
            applied(json(&comments::edit(tx, caller, *comment_id, body).await?)?)
        }
        Action::DeleteComment { comment_id } => {
            comments::delete(tx, caller, *comment_id).await?;
            applied(serde_json::Value::Null)
        }
        Action::HideComment { comment_id, hidden } => applied(json(
            &comments::hide(tx, caller, *comment_id, *hidden, from).await?,
        )?),
        Action::ReadNotifications { ids } => {
            if ids
                .as_ref()
                .is_some_and(|i| i.len() > theset_shared::api::MAX_MARK_READ)
            {
                return Err(bad_body(format!(
                    "ids: at most {} notifications at once",
                    theset_shared::api::MAX_MARK_READ
                )));
            }
            crate::db::notifications::mark_read(&mut *tx, user, ids.as_deref()).await?;
            applied(serde_json::Value::Null)
        }
    })
}

fn added(added: voting::Added) -> AppResult<Outcome> {
    Ok(Outcome::Applied {
        body: json(added.totals())?,
        created: matches!(added, voting::Added::Created(_)),
    })
}

fn json(v: &impl serde::Serialize) -> AppResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))
}

/// Applies `action` and turns a refusal into its answer, undoing whatever the refused action
/// wrote: a vote refuses before its one write (`actions::voting::vote`), so the hottest path
/// needs no savepoint; every other action runs in one.
pub async fn attempt(
    tx: &mut PgConnection,
    caller: &Caller,
    action: &Action,
    at: Hlc,
) -> AppResult<Outcome> {
    attempt_from(tx, caller, action, at, None).await
}

/// [`attempt`] for a request from `from` (moderators' audits keep it).
async fn attempt_from(
    tx: &mut PgConnection,
    caller: &Caller,
    action: &Action,
    at: Hlc,
    from: Option<IpAddr>,
) -> AppResult<Outcome> {
    if matches!(action, Action::Vote(_)) {
        return apply(tx, caller, action, at, from).await.or_else(refusal);
    }
    let mut sp = tx.begin().await?;
    match apply(&mut sp, caller, action, at, from).await {
        Ok(outcome) => {
            sp.commit().await?;
            Ok(outcome)
        }
        Err(e) => {
            sp.rollback().await?;
            refusal(e)
        }
    }
}

/// A refusal the user caused, in the words the REST route uses; anything else (the database, a
/// bug, a busy server) stays an error, so nothing is kept and the client retries later.
pub fn refusal(e: AppError) -> AppResult<Outcome> {
    if matches!(
        e,
        AppError::Database(_)
            | AppError::Internal(_)
            | AppError::NotReady(_)
            | AppError::Upstream(_)
            | AppError::UpstreamBusy(_)
            | AppError::ServerBusy(_)
            | AppError::RateLimited(_)
            | AppError::EmailUnverified
    ) {
        return Err(e);
    }
    let current = match &e {
        AppError::Stale(current) => Some(current.clone()),
        AppError::Replayed { current, .. } => current.clone(),
        _ => None,
    };
    Ok(Outcome::Rejected {
        status: e.status().as_u16(),
        code: e.code(),
        message: e.public_message(),
        current,
    })
}

/// Applies one mutation sent to a REST route, once: a retry (through REST or a push) gets the
/// first answer. Its own transaction.
pub async fn once(
    db: &PgPool,
    caller: &Caller,
    mutation: Uuid,
    action: &Action,
    at: Hlc,
) -> AppResult<Outcome> {
    let mut tx = db.begin().await?;
    if let Some(first) = mutations::answer(&mut *tx, caller.user_id, mutation).await? {
        return Ok(first);
    }
    let outcome = attempt(&mut tx, caller, action, at).await?;
    if matches!(outcome, Outcome::Rejected { .. }) {
        // Nothing changed; a retry is judged afresh.
        return Ok(outcome);
    }
    if !keep(&mut tx, caller.user_id, mutation, action, &outcome).await? {
        // The same mutation, sent twice at once, was applied by the other request.
        tx.rollback().await?;
        return mutations::answer(db, caller.user_id, mutation)
            .await?
            .ok_or_else(|| AppError::Conflict("mutation in flight; retry".into()));
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Applies a REST change that carries no mutation id — one the same whenever it is sent again (a
/// follow, going, a moderator's decision on a version) or naming its own row (a comment's id) —
/// through the same apply, in its own transaction. Nothing is recorded: a retry is judged afresh
/// and, being the same change, changes nothing new. A refusal changes nothing.
pub async fn direct(
    db: &PgPool,
    caller: &Caller,
    action: &Action,
    at: Hlc,
    from: Option<IpAddr>,
) -> AppResult<Outcome> {
    let mut tx = db.begin().await?;
    let outcome = attempt_from(&mut tx, caller, action, at, from).await?;
    if !matches!(outcome, Outcome::Rejected { .. }) {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// Records a REST call's answer; `false` when another transaction recorded the id first.
async fn keep(
    tx: &mut PgConnection,
    user: Uuid,
    mutation: Uuid,
    action: &Action,
    outcome: &Outcome,
) -> AppResult<bool> {
    Ok(mutations::record(
        tx,
        &[Record {
            user,
            mutation,
            kind: action.kind(),
            outcome,
            at: None,
            replay: false,
        }],
    )
    .await?)
}
