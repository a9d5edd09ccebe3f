//! The news the actions produce for other people (the triggers of migration 18 produce show
//! news). Each is written in the action's transaction, so it exists exactly when the change
//! does; the actor is never told of their own act.

use sqlx::PgConnection;
use theset_shared::api::NotificationKind;
use uuid::Uuid;

use crate::db::notifications as db;
use crate::error::AppResult;

/// The text of a comment as a notification quotes it (migration 25's `reply_quote` requotes an
/// edited reply the same way).
fn quote(text: &str) -> String {
    let mut q: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        q.push('…');
    }
    q
}

/// Someone (`by`, named `name`) replied to `parent_author`'s comment.
pub async fn reply(
    tx: &mut PgConnection,
    reply: Uuid,
    show: Uuid,
    parent_author: Uuid,
    by: Uuid,
    name: &str,
    text: &str,
) -> AppResult<()> {
    if parent_author != by {
        db::notify(
            &mut *tx,
            &[parent_author],
            NotificationKind::CommentReply,
            &format!("reply:{reply}"),
            Some(show),
            &format!("{name} replied to your comment"),
            &quote(text),
        )
        .await?;
    }
    Ok(())
}

/// A moderator decided on the flags of `reporters` (the moderator among them hears nothing).
pub async fn flag_resolved(
    tx: &mut PgConnection,
    flag: Uuid,
    reporters: &[Uuid],
    moderator: Uuid,
    resolution: &str,
    subject: &str,
    show: Option<Uuid>,
) -> AppResult<()> {
    let told: Vec<Uuid> = reporters
        .iter()
        .copied()
        .filter(|r| *r != moderator)
        .collect();
    let title = if resolution == "dismissed" {
        "A moderator looked at your report and left it as it is"
    } else {
        "A moderator acted on your report"
    };
    db::notify(
        &mut *tx,
        &told,
        NotificationKind::FlagResolved,
        &format!("flag:{flag}"),
        show,
        title,
        &quote(subject),
    )
    .await?;
    Ok(())
}

/// What happened to `version` of a list: its author hears (unless they did it).
pub async fn correction(
    tx: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    by: Uuid,
    what: Decision<'_>,
) -> AppResult<()> {
    let Some((Some(author), show, name)) = db::version_author(&mut *tx, setlist, version).await?
    else {
        return Ok(());
    };
    if author == by {
        return Ok(());
    }
    let (tag, title, body) = match what {
        Decision::Accepted => (
            "accepted",
            format!("Your correction of {name} was verified"),
            "A moderator verified the set-list as you wrote it.".to_owned(),
        ),
        Decision::Rejected(reason) => (
            "rejected",
            format!("Your correction of {name} was rejected"),
            quote(reason),
        ),
        Decision::Superseded => (
            "superseded",
            format!("Your correction of {name} was changed"),
            "Someone wrote a newer version of the set-list.".to_owned(),
        ),
    };
    db::notify(
        &mut *tx,
        &[author],
        NotificationKind::CorrectionDecided,
        &format!("correction:{setlist}:{version}:{tag}"),
        Some(show),
        &title,
        &body,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum Decision<'a> {
    Accepted,
    Rejected(&'a str),
    Superseded,
}
