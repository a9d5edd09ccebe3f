//! What must never leave the server from a provider failure: request URLs (Ticketmaster's key is
//! a query parameter), `key=value` pairs whose key names a credential, and the credentials
//! themselves wherever they appear. Every [`super::ProviderError`] text goes through
//! [`Redactor::clean`] when the error is made, so what is stored (`sync_jobs.last_error`), logged
//! or served can only be the cleaned text.

/// Query or header names whose values are credentials.
const SECRET_NAMES: [&str; 11] = [
    "apikey",
    "api_key",
    "api-key",
    "x-api-key",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "client_secret",
    "secret",
    "authorization",
];

/// Cleans texts about one service's calls; knows that service's credential values.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor that also removes these exact values (shorter than 6 characters are ignored:
    /// they would match ordinary words, and are no real credential).
    pub fn with_secrets(secrets: impl IntoIterator<Item = String>) -> Self {
        Self {
            secrets: secrets.into_iter().filter(|s| s.len() >= 6).collect(),
        }
    }

    pub fn clean(&self, text: &str) -> String {
        let mut out = strip_urls(text);
        out = strip_secret_pairs(&out);
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        out
    }
}

fn is_url_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')' | ']' | '}'))
}

/// Replaces every `scheme://…` with `[url]`.
fn strip_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme: letters, digits, `+.-` right before `://`.
        let start = rest[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
            .last()
            .map_or(at, |(i, _)| i);
        let end = rest[at + 3..]
            .char_indices()
            .find(|(_, c)| !is_url_char(*c))
            .map_or(rest.len(), |(i, _)| at + 3 + i);
        out.push_str(&rest[..start]);
        out.push_str("[url]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the value of `name=value` / `name: value` when `name` is a credential name.
fn strip_secret_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if c != '=' && c != ':' {
            continue;
        }
        // The name just before the separator.
        let name: String = out
            .chars()
            .rev()
            .skip(1)
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !SECRET_NAMES.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            continue;
        }
        // Skip blanks after `:`, then the value up to a separator.
        while i < chars.len() && chars[i] == ' ' {
            out.push(' ');
            i += 1;
        }
        let mut value = false;
        while i < chars.len()
            && !(chars[i].is_whitespace() || matches!(chars[i], '&' | ',' | ';' | '"' | '\''))
        {
            value = true;
            i += 1;
        }
        if value {
            out.push_str("[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pairs_and_known_secrets_go() {
        let r = Redactor::with_secrets(["s3cr3tKEY123".to_owned()]);
        let text = "error sending request for url (http://127.0.0.1:9/discovery/v2/events.json?apikey=s3cr3tKEY123&page=2): connection refused";
        let clean = r.clean(text);
        assert!(!clean.contains("s3cr3t"), "{clean}");
        assert!(!clean.contains("apikey=s3"), "{clean}");
        assert!(clean.contains("[url]"), "{clean}");
        assert!(clean.contains("connection refused"), "{clean}");
        assert_eq!(
            r.clean("/events.json?apikey=abc123&page=1"),
            "/events.json?apikey=[redacted]&page=1"
        );
        assert_eq!(
            r.clean("header x-api-key: abcdef0123 refused"),
            "header x-api-key: [redacted] refused"
        );
        assert_eq!(r.clean("bad token s3cr3tKEY123."), "bad token [redacted].");
        assert_eq!(r.clean("nothing here: 404"), "nothing here: 404");
    }

    #[test]
    fn text_without_urls_is_kept() {
        let r = Redactor::default();
        assert_eq!(r.clean("a → b ünïcode"), "a → b ünïcode");
        assert_eq!(r.clean("ftp://"), "[url]");
    }
}
