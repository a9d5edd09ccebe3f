//! A moderator replaces (or clears) an artist's Spotify or setlist.fm link: the id is checked for
//! the service's shape, taken from no other artist, recorded with the moderator's name (the
//! importers then keep it), and the import phase it feeds runs again.

use sqlx::PgConnection;
use theset_shared::api::{LinkOrigin, LinkService};
use uuid::Uuid;

use crate::db::artists::links::{self, NewLink};
use crate::error::{AppError, AppResult};
use crate::jobs::types;

/// The import phase a link feeds.
pub fn phase(service: LinkService) -> &'static str {
    match service {
        LinkService::Spotify => types::ARTIST_CATALOGUE,
        LinkService::Setlistfm => types::ARTIST_SETLISTS,
    }
}

pub async fn set(
    tx: &mut PgConnection,
    moderator: Uuid,
    artist: Uuid,
    service: LinkService,
    id: Option<&str>,
) -> AppResult<()> {
    let id = id.map(str::trim);
    if let Some(id) = id
        && !service.valid_id(id)
    {
        return Err(super::bad_body(match service {
            LinkService::Spotify => "A Spotify artist id is 22 letters and digits.",
            LinkService::Setlistfm => "A MusicBrainz artist id is a UUID.",
        }));
    }
    if !crate::db::artists::exists(&mut *tx, artist).await? {
        return Err(AppError::not_found("artist"));
    }
    if !links::set_id(&mut *tx, artist, service, id).await? {
        return Err(AppError::Conflict(
            "Another artist here holds that id already.".into(),
        ));
    }
    links::record(
        &mut *tx,
        &NewLink {
            artist,
            service,
            external_id: id,
            origin: LinkOrigin::Moderator,
            confidence: None,
            runner_up: None,
            no_match: None,
            stale_id: None,
            decided_by: Some(moderator),
        },
    )
    .await?;
    Ok(())
}
