//! The live evening: when a show is on (the window in which fans capture songs) and how every
//! fan's captures merge into the show's **crowd set-list**.
//!
//! The rules, as the README tells fans:
//! - A capture is one tap "this song is playing now", stamped with the device's clock. An
//!   account counts once per song (its earliest capture of it).
//! - A song enters the list when enough of the fans who captured anything at the show captured
//!   it: one fan when only one or two captured, otherwise a fifth of them and at least two
//!   ([`threshold`]).
//! - Its place is the median of its capture times (the lower median: devices' clocks disagree by
//!   a minute or two, and the median ignores the few that are far off).
//! - The encore starts at the first song most of whose fans marked "encore", or else at a long
//!   pause late in the show: the largest gap in the last 40 % of the list that is at least six
//!   minutes and twice the usual gap between songs, whichever comes first.
//! - A typed title counts as the catalogue song of the same normal form when any fan captured
//!   that song from the catalogue.
//!
//! The merge depends only on the set of captures: any arrival order gives the same list, and a
//! capture seen twice counts once.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::titles;

/// A show is `ongoing` for this long after its start, then `completed`.
pub const ONGOING_HOURS: i64 = 5;
/// Captures stamped up to this long after the show ended still count (a late encore, a slow
/// clock).
pub const GRACE_HOURS: i64 = 1;
/// Captures stamped up to this long before the start count (a fast clock, an early start).
pub const EARLY_MINUTES: i64 = 10;
/// How long the app offers to undo a capture.
pub const UNDO_SECONDS: i64 = 60;
/// Longest typed title.
pub const MAX_TITLE: usize = 200;
/// The shortest pause that can start an encore.
pub const ENCORE_MIN_GAP: Duration = Duration::minutes(6);

/// When the show is on: from its start for [`ONGOING_HOURS`]. A show without a start time is
/// on for the whole of its date in every zone (its venue's zone is not known).
pub fn on_stage(
    starts_at: Option<DateTime<Utc>>,
    date: NaiveDate,
) -> (DateTime<Utc>, DateTime<Utc>) {
    match starts_at {
        Some(at) => (at, at + Duration::hours(ONGOING_HOURS)),
        None => {
            let midnight = date.and_time(NaiveTime::MIN).and_utc();
            (
                midnight - Duration::hours(14),
                midnight + Duration::hours(24 + 12),
            )
        }
    }
}

/// Whether a capture stamped `at` belongs to the show: within [`on_stage`], [`EARLY_MINUTES`]
/// before and [`GRACE_HOURS`] after.
pub fn accepts_capture(
    starts_at: Option<DateTime<Utc>>,
    date: NaiveDate,
    at: DateTime<Utc>,
) -> Capturable {
    let (start, end) = on_stage(starts_at, date);
    if at < start - Duration::minutes(EARLY_MINUTES) {
        Capturable::NotStarted
    } else if at > end + Duration::hours(GRACE_HOURS) {
        Capturable::Over
    } else {
        Capturable::Yes
    }
}

/// Whether the show has begun at `now`: its start time passed, or (without one) its date came.
/// Starting or correcting its actual set-list waits for this.
pub fn has_started(starts_at: Option<DateTime<Utc>>, date: NaiveDate, now: DateTime<Utc>) -> bool {
    match starts_at {
        Some(at) => at <= now,
        None => date <= now.date_naive(),
    }
}

/// How far a device's clock may run ahead of the server's before its stamp is not believed.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// The server's rule for a capture stamped `at` by the device and received at `now` by the
/// server's own clock. The device's stamp must fall in the show's window ([`accepts_capture`]),
/// but the device is not taken at its word: the server's clock must have reached the show's
/// start (less [`EARLY_MINUTES`]) — a capture sent before the show began is refused whatever its
/// stamp — and the stamp may not be ahead of the server's clock by more than
/// [`CLOCK_SKEW_MINUTES`]. A capture made offline during the show and sent later, even days
/// later, is kept: its stamp is in the window and in the server's past.
pub fn accepts_capture_received(
    starts_at: Option<DateTime<Utc>>,
    date: NaiveDate,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Capturable {
    let by_stamp = accepts_capture(starts_at, date, at);
    if by_stamp != Capturable::Yes {
        return by_stamp;
    }
    let (start, _) = on_stage(starts_at, date);
    if now < start - Duration::minutes(EARLY_MINUTES) {
        Capturable::NotStarted
    } else if at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        Capturable::Ahead
    } else {
        Capturable::Yes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capturable {
    Yes,
    NotStarted,
    Over,
    /// Stamped later than the server's clock allows (only [`accepts_capture_received`]).
    Ahead,
}

/// One fan's "now playing" tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// Chosen by the device; the same capture sent twice is one.
    pub id: Uuid,
    pub user: Uuid,
    /// The catalogue song, when picked from it.
    pub song_id: Option<Uuid>,
    pub title: String,
    /// The device's clock when the fan tapped.
    pub at: DateTime<Utc>,
    /// The fan marked the song as the encore.
    pub encore: bool,
}

/// A line of the crowd list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrowdLine {
    pub song_id: Option<Uuid>,
    pub title: String,
    /// The median capture time.
    pub at: DateTime<Utc>,
    /// How many fans captured it.
    pub fans: u32,
    pub encore: bool,
}

/// How many fans must capture a song for it to enter the list, of `fans` who captured anything.
pub fn threshold(fans: usize) -> usize {
    if fans <= 2 {
        1
    } else {
        fans.div_ceil(5).max(2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Song(Uuid),
    Title(String),
}

/// Merges every capture of one show into its crowd list (see the module's rules).
pub fn merge(captures: &[Capture]) -> Vec<CrowdLine> {
    // A canonical order first, so nothing below depends on arrival order.
    let mut all: Vec<&Capture> = captures.iter().collect();
    all.sort_by_key(|c| (c.at, c.id));
    let mut seen = HashSet::with_capacity(all.len());
    all.retain(|c| seen.insert(c.id));
    // Typed titles that name a captured catalogue song count as that song.
    let mut by_title: BTreeMap<String, Uuid> = BTreeMap::new();
    for c in &all {
        if let Some(song) = c.song_id {
            by_title
                .entry(titles::normalize(&c.title))
                .and_modify(|s| *s = (*s).min(song))
                .or_insert(song);
        }
    }
    let key = |c: &Capture| match c.song_id {
        Some(song) => Key::Song(song),
        None => {
            let norm = titles::normalize(&c.title);
            match by_title.get(&norm) {
                Some(song) => Key::Song(*song),
                None => Key::Title(norm),
            }
        }
    };
    // One capture per (fan, song): the earliest (the list is already in time order).
    let mut counted: BTreeMap<(Key, Uuid), &Capture> = BTreeMap::new();
    let mut fans: BTreeSet<Uuid> = BTreeSet::new();
    for c in &all {
        let k = key(c);
        if matches!(&k, Key::Title(t) if t.is_empty()) {
            continue;
        }
        fans.insert(c.user);
        counted.entry((k, c.user)).or_insert(c);
    }
    let need = threshold(fans.len());
    let mut groups: BTreeMap<Key, Vec<&Capture>> = BTreeMap::new();
    for ((k, _), c) in counted {
        groups.entry(k).or_default().push(c);
    }
    let mut lines: Vec<(CrowdLine, Key, bool)> = groups
        .into_iter()
        .filter(|(_, cs)| cs.len() >= need)
        .map(|(k, mut cs)| {
            cs.sort_by_key(|c| (c.at, c.id));
            let at = cs[(cs.len() - 1) / 2].at;
            let marked = cs.iter().filter(|c| c.encore).count() * 2 > cs.len();
            let line = CrowdLine {
                song_id: match &k {
                    Key::Song(s) => Some(*s),
                    Key::Title(_) => None,
                },
                title: common_title(&cs),
                at,
                fans: u32::try_from(cs.len()).unwrap_or(u32::MAX),
                encore: false,
            };
            (line, k, marked)
        })
        .collect();
    lines.sort_by(|a, b| (a.0.at, &a.1).cmp(&(b.0.at, &b.1)));
    let marked = lines.iter().position(|l| l.2);
    let times: Vec<DateTime<Utc>> = lines.iter().map(|l| l.0.at).collect();
    let start = match (marked, encore_by_gap(&times)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (mut line, _, _))| {
            line.encore = start.is_some_and(|s| i >= s);
            line
        })
        .collect()
}

/// The title most of a song's fans typed or picked (ties: the first in text order).
fn common_title(cs: &[&Capture]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cs {
        *counts.entry(c.title.trim()).or_default() += 1;
    }
    let best = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(t, _)| t.to_owned())
        .unwrap_or_default()
}

/// The index of the first encore song by the pause rule, if any.
fn encore_by_gap(times: &[DateTime<Utc>]) -> Option<usize> {
    if times.len() < 4 {
        return None;
    }
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let mut sorted = gaps.clone();
    sorted.sort();
    let usual = sorted[(sorted.len() - 1) / 2];
    let needed = ENCORE_MIN_GAP.max(usual * 2);
    // Song i follows gap i - 1; only the last 40 % of songs can open an encore.
    let first = (times.len() * 3).div_ceil(5).max(1);
    let mut best: Option<(Duration, usize)> = None;
    for (i, gap) in gaps.iter().enumerate().map(|(g, d)| (g + 1, *d)) {
        if i < first || gap < needed {
            continue;
        }
        if best.is_none_or(|(b, _)| gap > b) {
            best = Some((gap, i));
        }
    }
    best.map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        "2026-12-01T20:00:00Z".parse().expect("time")
    }

    fn cap(user: u128, song: u128, minute: i64, encore: bool) -> Capture {
        Capture {
            id: Uuid::now_v7(),
            user: Uuid::from_u128(user),
            song_id: Some(Uuid::from_u128(1000 + song)),
            title: format!("Song {song}"),
            at: t0() + Duration::minutes(minute),
            encore,
        }
    }

    #[test]
    fn thresholds_scale_with_the_crowd() {
        assert_eq!(
            [0, 1, 2, 3, 5, 10, 11, 300].map(threshold),
            [1, 1, 1, 2, 2, 2, 3, 60]
        );
    }

    #[test]
    fn one_fan_makes_a_list_in_time_order() {
        let cs = vec![
            cap(1, 2, 8, false),
            cap(1, 1, 2, false),
            cap(1, 3, 12, false),
        ];
        let list = merge(&cs);
        let titles: Vec<&str> = list.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["Song 1", "Song 2", "Song 3"]);
        assert!(list.iter().all(|l| l.fans == 1 && !l.encore));
    }

    #[test]
    fn a_fan_counts_once_and_stray_captures_stay_out() {
        let mut cs = Vec::new();
        for user in 1..=5 {
            cs.push(cap(user, 1, 0, false));
            cs.push(cap(user, 2, 5, false));
        }
        // One fan taps song 3 five times: still one fan, below the threshold of 2.
        for i in 0..5 {
            cs.push(cap(9, 3, 3 + i, false));
        }
        let list = merge(&cs);
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(list[0].fans, 5);
    }

    #[test]
    fn the_median_resists_a_wrong_clock() {
        let mut cs = vec![
            cap(1, 1, 0, false),
            cap(2, 1, 1, false),
            cap(3, 1, 0, false),
            // A phone an hour off.
            cap(4, 1, 60, false),
        ];
        cs.extend((1..=4).map(|u| cap(u, 2, 4, false)));
        let list = merge(&cs);
        assert_eq!(list[0].title, "Song 1");
        assert_eq!(list[0].at, t0());
    }

    #[test]
    fn typed_titles_join_the_catalogue_song() {
        let mut typed = cap(2, 1, 1, false);
        typed.song_id = None;
        typed.title = "song 1 ".into();
        let list = merge(&[cap(1, 1, 0, false), typed]);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].fans, 2);
        assert_eq!(list[0].song_id, Some(Uuid::from_u128(1001)));
    }

    #[test]
    fn encores_come_from_a_long_pause_or_the_fans_mark() {
        // Songs every 4 minutes, then a 10-minute pause before song 9.
        let mut cs: Vec<Capture> = (0..8).map(|i| cap(1, i, i as i64 * 4, false)).collect();
        cs.push(cap(1, 8, 28 + 10, false));
        cs.push(cap(1, 9, 42, false));
        let list = merge(&cs);
        let encore: Vec<bool> = list.iter().map(|l| l.encore).collect();
        assert_eq!(
            encore,
            [
                false, false, false, false, false, false, false, false, true, true
            ]
        );
        // No pause, but the fan marked song 7: the encore starts there.
        let mut even: Vec<Capture> = (0..10).map(|i| cap(1, i, i as i64 * 4, i == 7)).collect();
        even[9].encore = false;
        let list = merge(&even);
        assert_eq!(list.iter().filter(|l| l.encore).count(), 3);
        // An early pause (a break between halves) is not an encore.
        let mut early: Vec<Capture> = (0..10).map(|i| cap(1, i, i as i64 * 4, false)).collect();
        for c in early.iter_mut().skip(3) {
            c.at += Duration::minutes(20);
        }
        assert!(merge(&early).iter().all(|l| !l.encore));
    }

    #[test]
    fn capture_windows() {
        let date = t0().date_naive();
        let at = Some(t0());
        assert_eq!(
            accepts_capture(at, date, t0() - Duration::minutes(30)),
            Capturable::NotStarted
        );
        assert_eq!(
            accepts_capture(at, date, t0() - Duration::minutes(5)),
            Capturable::Yes
        );
        assert_eq!(
            accepts_capture(at, date, t0() + Duration::hours(5)),
            Capturable::Yes
        );
        assert_eq!(
            accepts_capture(at, date, t0() + Duration::hours(7)),
            Capturable::Over
        );
        // No start time: the whole date, anywhere on earth.
        assert_eq!(accepts_capture(None, date, t0()), Capturable::Yes);
        assert_eq!(
            accepts_capture(None, date, t0() + Duration::days(2)),
            Capturable::Over
        );
    }

    #[test]
    fn the_server_clock_decides_whether_the_show_has_begun() {
        let date = t0().date_naive();
        let start = Some(t0());
        let during = t0() + Duration::minutes(30);
        // Pushed 45 days before the show, stamped "start + 30 min": refused.
        assert_eq!(
            accepts_capture_received(start, date, during, t0() - Duration::days(45)),
            Capturable::NotStarted
        );
        // A device clock far ahead of the server's during the show: refused.
        assert_eq!(
            accepts_capture_received(start, date, t0() + Duration::hours(2), during),
            Capturable::Ahead
        );
        // A clock a little ahead is tolerated.
        assert_eq!(
            accepts_capture_received(start, date, during + Duration::minutes(3), during),
            Capturable::Yes
        );
        // Made offline during the show, sent two days later: kept.
        assert_eq!(
            accepts_capture_received(start, date, during, t0() + Duration::days(2)),
            Capturable::Yes
        );
        // Stamped after the show, whenever sent: over.
        assert_eq!(
            accepts_capture_received(
                start,
                date,
                t0() + Duration::hours(8),
                t0() + Duration::hours(9)
            ),
            Capturable::Over
        );
        // No start time: the date's window, by the server's clock too.
        assert_eq!(
            accepts_capture_received(None, date, t0(), t0() - Duration::days(3)),
            Capturable::NotStarted
        );
    }

    proptest! {
        /// Whatever the device claims, nothing is accepted while the server's clock is before
        /// the show's window, and nothing is accepted that the device rule refuses.
        #[test]
        fn the_server_rule_is_never_looser_than_either_clock(
            stamp in -100_000i64..100_000, received in -100_000i64..100_000, timed in any::<bool>()
        ) {
            let date = t0().date_naive();
            let start = timed.then(t0);
            let at = t0() + Duration::minutes(stamp);
            let now = t0() + Duration::minutes(received);
            if accepts_capture_received(start, date, at, now) == Capturable::Yes {
                prop_assert_eq!(accepts_capture(start, date, at), Capturable::Yes);
                let (begins, _) = on_stage(start, date);
                prop_assert!(now >= begins - Duration::minutes(EARLY_MINUTES));
                prop_assert!(at <= now + Duration::minutes(CLOCK_SKEW_MINUTES));
            }
        }
    }

    fn captures() -> impl Strategy<Value = Vec<Capture>> {
        prop::collection::vec(
            (0u128..6, 0u128..8, 0i64..120, any::<bool>(), any::<bool>()),
            0..60,
        )
        .prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (user, song, minute, encore, typed))| Capture {
                    id: Uuid::from_u128(i as u128 + 1),
                    user: Uuid::from_u128(user + 1),
                    song_id: (!typed).then(|| Uuid::from_u128(1000 + song)),
                    title: format!("Song {song}"),
                    at: t0() + Duration::minutes(minute),
                    encore: encore && minute > 90,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn any_arrival_order_gives_the_same_list(cs in captures(), seed in any::<u64>()) {
            let mut shuffled = cs.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(merge(&cs), merge(&shuffled));
        }

        #[test]
        fn a_capture_seen_twice_counts_once(cs in captures()) {
            let mut twice = cs.clone();
            twice.extend(cs.iter().cloned());
            prop_assert_eq!(merge(&cs), merge(&twice));
        }

        #[test]
        fn a_late_capture_moves_only_its_own_song(cs in captures(), song in 0u128..8, minute in 0i64..120) {
            // A fan who captured already adds one more: the threshold stays, so every other
            // song keeps its place in the list and its relative order.
            prop_assume!(!cs.is_empty());
            let user = cs[0].user;
            let late = Capture {
                id: Uuid::from_u128(9_999),
                user,
                song_id: Some(Uuid::from_u128(1000 + song)),
                title: format!("Song {song}"),
                at: t0() + Duration::minutes(minute),
                encore: false,
            };
            let before = merge(&cs);
            let mut more = cs.clone();
            more.push(late);
            let after = merge(&more);
            let others = |l: &Vec<CrowdLine>| -> Vec<(Option<Uuid>, String)> {
                l.iter()
                    .filter(|x| x.song_id != Some(Uuid::from_u128(1000 + song))
                        && titles::normalize(&x.title) != titles::normalize(&format!("Song {song}")))
                    .map(|x| (x.song_id, x.title.clone()))
                    .collect()
            };
            prop_assert_eq!(others(&before), others(&after));
        }
    }
}
