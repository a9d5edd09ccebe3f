//! The rules of a show's discussion, the same on the device and the server: what a comment may
//! say, how long its author may edit it, and how its text is shown (plain text; `http(s)` links
//! found in it become links, nothing else is markup).

use chrono::{DateTime, Utc};

/// Longest comment, in characters.
pub const MAX_CHARS: usize = 2000;
/// An author may edit their comment this long after writing it.
pub const EDIT_WINDOW_SECS: i64 = 600;

/// Why a comment's text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyProblem {
    #[error("say something: the comment is empty")]
    Empty,
    #[error("a comment is at most {MAX_CHARS} characters")]
    TooLong,
    #[error("the comment has control or direction characters")]
    UnsafeCharacter,
}

/// The text as it is kept: trimmed, line ends as `\n`, at most two blank lines in a row.
pub fn clean(body: &str) -> Result<String, BodyProblem> {
    let unified = body.replace("\r\n", "\n").replace('\r', "\n");
    if unified
        .chars()
        .any(|c| c != '\n' && c != '\t' && crate::validate::unsafe_char(c))
    {
        return Err(BodyProblem::UnsafeCharacter);
    }
    let mut out = String::with_capacity(unified.len());
    let mut blank_run = 0;
    for line in unified.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 2 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    match out.chars().count() {
        0 => Err(BodyProblem::Empty),
        n if n > MAX_CHARS => Err(BodyProblem::TooLong),
        _ => Ok(out),
    }
}

/// Whether the author may still edit a comment written at `created_at`.
pub fn editable(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    (now - created_at).num_seconds() < EDIT_WINDOW_SECS
}

/// A piece of a comment as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// An `http://` or `https://` address, shown as a link that opens outside the app.
    Link(String),
}

/// Splits `body` into text and links. Only `http(s)://` addresses become links (never
/// `javascript:`, `data:` or a bare domain); trailing punctuation stays text. Joined back, the
/// segments are `body` unchanged.
pub fn segments(body: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = body;
    while let Some(start) = next_link(rest) {
        let (before, from) = rest.split_at(start);
        text.push_str(before);
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(from.len());
        let mut link = &from[..end];
        // "see https://x.org/a." — the full stop ends the sentence, not the address.
        while link.ends_with(['.', ',', ';', ':', '!', '?', ')', '\'']) {
            link = &link[..link.len() - 1];
        }
        let scheme_only = link.trim_end_matches('/').ends_with(':');
        if scheme_only {
            text.push_str(link);
        } else {
            if !text.is_empty() {
                out.push(Segment::Text(std::mem::take(&mut text)));
            }
            out.push(Segment::Link(link.to_owned()));
        }
        rest = &from[link.len()..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Segment::Text(text));
    }
    out
}

/// Where the next `http://` or `https://` starts (case-insensitive), at a word's start.
fn next_link(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http") {
        let at = from + i;
        let tail = &lower[at..];
        let starts_word = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if starts_word && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(
            clean("  hello \r\n\r\n\r\n\r\n  world  "),
            Ok("hello\n\n\n  world".into()),
            "at most two blank lines; a line keeps its indent"
        );
        assert_eq!(clean(" \n\t "), Err(BodyProblem::Empty));
        assert_eq!(
            clean(&"a".repeat(MAX_CHARS)).map(|s| s.len()),
            Ok(MAX_CHARS)
        );
        assert_eq!(clean(&"é".repeat(MAX_CHARS + 1)), Err(BodyProblem::TooLong));
        assert_eq!(clean("evil\u{202e}txt"), Err(BodyProblem::UnsafeCharacter));
        assert_eq!(clean("bell\u{7}"), Err(BodyProblem::UnsafeCharacter));
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            segments("see https://example.org/a?b=1. and http://x.io"),
            vec![
                Segment::Text("see ".into()),
                Segment::Link("https://example.org/a?b=1".into()),
                Segment::Text(". and ".into()),
                Segment::Link("http://x.io".into()),
            ]
        );
        for text in [
            "javascript:alert(1)",
            "<a href=\"https://x.org\">x</a> data:text/html,hi",
            "nothttps://x.org",
            "https://",
            "example.org",
        ] {
            assert!(
                segments(text)
                    .iter()
                    .all(|s| !matches!(s, Segment::Link(l) if !l.starts_with("https://x.org"))),
                "{text}: {:?}",
                segments(text)
            );
        }
        assert_eq!(
            segments("HTTPS://X.ORG"),
            vec![Segment::Link("HTTPS://X.ORG".into())]
        );
    }

    #[test]
    fn the_edit_window_is_ten_minutes() {
        let t = chrono::Utc::now();
        assert!(editable(t, t + chrono::Duration::seconds(599)));
        assert!(!editable(t, t + chrono::Duration::seconds(600)));
    }

    proptest! {
        #[test]
        fn segments_rejoin_to_the_text_and_links_are_web_addresses(body in "(\\PC|https?://[a-z./?=]{0,12}| ){0,40}") {
            let parts = segments(&body);
            let joined: String = parts
                .iter()
                .map(|s| match s {
                    Segment::Text(t) | Segment::Link(t) => t.as_str(),
                })
                .collect();
            prop_assert_eq!(&joined, &body);
            for p in &parts {
                if let Segment::Link(l) = p {
                    let lower = l.to_ascii_lowercase();
                    prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
                    prop_assert!(!l.chars().any(char::is_whitespace));
                    prop_assert!(!l.contains(['<', '>', '"']));
                }
            }
        }

        #[test]
        fn a_cleaned_body_is_clean_again(body in "\\PC{0,300}") {
            if let Ok(once) = clean(&body) {
                prop_assert_eq!(clean(&once), Ok(once.clone()));
                prop_assert!(once.chars().count() <= MAX_CHARS);
            }
        }
    }
}
