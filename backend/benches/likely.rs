//! Likely-songs benchmark: replays past shows, predicting each from the shows before it, and
//! prints the Brier score and top-10 hit rate of the model (`theset_shared::likely`) next to the
//! naive baseline "most played overall". Two sources: the recorded setlist.fm answers in
//! `fixtures/` (few shows per artist), and a seeded synthetic touring history (staples, an album
//! cycle that changes mid-tour, songs rotated across multi-night runs) for a larger sample.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use theset_shared::likely::{self, Params, PastShow};
use theset_shared::titles;

struct Show {
    date: NaiveDate,
    venue: String,
    songs: Vec<String>,
}

#[derive(Default)]
struct Tally {
    shows: usize,
    brier: [f64; 2],
    hits: [f64; 2],
}

impl Tally {
    /// Predicts each show from the earlier ones (at least one).
    fn replay(&mut self, history: &[Show], catalogue: &[String]) {
        for n in 1..history.len() {
            let target = &history[n];
            let past: Vec<PastShow> = history[..n]
                .iter()
                .map(|s| PastShow {
                    days_before: (target.date - s.date).num_days() as f64,
                    same_run: s.venue == target.venue && (target.date - s.date).num_days() <= 3,
                    songs: s.songs.clone(),
                })
                .collect();
            let model = likely::probabilities(&past, catalogue, &Params::default());
            let naive = likely::naive(&past, catalogue);
            for (i, predicted) in [model, naive].iter().enumerate() {
                let (b, h) = likely::evaluate(predicted, &target.songs);
                self.brier[i] += b;
                self.hits[i] += h;
            }
            self.shows += 1;
        }
    }

    fn print(&self, name: &str) {
        let n = self.shows.max(1) as f64;
        println!("{name}: {} shows predicted", self.shows);
        println!("  {:<22} {:>10} {:>16}", "", "Brier ↓", "top-10 hit rate");
        println!(
            "  {:<22} {:>10.4} {:>16.3}",
            "model",
            self.brier[0] / n,
            self.hits[0] / n
        );
        println!(
            "  {:<22} {:>10.4} {:>16.3}",
            "most played overall",
            self.brier[1] / n,
            self.hits[1] / n
        );
        println!(
            "  Brier improvement over the baseline: {:.1} %",
            100.0 * (1.0 - self.brier[0] / self.brier[1].max(1e-12))
        );
    }
}

fn fixtures() -> HashMap<String, Vec<Show>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut by_artist: HashMap<String, Vec<Show>> = HashMap::new();
    for dir in [root.join("setlistfm"), root.join("catalogue/setlistfm")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with("artist_setlists_") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            for s in json["setlist"].as_array().into_iter().flatten() {
                let Some(date) = s["eventDate"]
                    .as_str()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%d-%m-%Y").ok())
                else {
                    continue;
                };
                let songs: Vec<String> = s["sets"]["set"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|set| set["song"].as_array().into_iter().flatten())
                    .filter(|song| song["tape"].as_bool() != Some(true))
                    .filter_map(|song| song["name"].as_str())
                    .map(titles::normalize)
                    .filter(|t| !t.is_empty())
                    .collect();
                if songs.is_empty() {
                    continue;
                }
                by_artist
                    .entry(s["artist"]["mbid"].as_str().unwrap_or_default().to_owned())
                    .or_default()
                    .push(Show {
                        date,
                        venue: s["venue"]["id"].as_str().unwrap_or_default().to_owned(),
                        songs,
                    });
            }
        }
    }
    for shows in by_artist.values_mut() {
        shows.sort_by_key(|s| s.date);
        shows.dedup_by(|a, b| a.date == b.date && a.venue == b.venue);
    }
    by_artist
}

/// A touring history: 8 staples, the current album's songs often, older songs rarely, a new
/// album halfway, three-night runs that rotate non-staples.
fn synthetic(rng: &mut StdRng) -> (Vec<Show>, Vec<String>) {
    let catalogue: Vec<String> = (0..70).map(|i| format!("song {i}")).collect();
    let staples = &catalogue[..8];
    let (album_a, album_b, deep) = (&catalogue[8..22], &catalogue[22..36], &catalogue[36..]);
    let mut shows = Vec::new();
    let mut date = NaiveDate::from_ymd_opt(2025, 1, 10).unwrap_or_default();
    let mut venue = 0;
    while shows.len() < 48 {
        let run = if rng.random_bool(0.3) { 3 } else { 1 };
        venue += 1;
        let mut played_in_run: Vec<String> = Vec::new();
        for night in 0..run {
            let album = if shows.len() < 24 { album_a } else { album_b };
            let mut songs: Vec<String> = staples
                .iter()
                .filter(|_| rng.random_bool(0.95))
                .cloned()
                .collect();
            for s in album {
                let p = if played_in_run.contains(s) { 0.25 } else { 0.7 };
                if rng.random_bool(p) {
                    songs.push(s.clone());
                }
            }
            for s in deep {
                if !played_in_run.contains(s) && rng.random_bool(0.06) {
                    songs.push(s.clone());
                }
            }
            played_in_run.extend(songs.iter().cloned());
            shows.push(Show {
                date: date + chrono::Duration::days(night),
                venue: format!("v{venue}"),
                songs,
            });
        }
        date += chrono::Duration::days(run + rng.random_range(2..9));
    }
    (shows, catalogue)
}

fn main() {
    // `cargo bench` passes flags such as `--bench`; nothing to configure.
    let mut recorded = Tally::default();
    let by_artist = fixtures();
    for shows in by_artist.values() {
        let mut catalogue: Vec<String> =
            shows.iter().flat_map(|s| s.songs.iter().cloned()).collect();
        catalogue.sort();
        catalogue.dedup();
        recorded.replay(shows, &catalogue);
    }
    let mut simulated = Tally::default();
    let mut rng = StdRng::seed_from_u64(2026);
    for _ in 0..20 {
        let (shows, catalogue) = synthetic(&mut rng);
        simulated.replay(&shows, &catalogue);
    }
    println!("likely songs: predict show N from the shows before it");
    recorded.print(&format!(
        "recorded set-lists in fixtures/ ({} artists)",
        by_artist.len()
    ));
    simulated.print("synthetic tours (20 artists × 48 shows, seeded)");
}
