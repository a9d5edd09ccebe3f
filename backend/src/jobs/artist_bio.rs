//! The artist's biography from Wikipedia, through the Wikidata item that states its MusicBrainz
//! id (`providers::wikipedia`). Runs after the set-list phase (which may have found the id by
//! name) and with the weekly sweep; an artist without an id, or whose item has no English
//! article, keeps no biography (and says so), rather than one found by name.

use sqlx::PgPool;
use uuid::Uuid;

use super::{JobError, Progress, Providers, configured};
use crate::db::artists;

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let wiki = configured(&providers.wikipedia, "Wikipedia")?;
    let (_, mbid) = artists::name_and_mbid(db, artist_id)
        .await?
        .ok_or_else(|| JobError::Permanent("artist no longer exists".into()))?;
    let Some(mbid) = mbid else {
        progress
            .step("skipped", "No MusicBrainz id: no biography to link")
            .await?;
        return Ok("no MusicBrainz id: biography skipped".into());
    };
    progress
        .step("biography", "Looking for the artist's Wikipedia article")
        .await?;
    let found = wiki.biography(&mbid.to_string()).await?;
    let message = if found.is_some() {
        "biography from Wikipedia"
    } else {
        "no Wikipedia article linked to this artist"
    };
    artists::set_biography(
        db,
        artist_id,
        found.as_ref().map(|b| (b.text.as_str(), b.url.as_str())),
        providers.origin,
    )
    .await?;
    Ok(message.into())
}
