//! Moderators' decisions on set-lists and flags, whichever door they come through: a REST route,
//! or a sync push of decisions taken offline. Each carries what the moderator looked at (the
//! version of the list), so nothing is verified or rejected that they did not see: a version
//! that moved on answers 409 with the current one. Every decision is audited in its own
//! transaction.

use std::net::IpAddr;

use serde_json::json;
use sqlx::PgConnection;
use theset_shared::api::{ActualLine, FlagAction, FlagStatus, Role, SetlistVersion, VerifyResult};
use uuid::Uuid;

use super::bad_body;
use super::setlists::lock_actual;
use crate::db::actuals::{self as db, NewLine};
use crate::db::flags::{self, FlagOn};
use crate::db::sessions::Caller;
use crate::error::{AppError, AppResult};
use crate::views::setlist_versions;

/// Longest note a flag carries.
const FLAG_NOTE_CHARS: usize = 500;

/// Files a fan's flag (REST or a sync push); an open flag by the same fan on the same target is
/// answered again instead of duplicated.
pub async fn raise_flag(
    tx: &mut PgConnection,
    reporter: Uuid,
    flag: &theset_shared::api::NewFlag,
) -> AppResult<Uuid> {
    if flag.note.as_deref().is_some_and(|n| {
        n.chars().count() > FLAG_NOTE_CHARS || n.chars().any(theset_shared::validate::unsafe_char)
    }) {
        return Err(bad_body("note is at most 500 characters"));
    }
    let note = flag
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let on = match (
        flag.setlist_id,
        flag.setlist_song_id,
        flag.comment_id,
        flag.user_id,
    ) {
        (Some(setlist), line, None, None) => FlagOn::List { setlist, line },
        (None, Some(line), None, None) => FlagOn::List {
            setlist: flags::list_of_line(&mut *tx, line)
                .await?
                .ok_or(AppError::not_found("set-list or song"))?,
            line: Some(line),
        },
        (None, None, Some(comment), None) => FlagOn::Comment(comment),
        (None, None, None, Some(user)) if user == reporter => {
            return Err(bad_body("user_id: that is your own profile"));
        }
        (None, None, None, Some(user)) => FlagOn::Profile(user),
        _ => {
            return Err(bad_body(
                "name one target: a setlist_id (with a setlist_song_id or not), a comment_id or a user_id",
            ));
        }
    };
    flags::create(tx, reporter, on, flag.reason, note)
        .await?
        .ok_or(AppError::not_found("flagged thing"))
}

/// The moderator acting: the role, with a proven address (the same rule as the REST doors').
fn moderator(caller: &Caller) -> AppResult<Uuid> {
    if caller.role < Role::Moderator {
        Err(AppError::Forbidden)
    } else if !caller.acts_as(Role::Moderator) {
        Err(AppError::EmailUnverified)
    } else {
        Ok(caller.user_id)
    }
}

async fn audit(
    tx: &mut PgConnection,
    actor: Uuid,
    action: &'static str,
    subject: Uuid,
    ip: Option<IpAddr>,
    detail: serde_json::Value,
) -> AppResult<()> {
    crate::db::audit::record(
        tx,
        crate::db::audit::Event {
            actor: Some(actor),
            action,
            subject: Some(subject),
            ip,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Verifies `version` of an actual set-list and scores every prediction of its show.
pub async fn verify(
    tx: &mut PgConnection,
    caller: &Caller,
    setlist: Uuid,
    version: i32,
    ip: Option<IpAddr>,
) -> AppResult<VerifyResult> {
    let mod_id = moderator(caller)?;
    let head = lock_actual(tx, setlist, version, "are verified").await?;
    db::mark_verified(tx, setlist, head.version, mod_id).await?;
    let (scored, community) =
        crate::scores::score_show(tx, head.show_id, head.artist_id, setlist).await?;
    crate::db::scores::refresh_all_time_board(&mut *tx).await?;
    crate::db::notifications::scored(&mut *tx, head.show_id, head.version, mod_id).await?;
    super::notices::correction(
        tx,
        setlist,
        head.version,
        mod_id,
        super::notices::Decision::Accepted,
    )
    .await?;
    audit(
        tx,
        mod_id,
        "moderation.setlist_verified",
        setlist,
        ip,
        json!({ "version": head.version, "predictions_scored": scored }),
    )
    .await?;
    Ok(VerifyResult {
        version: head.version,
        predictions_scored: scored,
        community_score: community,
    })
}

/// Rejects `version` (the current one): the list goes back to the verified version, else the
/// newest earlier one not rejected, as a new version.
pub async fn reject(
    tx: &mut PgConnection,
    caller: &Caller,
    setlist: Uuid,
    version: i32,
    reason: &str,
    ip: Option<IpAddr>,
) -> AppResult<SetlistVersion> {
    let mod_id = moderator(caller)?;
    let reason = reason.trim();
    if !(1..=500).contains(&reason.chars().count())
        || reason.chars().any(theset_shared::validate::unsafe_char)
    {
        return Err(bad_body("reason is 1 to 500 characters"));
    }
    let head = lock_actual(tx, setlist, version, "have versions rejected").await?;
    if db::verified_version(tx, setlist).await? == Some(head.version) {
        return Err(AppError::Conflict(
            "the verified version is not rejected: propose a correction and verify that".into(),
        ));
    }
    let (restored, songs, was_verified) = db::restore_target(tx, setlist, head.version)
        .await?
        .ok_or_else(|| AppError::Conflict("no earlier version to go back to".into()))?;
    let lines: Vec<ActualLine> = serde_json::from_value(songs)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored version {restored}: {e}")))?;
    let lines: Vec<NewLine> = lines
        .into_iter()
        .map(|l| (l.song_id, l.title, l.set_name, l.is_cover, l.is_tape))
        .collect();
    db::mark_rejected(tx, setlist, head.version, mod_id, reason).await?;
    super::notices::correction(
        tx,
        setlist,
        head.version,
        mod_id,
        super::notices::Decision::Rejected(reason),
    )
    .await?;
    let next = head.version + 1;
    let note = format!(
        "restored version {restored} (version {} rejected)",
        head.version
    );
    db::write_version(tx, setlist, next, mod_id, Some(&note), &lines).await?;
    if was_verified {
        db::carry_verification(tx, setlist, next).await?;
    }
    crate::scores::rescore_provisional(tx, head.show_id, head.artist_id).await?;
    audit(
        tx,
        mod_id,
        "moderation.setlist_version_rejected",
        setlist,
        ip,
        json!({ "rejected": head.version, "restored": restored, "reason": reason }),
    )
    .await?;
    setlist_versions::current(&mut *tx, setlist)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("set-list {setlist} has no versions")))
}

async fn notify_reporters(
    tx: &mut PgConnection,
    flag: Uuid,
    reporters: &[Option<Uuid>],
    moderator: Uuid,
    resolution: &str,
    target: &flags::Target,
) -> AppResult<()> {
    let known: Vec<Uuid> = reporters.iter().flatten().copied().collect();
    super::notices::flag_resolved(
        tx,
        flag,
        &known,
        moderator,
        resolution,
        &target.subject,
        target.show_id,
    )
    .await
}

/// What resolving a flag did.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub resolution: &'static str,
    pub flags_closed: u64,
}

/// Resolves an open flag: dismiss it, remove the flagged song, or hide the flagged list (every
/// open flag on the same thing closes with it).
pub async fn resolve_flag(
    tx: &mut PgConnection,
    caller: &Caller,
    flag: Uuid,
    action: FlagAction,
    ip: Option<IpAddr>,
) -> AppResult<Resolved> {
    let mod_id = moderator(caller)?;
    let target = flags::target(tx, flag)
        .await?
        .ok_or(AppError::not_found("flag"))?;
    if target.status != FlagStatus::Open {
        return Err(AppError::Conflict("this flag was already handled".into()));
    }
    let (resolution, detail) = match (action, &target) {
        (FlagAction::Dismiss, _) => ("dismissed", json!({})),
        (
            FlagAction::RemoveSong,
            flags::Target {
                setlist_song_id: Some(line),
                ..
            },
        ) => {
            let line = *line;
            let reporters = flags::close(tx, &target, "song_removed", mod_id).await?;
            let closed = reporters.len() as u64;
            notify_reporters(tx, flag, &reporters, mod_id, "song_removed", &target).await?;
            let title = flags::remove_line(tx, line).await?;
            audit(
                tx,
                mod_id,
                "moderation.flag_resolved",
                flag,
                ip,
                json!({ "resolution": "song_removed", "detail": { "title": title, "flags": closed } }),
            )
            .await?;
            return Ok(Resolved {
                resolution: "song_removed",
                flags_closed: closed,
            });
        }
        (
            FlagAction::HideSetlist,
            flags::Target {
                setlist_id: Some(list),
                ..
            },
        ) => {
            flags::hide_setlist(tx, *list).await?;
            ("setlist_hidden", json!({ "setlist_id": list }))
        }
        (
            FlagAction::HideComment,
            flags::Target {
                comment_id: Some(comment),
                ..
            },
        ) => {
            crate::db::comments::set_hidden(&mut *tx, *comment, mod_id, true).await?;
            ("comment_hidden", json!({ "comment_id": comment }))
        }
        (
            FlagAction::ResetProfile,
            flags::Target {
                target_user_id: Some(user),
                ..
            },
        ) => {
            crate::db::users::reset_profile(tx, *user).await?;
            ("profile_reset", json!({ "user_id": user }))
        }
        (action, _) => {
            return Err(bad_body(format!(
                "action: {action} does not fit what this flag is about"
            )));
        }
    };
    let reporters = flags::close(tx, &target, resolution, mod_id).await?;
    let closed = reporters.len() as u64;
    notify_reporters(tx, flag, &reporters, mod_id, resolution, &target).await?;
    audit(
        tx,
        mod_id,
        "moderation.flag_resolved",
        flag,
        ip,
        json!({ "resolution": resolution, "detail": { "flags": closed, "detail": detail } }),
    )
    .await?;
    Ok(Resolved {
        resolution,
        flags_closed: closed,
    })
}
