//! Password rules after NIST SP 800-63B-4: length is what matters. At least 15 characters for
//! accounts protected by a password alone, at least 64 accepted (we take up to 256), no
//! composition rules, no truncation; compared after Unicode NFKC normalisation; refused when it
//! contains the email's local part or the product's name, or is one character repeated, or is
//! built from common passwords (see [`is_common`]).

use unicode_normalization::UnicodeNormalization;

pub const MIN_CHARS: usize = 15;
pub const MAX_CHARS: usize = 256;
const PRODUCT: &str = "theset";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    ContainsEmail,
    ContainsProductName,
    Repetitive,
    Common,
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort { min } => write!(
                f,
                "use at least {min} characters; a few words make a good one"
            ),
            Self::TooLong { max } => write!(f, "use at most {max} characters"),
            Self::ContainsEmail => f.write_str("do not include your email address"),
            Self::ContainsProductName => f.write_str("do not include the name of this service"),
            Self::Repetitive => f.write_str("do not repeat one character"),
            Self::Common => f.write_str(
                "this is too close to passwords found in breaches; add words of your own",
            ),
        }
    }
}

/// The form that is hashed and compared: NFKC, so the same password typed on two keyboards matches.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password for the account with `email`.
pub fn check(password: &str, email: &str) -> Result<(), PasswordProblem> {
    let normalized = normalize(password);
    let chars = normalized.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort { min: MIN_CHARS });
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong { max: MAX_CHARS });
    }
    let lower = normalized.to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.chars().count() >= 3 && lower.contains(&local) {
        return Err(PasswordProblem::ContainsEmail);
    }
    if lower.contains(PRODUCT) {
        return Err(PasswordProblem::ContainsProductName);
    }
    let mut it = lower.chars();
    if let Some(first) = it.next()
        && it.all(|c| c == first)
    {
        return Err(PasswordProblem::Repetitive);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// The 10,000 most common passwords of public breach corpora (the frequency list zxcvbn 3.1.1
/// ships, MIT), lower case, one per line, most common first.
const COMMON: &str = include_str!("../data/common-passwords.txt");

fn common_set() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether a lower-case password is a common one in disguise: after dropping white space, it is
/// covered by at most two entries of the common list, with any digits and symbols around them
/// ("passwordpassword", "iloveyou12345678", "Sunshine!Football", "123456789012345"), or one entry
/// repeated. Attackers'
/// rules try exactly these combinations first. Three or more words stay allowed: a passphrase of
/// ordinary words is what NIST asks people to choose.
pub fn is_common(lower: &str) -> bool {
    let set = common_set();
    let chars: Vec<char> = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len();
    // words[i] = fewest list entries covering chars[..i]; digit and symbol runs cost nothing.
    let mut words = vec![usize::MAX; n + 1];
    words[0] = 0;
    for i in 0..n {
        if words[i] == usize::MAX {
            continue;
        }
        if !chars[i].is_alphabetic() {
            words[i + 1] = words[i + 1].min(words[i]);
        }
        let mut piece = String::new();
        for (j, c) in chars.iter().enumerate().skip(i).take(24) {
            piece.push(*c);
            if j > i + 1 && set.contains(piece.as_str()) {
                words[j + 1] = words[j + 1].min(words[i] + 1);
            }
        }
    }
    words[n] <= 2 || repeats_an_entry(&chars, set)
}

/// "dragondragondragon": one list entry said again and again.
fn repeats_an_entry(chars: &[char], set: &std::collections::HashSet<&'static str>) -> bool {
    (3..=chars.len() / 2).any(|period| {
        chars.len().is_multiple_of(period)
            && chars.chunks(period).all(|c| c == &chars[..period])
            && set.contains(chars[..period].iter().collect::<String>().as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert!(check("correct horse battery staple", "fan@example.com").is_ok());
        assert!(check("mauve giraffes debate quietly", "fan@example.com").is_ok());
        for common in [
            "passwordpassword",
            "iloveyou12345678",
            "Sunshine!Football",
            "123456789012345",
            "qwertyuiop123456",
            "dragon dragon dragon",
        ] {
            assert_eq!(
                check(common, "fan@example.com"),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
        assert_eq!(
            check("short", "fan@example.com"),
            Err(PasswordProblem::TooShort { min: 15 })
        );
        assert_eq!(
            check("my name is fanatic123 ok", "fanatic123@example.com"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check("I love TheSet so much!!", "a@b.c"),
            Err(PasswordProblem::ContainsProductName)
        );
        assert_eq!(
            check(&"a".repeat(20), "a@b.c"),
            Err(PasswordProblem::Repetitive)
        );
        assert_eq!(
            check(&"ab".repeat(200), "x@y.z"),
            Err(PasswordProblem::TooLong { max: 256 })
        );
        // No composition rules: a long lower-case phrase is fine; 64 characters are accepted.
        assert!(check(&"plain words ".repeat(6)[..64], "x@y.z").is_ok());
    }

    #[test]
    fn compatibility_forms_normalise_to_one_password() {
        // Full-width letters and the ligature "ﬁ" are the same password as their plain forms.
        assert_eq!(normalize("ｆｉｆｔｅｅｎ"), "fifteen");
        assert_eq!(normalize("ﬁne"), "fine");
    }

    proptest! {
        #[test]
        fn length_is_counted_in_characters_not_bytes(s in "\\PC{15,40}") {
            let n = normalize(&s).chars().count();
            if (MIN_CHARS..=MAX_CHARS).contains(&n) {
                let r = check(&s, "someone@example.com");
                let length_refused = matches!(r, Err(PasswordProblem::TooShort { .. }) | Err(PasswordProblem::TooLong { .. }));
                prop_assert!(!length_refused);
            }
        }

        #[test]
        fn anything_shorter_than_the_minimum_is_refused(s in "\\PC{0,14}") {
            if normalize(&s).chars().count() < MIN_CHARS {
                prop_assert_eq!(check(&s, "x@y.z"), Err(PasswordProblem::TooShort { min: MIN_CHARS }));
            }
        }
    }
}
