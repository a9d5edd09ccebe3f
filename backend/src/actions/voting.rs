//! Community lists and personal predictions: add a song, vote, predict.

use sqlx::PgConnection;
use theset_shared::api::{
    MAX_PREDICTION_SONGS, Prediction, PredictionLine, SetlistSource, SongTotals, VoteValue,
};
use theset_shared::hlc::Hlc;
use uuid::Uuid;

use super::bad_body;
use crate::db::community::{self as db, Window};
use crate::db::{predictions, votes};
use crate::error::{AppError, AppResult};
use crate::views::prediction;

/// A song put on a community list. Adding is idempotent: a song already there is answered with
/// its line as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    Created(SongTotals),
    Existing(SongTotals),
}

impl Added {
    pub fn totals(&self) -> &SongTotals {
        match self {
            Self::Created(t) | Self::Existing(t) => t,
        }
    }
}

/// The show's voting window, refused once it closed.
pub async fn open_window(tx: &mut PgConnection, show: Uuid) -> AppResult<Window> {
    let w = db::window(&mut *tx, show)
        .await?
        .ok_or(AppError::not_found("show"))?;
    if !w.open {
        return Err(AppError::Conflict(
            "voting and predictions closed when the show started".into(),
        ));
    }
    Ok(w)
}

/// Adds a catalogue song (`Some(song)`) or a free title to the show's community list.
pub async fn add_line(
    tx: &mut PgConnection,
    user: Uuid,
    show: Uuid,
    song: Option<Uuid>,
    title: Option<String>,
) -> AppResult<Added> {
    let w = open_window(tx, show).await?;
    let (song, title) = match (song, title) {
        (Some(song), _) => {
            let title = db::catalogue_title(&mut *tx, w.headliner, song)
                .await?
                .ok_or_else(|| bad_body("song_id is not in the headliner's catalogue"))?;
            (Some(song), title)
        }
        (None, Some(title)) => {
            let title = title.trim().to_owned();
            if !(1..=200).contains(&title.chars().count())
                || title.chars().any(theset_shared::validate::unsafe_char)
            {
                return Err(bad_body("title must be 1 to 200 characters"));
            }
            (None, title)
        }
        (None, None) => return Err(bad_body("a song or a title is needed")),
    };
    let setlist = db::community_setlist(tx, show, w.headliner).await?;
    let (line, created) = db::add_line(tx, setlist, song, &title, Some(user)).await?;
    let totals = db::totals(&mut *tx, line).await?;
    Ok(if created {
        Added::Created(totals)
    } else {
        Added::Existing(totals)
    })
}

/// Where a vote goes: a line by id, or a catalogue song on the show's community list.
#[derive(Debug, Clone, Copy)]
pub enum VoteTarget {
    Line(Uuid),
    Song { show: Uuid, song: Uuid },
}

/// An applied vote: the line's totals, and whether a later vote by the same user (by HLC) was
/// already in place, in which case nothing changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Voted {
    pub totals: SongTotals,
    pub superseded: bool,
}

/// Sets (1, -1) or clears (0) the user's vote, as of `hlc`: last writer by the time the user
/// acted, so an offline device's old vote arriving late changes nothing.
///
/// Every refusal is decided before anything is written (`votes::cast` checks, then writes, in
/// one statement); the sync push and the group commit rely on it. Keep it so.
#[tracing::instrument(level = "debug", skip_all, fields(%user, value))]
pub async fn vote(
    tx: &mut PgConnection,
    user: Uuid,
    target: VoteTarget,
    value: VoteValue,
    hlc: Hlc,
) -> AppResult<Voted> {
    let value = value.stored();
    let line = match target {
        VoteTarget::Line(line) => line,
        VoteTarget::Song { show, song } => db::community_line_of(&mut *tx, show, song)
            .await?
            .ok_or(AppError::not_found("song on the community list"))?,
    };
    let cast = votes::cast(&mut *tx, user, line, value, hlc).await?;
    let newer = judged(cast)?;
    Ok(Voted {
        totals: db::totals(&mut *tx, line).await?,
        superseded: !newer,
    })
}

/// What a cast vote (`votes::cast`, `votes::cast_all`) comes to: its refusal — nothing was
/// written, the statement checks before it writes — or whether it was newer than the fan's last
/// vote on the line (`false`: superseded, nothing changed).
pub fn judged(cast: Option<votes::Cast>) -> AppResult<bool> {
    let cast = cast.ok_or(AppError::not_found("set-list song"))?;
    if cast.source != SetlistSource::Community {
        return Err(AppError::Conflict(
            "only the community list of an upcoming show takes votes".into(),
        ));
    }
    if !cast.open {
        return Err(AppError::Conflict(
            "voting and predictions closed when the show started".into(),
        ));
    }
    if cast.newer {
        metrics::counter!("votes_applied_total").increment(1);
    }
    Ok(cast.newer)
}

/// Replaces the user's personal prediction for `show`.
#[tracing::instrument(level = "debug", skip_all, fields(%user, %show, songs = songs.len()))]
pub async fn predict(
    tx: &mut PgConnection,
    user: Uuid,
    show: Uuid,
    songs: &[PredictionLine],
) -> AppResult<Prediction> {
    if songs.len() > MAX_PREDICTION_SONGS {
        return Err(bad_body(format!(
            "a prediction holds at most {MAX_PREDICTION_SONGS} songs"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = songs.iter().find(|l| !seen.insert(l.song_id)) {
        return Err(bad_body(format!("song {} appears twice", dup.song_id)));
    }
    if songs.windows(2).any(|w| w[0].encore && !w[1].encore) {
        return Err(bad_body("encore songs come after the main set"));
    }
    let w = open_window(tx, show).await?;
    let ids: Vec<Uuid> = songs.iter().map(|l| l.song_id).collect();
    let titles = predictions::catalogue_titles(&mut *tx, w.headliner, &ids).await?;
    let mut lines = Vec::with_capacity(ids.len());
    for l in songs {
        let title = titles.get(&l.song_id).ok_or_else(|| {
            bad_body(format!(
                "song {} is not in the headliner's catalogue",
                l.song_id
            ))
        })?;
        lines.push((l.song_id, title.clone(), l.encore));
    }
    predictions::replace_prediction(tx, show, w.headliner, user, &lines).await?;
    let rows = predictions::prediction(&mut *tx, show, user).await?;
    Ok(prediction::assemble(show, false, rows))
}
