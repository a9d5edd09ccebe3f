//! The upserts of the offline catalogue, in dependency order: artists, venues, shows, songs,
//! actual set-lists. Each step is keyed by the services' ids so a re-run changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::{PgConnection, Row};
use theset_shared::slug::slugify;
use theset_shared::titles;
use uuid::Uuid;

use super::{Recorded, Report};
use crate::providers::{setlistfm, spotify, ticketmaster};

pub async fn all(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<Report> {
    let artists = artists(db, r).await?;
    let venues = venues(db, r).await?;
    shows(db, r, &artists, &venues).await?;
    songs(db, r).await?;
    setlists(db, r).await?;
    let count = |table: &'static str| format!("SELECT count(*) FROM {table}");
    let mut report = Report::default();
    for (slot, table) in [
        (&mut report.artists, "artists"),
        (&mut report.venues, "venues"),
        (&mut report.shows, "shows"),
        (&mut report.songs, "songs"),
        (&mut report.setlists, "setlists"),
    ] {
        let n: i64 = sqlx::query_scalar(&count(table))
            .fetch_one(&mut *db)
            .await?;
        *slot = usize::try_from(n).unwrap_or_default();
    }
    Ok(report)
}

/// Artists to seed: the first hit of each attraction search (results are relevance-ranked, so
/// tribute acts come later) and every attraction billed on a recorded event.
fn attractions(r: &Recorded) -> Vec<&ticketmaster::Attraction> {
    let mut seen = HashSet::new();
    let searches = r
        .attraction_searches
        .iter()
        .filter_map(|s| s.embedded.as_ref()?.attractions.first());
    let billed = r
        .event_pages
        .iter()
        .filter_map(|p| p.embedded.as_ref())
        .flat_map(|e| &e.events)
        .filter_map(|e| e.embedded.as_ref())
        .flat_map(|e| &e.attractions);
    searches
        .chain(billed)
        .filter(|a| seen.insert(a.id.as_str()))
        .collect()
}

/// Ticketmaster attraction id → artist id.
async fn artists(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<HashMap<String, Uuid>> {
    let by_spotify: HashMap<&str, &spotify::Artist> = r
        .spotify_artists
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut ids = HashMap::new();
    for a in attractions(r) {
        let sp = a.spotify_id().and_then(|id| by_spotify.get(id)).copied();
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
                if let Some(url) = &e.url {
                    links.push(serde_json::json!({ "kind": kind, "url": url }));
                }
            }
        }
        let mbid = a.musicbrainz_id().and_then(|m| Uuid::parse_str(m).ok());
        let slug = free_slug(db, &a.name, &a.id).await?;
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO artists (ticketmaster_id, musicbrainz_id, spotify_id, name, slug, image_url, images, \
               genres, links, popularity, followers, ticketmaster_synced_at, spotify_synced_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), CASE WHEN $10 IS NULL THEN NULL ELSE now() END) \
             ON CONFLICT (ticketmaster_id) DO UPDATE SET \
               musicbrainz_id = COALESCE(EXCLUDED.musicbrainz_id, artists.musicbrainz_id), \
               spotify_id = COALESCE(EXCLUDED.spotify_id, artists.spotify_id), \
               name = EXCLUDED.name, image_url = EXCLUDED.image_url, images = EXCLUDED.images, \
               genres = EXCLUDED.genres, links = EXCLUDED.links, \
               popularity = COALESCE(EXCLUDED.popularity, artists.popularity), \
               followers = COALESCE(EXCLUDED.followers, artists.followers) \
             RETURNING id",
        )
        .bind(&a.id)
        .bind(mbid)
        .bind(a.spotify_id())
        .bind(&a.name)
        .bind(&slug)
        .bind(image_url)
        .bind(serde_json::Value::Array(images))
        .bind(&genres)
        .bind(serde_json::Value::Array(links))
        .bind(sp.and_then(|s| s.popularity).filter(|p| (0..=100).contains(p)))
        .bind(sp.and_then(|s| s.followers.as_ref()?.total))
        .fetch_one(&mut *db)
        .await?;
        ids.insert(a.id.clone(), id);
    }
    Ok(ids)
}

/// The artist's slug, or the slug with its Ticketmaster id appended when another artist (a
/// namesake) holds it; an existing artist keeps its slug.
async fn free_slug(db: &mut PgConnection, name: &str, tm_id: &str) -> anyhow::Result<String> {
    let suffix = slugify(tm_id).unwrap_or_else(|| "artist".into());
    let base = slugify(name).unwrap_or_else(|| format!("artist-{suffix}"));
    let holder: Option<Option<String>> =
        sqlx::query_scalar("SELECT ticketmaster_id FROM artists WHERE slug = $1")
            .bind(&base)
            .fetch_optional(&mut *db)
            .await?;
    Ok(match holder {
        Some(Some(holder)) if holder != tm_id => format!("{base}-{suffix}"),
        Some(None) => format!("{base}-{suffix}"),
        _ => base,
    })
}

fn country_code(c: Option<&str>) -> Option<String> {
    let c = c?.trim().to_uppercase();
    (c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())).then_some(c)
}

/// Ticketmaster venue id → venue id. Embedded venues first, then the richer detail answers.
async fn venues(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<HashMap<String, Uuid>> {
    let embedded = r
        .event_pages
        .iter()
        .filter_map(|p| p.embedded.as_ref())
        .flat_map(|e| &e.events)
        .filter_map(|e| e.embedded.as_ref())
        .flat_map(|e| &e.venues);
    let mut ids = HashMap::new();
    for v in embedded.chain(&r.venues) {
        let (lat, lng) = v.coordinates().unzip();
        let state = v.state.as_ref();
        let country = v.country.as_ref();
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO venues (ticketmaster_id, name, address, city, state, state_code, country, country_code, \
               postal_code, timezone, capacity, location, url, image_url) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
               CASE WHEN $12::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($13, $12), 4326)::geography END, \
               $14, $15) \
             ON CONFLICT (ticketmaster_id) DO UPDATE SET name = EXCLUDED.name, \
               address = COALESCE(EXCLUDED.address, venues.address), city = COALESCE(EXCLUDED.city, venues.city), \
               state = COALESCE(EXCLUDED.state, venues.state), \
               state_code = COALESCE(EXCLUDED.state_code, venues.state_code), \
               country = COALESCE(EXCLUDED.country, venues.country), \
               country_code = COALESCE(EXCLUDED.country_code, venues.country_code), \
               postal_code = COALESCE(EXCLUDED.postal_code, venues.postal_code), \
               timezone = COALESCE(EXCLUDED.timezone, venues.timezone), \
               capacity = COALESCE(EXCLUDED.capacity, venues.capacity), \
               location = COALESCE(EXCLUDED.location, venues.location), \
               url = COALESCE(EXCLUDED.url, venues.url), image_url = COALESCE(EXCLUDED.image_url, venues.image_url) \
             RETURNING id",
        )
        .bind(&v.id)
        .bind(&v.name)
        .bind(v.address_line())
        .bind(v.city.as_ref().map(|c| c.name.clone()))
        .bind(state.and_then(|s| s.name.clone()))
        .bind(state.and_then(|s| s.state_code.clone()))
        .bind(country.and_then(|c| c.name.clone()))
        .bind(country_code(country.and_then(|c| c.country_code.as_deref())))
        .bind(&v.postal_code)
        .bind(&v.timezone)
        .bind(r.capacities.get(&v.id).copied().filter(|c| *c > 0))
        .bind(lat)
        .bind(lng)
        .bind(&v.url)
        .bind(v.images.iter().find(|i| !i.fallback).map(|i| i.url.clone()))
        .fetch_one(&mut *db)
        .await?;
        ids.insert(v.id.clone(), id);
    }
    Ok(ids)
}

/// The instant a show starts: Ticketmaster's UTC `dateTime`, else local date and time in the
/// event's zone.
fn starts_at(start: &ticketmaster::EventStart, tz: Option<&str>) -> Option<chrono::DateTime<Utc>> {
    if let Some(t) = start.date_time {
        return Some(t);
    }
    let tz: chrono_tz::Tz = tz?.parse().ok()?;
    let local = start.local_date?.and_time(start.local_time?);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub fn show_status(code: Option<&str>, date: NaiveDate, today: NaiveDate) -> &'static str {
    match code {
        Some("canceled" | "cancelled") => "cancelled",
        _ if date < today => "completed",
        _ => "upcoming",
    }
}

async fn shows(
    db: &mut PgConnection,
    r: &Recorded,
    artists: &HashMap<String, Uuid>,
    venues: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let today = Utc::now().date_naive();
    let events = r
        .event_pages
        .iter()
        .filter_map(|p| p.embedded.as_ref())
        .flat_map(|e| &e.events);
    for e in events {
        let Some(embedded) = &e.embedded else {
            continue;
        };
        let billed: Vec<Uuid> = embedded
            .attractions
            .iter()
            .filter_map(|a| artists.get(&a.id).copied())
            .collect();
        let (Some(&headliner), Some(date)) = (billed.first(), e.dates.start.local_date) else {
            continue;
        };
        let venue = embedded
            .venues
            .first()
            .and_then(|v| venues.get(&v.id))
            .copied();
        let price = e
            .price_ranges
            .iter()
            .find(|p| p.kind.as_deref() == Some("standard"))
            .or_else(|| e.price_ranges.first())
            .filter(|p| p.currency.as_deref().is_some_and(|c| c.len() == 3));
        let status = show_status(
            e.dates.status.as_ref().map(|s| s.code.as_str()),
            date,
            today,
        );
        let show_id: Uuid = sqlx::query_scalar(
            "INSERT INTO shows (ticketmaster_id, name, headliner_artist_id, venue_id, date, start_time, starts_at, \
               status, ticket_url, price_currency, price_min, price_max) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::float8::numeric, $12::float8::numeric) \
             ON CONFLICT (ticketmaster_id) DO UPDATE SET name = EXCLUDED.name, \
               headliner_artist_id = EXCLUDED.headliner_artist_id, venue_id = EXCLUDED.venue_id, \
               date = EXCLUDED.date, start_time = EXCLUDED.start_time, starts_at = EXCLUDED.starts_at, \
               status = EXCLUDED.status, ticket_url = EXCLUDED.ticket_url, \
               price_currency = EXCLUDED.price_currency, price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max \
             RETURNING id",
        )
        .bind(&e.id)
        .bind(&e.name)
        .bind(headliner)
        .bind(venue)
        .bind(date)
        .bind(e.dates.start.local_time)
        .bind(starts_at(&e.dates.start, e.dates.timezone.as_deref()))
        .bind(status)
        .bind(&e.url)
        .bind(price.and_then(|p| p.currency.clone()))
        .bind(price.and_then(|p| p.min))
        // A max below the min would break the CHECK; treat it as the min.
        .bind(price.and_then(|p| match (p.max, p.min) {
            (Some(max), Some(min)) => Some(max.max(min)),
            (max, _) => max,
        }))
        .fetch_one(&mut *db)
        .await?;
        for (pos, artist) in billed.iter().enumerate() {
            sqlx::query(
                "INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (show_id, artist_id) DO UPDATE SET role = EXCLUDED.role, position = EXCLUDED.position",
            )
            .bind(show_id)
            .bind(artist)
            .bind(if pos == 0 { "headliner" } else { "support" })
            .bind(i32::try_from(pos).unwrap_or(i32::MAX))
            .execute(&mut *db)
            .await?;
        }
    }
    Ok(())
}

fn valid_isrc(isrc: &str) -> bool {
    let b = isrc.as_bytes();
    b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[5..].iter().all(u8::is_ascii_digit)
}

/// Spotify's `release_date` has day, month or year precision.
fn release_date(raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw?;
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01-01"), "%Y-%m-%d"))
        .ok()
}

/// Catalogue songs, one per ISRC: albums before singles, earlier releases first, so the original
/// release wins; demos, acoustic and instrumental versions are left out, live and remix versions
/// are kept but flagged (they never show in the catalogue preview).
async fn songs(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<()> {
    let mut tracks: Vec<&spotify::Track> = r.tracks.iter().collect();
    tracks.sort_by_key(|t| {
        (
            t.album.album_type.as_deref() != Some("album"),
            release_date(t.album.release_date.as_deref()),
            t.id.clone(),
        )
    });
    for t in tracks {
        let flags = titles::classify(&t.name, &t.album.name);
        if flags.demo || flags.acoustic || flags.instrumental {
            continue;
        }
        let linked: Vec<(Uuid, bool)> = {
            let mut v = Vec::new();
            for (i, a) in t.artists.iter().enumerate() {
                let id: Option<Uuid> =
                    sqlx::query_scalar("SELECT id FROM artists WHERE spotify_id = $1")
                        .bind(&a.id)
                        .fetch_optional(&mut *db)
                        .await?;
                if let Some(id) = id {
                    v.push((id, i == 0));
                }
            }
            v
        };
        if linked.is_empty() {
            continue;
        }
        let isrc = t
            .external_ids
            .isrc
            .as_deref()
            .map(str::to_uppercase)
            .filter(|i| valid_isrc(i));
        let normalized = titles::normalize(&t.name);
        let existing: Option<Uuid> = sqlx::query_scalar(
            "SELECT s.id FROM songs s WHERE s.spotify_id = $1 OR s.isrc = $2 \
             OR ($2 IS NULL AND s.normalized_title = $3 AND s.is_live = $4 AND s.is_remix = $5 \
                 AND EXISTS (SELECT 1 FROM artist_songs x WHERE x.song_id = s.id AND x.artist_id = $6)) \
             LIMIT 1",
        )
        .bind(&t.id)
        .bind(&isrc)
        .bind(&normalized)
        .bind(flags.live)
        .bind(flags.remix)
        .bind(linked[0].0)
        .fetch_optional(&mut *db)
        .await?;
        let song_id = match existing {
            Some(id) => id,
            None => {
                let album_type = t
                    .album
                    .album_type
                    .as_deref()
                    .filter(|k| ["album", "single", "compilation", "ep"].contains(k));
                sqlx::query_scalar(
                    "INSERT INTO songs (spotify_id, isrc, title, normalized_title, album, album_spotify_id, album_type, \
                       release_date, track_number, disc_number, duration_ms, popularity, is_live, is_remix) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                )
                .bind(&t.id)
                .bind(&isrc)
                .bind(&t.name)
                .bind(&normalized)
                .bind(&t.album.name)
                .bind(&t.album.id)
                .bind(album_type)
                .bind(release_date(t.album.release_date.as_deref()))
                .bind(t.track_number.filter(|n| *n > 0))
                .bind(t.disc_number.filter(|n| *n > 0))
                .bind(t.duration_ms.filter(|d| *d >= 0))
                .bind(t.popularity.filter(|p| (0..=100).contains(p)))
                .bind(flags.live)
                .bind(flags.remix)
                .fetch_one(&mut *db)
                .await?
            }
        };
        for (artist, primary) in linked {
            sqlx::query(
                "INSERT INTO artist_songs (artist_id, song_id, is_primary_artist) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(artist)
            .bind(song_id)
            .bind(primary)
            .execute(&mut *db)
            .await?;
        }
    }
    Ok(())
}

/// Past set-lists from setlist.fm become completed shows with an actual set-list.
async fn setlists(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<()> {
    let today = Utc::now().date_naive();
    let mut seen = HashSet::new();
    for s in &r.setlists {
        if !seen.insert(s.id.as_str()) || !s.has_songs() {
            continue;
        }
        let Some(date) = s.date().filter(|d| *d < today) else {
            continue;
        };
        let mbid = s
            .artist
            .mbid
            .as_deref()
            .and_then(|m| Uuid::parse_str(m).ok());
        let artist: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM artists WHERE musicbrainz_id = $1 OR ($1 IS NULL AND lower(name) = lower($2)) LIMIT 1",
        )
        .bind(mbid)
        .bind(&s.artist.name)
        .fetch_optional(&mut *db)
        .await?;
        let Some(artist) = artist else { continue };
        let venue = setlist_venue(db, &s.venue).await?;
        let show: Uuid = match sqlx::query_scalar(
            "SELECT id FROM shows WHERE headliner_artist_id = $1 AND date = $2 \
             AND venue_id IS NOT DISTINCT FROM $3 LIMIT 1",
        )
        .bind(artist)
        .bind(date)
        .bind(venue)
        .fetch_optional(&mut *db)
        .await?
        {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO shows (setlistfm_id, headliner_artist_id, venue_id, date, status, tour_name) \
                     VALUES ($1, $2, $3, $4, 'completed', $5) RETURNING id",
                )
                .bind(&s.id)
                .bind(artist)
                .bind(venue)
                .bind(date)
                .bind(s.tour.as_ref().map(|t| t.name.clone()))
                .fetch_one(&mut *db)
                .await?
            }
        };
        sqlx::query(
            "INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'headliner', 0) \
             ON CONFLICT DO NOTHING",
        )
        .bind(show)
        .bind(artist)
        .execute(&mut *db)
        .await?;
        // One actual set-list per show: a second setlist.fm entry for the same night (a duplicate
        // or an edit under another id) does not replace the first.
        sqlx::query(
            "INSERT INTO setlists (show_id, artist_id, kind, source, external_id, external_url, moderation_status) \
             VALUES ($1, $2, 'actual', 'setlistfm', $3, $4, 'approved') ON CONFLICT DO NOTHING",
        )
        .bind(show)
        .bind(artist)
        .bind(&s.id)
        .bind(&s.url)
        .execute(&mut *db)
        .await?;
        let row = sqlx::query(
            "SELECT l.id, l.external_id, (SELECT count(*) FROM setlist_songs ss WHERE ss.setlist_id = l.id) AS songs \
             FROM setlists l WHERE l.show_id = $1 AND l.artist_id = $2 AND l.kind = 'actual'",
        )
        .bind(show)
        .bind(artist)
        .fetch_one(&mut *db)
        .await?;
        let (setlist, existing): (Uuid, i64) = (row.try_get("id")?, row.try_get("songs")?);
        if existing == 0 {
            setlist_songs(db, setlist, artist, s).await?;
        }
    }
    Ok(())
}

/// The venue a setlist.fm entry names: by its setlist.fm id, else by name and city (the
/// Ticketmaster venue we already hold), else a new venue at the city's coordinates.
async fn setlist_venue(
    db: &mut PgConnection,
    v: &setlistfm::Venue,
) -> anyhow::Result<Option<Uuid>> {
    let city = v.city.as_ref();
    let found: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM venues WHERE setlistfm_id = $1 \
         OR (lower(name) = lower($2) AND lower(city) = lower($3)) \
         ORDER BY (setlistfm_id = $1) DESC NULLS LAST LIMIT 1",
    )
    .bind(&v.id)
    .bind(&v.name)
    .bind(city.map(|c| c.name.clone()))
    .fetch_optional(&mut *db)
    .await?;
    if let Some(id) = found {
        sqlx::query("UPDATE venues SET setlistfm_id = $2 WHERE id = $1 AND setlistfm_id IS NULL AND $2::text IS NOT NULL")
            .bind(id)
            .bind(&v.id)
            .execute(&mut *db)
            .await?;
        return Ok(Some(id));
    }
    let coords = city.and_then(|c| c.coords.as_ref());
    let country = city.and_then(|c| c.country.as_ref());
    let id = sqlx::query_scalar(
        "INSERT INTO venues (setlistfm_id, name, city, state, state_code, country, country_code, location) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, \
           CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9, $8), 4326)::geography END) \
         RETURNING id",
    )
    .bind(&v.id)
    .bind(&v.name)
    .bind(city.map(|c| c.name.clone()))
    .bind(city.and_then(|c| c.state.clone()))
    .bind(city.and_then(|c| c.state_code.clone()))
    .bind(country.and_then(|c| c.name.clone()))
    .bind(country_code(country.and_then(|c| c.code.as_deref())))
    .bind(coords.map(|c| c.lat))
    .bind(coords.map(|c| c.long))
    .fetch_one(&mut *db)
    .await?;
    Ok(Some(id))
}

async fn setlist_songs(
    db: &mut PgConnection,
    setlist: Uuid,
    artist: Uuid,
    s: &setlistfm::Setlist,
) -> anyhow::Result<()> {
    let catalogue: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
        "SELECT s.normalized_title, s.id FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 ORDER BY s.is_live, s.is_remix, s.release_date NULLS LAST",
    )
    .bind(artist)
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .rev() // so the preferred (first) row wins the map insert
    .collect();
    let mut used = HashSet::new();
    let mut position = 0;
    for set in &s.sets.set {
        let set_name = match (set.encore, set.name.as_deref()) {
            (Some(1), _) => "encore".to_owned(),
            (Some(n), _) => format!("encore {n}"),
            (None, Some(name)) if !name.trim().is_empty() => name.trim().chars().take(40).collect(),
            _ => "main".to_owned(),
        };
        for song in &set.song {
            let title = song.name.trim();
            if title.is_empty() {
                continue;
            }
            let song_id = (song.cover.is_none())
                .then(|| catalogue.get(&titles::normalize(title)).copied())
                .flatten()
                .filter(|id| used.insert(*id));
            sqlx::query(
                "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, is_cover, cover_of, \
                   is_tape, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(setlist)
            .bind(song_id)
            .bind(title)
            .bind(position)
            .bind(&set_name)
            .bind(song.cover.is_some())
            .bind(song.cover.as_ref().map(|c| c.name.clone()))
            .bind(song.tape)
            .bind(&song.info)
            .execute(&mut *db)
            .await?;
            position += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    #[test]
    fn isrc_shape() {
        assert!(valid_isrc("GBAYE0009007"));
        assert!(!valid_isrc("gbaye0009007"));
        assert!(!valid_isrc("GBAYE000900"));
    }

    #[test]
    fn status_from_code_and_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let past = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        assert_eq!(show_status(Some("canceled"), later, today), "cancelled");
        assert_eq!(show_status(Some("onsale"), past, today), "completed");
        assert_eq!(show_status(Some("rescheduled"), later, today), "upcoming");
        assert_eq!(show_status(None, today, today), "upcoming");
    }

    #[test]
    fn release_precisions() {
        assert_eq!(
            release_date(Some("2013")),
            NaiveDate::from_ymd_opt(2013, 1, 1)
        );
        assert_eq!(
            release_date(Some("2013-09")),
            NaiveDate::from_ymd_opt(2013, 9, 1)
        );
        assert_eq!(
            release_date(Some("2013-09-09")),
            NaiveDate::from_ymd_opt(2013, 9, 9)
        );
        assert_eq!(release_date(Some("soon")), None);
    }

    #[test]
    fn utc_start_from_local_time() {
        let start = ticketmaster::EventStart {
            local_date: NaiveDate::from_ymd_opt(2027, 1, 23),
            local_time: NaiveTime::from_hms_opt(19, 0, 0),
            date_time: None,
        };
        let t = starts_at(&start, Some("America/New_York")).expect("start");
        assert_eq!(t.to_rfc3339(), "2027-01-24T00:00:00+00:00");
        assert_eq!(starts_at(&start, Some("Not/AZone")), None);
    }
}
