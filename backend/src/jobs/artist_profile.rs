//! The artist's own Ticketmaster record again — name, images, links, genres. An import reads it
//! once (phase 1); shows are refreshed every week, and so is the artist they belong to. Spotify's
//! figures (popularity, followers) are kept: the catalogue phase refreshes those.

use sqlx::PgPool;
use uuid::Uuid;

use super::{JobError, Progress, Providers, artist_column, configured};
use crate::db::artists::ExternalId;
use crate::db::upsert;
use crate::providers::ProviderError;

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let tm = configured(&providers.ticketmaster, "Ticketmaster")?;
    let tm_id = artist_column(db, artist_id, ExternalId::Ticketmaster)
        .await?
        .ok_or_else(|| JobError::Permanent("artist has no Ticketmaster id".into()))?;
    progress
        .step("profile", "Refreshing the artist from Ticketmaster")
        .await?;
    let attraction = match tm.attraction(&tm_id).await {
        Ok(a) => a,
        // Gone from Ticketmaster: what we hold stays as it is (its shows say the rest).
        Err(ProviderError::NotFound { .. }) => {
            return Ok("no longer on Ticketmaster: kept as held".into());
        }
        Err(e) => return Err(e.into()),
    };
    let mut conn = db.acquire().await?;
    upsert::artists::from_attraction(&mut conn, &attraction, None, providers.origin).await?;
    Ok(format!("{} refreshed from Ticketmaster", attraction.name))
}
