//! `artist_links`: how an artist's Spotify and MusicBrainz ids were made, and the ids themselves
//! (`artists.spotify_id`, `artists.musicbrainz_id`) when the import phases or a moderator change
//! them.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use theset_shared::api::{ArtistLink, LinkCandidate, LinkOrigin, LinkService, NoMatch};
use uuid::Uuid;

#[derive(Debug)]
pub struct LinkRow {
    pub service: LinkService,
    pub external_id: Option<String>,
    pub origin: LinkOrigin,
    pub confidence: Option<f32>,
    pub runner_up_id: Option<String>,
    pub runner_up_name: Option<String>,
    pub runner_up_confidence: Option<f32>,
    pub no_match: Option<NoMatch>,
    pub stale_id: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// A stored `real` as the API shows it (three decimals, not the float's noise).
fn share(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

impl From<LinkRow> for ArtistLink {
    fn from(r: LinkRow) -> Self {
        let runner_up = match (r.runner_up_id, r.runner_up_name) {
            (Some(external_id), Some(name)) => Some(LinkCandidate {
                external_id,
                name,
                confidence: share(r.runner_up_confidence.unwrap_or(0.0)),
            }),
            _ => None,
        };
        Self {
            url: r.external_id.as_deref().map(|id| r.service.page(id)),
            service: r.service,
            external_id: r.external_id,
            origin: r.origin,
            confidence: r.confidence.map(share),
            runner_up,
            no_match: r.no_match,
            stale_id: r.stale_id,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

/// What one decision records.
#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    pub artist: Uuid,
    pub service: LinkService,
    pub external_id: Option<&'a str>,
    pub origin: LinkOrigin,
    pub confidence: Option<f64>,
    pub runner_up: Option<(&'a str, &'a str, f64)>,
    pub no_match: Option<NoMatch>,
    pub stale_id: Option<&'a str>,
    pub decided_by: Option<Uuid>,
}

/// The artist's links; an id Ticketmaster gave that no phase has checked yet is listed as
/// Ticketmaster's.
pub async fn of_artist(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<Vec<LinkRow>> {
    sqlx::query_as!(
        LinkRow,
        "SELECT l.service AS \"service!: LinkService\", l.external_id, l.origin AS \"origin!: LinkOrigin\", \
                l.confidence, l.runner_up_id, l.runner_up_name, l.runner_up_confidence, \
                l.no_match AS \"no_match: NoMatch\", l.stale_id, u.display_name AS \"decided_by?\", \
                l.decided_at AS \"decided_at!\" \
         FROM artist_links l LEFT JOIN users u ON u.id = l.decided_by WHERE l.artist_id = $1 \
         UNION ALL \
         SELECT x.service, x.id, 'provider_link'::link_origin, NULL, NULL, NULL, NULL, NULL, NULL, NULL, a.updated_at \
         FROM artists a CROSS JOIN LATERAL (VALUES ('spotify'::link_service, a.spotify_id), \
                                                   ('setlistfm', a.musicbrainz_id::text)) AS x (service, id) \
         WHERE a.id = $1 AND x.id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM artist_links l WHERE l.artist_id = a.id AND l.service = x.service) \
         ORDER BY 1",
        artist
    )
    .fetch_all(db)
    .await
}

/// The origin of the artist's link at `service`, if one was recorded.
pub async fn origin(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    service: LinkService,
) -> sqlx::Result<Option<LinkOrigin>> {
    sqlx::query_scalar!(
        "SELECT origin AS \"origin: LinkOrigin\" FROM artist_links WHERE artist_id = $1 AND service = $2",
        artist,
        service as LinkService
    )
    .fetch_optional(db)
    .await
}

/// Records a decision, replacing the previous one.
pub async fn record(db: impl PgExecutor<'_>, l: &NewLink<'_>) -> sqlx::Result<()> {
    #[allow(clippy::cast_possible_truncation)] // confidences are shares in 0..=1
    let f = |x: f64| x as f32;
    sqlx::query!(
        "INSERT INTO artist_links (artist_id, service, external_id, origin, confidence, runner_up_id, \
           runner_up_name, runner_up_confidence, no_match, stale_id, decided_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (artist_id, service) DO UPDATE SET external_id = EXCLUDED.external_id, \
           origin = EXCLUDED.origin, confidence = EXCLUDED.confidence, runner_up_id = EXCLUDED.runner_up_id, \
           runner_up_name = EXCLUDED.runner_up_name, runner_up_confidence = EXCLUDED.runner_up_confidence, \
           no_match = EXCLUDED.no_match, stale_id = EXCLUDED.stale_id, decided_by = EXCLUDED.decided_by, \
           decided_at = now()",
        l.artist,
        l.service as LinkService,
        l.external_id,
        l.origin as LinkOrigin,
        l.confidence.map(f),
        l.runner_up.map(|r| r.0),
        l.runner_up.map(|r| r.1),
        l.runner_up.map(|r| f(r.2)),
        l.no_match as Option<NoMatch>,
        l.stale_id,
        l.decided_by
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Records that Ticketmaster's link was taken as it is, unless something was recorded already.
pub async fn record_provider_link(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    service: LinkService,
    external_id: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO artist_links (artist_id, service, external_id, origin) \
         VALUES ($1, $2, $3, 'provider_link') ON CONFLICT (artist_id, service) DO NOTHING",
        artist,
        service as LinkService,
        external_id
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Sets (or clears) the artist's id at `service`; `false` when another artist holds that id.
pub async fn set_id(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    service: LinkService,
    id: Option<&str>,
) -> sqlx::Result<bool> {
    let done = match service {
        LinkService::Spotify => sqlx::query!(
            "UPDATE artists SET spotify_id = $2 WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM artists o WHERE o.spotify_id = $2 AND o.id <> $1)",
            artist,
            id
        )
        .execute(db)
        .await?
        .rows_affected(),
        LinkService::Setlistfm => {
            let mbid = match id {
                Some(id) => match Uuid::parse_str(id) {
                    Ok(m) => Some(m),
                    Err(_) => return Ok(false),
                },
                None => None,
            };
            sqlx::query!(
                "UPDATE artists SET musicbrainz_id = $2 WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM artists o WHERE o.musicbrainz_id = $2 AND o.id <> $1)",
                artist,
                mbid
            )
            .execute(db)
            .await?
            .rows_affected()
        }
    };
    Ok(done == 1)
}

/// `(name, genres)` of the artist, what a name search looks for.
pub async fn wanted(
    db: impl PgExecutor<'_>,
    artist: Uuid,
) -> sqlx::Result<Option<(String, Vec<String>)>> {
    sqlx::query!("SELECT name, genres FROM artists WHERE id = $1", artist)
        .fetch_optional(db)
        .await
        .map(|r| r.map(|r| (r.name, r.genres)))
}
