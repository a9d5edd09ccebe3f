//! `GET /api/v1/sync/pull`: every change in the user's scope since a cursor. Without a cursor
//! (first sync, or after a 410) the answer is a snapshot, a page of scope artists at a time,
//! ending at a watermark taken on its first page; from there the change log takes over. Each
//! page is read in one REPEATABLE READ transaction, so rows and watermark agree.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use theset_shared::sync::{Change, Entity, PULL_PAGE, PullResponse};
use uuid::Uuid;

use super::PullCursor;
use crate::db::feed::Cursor;
use crate::db::notifications;
use crate::db::sync::{self as db, Rows};
use crate::error::{AppError, AppResult};

/// Followed artists per snapshot page (a 50-artist scope arrives in 5 pages).
const SNAPSHOT_ARTISTS: i64 = 10;
/// Notifications a new device receives (the newest); older ones stay on the server's feed.
const KEPT_NOTIFICATIONS: i64 = 100;

#[tracing::instrument(level = "debug", skip_all, fields(%user, %device, first = cursor.is_none()))]
pub async fn pull(
    pool: &sqlx::PgPool,
    user: Uuid,
    device: Uuid,
    cursor: Option<&str>,
) -> AppResult<PullResponse> {
    let cursor = match cursor {
        None | Some("") => None,
        Some(c) => Some(PullCursor::decode(c).ok_or_else(AppError::invalid_cursor)?),
    };
    let mut tx = pool.begin().await?;
    db::read_only_snapshot(&mut tx).await?;
    // Whose device this is asks across accounts (a device of another account is refused, not
    // taken for a new one): before the transaction starts acting for the fan.
    let last_applied_seq = db::served_seq(&mut tx, device, user)
        .await?
        .ok_or(AppError::Forbidden)?;
    // Everything below reads as the fan (row-level security: only their private rows).
    crate::db::private::act_as(&mut tx, user).await?;
    let page = match cursor {
        None => {
            let watermark = db::watermark(&mut tx).await?;
            snapshot(&mut tx, user, watermark, None).await?
        }
        Some(PullCursor::Snapshot { watermark, after }) => {
            check_horizon(&mut tx, watermark).await?;
            snapshot(&mut tx, user, watermark, after).await?
        }
        Some(PullCursor::Log(after)) => {
            check_horizon(&mut tx, after).await?;
            log_page(&mut tx, user, after).await?
        }
    };
    let held_back = !page.more && db::held_back(&mut tx, user).await?;
    tx.commit().await?;
    Ok(PullResponse {
        changes: page.changes,
        cursor: page.next.encode(),
        more: page.more,
        reset: page.reset,
        last_applied_seq,
        held_back,
    })
}

struct Page {
    changes: Vec<Change>,
    next: PullCursor,
    more: bool,
    reset: bool,
}

async fn check_horizon(tx: &mut PgConnection, at: Cursor) -> AppResult<()> {
    if at < db::horizon(tx).await? {
        return Err(AppError::ResyncRequired);
    }
    Ok(())
}

async fn snapshot(
    tx: &mut PgConnection,
    user: Uuid,
    watermark: Cursor,
    after: Option<Uuid>,
) -> AppResult<Page> {
    let mut changes = Vec::new();
    let first = after.is_none();
    if first {
        // The user's own rows ride on the first page.
        let follows = db::followed(tx, user).await?;
        changes.extend(
            follows
                .into_iter()
                .map(|artist_id| Change::Follow { artist_id }),
        );
        changes.extend(
            db::attendance(tx, user, None)
                .await?
                .into_iter()
                .map(Change::Attend),
        );
        push_setlists(&mut changes, tx, user, Rows::Mine).await?;
        changes.extend(
            db::votes(tx, user, None)
                .await?
                .into_iter()
                .map(Change::Vote),
        );
        changes.extend(
            notifications::of_user(&mut *tx, user, None, KEPT_NOTIFICATIONS)
                .await?
                .into_iter()
                .map(|n| Change::Notification(n.into())),
        );
    }
    let artists = db::scope_artists(tx, user, after, SNAPSHOT_ARTISTS).await?;
    scope_of(&mut changes, tx, user, &artists).await?;
    let next = match artists.last() {
        Some(last) if artists.len() as i64 == SNAPSHOT_ARTISTS => PullCursor::Snapshot {
            watermark,
            after: Some(*last),
        },
        _ => PullCursor::Log(watermark),
    };
    Ok(Page {
        changes,
        next,
        // After the last snapshot page the device pulls once more from the watermark.
        more: true,
        reset: first,
    })
}

/// Everything of `artists` a follower holds.
async fn scope_of(
    changes: &mut Vec<Change>,
    tx: &mut PgConnection,
    user: Uuid,
    artists: &[Uuid],
) -> AppResult<()> {
    if artists.is_empty() {
        return Ok(());
    }
    changes.extend(
        db::artists(tx, artists)
            .await?
            .into_iter()
            .map(|a| Change::Artist(a.into())),
    );
    changes.extend(
        db::shows(tx, Rows::OfArtists(artists))
            .await?
            .into_iter()
            .map(|s| Change::Show(s.into())),
    );
    changes.extend(
        db::songs(tx, artists, None)
            .await?
            .into_iter()
            .map(|s| Change::Song(s.into())),
    );
    push_setlists(changes, tx, user, Rows::OfArtists(artists)).await
}

async fn push_setlists(
    changes: &mut Vec<Change>,
    tx: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> AppResult<()> {
    changes.extend(
        db::setlists(tx, user, rows)
            .await?
            .into_iter()
            .map(|l| Change::Setlist(l.into())),
    );
    changes.extend(
        db::lines(tx, user, rows)
            .await?
            .into_iter()
            .map(|l| Change::Line(l.into())),
    );
    Ok(())
}

async fn log_page(tx: &mut PgConnection, user: Uuid, after: Cursor) -> AppResult<Page> {
    let limit = PULL_PAGE as i64;
    let refs = db::changes_after(tx, user, after, limit).await?;
    let full = refs.len() as i64 == limit;
    let next = match refs.last() {
        Some(last) if full => Cursor {
            tx: last.tx,
            seq: last.seq,
        },
        // Everything below the watermark has been seen (what was out of scope included).
        _ => db::watermark(tx).await?.max(after),
    };
    // The latest word on each row wins; the rows themselves are read as they are now.
    let mut last: HashMap<(Entity, Uuid, Option<Uuid>), bool> = HashMap::new();
    let mut order: Vec<(Entity, Uuid, Option<Uuid>)> = Vec::new();
    for r in &refs {
        let Some(entity) = Entity::parse(&r.entity) else {
            continue;
        };
        // Songs are per (artist, song): the same recording can sit in two catalogues.
        let key = (
            entity,
            r.entity_id,
            (entity == Entity::Song).then_some(r.artist_id).flatten(),
        );
        if last.insert(key, r.deleted).is_none() {
            order.push(key);
        }
    }
    let ids = |e: Entity, deleted: bool| -> Vec<Uuid> {
        order
            .iter()
            .filter(|k| k.0 == e && last.get(*k) == Some(&deleted))
            .map(|k| k.1)
            .collect()
    };
    let mut changes = Vec::new();
    let artists = ids(Entity::Artist, false);
    changes.extend(
        db::artists(tx, &artists)
            .await?
            .into_iter()
            .map(|a| Change::Artist(a.into())),
    );
    changes.extend(
        db::shows(tx, Rows::Ids(&ids(Entity::Show, false)))
            .await?
            .into_iter()
            .map(|s| Change::Show(s.into())),
    );
    let (song_artists, song_ids): (Vec<Uuid>, Vec<Uuid>) = order
        .iter()
        .filter(|k| k.0 == Entity::Song && last.get(*k) == Some(&false))
        .filter_map(|k| Some((k.2?, k.1)))
        .unzip();
    changes.extend(
        db::songs(tx, &song_artists, Some(&song_ids))
            .await?
            .into_iter()
            .map(|s| Change::Song(s.into())),
    );
    changes.extend(
        db::setlists(tx, user, Rows::Ids(&ids(Entity::Setlist, false)))
            .await?
            .into_iter()
            .map(|l| Change::Setlist(l.into())),
    );
    changes.extend(
        db::lines(tx, user, Rows::Ids(&ids(Entity::Line, false)))
            .await?
            .into_iter()
            .map(|l| Change::Line(l.into())),
    );
    let voted = ids(Entity::Vote, false);
    if !voted.is_empty() {
        changes.extend(
            db::votes(tx, user, Some(&voted))
                .await?
                .into_iter()
                .map(Change::Vote),
        );
    }
    let noticed = ids(Entity::Notification, false);
    if !noticed.is_empty() {
        changes.extend(
            notifications::of_user(&mut *tx, user, Some(&noticed), PULL_PAGE as i64)
                .await?
                .into_iter()
                .map(|n| Change::Notification(n.into())),
        );
    }
    // A new follow or attendance brings the artist's whole scope: its older rows were never
    // sent (or were dropped with an earlier unfollow).
    let followed = ids(Entity::Follow, false);
    let still: HashSet<Uuid> = db::follows_of(tx, user, &followed)
        .await?
        .into_iter()
        .collect();
    let new_follows: Vec<Uuid> = followed.into_iter().filter(|a| still.contains(a)).collect();
    changes.extend(new_follows.iter().map(|a| Change::Follow { artist_id: *a }));
    let attended = db::attendance(tx, user, Some(&ids(Entity::Attend, false))).await?;
    let mut entered: Vec<Uuid> = new_follows;
    entered.extend(attended.iter().map(|a| a.artist_id));
    entered.sort_unstable();
    entered.dedup();
    changes.extend(attended.into_iter().map(Change::Attend));
    let entered = db::in_scope(tx, user, &entered).await?;
    scope_of(&mut changes, tx, user, &entered).await?;
    for (entity, id, _) in order.iter().filter(|k| last.get(*k) == Some(&true)) {
        changes.push(Change::Deleted {
            entity: *entity,
            id: *id,
        });
    }
    Ok(Page {
        changes,
        next: PullCursor::Log(next),
        more: full,
        reset: false,
    })
}
