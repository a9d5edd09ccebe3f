//! Corrections of actual set-lists: each one a new version; a stale base answers 409 with the
//! current version so the client can merge.

use std::collections::HashSet;

use serde_json::json;
use sqlx::PgConnection;
use theset_shared::api::{ActualLine, SetlistKind, SetlistVersion, ShowStatus, StartedSetlist};
use theset_shared::titles;
use uuid::Uuid;

use super::bad_body;
use crate::db::actuals::{self as db, NewLine};
use crate::db::upsert::setlists::catalogue_keys;
use crate::error::{AppError, AppResult};
use crate::views::setlist_versions;

/// Lines an actual set-list may hold (the longest shows run past 40 songs).
pub const MAX_LINES: usize = 80;

fn validate(lines: &[ActualLine]) -> AppResult<()> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(bad_body(format!("a set-list has 1 to {MAX_LINES} songs")));
    }
    for l in lines {
        let t = l.title.trim();
        if !(1..=200).contains(&t.chars().count())
            || t.chars().any(theset_shared::validate::unsafe_char)
        {
            return Err(bad_body("every title is 1 to 200 characters"));
        }
        let set_ok = l.set_name == "main"
            || l.set_name == "encore"
            || l.set_name
                .strip_prefix("encore ")
                .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| (2..=9).contains(&n)));
        if !set_ok {
            return Err(bad_body("set_name is main, encore or encore 2…9"));
        }
    }
    Ok(())
}

/// Locks actual set-list `setlist` for a change based on `version`: 404 when unknown, 409 when
/// not an actual list (`verb` says what only actual lists do), 409 with the current version
/// when `version` is stale. Keeps the current version in the history before anything changes.
/// Corrections, verification and rejection all start here.
pub async fn lock_actual(
    tx: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    verb: &str,
) -> AppResult<db::Head> {
    let head = db::lock(tx, setlist)
        .await?
        .ok_or(AppError::not_found("set-list"))?;
    if head.kind != SetlistKind::Actual {
        return Err(AppError::Conflict(format!("only actual set-lists {verb}")));
    }
    if head.version != version {
        let current = setlist_versions::current(&mut *tx, setlist).await?;
        return Err(AppError::Stale(json!(current)));
    }
    db::keep_current(tx, setlist, head.version).await?;
    Ok(head)
}

/// Writes `songs` as the next version of `setlist`, based on `base_version`.
pub async fn correct(
    tx: &mut PgConnection,
    user: Uuid,
    setlist: Uuid,
    base_version: i32,
    songs: &[ActualLine],
    note: Option<&str>,
) -> AppResult<SetlistVersion> {
    validate(songs)?;
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(bad_body("note is at most 500 characters"));
    }
    let head = lock_actual(tx, setlist, base_version, "take corrections").await?;
    started(tx, head.show_id, "corrected").await?;
    if db::versions_by_today(&mut *tx, setlist, user).await?
        >= theset_shared::api::DAILY_CORRECTIONS_PER_LIST
    {
        return Err(AppError::RateLimited(std::time::Duration::from_secs(3600)));
    }
    let lines = matched(tx, head.artist_id, songs).await?;
    db::write_version(tx, setlist, head.version + 1, user, note, &lines).await?;
    crate::scores::rescore_provisional(tx, head.show_id, head.artist_id).await?;
    super::notices::correction(
        tx,
        setlist,
        head.version,
        user,
        super::notices::Decision::Superseded,
    )
    .await?;
    setlist_versions::current(&mut *tx, setlist)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("set-list {setlist} has no versions")))
}

/// The show of an actual list, if it has begun by the server's clock: what played is only known
/// from then on. A cancelled show has no set-list to start or correct.
async fn started(
    tx: &mut PgConnection,
    show: Uuid,
    verb: &str,
) -> AppResult<crate::db::captures::LiveShow> {
    let live = crate::db::captures::live_show(&mut *tx, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    if live.status == ShowStatus::Cancelled {
        return Err(AppError::Conflict("the show was cancelled".into()));
    }
    if !theset_shared::crowd::has_started(live.starts_at, live.date, chrono::Utc::now()) {
        return Err(AppError::Conflict(format!(
            "the show has not started: its set-list can be {verb} once it has"
        )));
    }
    Ok(live)
}

/// The lines of a list as written, matched to the artist's catalogue (a given song id must be
/// in it; a title finds its song by normal form; tapes stay free text).
async fn matched(
    tx: &mut PgConnection,
    artist: Uuid,
    songs: &[ActualLine],
) -> AppResult<Vec<NewLine>> {
    let catalogue = catalogue_keys(tx, artist).await?;
    let known: HashSet<Uuid> = catalogue.values().copied().collect();
    let mut lines: Vec<NewLine> = Vec::with_capacity(songs.len());
    for l in songs {
        let song = match l.song_id {
            Some(id) if known.contains(&id) => Some(id),
            Some(id) => {
                return Err(bad_body(format!(
                    "song {id} is not in the artist's catalogue"
                )));
            }
            None if l.is_tape => None,
            None => catalogue.get(&titles::normalize(&l.title)).copied(),
        };
        lines.push((
            song,
            l.title.trim().to_owned(),
            l.set_name.clone(),
            l.is_cover,
            l.is_tape,
        ));
    }
    Ok(lines)
}

/// Starts the actual set-list of a show that has started and has none (source `manual`), as its
/// version 1 by `user`. A show with one answers 409 with that list's current version (and its
/// id), so a list started offline by two fans meets in the merge view.
pub async fn start(
    tx: &mut PgConnection,
    user: Uuid,
    show: Uuid,
    songs: &[ActualLine],
    note: Option<&str>,
) -> AppResult<StartedSetlist> {
    validate(songs)?;
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(bad_body("note is at most 500 characters"));
    }
    let live = started(tx, show, "started").await?;
    let Some(setlist) = db::create_manual(&mut *tx, show, live.artist_id).await? else {
        let existing = db::actual_of(&mut *tx, show)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("show {show}: no actual list")))?;
        let current = setlist_versions::current(&mut *tx, existing).await?;
        let mut body = json!(current);
        body["setlist_id"] = json!(existing);
        return Err(AppError::Stale(body));
    };
    let lines = matched(tx, live.artist_id, songs).await?;
    db::write_version(tx, setlist, 1, user, note, &lines).await?;
    crate::scores::rescore_provisional(tx, show, live.artist_id).await?;
    let version = setlist_versions::current(&mut *tx, setlist)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("set-list {setlist} has no versions")))?;
    Ok(StartedSetlist {
        setlist_id: setlist,
        version,
    })
}
