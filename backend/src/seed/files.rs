//! Finding and parsing recorded answers. A file's family is its parent folder (`ticketmaster`,
//! `spotify`, `setlistfm`); its kind is its name prefix, as in `fixtures/PROVENANCE.md`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::de::DeserializeOwned;

use crate::providers::{setlistfm, spotify, ticketmaster};

/// Everything the seed understands, parsed.
#[derive(Debug, Default)]
pub struct Recorded {
    pub attraction_searches: Vec<ticketmaster::AttractionSearch>,
    pub event_pages: Vec<ticketmaster::EventsPage>,
    pub venues: Vec<ticketmaster::Venue>,
    pub spotify_artists: Vec<spotify::Artist>,
    pub tracks: Vec<spotify::Track>,
    pub setlists: Vec<setlistfm::Setlist>,
}

fn parse<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// Every `.json` file below `dir` (also used by the replay server).
pub(crate) fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

impl Recorded {
    pub fn read_dir(dir: &Path) -> anyhow::Result<Self> {
        let mut paths = Vec::new();
        json_files(dir, &mut paths)?;
        // Stable order so "first seen wins" rules give the same result on every machine.
        paths.sort();
        let mut r = Self::default();
        for path in &paths {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let family = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            match family {
                "ticketmaster" if name.starts_with("attractions_search_") => {
                    r.attraction_searches.push(parse(path)?);
                }
                "ticketmaster" if name.starts_with("events_attraction_") => {
                    r.event_pages.push(parse(path)?)
                }
                "ticketmaster" if name.starts_with("venue_details_") => r.venues.push(parse(path)?),
                "spotify" if name.starts_with("artist_") && !name.starts_with("artist_albums_") => {
                    r.spotify_artists.push(parse(path)?);
                }
                "spotify" if name.starts_with("tracks_several_") => {
                    let several: spotify::SeveralTracks = parse(path)?;
                    r.tracks.extend(several.tracks.into_iter().flatten());
                }
                "setlistfm" if name.starts_with("artist_setlists_") => {
                    let page: setlistfm::SetlistsPage = parse(path)?;
                    r.setlists.extend(page.setlist);
                }
                "setlistfm" if name.starts_with("setlist_") => r.setlists.push(parse(path)?),
                _ => {}
            }
        }
        Ok(r)
    }
}
