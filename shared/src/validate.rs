//! Validation of what people type into account forms, shared by the server (which decides) and
//! the apps (which warn early): email addresses, display and device names, and the loopback
//! redirect URIs native apps use for OAuth (RFC 8252).

/// Control characters and bidirectional overrides: invisible, and able to make a shown name
/// read differently from what it is ("evil\u{202e}gnp.exe").
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A deliverable-looking address: one `@`, a dotted domain, no spaces, controls, quotes or
/// angle brackets (which would let an address smuggle mail headers or a second recipient).
pub fn email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    (3..=254).contains(&email.len())
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && !email.chars().any(|c| {
            c.is_whitespace()
                || unsafe_char(c)
                || matches!(c, '<' | '>' | ',' | ';' | '"' | '\\' | '(' | ')')
        })
}

/// A display name, trimmed: 1–80 characters, nothing invisible or direction-changing.
pub fn display_name(name: &str) -> Option<&str> {
    let name = name.trim();
    ((1..=80).contains(&name.chars().count()) && !name.chars().any(unsafe_char)).then_some(name)
}

/// A device id (1–100 bytes, no controls) and optional name (≤ 100 characters, no unsafe chars).
pub fn device(id: &str, name: Option<&str>) -> Result<(), &'static str> {
    if !(1..=100).contains(&id.len()) || id.chars().any(char::is_control) {
        return Err("device_id must be 1 to 100 characters");
    }
    if name.is_some_and(|n| n.chars().count() > 100 || n.chars().any(unsafe_char)) {
        return Err("device_name must be at most 100 characters");
    }
    Ok(())
}

/// RFC 8252 §7.3: a native app's redirect must be `http://` on a loopback IP literal with a port,
/// and nothing else: no other host, no `localhost` (which DNS could answer), no user info, query
/// or fragment. Returns the normalised URI.
pub fn loopback_redirect(raw: &str) -> Option<String> {
    if raw.len() > 200 {
        return None;
    }
    let rest = raw.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = authority.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    if port.to_string().len() != authority.len() - host.len() - 1 {
        return None;
    }
    let loopback = match host {
        "[::1]" => true,
        h => h
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback()),
    };
    let path_ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'));
    (loopback && path_ok && !path.contains("//")).then(|| format!("http://{host}:{port}{path}"))
}

/// The private-use URI scheme of TheSet's phone apps (RFC 8252 §7.1: a reversed domain name the
/// project controls, theset.app). The OS opens the app for it; the Android and iOS builds
/// register it (`tauri.conf.json`, `plugins.deep-link`).
pub const APP_SCHEME: &str = "app.theset";

/// A native app's way back from the browser: a loopback redirect (desktop, RFC 8252 §7.3) or
/// the app's private-use scheme with a path and nothing else (phones, §7.1):
/// `app.theset:/oauth/{secret}`. Returns the normalised URI.
pub fn app_redirect(raw: &str) -> Option<String> {
    loopback_redirect(raw).or_else(|| scheme_redirect(raw))
}

fn scheme_redirect(raw: &str) -> Option<String> {
    if raw.len() > 200 {
        return None;
    }
    let path = raw.strip_prefix(APP_SCHEME)?.strip_prefix(":/")?;
    let segments: Vec<&str> = path.split('/').collect();
    let ok = (1..=3).contains(&segments.len())
        && segments.iter().all(|s| {
            (1..=40).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '~'))
        });
    ok.then(|| raw.to_owned())
}

/// Whether an address from a music service may be shown as a link people open: `https`, or
/// `http` on a loopback host (the local replay of the offline run). Anything else — `javascript:`,
/// `data:`, a plain-http page on the open web, no host — is left as text or dropped, whatever the
/// provider sent.
pub fn outbound_link(raw: &str) -> bool {
    let raw = raw.trim();
    if raw.len() > 2048 || raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let Some((scheme, rest)) = raw.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let hostname = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if hostname.is_empty() {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => matches!(hostname, "127.0.0.1" | "localhost" | "::1"),
        _ => false,
    }
}

/// A page of the web app to come back to after a browser sign-in: `/app/` and up to four plain
/// segments, nothing that could lead off the site (no `//`, `..`, query, fragment or backslash).
pub fn web_return_path(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix("/app/") else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    raw.len() <= 200
        && !raw.contains("//")
        && (rest.is_empty()
            || rest.split('/').count() <= 4
                && rest.split('/').all(|s| {
                    (1..=64).contains(&s.len())
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                }))
}

/// The same rules as regular expressions, for the API document (JSON Schema `pattern`: plain
/// classes and quantifiers only, read alike by ECMA-262, Python and Rust's `regex`). A client
/// generating data from the document then sends what the server accepts; the tests below
/// generate strings from each and run them through the validators.
pub mod patterns {
    /// What [`super::unsafe_char`] refuses, as the inside of a character class.
    macro_rules! unsafe_class {
        () => {
            r"\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"
        };
    }

    /// An address [`super::email`] accepts (ASCII; the server also takes other safe characters).
    pub const EMAIL: &str = r"^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,40}\.){1,3}[A-Za-z]{2,24}$";
    /// A display name: visible at both ends, nothing invisible inside, 1–80 characters.
    pub const DISPLAY_NAME: &str = concat!(
        r"^[^\s",
        unsafe_class!(),
        r"]([^",
        unsafe_class!(),
        r"]{0,78}[^\s",
        unsafe_class!(),
        r"])?$"
    );
    /// A line of text people read (titles, notes, reasons, aliases): something visible, nothing
    /// invisible; the length is stated beside it.
    pub const TEXT: &str = concat!(
        r"^[^",
        unsafe_class!(),
        r"]*[^\s",
        unsafe_class!(),
        r"][^",
        unsafe_class!(),
        r"]*$"
    );
    /// Optional text: the same without the need for something visible.
    pub const SAFE_TEXT: &str = concat!(r"^[^", unsafe_class!(), r"]*$");
    /// A device id: no control characters (1–100 bytes).
    pub const DEVICE_ID: &str = r"^[^\x00-\x1F\x7F-\x9F]{1,100}$";
    /// A single-use or refresh token as the server issues them.
    pub const TOKEN: &str = r"^[A-Za-z0-9_-]{43}$";
    /// A URL slug.
    pub const SLUG: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
    /// A PKCE code verifier (RFC 7636).
    pub const CODE_VERIFIER: &str = r"^[A-Za-z0-9._~-]{43,128}$";
    /// A page of the web app (see [`super::web_return_path`]).
    pub const WEB_RETURN_PATH: &str = r"^/app/([A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,3}/?)?$";
    /// A native app's redirect (RFC 8252): loopback, or the phones' private-use scheme.
    pub const APP_REDIRECT: &str = r"^(http://(127\.0\.0\.1|\[::1\]):[1-9][0-9]{0,3}(/[A-Za-z0-9_~-]{1,40}){0,3}/?|app\.theset:(/[A-Za-z0-9_~-]{1,40}){1,3})$";
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_https_and_the_local_replay_become_links() {
        for ok in [
            "https://www.ticketmaster.com/event/1",
            "HTTPS://open.spotify.com/artist/x",
            "http://127.0.0.1:18081/ticketmaster/x",
            "http://localhost/x",
            "http://[::1]:8080/x",
        ] {
            assert!(outbound_link(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://example.com/tickets",
            "http://127.0.0.1.evil.example/x",
            "http://localhost@evil.example/x",
            "ftp://files.example/x",
            "//evil.example/x",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "vbscript:msgbox",
            "",
        ] {
            assert!(!outbound_link(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(email("fan@example.com"));
        assert!(!email("fan@localhost"));
        assert!(!email("no-at-sign"));
        assert!(!email("a@b.c\r\nBcc: x@y.z"));
        assert!(!email("<a@b.c>"));
        assert!(!email("a@b@c.d"));
        assert!(!email("\"a\"@b.c"));
        assert!(!email("a@b..c"));
        assert!(!email("a\u{202e}@b.co"));
    }

    #[test]
    fn names() {
        assert_eq!(display_name("  Stage Left "), Some("Stage Left"));
        assert_eq!(display_name(""), None);
        assert_eq!(display_name("evil\u{202e}gnp.exe"), None);
        assert_eq!(display_name(&"x".repeat(81)), None);
        assert!(device("d", Some("Laptop")).is_ok());
        assert!(device("", None).is_err());
    }

    #[test]
    fn the_phones_scheme_takes_a_path_and_nothing_else() {
        assert_eq!(
            app_redirect("app.theset:/oauth/s3cret_-~").as_deref(),
            Some("app.theset:/oauth/s3cret_-~")
        );
        assert!(app_redirect("http://127.0.0.1:49152/cb").is_some());
        for bad in [
            "app.theset://evil.example/oauth",
            "app.theset:oauth",
            "app.theset:/",
            "app.theset:/oauth/x?next=https://evil.example",
            "app.theset:/oauth/x#frag",
            "app.theset:/oauth//x",
            "app.theset:/a/b/c/d",
            "app.thesetx:/oauth",
            "com.evil:/oauth",
            "javascript:/alert(1)",
        ] {
            assert_eq!(app_redirect(bad), None, "{bad}");
        }
    }

    #[test]
    fn return_paths_are_pages_of_the_web_app() {
        for ok in [
            "/app/",
            "/app/account",
            "/app/shows/4b0f6c1e-0000-7000-8000-000000000001",
            "/app/venues/",
        ] {
            assert!(web_return_path(ok), "{ok}");
        }
        for bad in [
            "",
            "/",
            "/app",
            "https://evil.example/app/",
            "//evil.example/app/",
            "/app//evil.example",
            "/app/../api/v1",
            "/app/a?x=1",
            "/app/a#b",
            "/app/a%2f..",
            "/app/a\\b",
            "/api/v1/me",
            "/app/a/b/c/d/e",
            "/app//",
        ] {
            assert!(!web_return_path(bad), "{bad}");
        }
    }

    #[test]
    fn only_loopback_redirects() {
        assert_eq!(
            loopback_redirect("http://127.0.0.1:49152/callback").as_deref(),
            Some("http://127.0.0.1:49152/callback")
        );
        assert!(loopback_redirect("http://[::1]:8000/cb").is_some());
        assert!(loopback_redirect("http://127.0.0.1:8000").is_some());
        for bad in [
            "https://evil.example/cb",
            "http://localhost:8000/cb",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:0/cb",
            "http://user@127.0.0.1:1/cb",
            "http://127.0.0.1:1/cb#x",
            "http://127.0.0.1:1/cb?next=https://evil.example",
            "http://127.0.0.1.evil.example:1/cb",
            "http://127.0.0.1:1//evil.example/cb",
            "http://127.0.0.1:01/cb",
            "javascript:alert(1)",
            "//127.0.0.1:1/cb",
        ] {
            assert!(loopback_redirect(bad).is_none(), "{bad}");
        }
    }

    /// Strings matching a documented pattern (the generator takes no anchors; the patterns are
    /// anchored at both ends).
    fn documented(pattern: &str) -> proptest::string::RegexGeneratorStrategy<String> {
        let inner = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$'));
        proptest::string::string_regex(inner.expect("anchored pattern")).expect("a valid pattern")
    }

    proptest! {
        #[test]
        fn accepted_emails_carry_no_header_breaking_characters(s in "\\PC{0,40}@\\PC{0,20}") {
            if email(&s) {
                prop_assert!(!s.contains(['\r', '\n', '<', '>', ',', ' ']));
                prop_assert_eq!(s.matches('@').count(), 1);
            }
        }

        #[test]
        fn documented_emails_are_accepted(s in documented(patterns::EMAIL)) {
            prop_assert!(email(&s), "{s:?}");
        }

        #[test]
        fn documented_names_are_accepted(s in documented(patterns::DISPLAY_NAME)) {
            prop_assert_eq!(display_name(&s), Some(s.as_str()));
        }

        #[test]
        fn documented_text_has_nothing_invisible(s in documented(patterns::TEXT)) {
            prop_assert!(!s.chars().any(unsafe_char) && !s.trim().is_empty(), "{s:?}");
        }

        #[test]
        fn documented_device_ids_are_accepted(s in documented(patterns::DEVICE_ID)) {
            prop_assume!(s.len() <= 100);
            prop_assert!(device(&s, None).is_ok(), "{s:?}");
        }

        #[test]
        fn documented_slugs_are_valid(s in documented(patterns::SLUG)) {
            prop_assume!(s.len() <= 200);
            prop_assert!(crate::slug::is_valid_slug(&s), "{s:?}");
        }

        #[test]
        fn documented_redirects_are_accepted(s in documented(patterns::APP_REDIRECT)) {
            prop_assert!(app_redirect(&s).is_some(), "{s:?}");
        }

        #[test]
        fn documented_return_paths_are_accepted(s in documented(patterns::WEB_RETURN_PATH)) {
            prop_assume!(s.len() <= 200);
            prop_assert!(web_return_path(&s), "{s:?}");
        }

        #[test]
        fn return_paths_stay_on_the_web_app(s in "[/a-z.:@?#%\\\\-]{0,30}") {
            let path = format!("/app/{s}");
            if web_return_path(&path) {
                prop_assert!(!path.contains("//") && !path.contains(".."));
                prop_assert!(!path.contains(['?', '#', '%', '@', ':', '\\']));
            }
        }

        #[test]
        fn accepted_redirects_are_loopback_http_and_stable(s in "http://[0-9a-z.:\\[\\]@]{1,30}(/[a-z?#=/.:]{0,20})?") {
            if let Some(norm) = loopback_redirect(&s) {
                prop_assert!(norm.starts_with("http://127.") || norm.starts_with("http://[::1]:"));
                prop_assert!(!norm.contains(['?', '#', '@']));
                prop_assert_eq!(loopback_redirect(&norm), Some(norm.clone()));
            }
        }
    }
}
