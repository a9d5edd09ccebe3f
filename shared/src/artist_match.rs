//! Which search hit is the artist we hold, when a provider link is missing or stale.
//!
//! Ticketmaster's Spotify and MusicBrainz links are often absent or point at an id the other
//! service no longer knows, so the importers search the other service by name and pick a hit by
//! this rule (the same for Spotify and setlist.fm, and for a fan's own Spotify artists):
//!
//! 1. **Names are compared by key**: Unicode NFKD with accents dropped, lower case, `&` and `+`
//!    read as "and", a leading "The" dropped, then only letters and digits kept
//!    ("The Beatles" = "Beatles", "Run-D.M.C." = "Run DMC", "Sigur Rós" = "Sigur Ros").
//! 2. **Look-alikes are rejected** before anything is scored: a hit whose name (or
//!    disambiguation) carries a tribute word the wanted name lacks ("tribute", "cover",
//!    "karaoke", "experience", "salute", "in the style of"…), and, where the service reports
//!    them, a hit with no images and under [`OBSCURE_FOLLOWERS`] followers or with fewer than
//!    [`MIN_FOLLOWERS`] at all.
//! 3. **Name similarity**: 1.0 for equal keys, else Jaro-Winkler of the keys when at least
//!    [`MIN_NAME_SIMILARITY`] (typos and transliterations), else the hit is not a name match.
//! 4. **Confidence** = name similarity × (0.85 + 0.15 × genre overlap), where the overlap is the
//!    share of genre words the two sides have in common (1 when either side reports none, so
//!    a service without genres neither helps nor hurts). An exact name in a wholly different
//!    genre scores 0.85; a near name needs overlapping genres to pass.
//! 5. Hits are ranked by exact name first, then confidence, then followers; the best is taken
//!    when its confidence is at least [`THRESHOLD`]. Two exact-name hits that the genres and
//!    followers cannot tell apart (a service without either, such as setlist.fm) take the
//!    service's own relevance order, with the confidence lowered to [`TIE_CONFIDENCE`] and the
//!    runner-up recorded so a moderator can see the choice was close.
//!
//! Below the threshold nothing is linked and the reason says why: no hits, only look-alikes, or
//! the best name was too far.

use unicode_normalization::UnicodeNormalization;

/// Least confidence for a hit to be linked.
pub const THRESHOLD: f64 = 0.85;
/// Least Jaro-Winkler similarity of two keys for a near (not equal) name to count at all.
pub const MIN_NAME_SIMILARITY: f64 = 0.9;
/// Hits with no images need at least this many followers.
pub const OBSCURE_FOLLOWERS: u64 = 1_000;
/// Hits with fewer followers than this are look-alikes whatever else they have.
pub const MIN_FOLLOWERS: u64 = 50;
/// Confidence of an exact-name hit chosen over another exact-name hit by the service's order.
pub const TIE_CONFIDENCE: f64 = 0.9;

/// Words that mark an act imitating another, unless the wanted name has them too.
const LOOK_ALIKE_WORDS: &[&str] = &[
    "tribute",
    "tributo",
    "hommage",
    "homage",
    "cover",
    "covers",
    "karaoke",
    "experience",
    "salute",
    "revival",
    "impersonator",
    "lookalike",
];
/// Phrases with the same meaning, matched on the spaced key.
const LOOK_ALIKE_PHRASES: &[&str] = &[
    "in the style of",
    "made famous by",
    "originally performed",
    "as made famous",
    "the music of",
    "plays the music",
    "a tribute",
];

/// One search hit, as much as the service tells about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub name: &'a str,
    /// setlist.fm's disambiguation ("UK tribute act"), when there is one.
    pub disambiguation: Option<&'a str>,
    pub genres: &'a [String],
    /// `None` when the service does not report followers.
    pub followers: Option<u64>,
    /// `None` when the service does not report images.
    pub has_images: Option<bool>,
}

/// The artist we hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted<'a> {
    pub name: &'a str,
    pub genres: &'a [String],
}

crate::named! {
    #[pg_enum = "no_match"]
    /// Why no hit was linked.
    pub enum NoMatch {
        /// The search found nothing.
        NoHits = "no_hits",
        /// Every hit carrying the name was a tribute act, a cover project or an empty profile.
        OnlyLookAlikes = "only_look_alikes",
        /// The best remaining hit's name or genres were too far from ours.
        BelowThreshold = "below_threshold",
        /// The hit is already linked to another of our artists (a namesake or a duplicate).
        Taken = "taken",
    }
}

impl NoMatch {
    pub fn describe(self) -> &'static str {
        match self {
            Self::NoHits => "the search found no artist of that name",
            Self::OnlyLookAlikes => {
                "only tribute acts, cover projects or empty profiles were found"
            }
            Self::BelowThreshold => "no artist found was close enough to link with confidence",
            Self::Taken => "the artist found is already linked to another artist here",
        }
    }
}

/// A hit and how sure the rule is of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Index of the hit in the slice given to [`pick`].
    pub index: usize,
    pub confidence: f64,
}

/// What the rule decided, with the runner-up for the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Linked {
        best: Scored,
        runner_up: Option<Scored>,
    },
    Unlinked {
        reason: NoMatch,
        /// The closest hit that was not taken (not a look-alike), if any.
        closest: Option<Scored>,
    },
}

fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| c.is_ascii() || c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name's words: folded, `&`/`+` as "and", punctuation as spaces, a leading "the" dropped
/// (unless it is the whole name).
pub fn name_words(name: &str) -> Vec<String> {
    let folded = fold(&name.replace(['&', '+'], " and "));
    // Dots and apostrophes join letters ("R.E.M.", "Guns N' Roses"); other punctuation splits.
    let joined: String = folded
        .chars()
        .filter(|c| !matches!(c, '.' | '\''))
        .collect();
    let mut words: Vec<String> = joined
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words
}

/// The key two names are equal by: [`name_words`] run together.
pub fn name_key(name: &str) -> String {
    name_words(name).concat()
}

/// Whether `hit` imitates or is too empty to be `wanted` (rule 2).
pub fn is_look_alike(wanted: &Wanted<'_>, hit: &Hit<'_>) -> bool {
    let ours = name_words(wanted.name);
    let ours_spaced = format!(" {} ", ours.join(" "));
    for text in [Some(hit.name), hit.disambiguation].into_iter().flatten() {
        let theirs = name_words(text);
        if theirs
            .iter()
            .any(|w| LOOK_ALIKE_WORDS.contains(&w.as_str()) && !ours.contains(w))
        {
            return true;
        }
        let spaced = format!(" {} ", theirs.join(" "));
        if LOOK_ALIKE_PHRASES
            .iter()
            .any(|p| spaced.contains(&format!(" {p} ")) && !ours_spaced.contains(&format!(" {p} ")))
        {
            return true;
        }
    }
    match (hit.followers, hit.has_images) {
        (Some(f), _) if f < MIN_FOLLOWERS => true,
        (Some(f), Some(false)) if f < OBSCURE_FOLLOWERS => true,
        _ => false,
    }
}

/// Rule 3: 1.0 for equal keys, the keys' Jaro-Winkler similarity when close, else 0.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (name_key(a), name_key(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let s = strsim::jaro_winkler(&a, &b);
    if s >= MIN_NAME_SIMILARITY { s } else { 0.0 }
}

fn genre_words(genres: &[String]) -> Vec<String> {
    let mut out: Vec<String> = genres
        .iter()
        .flat_map(|g| name_words(g))
        .filter(|w| !matches!(w.as_str(), "music" | "and" | "other" | "undefined"))
        .map(|w| w.replace("hiphop", "hip hop"))
        .flat_map(|w| w.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Share of genre words in common (of the smaller side); 1 when either side has none (rule 4).
pub fn genre_overlap(a: &[String], b: &[String]) -> f64 {
    let (a, b) = (genre_words(a), genre_words(b));
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let shared = a.iter().filter(|w| b.contains(w)).count();
    #[allow(clippy::cast_precision_loss)] // genre lists are a handful of words
    let r = shared as f64 / a.len().min(b.len()) as f64;
    r.min(1.0)
}

/// Rule 4 for one hit that is not a look-alike.
pub fn confidence(wanted: &Wanted<'_>, hit: &Hit<'_>) -> f64 {
    name_similarity(wanted.name, hit.name)
        * (0.85 + 0.15 * genre_overlap(wanted.genres, hit.genres))
}

/// Applies the rule to `hits` in the service's own order.
pub fn pick(wanted: &Wanted<'_>, hits: &[Hit<'_>]) -> Decision {
    if hits.is_empty() {
        return Decision::Unlinked {
            reason: NoMatch::NoHits,
            closest: None,
        };
    }
    // (exact, confidence, followers, index) for the hits that are not look-alikes.
    let mut ranked: Vec<(bool, f64, u64, usize)> = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| !is_look_alike(wanted, h))
        .map(|(i, h)| {
            let exact = name_key(wanted.name) == name_key(h.name);
            (exact, confidence(wanted, h), h.followers.unwrap_or(0), i)
        })
        .filter(|r| r.1 > 0.0)
        .collect();
    if ranked.is_empty() {
        // Look-alikes that carry our name (or are all there is) explain the miss better than
        // "too far".
        let key = name_key(wanted.name);
        let imitated = hits.iter().all(|h| is_look_alike(wanted, h))
            || hits.iter().any(|h| {
                is_look_alike(wanted, h)
                    && (name_key(h.name).contains(&key)
                        || name_similarity(wanted.name, h.name) > 0.0)
            });
        return Decision::Unlinked {
            reason: if imitated {
                NoMatch::OnlyLookAlikes
            } else {
                NoMatch::BelowThreshold
            },
            closest: None,
        };
    }
    // Stable sort: equal hits keep the service's relevance order.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(b.2.cmp(&a.2)));
    let scored = |r: &(bool, f64, u64, usize)| Scored {
        index: r.3,
        confidence: r.1,
    };
    let mut best = scored(&ranked[0]);
    let runner_up = ranked.get(1).map(scored);
    if let Some(second) = ranked.get(1)
        && ranked[0].0
        && second.0
        && (ranked[0].1 - second.1).abs() < f64::EPSILON
        && ranked[0].2 == second.2
    {
        best.confidence = best.confidence.min(TIE_CONFIDENCE);
    }
    if best.confidence >= THRESHOLD {
        Decision::Linked { best, runner_up }
    } else {
        Decision::Unlinked {
            reason: NoMatch::BelowThreshold,
            closest: Some(best),
        }
    }
}

#[cfg(test)]
mod tests;
