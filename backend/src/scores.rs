//! Scoring a show's predictions when its actual set-list is verified (formula in
//! `theset_shared::scoring`).

use sqlx::PgConnection;
use theset_shared::api::SetlistSource;
use theset_shared::scoring;
use uuid::Uuid;

use crate::db::scores as actuals;

/// Scores every personal prediction and the community list of the show against `actual`;
/// returns how many personal predictions were scored and the community list's score.
pub async fn score_show(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
    actual: Uuid,
) -> sqlx::Result<(i64, Option<f64>)> {
    let played = actuals::keys(&mut *db, actual, false).await?;
    let rarity = actuals::rarity(&mut *db, artist, show).await?;
    let mut personal = 0;
    let mut community = None;
    for (setlist, source) in actuals::predictions(&mut *db, show, artist).await? {
        let ranking = source == SetlistSource::Community;
        let predicted = actuals::keys(&mut *db, setlist, ranking).await?;
        let score = if ranking {
            scoring::score_ranking(&predicted, &played, &rarity)
        } else {
            scoring::score(&predicted, &played, &rarity)
        };
        actuals::set_score(&mut *db, setlist, score).await?;
        if ranking {
            community = Some(score);
        } else {
            personal += 1;
        }
    }
    Ok((personal, community))
}

/// Brings the provisional scores of the show's predictions for `artist` in line with the list
/// they came from, after it changed or went away: scored against the show's actual list as it
/// now stands, or no score at all when there is none (or it has no lines). Scores that a
/// moderator's verification made final are left alone.
pub async fn rescore_provisional(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<()> {
    if actuals::has_verified_actual(&mut *db, show).await? {
        return Ok(());
    }
    match actuals::actual_with_lines(&mut *db, show, artist).await? {
        Some(list) => {
            score_show(db, show, artist, list).await?;
        }
        None => actuals::clear_scores(&mut *db, show, artist).await?,
    }
    Ok(())
}
