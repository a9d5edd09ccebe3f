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
