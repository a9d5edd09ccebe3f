//! A fan's own Spotify library brought to TheSet, when they ask: the artists they follow on
//! Spotify and their top artists, each matched to a Ticketmaster artist by the name rule of
//! `shared::artist_match` (an artist we hold with that Spotify id needs no search), imported
//! when new (phase 1, the rest queued), and followed. The Spotify token kept sealed at sign-in is
//! opened only here, renewed with its refresh token when it has expired.

use std::collections::HashSet;

use chrono::Utc;
use theset_shared::api::{
    LibraryArtist, LibraryImport, LibraryMiss, LibrarySource, LinkOrigin, LinkService,
    MAX_LIBRARY_ARTISTS,
};
use theset_shared::artist_match::{self, Decision, Wanted};
use uuid::Uuid;

use crate::AppState;
use crate::auth::limits::Quota;
use crate::auth::oauth::{self, ProviderKind};
use crate::db::artists::links::{self, NewLink};
use crate::db::{artists, follows, oauth as identities};
use crate::import::{ImportError, phase_one};
use crate::providers::{ProviderError, spotify, ticketmaster};

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// No Spotify sign-in with library access on this account (or Spotify revoked it).
    #[error("sign in with Spotify to import your Spotify artists")]
    NotLinked,
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// A provider's limiter is spent by other callers.
    #[error("busy")]
    Busy(std::time::Duration),
    #[error("{0}")]
    Upstream(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<ProviderError> for LibraryError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Busy { retry_after, .. } => Self::Busy(retry_after),
            // A refusal of the fan's own token is handled where it is used (`NotLinked`); here
            // it is the server's key that was refused.
            other => Self::Upstream(other.public_message()),
        }
    }
}

/// The user's Spotify access token, renewed first when it has (nearly) expired.
async fn access_token(state: &AppState, user: Uuid, force: bool) -> Result<String, LibraryError> {
    let kind = ProviderKind::Spotify;
    let sealed = identities::sealed_tokens(&state.db, user, kind.as_str())
        .await?
        .ok_or(LibraryError::NotLinked)?;
    let sealer = &state.auth.sealer;
    let open = |b: &[u8]| sealer.open(b).map_err(|_| LibraryError::NotLinked);
    let fresh = sealed
        .token_expires_at
        .is_none_or(|t| t > Utc::now() + chrono::Duration::seconds(60));
    if let (Some(access), true, false) = (&sealed.access_token_enc, fresh, force) {
        return open(access);
    }
    let refresh = open(
        sealed
            .refresh_token_enc
            .as_deref()
            .ok_or(LibraryError::NotLinked)?,
    )?;
    let provider = state
        .auth
        .oauth
        .get(kind)
        .ok_or(LibraryError::NotConfigured("Spotify sign-in"))?;
    let renewed = oauth::renew(&state.auth.oauth, provider, &refresh)
        .await
        .map_err(|_| LibraryError::NotLinked)?;
    identities::store_renewed(
        &state.db,
        kind.as_str(),
        &sealed.subject,
        &sealer.seal(&renewed.access_token),
        renewed
            .refresh_token
            .as_deref()
            .map(|t| sealer.seal(t))
            .as_deref(),
        renewed.expires_at,
    )
    .await?;
    Ok(renewed.access_token)
}

/// The Ticketmaster attraction that is this Spotify artist, by the name rule.
async fn find_on_ticketmaster(
    tm: &ticketmaster::Ticketmaster,
    a: &spotify::Artist,
) -> Result<Result<(ticketmaster::Attraction, f64), String>, LibraryError> {
    let hits = tm.search_attractions(&a.name).await?;
    let seen: Vec<_> = hits.iter().map(|h| (h, h.genres())).collect::<Vec<_>>();
    let as_hits: Vec<artist_match::Hit<'_>> = seen
        .iter()
        .map(|(h, genres)| artist_match::Hit {
            name: &h.name,
            disambiguation: None,
            genres,
            followers: None,
            has_images: Some(!h.images.is_empty()),
        })
        .collect();
    let wanted = Wanted {
        name: &a.name,
        genres: &a.genres,
    };
    Ok(match artist_match::pick(&wanted, &as_hits) {
        Decision::Linked { best, .. } => Ok((hits[best.index].clone(), best.confidence)),
        Decision::Unlinked { reason, .. } => Err(match reason {
            artist_match::NoMatch::NoHits => "not on Ticketmaster".to_owned(),
            other => format!("no Ticketmaster match: {}", other.describe()),
        }),
    })
}

/// What an artist not looked up says when the day's share of Ticketmaster calls is spent.
pub const DAYS_SHARE_SPENT: &str =
    "not looked up: today's share of Ticketmaster searches is used up; import again tomorrow";

pub async fn import_spotify(state: &AppState, user: Uuid) -> Result<LibraryImport, LibraryError> {
    // An account without a Spotify sign-in is told so first, whatever the server's setup.
    let token = access_token(state, user, false).await?;
    let sp = state
        .providers
        .spotify
        .as_ref()
        .ok_or(LibraryError::NotConfigured("Spotify"))?;
    let tm = state
        .providers
        .ticketmaster
        .as_ref()
        .ok_or(LibraryError::NotConfigured("Ticketmaster"))?;
    let library = match sp.user_artists(&token, MAX_LIBRARY_ARTISTS).await {
        // Revoked or expired early: one renewal, then give up.
        Err(ProviderError::Unauthorized { .. }) => {
            let token = access_token(state, user, true).await?;
            match sp.user_artists(&token, MAX_LIBRARY_ARTISTS).await {
                Err(ProviderError::Unauthorized { .. }) => return Err(LibraryError::NotLinked),
                other => other?,
            }
        }
        other => other?,
    };
    let mut seen = HashSet::new();
    let wanted: Vec<(spotify::Artist, LibrarySource)> = library
        .followed
        .into_iter()
        .map(|a| (a, LibrarySource::Followed))
        .chain(library.top.into_iter().map(|a| (a, LibrarySource::Top)))
        .filter(|(a, _)| seen.insert(a.id.clone()))
        .take(MAX_LIBRARY_ARTISTS)
        .collect();

    let mut out = LibraryImport {
        matched: Vec::new(),
        unmatched: Vec::new(),
    };
    for (a, source) in wanted {
        let held = artists::by_spotify_id(&state.db, &a.id).await?;
        let (artist, slug, created) = match held {
            Some((id, slug)) => (id, slug, false),
            None if !state.auth.limits.spend_daily(Quota::PeopleUpstream).await => {
                out.unmatched.push(LibraryMiss {
                    name: a.name.clone(),
                    source,
                    reason: DAYS_SHARE_SPENT.to_owned(),
                });
                continue;
            }
            None => match find_on_ticketmaster(tm, &a).await? {
                Err(reason) => {
                    out.unmatched.push(LibraryMiss {
                        name: a.name.clone(),
                        source,
                        reason,
                    });
                    continue;
                }
                Ok((attraction, confidence)) => {
                    let tm_id = attraction.id.clone();
                    state.attractions.insert(tm_id.clone(), attraction).await;
                    let started = match phase_one(state, &tm_id).await {
                        Ok(s) => s,
                        Err(ImportError::Busy(wait)) => return Err(LibraryError::Busy(wait)),
                        Err(ImportError::Database(e)) => return Err(e.into()),
                        Err(e) => {
                            out.unmatched.push(LibraryMiss {
                                name: a.name.clone(),
                                source,
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    };
                    // Ticketmaster's attraction may lack the Spotify link the fan's library has.
                    if artists::external_id(
                        &state.db,
                        started.artist_id,
                        artists::ExternalId::Spotify,
                    )
                    .await?
                    .flatten()
                    .is_none()
                        && links::set_id(
                            &state.db,
                            started.artist_id,
                            LinkService::Spotify,
                            Some(&a.id),
                        )
                        .await?
                    {
                        links::record(
                            &state.db,
                            &NewLink {
                                artist: started.artist_id,
                                service: LinkService::Spotify,
                                external_id: Some(&a.id),
                                origin: LinkOrigin::NameSearch,
                                confidence: Some(confidence),
                                runner_up: None,
                                no_match: None,
                                stale_id: None,
                                decided_by: None,
                            },
                        )
                        .await?;
                    }
                    (started.artist_id, started.slug, started.created)
                }
            },
        };
        let newly_followed = follows::follow(&state.db, user, artist)
            .await?
            .unwrap_or(false);
        out.matched.push(LibraryArtist {
            name: a.name,
            slug,
            source,
            created,
            newly_followed,
        });
    }
    Ok(out)
}
