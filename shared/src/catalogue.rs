//! Which tracks become catalogue songs: one per song. Tracks are the same song when their
//! normal titles match (`titles::normalize`: a remaster, a deluxe or mono edition, a radio edit
//! or a "feat." credit is the song, whatever its ISRC says — remasters get new ISRCs). Of each
//! group the *original release* is kept: a title without a version segment before one with it,
//! then an album before a single or a compilation, then the earliest release, then the lowest id
//! (so the choice is stable).

use std::collections::HashMap;

use crate::titles;

/// What the rules look at in a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFacts {
    pub id: String,
    /// The track's first artist (one song per title *and artist*: two artists' "DNA" are two
    /// songs).
    pub artist: String,
    pub title: String,
    pub isrc: Option<String>,
    /// `album`, `single`, `compilation`, …
    pub album_type: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (Spotify's precisions), compared as text.
    pub release_date: Option<String>,
}

fn rank(t: &TrackFacts) -> (bool, u8, String, String) {
    let kind = match t.album_type.as_deref() {
        Some("album") => 0,
        Some("single" | "ep") => 1,
        _ => 2,
    };
    // Missing dates sort last.
    let date = t.release_date.clone().unwrap_or_else(|| "9999".into());
    (!titles::is_plain(&t.title), kind, date, t.id.clone())
}

/// The key that makes two tracks the same song: their first artist and normal title.
pub fn recording_key(t: &TrackFacts) -> String {
    format!("{}:{}", t.artist, titles::normalize(&t.title))
}

/// Indexes into `tracks` of the tracks to keep, one per recording, in input order.
pub fn originals(tracks: &[TrackFacts]) -> Vec<usize> {
    let mut best: HashMap<String, usize> = HashMap::new();
    for (i, t) in tracks.iter().enumerate() {
        best.entry(recording_key(t))
            .and_modify(|b| {
                if rank(t) < rank(&tracks[*b]) {
                    *b = i;
                }
            })
            .or_insert(i);
    }
    let mut keep: Vec<usize> = best.into_values().collect();
    keep.sort_unstable();
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(id: &str, title: &str, isrc: Option<&str>, kind: &str, date: &str) -> TrackFacts {
        TrackFacts {
            id: id.into(),
            artist: "artist".into(),
            title: title.into(),
            isrc: isrc.map(Into::into),
            album_type: Some(kind.into()),
            release_date: Some(date.into()),
        }
    }

    #[test]
    fn album_beats_the_single_with_the_same_isrc() {
        let tracks = [
            t(
                "single",
                "R U Mine?",
                Some("GBCEL1200029"),
                "single",
                "2012-02-27",
            ),
            t(
                "album",
                "R U Mine?",
                Some("GBCEL1200029"),
                "album",
                "2013-09-09",
            ),
            t(
                "other",
                "Arabella",
                Some("GBCEL1300330"),
                "album",
                "2013-09-09",
            ),
        ];
        assert_eq!(originals(&tracks), [1, 2]);
    }

    #[test]
    fn a_remaster_with_its_own_isrc_is_the_same_song_and_the_plain_title_wins() {
        let tracks = [
            t(
                "remaster",
                "Kickstart My Heart - Remastered 2011",
                Some("USEE11100001"),
                "album",
                "1989-09-01",
            ),
            t(
                "original",
                "Kickstart My Heart",
                Some("USEE18900001"),
                "album",
                "1989-09-01",
            ),
            t(
                "other",
                "Dr. Feelgood",
                Some("USEE18900002"),
                "album",
                "1989-09-01",
            ),
        ];
        assert_eq!(originals(&tracks), [1, 2]);
    }

    #[test]
    fn two_artists_songs_of_one_title_stay_two() {
        let mut bts = t("bts", "DNA", Some("KRA381700001"), "album", "2017-09-18");
        bts.artist = "bts".into();
        let mut kendrick = t(
            "kendrick",
            "DNA.",
            Some("USUM71703080"),
            "album",
            "2017-04-14",
        );
        kendrick.artist = "kendrick".into();
        assert_eq!(originals(&[bts, kendrick]), [0, 1]);
    }

    #[test]
    fn without_isrc_titles_decide_and_the_earliest_wins() {
        let tracks = [
            t(
                "deluxe",
                "Mardy Bum - Remastered",
                None,
                "album",
                "2016-01-01",
            ),
            t("standard", "Mardy Bum", None, "album", "2006-01-23"),
        ];
        assert_eq!(originals(&tracks), [1]);
    }

    fn track() -> impl Strategy<Value = TrackFacts> {
        (
            "[a-z]{1,6}",
            prop::sample::select(vec!["Song A", "Song B", "Song A - Remastered", "Other"]),
            prop::option::of(prop::sample::select(vec![
                "USAAA0000001",
                "USAAA0000002",
                "gbaaa0000003",
            ])),
            prop::sample::select(vec!["album", "single", "compilation"]),
            prop::sample::select(vec!["2001", "2001-05", "2003-01-01", "1999-12-31"]),
        )
            .prop_map(|(id, title, isrc, kind, date)| t(&id, title, isrc, kind, date))
    }

    proptest! {
        #[test]
        fn exactly_one_track_per_recording(tracks in prop::collection::vec(track(), 0..30)) {
            let keep = originals(&tracks);
            let mut keys: Vec<String> = keep.iter().map(|&i| recording_key(&tracks[i])).collect();
            let kept = keys.len();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), kept, "two kept tracks share a recording");
            let mut all: Vec<String> = tracks.iter().map(recording_key).collect();
            all.sort();
            all.dedup();
            prop_assert_eq!(all, keys, "every recording keeps one track");
        }

        #[test]
        fn the_kept_track_outranks_its_duplicates(tracks in prop::collection::vec(track(), 0..30)) {
            for &k in &originals(&tracks) {
                for t in tracks.iter().filter(|t| recording_key(t) == recording_key(&tracks[k])) {
                    prop_assert!(rank(&tracks[k]) <= rank(t));
                }
            }
        }

        #[test]
        fn order_of_input_does_not_change_the_choice(mut tracks in prop::collection::vec(track(), 0..20)) {
            let chosen = |ts: &[TrackFacts]| {
                let mut ids: Vec<String> = originals(ts).into_iter().map(|i| ts[i].id.clone() + &ts[i].title).collect();
                ids.sort();
                ids
            };
            let before = chosen(&tracks);
            tracks.reverse();
            // Equal ranks (same id) may tie; compare only when ids are unique.
            let mut ids: Vec<&String> = tracks.iter().map(|t| &t.id).collect();
            ids.sort();
            ids.dedup();
            if ids.len() == tracks.len() {
                prop_assert_eq!(before, chosen(&tracks));
            }
        }

        #[test]
        fn choosing_again_changes_nothing(tracks in prop::collection::vec(track(), 0..30)) {
            let kept: Vec<TrackFacts> = originals(&tracks).into_iter().map(|i| tracks[i].clone()).collect();
            prop_assert_eq!(originals(&kept), (0..kept.len()).collect::<Vec<_>>());
        }
    }
}
