//! The offline catalogue through the importers' write path, in dependency order: artists,
//! venues, shows, songs, actual set-lists.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sqlx::PgConnection;
use theset_shared::api::DataOrigin;

use super::{Recorded, Report};
use crate::db::upsert;
use crate::providers::{spotify, ticketmaster};

pub async fn all(db: &mut PgConnection, r: &Recorded) -> anyhow::Result<Report> {
    let today = Utc::now().date_naive();

    let by_spotify: HashMap<&str, &spotify::Artist> = r
        .spotify_artists
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut artists = HashMap::new();
    for a in attractions(r) {
        let sp = a.spotify_id().and_then(|id| by_spotify.get(id)).copied();
        artists.insert(
            a.id.clone(),
            upsert::artists::from_attraction(db, a, sp, DataOrigin::Demo).await?,
        );
    }

    // Embedded venues first, then the richer detail answers.
    let mut venues = HashMap::new();
    for v in events(r)
        .filter_map(|e| e.embedded.as_ref())
        .flat_map(|e| &e.venues)
        .chain(&r.venues)
    {
        venues.insert(
            v.id.clone(),
            upsert::venues::from_ticketmaster(db, v, DataOrigin::Demo).await?,
        );
    }

    for e in events(r) {
        upsert::shows::from_event(db, e, &artists, &venues, today, DataOrigin::Demo).await?;
    }

    let tracks: Vec<&spotify::Track> = r.tracks.iter().collect();
    for t in upsert::songs::originals(&tracks) {
        upsert::songs::from_track(db, t).await?;
    }

    let mut seen = HashSet::new();
    for s in &r.setlists {
        if seen.insert(s.id.as_str()) {
            upsert::setlists::from_setlistfm(db, s, today, DataOrigin::Demo).await?;
        }
    }

    // The catalogue always has a show on tonight (see `db::demo`).
    crate::db::demo::keep_tonight(&mut *db, Utc::now()).await?;

    let n = crate::db::schema::catalogue_counts(&mut *db).await?;
    let count = |n: i64| usize::try_from(n).unwrap_or_default();
    Ok(Report {
        artists: count(n.artists),
        venues: count(n.venues),
        shows: count(n.shows),
        songs: count(n.songs),
        setlists: count(n.setlists),
    })
}

fn events(r: &Recorded) -> impl Iterator<Item = &ticketmaster::Event> {
    r.event_pages
        .iter()
        .filter_map(|p| p.embedded.as_ref())
        .flat_map(|e| &e.events)
}

/// Artists to seed: the first hit of each attraction search (results are relevance-ranked, so
/// tribute acts come later) and every attraction billed on a recorded event.
fn attractions(r: &Recorded) -> Vec<&ticketmaster::Attraction> {
    let mut seen = HashSet::new();
    let searches = r
        .attraction_searches
        .iter()
        .filter_map(|s| s.embedded.as_ref()?.attractions.first());
    let billed = events(r)
        .filter_map(|e| e.embedded.as_ref())
        .flat_map(|e| &e.attractions);
    searches
        .chain(billed)
        .filter(|a| seen.insert(a.id.as_str()))
        .collect()
}
