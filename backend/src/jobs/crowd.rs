//! The crowd set-list of a show: every standing capture merged by `theset_shared::crowd::merge`
//! and written as the list's next version when it changed; predictions are then scored against
//! it provisionally (until a moderator verifies an actual list). A list a person corrected or
//! verified is left alone from then on.

use sqlx::PgPool;
use theset_shared::crowd;
use uuid::Uuid;

use super::JobError;
use crate::db::captures::{self as db, CrowdRow};

pub async fn merge(pool: &PgPool, show: Uuid) -> Result<String, JobError> {
    let mut tx = pool.begin().await?;
    let Some(live) = db::live_show(&mut *tx, show).await? else {
        return Ok("the show is gone".into());
    };
    let artist = live.artist_id;
    db::ensure_crowd(&mut tx, show, artist).await?;
    // Locked before the captures are read: a merge running beside this one waits and then reads
    // everything this one saw and more.
    let head = db::lock_crowd(&mut tx, show, artist)
        .await?
        .ok_or_else(|| JobError::Permanent("the crowd list vanished".into()))?;
    if head.settled {
        tx.commit().await?;
        return Ok("the crowd list was corrected or verified by a person: left alone".into());
    }
    let captures = db::of_show(&mut *tx, show).await?;
    let list = crowd::merge(&captures);
    let origin = live.starts_at.or_else(|| list.first().map(|l| l.at));
    let rows: Vec<CrowdRow> = list
        .iter()
        .map(|l| {
            let secs = origin.map_or(0, |o| (l.at - o).num_seconds().max(0));
            (
                l.song_id,
                l.title.clone(),
                if l.encore { "encore" } else { "main" }.to_owned(),
                secs as f64,
            )
        })
        .collect();
    let current = db::crowd_lines(&mut *tx, head.id).await?;
    if rows.is_empty() {
        // Every capture was taken back: no list at all rather than an empty one, and no score
        // drawn from it.
        db::drop_crowd(&mut tx, head.id).await?;
        crate::scores::rescore_provisional(&mut tx, show, artist).await?;
        tx.commit().await?;
        return Ok("no captures stand: no crowd list".into());
    }
    if rows == current {
        tx.commit().await?;
        return Ok(format!("{} songs, unchanged", rows.len()));
    }
    let version = if current.is_empty() && head.version == 1 {
        1
    } else {
        head.version + 1
    };
    db::write_crowd(&mut tx, head.id, version, &rows).await?;
    let scored = if crate::db::scores::has_verified_actual(&mut *tx, show).await? {
        0
    } else {
        crate::scores::score_show(&mut tx, show, artist, head.id)
            .await?
            .0
    };
    tx.commit().await?;
    Ok(format!(
        "{} songs from {} captures (version {version}); {scored} predictions scored provisionally",
        rows.len(),
        captures.len()
    ))
}
