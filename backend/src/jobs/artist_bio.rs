//! The artist's biography from Wikipedia, through the Wikidata item that states its MusicBrainz
//! id, or else its Spotify id (`providers::wikipedia`). Runs after the set-list phase (which may
//! have found the MusicBrainz id by name) and with the weekly sweep; an artist with neither id, or
//! whose item has no English article, keeps no biography (and says so), rather than one found by
//! name. The job says which id found the article.

use sqlx::PgPool;
use uuid::Uuid;

use super::{JobError, Progress, Providers, configured};
use crate::db::artists;
use crate::providers::wikipedia::ArtistKey;

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
    let spotify = artists::external_id(db, artist_id, artists::ExternalId::Spotify)
        .await?
        .flatten();
    let mbid = mbid.map(|m| m.to_string());
    let key = match (mbid.as_deref(), spotify.as_deref()) {
        (Some(m), _) => ArtistKey::MusicBrainz(m),
        (None, Some(s)) => ArtistKey::Spotify(s),
        (None, None) => {
            progress
                .step(
                    "skipped",
                    "No MusicBrainz or Spotify id: no biography to link",
                )
                .await?;
            return Ok("no MusicBrainz or Spotify id: biography skipped".into());
        }
    };
    progress
        .step("biography", "Looking for the artist's Wikipedia article")
        .await?;
    let found = wiki.biography(key).await?;
    let message = if found.is_some() {
        format!("biography from Wikipedia, found by {}", key.describe())
    } else {
        format!("no Wikipedia article linked to {}", key.describe())
    };
    artists::set_biography(
        db,
        artist_id,
        found.as_ref().map(|b| (b.text.as_str(), b.url.as_str())),
        providers.origin,
    )
    .await?;
    Ok(message)
}
