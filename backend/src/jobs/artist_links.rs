//! Finding an artist at Spotify and setlist.fm when Ticketmaster's link is missing or stale: the
//! import phases ask here first. A link the service answers is kept (and recorded as
//! Ticketmaster's); a missing one, or one the service does not know (404, or an id it calls
//! malformed), is replaced by a name search decided by `shared::artist_match`; a moderator's
//! link is kept as it is. Every decision is recorded in `artist_links` with its confidence and
//! runner-up, or the reason nothing was linked.

use theset_shared::api::{LinkOrigin, LinkService, NoMatch};
use theset_shared::artist_match::{self, Decision, Wanted};
use uuid::Uuid;

use super::{JobError, Progress};
use crate::db::artists::links::{self, NewLink};
use crate::providers::{ProviderError, setlistfm, spotify};

/// The outcome for one service.
pub enum Found<T> {
    /// The id to import from, and what the lookup already fetched (no second request).
    Linked(String, T),
    /// Nothing to import from: the public reason.
    Unlinked(String),
}

async fn wanted(db: &sqlx::PgPool, artist: Uuid) -> Result<(String, Vec<String>), JobError> {
    links::wanted(db, artist)
        .await?
        .ok_or_else(|| JobError::Permanent("artist no longer exists".into()))
}

/// What a name search decided, as the record it leaves (the id, confidence and reason are
/// filled in by the caller once it knows whether the id could be taken).
fn searched<'a>(
    artist: Uuid,
    service: LinkService,
    decision: &Decision,
    id: impl Fn(usize) -> &'a str,
    name: impl Fn(usize) -> &'a str,
) -> NewLink<'a> {
    let second = match decision {
        Decision::Linked { runner_up, .. } => *runner_up,
        Decision::Unlinked { closest, .. } => *closest,
    };
    NewLink {
        artist,
        service,
        external_id: None,
        origin: LinkOrigin::NameSearch,
        confidence: None,
        runner_up: second.map(|s| (id(s.index), name(s.index), s.confidence)),
        no_match: None,
        stale_id: None,
        decided_by: None,
    }
}

/// The rule's decision for `name` (and its genres) among `hits`.
fn decide(name: &str, genres: &[String], hits: &[artist_match::Hit<'_>]) -> Decision {
    artist_match::pick(&Wanted { name, genres }, hits)
}

fn unlinked(service: &str, reason: NoMatch) -> String {
    format!("No {service} match: {}", reason.describe())
}

/// The artist's Spotify id and profile.
pub async fn spotify(
    db: &sqlx::PgPool,
    sp: &spotify::Spotify,
    artist: Uuid,
    progress: &Progress,
) -> Result<Found<spotify::Artist>, JobError> {
    let service = LinkService::Spotify;
    let current = super::artist_column(db, artist, crate::db::artists::ExternalId::Spotify).await?;
    let origin = links::origin(db, artist, service).await?;
    let mut stale = None;
    if let Some(id) = &current {
        match sp.artist(id).await {
            Ok(profile) => {
                links::record_provider_link(db, artist, service, id).await?;
                return Ok(Found::Linked(id.clone(), profile));
            }
            Err(ProviderError::NotFound { .. } | ProviderError::BadRequest { .. })
                if origin != Some(LinkOrigin::Moderator) =>
            {
                stale = Some(id.clone());
            }
            Err(e) => return Err(e.into()),
        }
    } else if origin == Some(LinkOrigin::Moderator) {
        return Ok(Found::Unlinked(
            "A moderator noted this artist is not on Spotify".into(),
        ));
    }

    progress
        .step("search", "Looking the artist up on Spotify by name")
        .await?;
    let (name, genres) = wanted(db, artist).await?;
    let hits = sp.search_artists(&name).await?;
    let seen: Vec<_> = hits.iter().map(spotify::Artist::as_hit).collect();
    let decision = decide(&name, &genres, &seen);
    let mut record = searched(
        artist,
        service,
        &decision,
        |i| hits[i].id.as_str(),
        |i| hits[i].name.as_str(),
    );
    record.stale_id = stale.as_deref();
    let outcome = match decision {
        Decision::Linked { best, .. } => {
            let hit = &hits[best.index];
            if links::set_id(db, artist, service, Some(&hit.id)).await? {
                record.external_id = Some(&hit.id);
                record.confidence = Some(best.confidence);
                Found::Linked(hit.id.clone(), hit.clone())
            } else {
                record.no_match = Some(NoMatch::Taken);
                Found::Unlinked(unlinked("Spotify", NoMatch::Taken))
            }
        }
        Decision::Unlinked { reason, .. } => {
            record.no_match = Some(reason);
            Found::Unlinked(unlinked("Spotify", reason))
        }
    };
    if stale.is_some() && record.external_id.is_none() {
        links::set_id(db, artist, service, None).await?;
    }
    links::record(db, &record).await?;
    Ok(outcome)
}

/// The artist's MusicBrainz id as setlist.fm knows it, and the first page of its set-lists.
pub async fn setlistfm(
    db: &sqlx::PgPool,
    sl: &setlistfm::SetlistFm,
    artist: Uuid,
    progress: &Progress,
) -> Result<Found<Option<setlistfm::SetlistsPage>>, JobError> {
    let service = LinkService::Setlistfm;
    let current = crate::db::artists::name_and_mbid(db, artist)
        .await?
        .and_then(|(_, m)| m)
        .map(|m| m.to_string());
    let origin = links::origin(db, artist, service).await?;
    let mut stale = None;
    match (&current, origin) {
        (Some(id), Some(LinkOrigin::Moderator)) => {
            let page = sl.artist_setlists(id, 1).await?;
            return Ok(Found::Linked(id.clone(), page));
        }
        (None, Some(LinkOrigin::Moderator)) => {
            return Ok(Found::Unlinked(
                "A moderator noted this artist is not on setlist.fm".into(),
            ));
        }
        (Some(id), _) => {
            if let Some(page) = sl.artist_setlists(id, 1).await? {
                links::record_provider_link(db, artist, service, id).await?;
                return Ok(Found::Linked(id.clone(), Some(page)));
            }
            // setlist.fm says 404 alike for an id it does not know and for an artist without
            // set-lists: the search tells them apart.
            stale = Some(id.clone());
        }
        (None, _) => {}
    }

    progress
        .step("artist", "Looking the artist up on setlist.fm")
        .await?;
    // Read only when a search is needed (the working link above needs neither).
    let (name, genres) = wanted(db, artist).await?;
    let hits = sl.search_artists(&name).await?;
    let seen: Vec<_> = hits.iter().map(setlistfm::SearchArtist::as_hit).collect();
    let decision = decide(&name, &genres, &seen);
    let mut record = searched(
        artist,
        service,
        &decision,
        |i| hits[i].mbid.as_str(),
        |i| hits[i].name.as_str(),
    );
    let outcome = match decision {
        Decision::Linked { best, .. } => {
            let hit = &hits[best.index];
            if stale.as_deref() == Some(hit.mbid.as_str()) {
                // The same artist, with no set-lists yet: Ticketmaster's link stands.
                links::record_provider_link(db, artist, service, &hit.mbid).await?;
                return Ok(Found::Linked(hit.mbid.clone(), None));
            }
            record.stale_id = stale.as_deref();
            if links::set_id(db, artist, service, Some(&hit.mbid)).await? {
                record.external_id = Some(&hit.mbid);
                record.confidence = Some(best.confidence);
                let page = sl.artist_setlists(&hit.mbid, 1).await?;
                Found::Linked(hit.mbid.clone(), page)
            } else {
                record.no_match = Some(NoMatch::Taken);
                Found::Unlinked(unlinked("setlist.fm", NoMatch::Taken))
            }
        }
        Decision::Unlinked { reason, .. } => {
            // A MusicBrainz id setlist.fm does not know may still be right elsewhere: kept.
            record.stale_id = stale.as_deref();
            record.no_match = Some(reason);
            Found::Unlinked(unlinked("setlist.fm", reason))
        }
    };
    links::record(db, &record).await?;
    Ok(outcome)
}
