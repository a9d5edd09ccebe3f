//! Song-title rules: the normal form used to match set-list entries to catalogue songs and to
//! deduplicate songs without an ISRC, and the classification of versions (live, remix, demo…).
//!
//! Normal form: Unicode NFKD with accents dropped, lower case, `&` → `and`, bracketed and
//! dash-suffixed *version markers* removed ("- Remastered 2011", "(Live at …)", "(Taylor's
//! Version)"), other punctuation removed, whitespace collapsed. Brackets that are part of the
//! title ("(I Can't Get No) Satisfaction") are kept as words, so distinct songs stay distinct.

use unicode_normalization::UnicodeNormalization;

/// Words that, inside brackets or after " - ", mark a *version* of a song rather than its name.
const VERSION_MARKERS: &[&str] = &[
    "remaster",
    "remastered",
    "live",
    "remix",
    "mix",
    "edit",
    "version",
    "demo",
    "acoustic",
    "instrumental",
    "mono",
    "stereo",
    "deluxe",
    "bonus",
    "single",
    "radio",
    "extended",
    "reprise",
    "session",
    "sessions",
    "unplugged",
    "rehearsal",
    "take",
    "alternate",
    "feat",
    "featuring",
    "ft",
    "with",
    "from",
    "edition",
    "track",
    // Other languages' markers, as Spotify's catalogues write them (accents folded).
    "remasterizado",
    "remasterizada",
    "remasterizzato",
    "remasterizzata",
    "remasterise",
    "remasterisee",
    "remasterisiert",
    "versao",
    "versione",
    "vivo",
    "directo",
];

/// What kind of recording a track title says it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionFlags {
    pub live: bool,
    pub remix: bool,
    pub demo: bool,
    pub acoustic: bool,
    pub instrumental: bool,
}

impl VersionFlags {
    /// Whether the track is the studio original (none of the flags).
    pub fn is_studio(self) -> bool {
        self == Self::default()
    }
}

fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| c.is_ascii() || c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_version_marker(segment: &str) -> bool {
    words(&fold(segment)).iter().any(|w| {
        VERSION_MARKERS.contains(&w.as_str())
            // "2011 Remaster", "Taylor's Version", "Live at Wembley": any marker word counts.
            || w.ends_with("mix")
    })
}

/// Removes version segments: bracketed groups and " - " suffixes that carry a marker word.
fn strip_versions(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find(['(', '[']) {
        let close_ch = if rest.as_bytes()[open] == b'(' {
            ')'
        } else {
            ']'
        };
        let Some(len) = rest[open..].find(close_ch) else {
            break;
        };
        let inner = &rest[open + 1..open + len];
        out.push_str(&rest[..open]);
        if !is_version_marker(inner) {
            out.push(' ');
            out.push_str(inner);
            out.push(' ');
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    // Only the first " - " can start a suffix; a dash inside the name (e.g. "Up-Up") has no spaces.
    if let Some(idx) = out.find(" - ")
        && is_version_marker(&out[idx + 3..])
    {
        out.truncate(idx);
    }
    out
}

/// Whether the title names the song without a version segment ("Kickstart My Heart", not
/// "Kickstart My Heart - Remastered 2011"): of two titles of one song, the plain one is shown.
pub fn is_plain(title: &str) -> bool {
    words(&fold(&strip_versions(title))) == words(&fold(title))
}

/// The matching key of a title. Never empty for a non-empty, non-punctuation title.
pub fn normalize(title: &str) -> String {
    let stripped = strip_versions(title);
    let base = if words(&stripped).is_empty() {
        title
    } else {
        &stripped
    };
    let folded = fold(&base.replace('&', " and "));
    words(&folded).join(" ").replace('\'', "")
}

/// Classifies a track from its title and album name.
pub fn classify(title: &str, album: &str) -> VersionFlags {
    let mut flags = VersionFlags::default();
    for text in [title, album] {
        for segment in version_segments(text) {
            let ws = words(&fold(&segment));
            let has = |w: &str| ws.iter().any(|x| x == w);
            flags.live |= has("live") || has("unplugged") || has("vivo") || has("directo");
            // "2009 Stereo Mix", "Mono Mix", "Original Mix" are the recording as released, not
            // a remix.
            let release_mix = has("mono")
                || has("stereo")
                || has("original")
                || has("album")
                || ws
                    .iter()
                    .any(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()));
            flags.remix |= ws
                .iter()
                .any(|w| w == "remix" || w.ends_with("mix") && w != "mix")
                || (has("mix") && !release_mix);
            flags.demo |= has("demo");
            flags.acoustic |= has("acoustic");
            flags.instrumental |= has("instrumental");
        }
    }
    flags
}

/// The bracketed and dash-suffix parts of a title, where version words live.
fn version_segments(text: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['(', '[']) {
        let close_ch = if rest.as_bytes()[open] == b'(' {
            ')'
        } else {
            ']'
        };
        let Some(len) = rest[open..].find(close_ch) else {
            break;
        };
        segs.push(rest[open + 1..open + len].to_owned());
        rest = &rest[open + len + 1..];
    }
    if let Some(idx) = text.find(" - ") {
        segs.push(text[idx + 3..].to_owned());
    }
    segs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normal_forms() {
        assert_eq!(normalize("Do I Wanna Know?"), "do i wanna know");
        assert_eq!(normalize("505 - Remastered 2011"), "505");
        assert_eq!(normalize("Love Story (Taylor's Version)"), "love story");
        assert_eq!(normalize("Yellow - Live in Buenos Aires"), "yellow");
        assert_eq!(
            normalize("(I Can't Get No) Satisfaction"),
            "i cant get no satisfaction"
        );
        assert_eq!(normalize("Up&Up"), "up and up");
        assert_eq!(normalize("Café del Mar"), "cafe del mar");
        assert_eq!(
            normalize("Don't Sit Down 'Cause I've Moved Your Chair"),
            "dont sit down cause ive moved your chair"
        );
        assert_eq!(normalize("Butter (Hotter Remix)"), "butter");
        assert_eq!(normalize("Mix"), "mix");
    }

    /// Real-shaped titles of one song that must be one song (same key, the original studio
    /// recording), and titles in which a marker word is part of the name.
    #[test]
    fn variants_merge_and_names_stay_names() {
        let same = [
            ("Kickstart My Heart", "Kickstart My Heart - Remastered 2011"),
            ("Kickstart My Heart", "Kickstart My Heart - 2011 Remaster"),
            (
                "Kickstart My Heart",
                "Kickstart My Heart (Remastered 2009 Version)",
            ),
            ("Kickstart My Heart", "Kickstart My Heart [Deluxe Edition]"),
            ("Kickstart My Heart", "Kickstart My Heart - Mono"),
            ("Kickstart My Heart", "Kickstart My Heart - Stereo"),
            ("Kickstart My Heart", "KICKSTART MY HEART (2009 Stereo Mix)"),
            ("Kickstart My Heart", "Kickstart My Heart - Radio Edit"),
            ("Kickstart My Heart", "Kickstart My Heart - Single Version"),
            ("Kickstart My Heart", "Kickstart My Heart (Bonus Track)"),
            (
                "Kickstart My Heart",
                "Kickstart My Heart (feat. Someone Else)",
            ),
            ("Kickstart My Heart", "Kickstart My Heart [ft. Someone]"),
            (
                "Kickstart My Heart",
                "Kickstart My Heart - Remasterizado 2011",
            ),
            ("Kickstart My Heart", "Kickstart My Heart - Remasterisé"),
            (
                "Kickstart My Heart",
                "Kickstart My Heart (Versão Remasterizada)",
            ),
            ("Here Comes the Sun", "Here Comes The Sun - Remastered 2009"),
            ("Wonderwall", "Wonderwall (Remastered)"),
            ("Bohemian Rhapsody", "Bohemian Rhapsody - Remastered 2011"),
        ];
        for (plain, variant) in same {
            assert_eq!(normalize(plain), normalize(variant), "{variant}");
            assert!(
                classify(variant, "Dr. Feelgood").is_studio(),
                "{variant} is the studio recording"
            );
            assert!(is_plain(plain) && !is_plain(variant), "{plain} / {variant}");
        }
        let names = [
            ("Live Forever", "Forever"),
            ("Demolition Lovers", "Lovers"),
            ("Remaster", ""),
            ("Mix Tape", "Tape"),
            ("Single Ladies (Put a Ring on It)", "Single Ladies"),
            ("Radio Ga Ga", "Ga Ga"),
            ("Version of Me", "Me"),
            ("With or Without You", "Without You"),
        ];
        for (name, other) in names {
            assert!(is_plain(name), "{name} is a song's name");
            assert!(classify(name, "Album").is_studio(), "{name}");
            assert_ne!(normalize(name), normalize(other), "{name}");
            assert!(!normalize(name).is_empty());
        }
        // Versions that are other recordings stay apart from the studio song.
        for other in [
            "Kickstart My Heart - Live",
            "Kickstart My Heart (Live at Wembley)",
            "Kickstart My Heart - Remix",
            "Kickstart My Heart (Club Mix)",
            "Kickstart My Heart - En Vivo",
        ] {
            assert!(!classify(other, "Album").is_studio(), "{other}");
        }
    }

    #[test]
    fn classification() {
        assert!(classify("Yellow - Live in Buenos Aires", "Parachutes").live);
        assert!(classify("Yellow", "Live in Buenos Aires (Live)").live);
        assert!(classify("Butter (Hotter Remix)", "Butter").remix);
        assert!(classify("Cold Heart - PNAU Remix", "Cold Heart").remix);
        assert!(classify("Mardy Bum - Demo", "AM").demo);
        assert!(classify("Do I Wanna Know?", "AM").is_studio());
        assert!(classify("505 - Remastered 2011", "Favourite Worst Nightmare").is_studio());
        // "Live" as part of a title is not a version marker.
        assert!(classify("Live Forever", "Definitely Maybe").is_studio());
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(t in "[A-Za-z0-9 '&.,!?()-]{1,40}") {
            let n = normalize(&t);
            prop_assert_eq!(normalize(&n), n.clone());
        }

        #[test]
        fn version_suffix_does_not_change_key(t in "[A-Za-z][A-Za-z ]{0,30}", year in 1960u32..2030) {
            prop_assume!(!is_version_marker(&t));
            prop_assert_eq!(normalize(&format!("{t} - Remastered {year}")), normalize(&t));
            prop_assert_eq!(normalize(&format!("{t} (Live)")), normalize(&t));
        }

        #[test]
        fn case_and_accents_do_not_matter(t in "[a-z ]{1,30}") {
            prop_assert_eq!(normalize(&t.to_uppercase()), normalize(&t));
        }
    }
}

/// How alike two titles must be (0–1, Jaro-Winkler on their normal forms) for a moderator to be
/// offered the catalogue song as the line's match.
pub const SUGGEST_AT: f64 = 0.85;

/// Catalogue songs a set-list title almost matches, best first (at most three): what a
/// moderator is offered as an alias. An exact match of normal forms is no suggestion (the line
/// is linked already).
pub fn candidates<'a>(
    title: &str,
    catalogue: &'a [(uuid::Uuid, String)],
) -> Vec<(uuid::Uuid, &'a str, f64)> {
    let wanted = normalize(title);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(uuid::Uuid, &str, f64)> = catalogue
        .iter()
        .filter_map(|(id, name)| {
            let theirs = normalize(name);
            if theirs == wanted || theirs.is_empty() {
                return None;
            }
            let score = strsim::jaro_winkler(&wanted, &theirs);
            (score >= SUGGEST_AT).then_some((*id, name.as_str(), score))
        })
        .collect();
    found.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.1.cmp(b.1)));
    found.truncate(3);
    found
}

#[cfg(test)]
mod suggestion_tests {
    use super::candidates;

    #[test]
    fn near_misses_are_offered_best_first() {
        let id = |n| uuid::Uuid::from_u128(n);
        let catalogue = vec![
            (id(1), "Do I Wanna Know?".to_owned()),
            (id(2), "R U Mine?".to_owned()),
            (id(3), "Fluorescent Adolescent".to_owned()),
            (id(4), "505".to_owned()),
        ];
        let got = candidates("Flourescent Adolescent", &catalogue);
        assert_eq!(got.first().map(|c| c.0), Some(id(3)), "{got:?}");
        let got = candidates("Do I Wanna Know", &catalogue);
        assert!(
            got.is_empty(),
            "an exact normal form is already linked: {got:?}"
        );
        assert!(candidates("Bohemian Rhapsody", &catalogue).is_empty());
        assert!(candidates("", &catalogue).is_empty());
    }
}
