//! URL slugs for artists (and anything else with a human name).
//!
//! A slug is lower-case ASCII letters, digits and single dashes, never empty. Accents are folded
//! (`Beyoncé` → `beyonce`); names with no ASCII letters at all (e.g. Korean or Japanese names)
//! fall back to a caller-supplied stable id so the slug is still unique and non-empty.

use unicode_normalization::UnicodeNormalization;

/// Turns a display name into a slug, or `None` if nothing ASCII survives.
pub fn slugify(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.nfkd() {
        let c = match c {
            '&' => {
                push_word(&mut out, &mut dash, "and");
                continue;
            }
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            c if c.is_ascii() || c.is_whitespace() => {
                dash = !out.is_empty();
                continue;
            }
            // Combining marks left over from NFKD are dropped: that is the accent folding.
            _ => continue,
        };
        if dash {
            out.push('-');
            dash = false;
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

fn push_word(out: &mut String, dash: &mut bool, word: &str) {
    if !out.is_empty() {
        out.push('-');
    }
    out.push_str(word);
    *dash = true;
}

/// Whether `s` has the shape [`slugify`] produces (used to validate path parameters).
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(slugify("Arctic Monkeys").as_deref(), Some("arctic-monkeys"));
        assert_eq!(slugify("Fontaines D.C.").as_deref(), Some("fontaines-d-c"));
        assert_eq!(slugify("Fred again..").as_deref(), Some("fred-again"));
        assert_eq!(slugify("Beyoncé").as_deref(), Some("beyonce"));
        assert_eq!(
            slugify("Simon & Garfunkel").as_deref(),
            Some("simon-and-garfunkel")
        );
        assert_eq!(slugify("  AC/DC  ").as_deref(), Some("ac-dc"));
        assert_eq!(slugify("방탄소년단"), None);
    }

    proptest! {
        #[test]
        fn output_is_always_a_valid_slug(name in "\\PC{0,40}") {
            if let Some(s) = slugify(&name) {
                prop_assert!(is_valid_slug(&s), "{s:?} from {name:?}");
            }
        }

        #[test]
        fn slugify_is_idempotent(name in "[a-zA-Z0-9 .&/-]{0,40}") {
            if let Some(s) = slugify(&name) {
                prop_assert_eq!(slugify(&s), Some(s.clone()));
            }
        }
    }
}
