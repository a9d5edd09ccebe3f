//! Artists from a Ticketmaster attraction, enriched by the Spotify artist when known.

use sqlx::PgConnection;
use theset_shared::api::DataOrigin;
use theset_shared::slug::slugify;
use uuid::Uuid;

use crate::providers::{spotify, ticketmaster};

/// Upserts the artist of attraction `a` (keyed by Ticketmaster id) and returns its id. The slug
/// of an existing artist never changes.
pub async fn from_attraction(
    db: &mut PgConnection,
    a: &ticketmaster::Attraction,
    sp: Option<&spotify::Artist>,
    origin: DataOrigin,
) -> sqlx::Result<Uuid> {
    let mut genres = a.genres();
    for g in sp.map(|s| s.genres.as_slice()).unwrap_or_default() {
        let g = g.to_lowercase();
        if !genres.contains(&g) {
            genres.push(g);
        }
    }
    let image_url = sp
        .and_then(|s| s.images.first().map(|i| i.url.clone()))
        .or_else(|| a.best_image().map(|i| i.url.clone()));
    let mut images: Vec<serde_json::Value> = sp
        .map(|s| &s.images)
        .into_iter()
        .flatten()
        .map(|i| serde_json::json!({ "url": i.url, "width": i.width, "height": i.height }))
        .collect();
    images.extend(
        a.images
            .iter()
            .filter(|i| !i.fallback)
            .map(|i| serde_json::json!({ "url": i.url, "width": i.width, "height": i.height })),
    );
    let mut links: Vec<serde_json::Value> = Vec::new();
    let mut kinds: Vec<&String> = a.external_links.keys().collect();
    kinds.sort();
    for kind in kinds {
        for e in &a.external_links[kind] {
            // Only addresses people may safely open are kept (see `validate::outbound_link`).
            if let Some(url) = e
                .url
                .as_ref()
                .filter(|u| theset_shared::validate::outbound_link(u))
            {
                links.push(serde_json::json!({ "kind": kind, "url": url }));
            }
        }
    }
    // A link found by name or set by a moderator (`artist_links`) outlives Ticketmaster's, which
    // is what was missing or stale. Ticketmaster sometimes lists one artist twice (aliases, special billings) with the same
    // Spotify or MusicBrainz link; those ids stay with the artist that holds them already.
    let held = sqlx::query!(
        "SELECT EXISTS (SELECT 1 FROM artists WHERE spotify_id = $1 AND ticketmaster_id IS DISTINCT FROM $3) \
                  AS \"spotify!\", \
                EXISTS (SELECT 1 FROM artists WHERE musicbrainz_id = $2 AND ticketmaster_id IS DISTINCT FROM $3) \
                  AS \"mbid!\"",
        a.spotify_id(),
        a.musicbrainz_id().and_then(|m| Uuid::parse_str(m).ok()),
        a.id.as_str()
    )
    .fetch_one(&mut *db)
    .await?;
    let (held_spotify, held_mbid) = (held.spotify, held.mbid);
    let mbid = a
        .musicbrainz_id()
        .and_then(|m| Uuid::parse_str(m).ok())
        .filter(|_| !held_mbid);
    let spotify_id = a.spotify_id().filter(|_| !held_spotify);
    let slug = free_slug(db, &a.name, &a.id).await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO artists (ticketmaster_id, musicbrainz_id, spotify_id, name, slug, image_url, images, \
           genres, links, popularity, followers, origin, ticketmaster_synced_at, spotify_synced_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), CASE WHEN $10::int4 IS NULL THEN NULL ELSE now() END) \
         ON CONFLICT (ticketmaster_id) DO UPDATE SET \
           musicbrainz_id = CASE WHEN EXISTS (SELECT 1 FROM artist_links l WHERE l.artist_id = artists.id \
               AND l.service = 'setlistfm' AND l.origin <> 'provider_link') THEN artists.musicbrainz_id \
             ELSE COALESCE(EXCLUDED.musicbrainz_id, artists.musicbrainz_id) END, \
           spotify_id = CASE WHEN EXISTS (SELECT 1 FROM artist_links l WHERE l.artist_id = artists.id \
               AND l.service = 'spotify' AND l.origin <> 'provider_link') THEN artists.spotify_id \
             ELSE COALESCE(EXCLUDED.spotify_id, artists.spotify_id) END, \
           name = EXCLUDED.name, image_url = EXCLUDED.image_url, images = EXCLUDED.images, \
           genres = EXCLUDED.genres, links = EXCLUDED.links, \
           popularity = COALESCE(EXCLUDED.popularity, artists.popularity), \
           followers = COALESCE(EXCLUDED.followers, artists.followers), origin = EXCLUDED.origin \
         RETURNING id",
        a.id.as_str(),
        mbid,
        spotify_id,
        a.name.as_str(),
        slug.as_str(),
        image_url,
        serde_json::Value::Array(images),
        &genres,
        serde_json::Value::Array(links),
        sp.and_then(|s| s.popularity).filter(|p| (0..=100).contains(p)),
        sp.and_then(|s| s.followers.as_ref()?.total),
        origin as theset_shared::api::DataOrigin
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(id)
}

/// The artist's slug, or the slug with its Ticketmaster id appended when another artist (a
/// namesake) holds it; an existing artist keeps its slug.
async fn free_slug(db: &mut PgConnection, name: &str, tm_id: &str) -> sqlx::Result<String> {
    let suffix = slugify(tm_id).unwrap_or_else(|| "artist".into());
    let base = slugify(name).unwrap_or_else(|| format!("artist-{suffix}"));
    let holder = sqlx::query_scalar!("SELECT ticketmaster_id FROM artists WHERE slug = $1", base)
        .fetch_optional(&mut *db)
        .await?;
    Ok(match holder {
        Some(Some(holder)) if holder != tm_id => format!("{base}-{suffix}"),
        Some(None) => format!("{base}-{suffix}"),
        _ => base,
    })
}

/// Refreshes an artist from their Spotify profile: popularity, followers, genres (merged, the
/// existing first), and the Spotify image when we had none.
pub async fn spotify_profile(
    db: impl sqlx::PgExecutor<'_>,
    artist_id: Uuid,
    sp: &spotify::Artist,
) -> sqlx::Result<()> {
    let genres: Vec<String> = sp.genres.iter().map(|g| g.to_lowercase()).collect();
    sqlx::query!(
        "UPDATE artists SET popularity = COALESCE($2, popularity), followers = COALESCE($3, followers), \
           genres = ARRAY(SELECT g FROM unnest(genres || $4::text[]) WITH ORDINALITY AS t(g, n) \
                          GROUP BY g ORDER BY min(n)), \
           image_url = COALESCE(image_url, $5), spotify_synced_at = now() \
         WHERE id = $1",
        artist_id,
        sp.popularity.filter(|p| (0..=100).contains(p)),
        sp.followers.as_ref().and_then(|f| f.total),
        &genres,
        sp.images.first().map(|i| i.url.clone())
    )
    .execute(db)
    .await?;
    Ok(())
}
