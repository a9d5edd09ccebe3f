//! What the local SMTP sink received: `scripts/services.sh` runs a real SMTP server that files
//! every message in a Maildir (`THESET_MAIL_DIR`).

use std::path::PathBuf;
use std::time::Duration;

fn mail_dir() -> PathBuf {
    PathBuf::from(
        std::env::var("THESET_MAIL_DIR")
            .expect("THESET_MAIL_DIR: run the tests through `cargo xtask test`"),
    )
    .join("new")
}

/// Every message the SMTP sink received for `to` so far.
pub fn mails_to(to: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(mail_dir()) else {
        return Vec::new();
    };
    let needle = format!("To: {to}");
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.lines().any(|l| l.trim_end() == needle))
        .map(|m| decode_quoted_printable(&m))
        .collect()
}

/// Mail bodies with long lines (links) travel quoted-printable: soft breaks and `=XX` escapes.
fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits (up to 15 s) for a message to `to` that is not in `seen`, records and returns it.
pub async fn next_mail(to: &str, seen: &mut Vec<String>) -> String {
    for _ in 0..150 {
        if let Some(m) = mails_to(to).into_iter().find(|m| !seen.contains(m)) {
            seen.push(m.clone());
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no new mail to {to} within 15 s");
}

/// The single-use token in a mail's link (`…#token=…`).
pub fn token_in(mail: &str) -> String {
    let start = mail.find("#token=").expect("link with token") + "#token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The messages to `to` that arrived at or after `after`, decoded.
fn mails_after(to: &str, after: std::time::SystemTime) -> Vec<String> {
    let needle = format!("To: {to}");
    std::fs::read_dir(mail_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m >= after)
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter(|m| m.lines().any(|l| l.trim_end() == needle))
        .map(|m| decode_quoted_printable(&m))
        .collect()
}

/// The first message to `to` that arrived at or after `after` (waits up to 30 s).
pub async fn mail_after(to: &str, after: std::time::SystemTime) -> String {
    for _ in 0..300 {
        if let Some(m) = mails_after(to, after).into_iter().next() {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} within 30 s");
}

/// The link to `page` in a message to `to` that arrived at or after `after` (waits up to 30 s;
/// other mail to the same address, a welcome or a notice, is passed over).
pub async fn link_after(to: &str, after: std::time::SystemTime, page: &str) -> String {
    for _ in 0..300 {
        if let Some(link) = mails_after(to, after).iter().find_map(|m| link_in(m, page)) {
            return link;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {page} link mailed to {to} within 30 s");
}

/// The whole link to `page` (`/auth/magic-link`, `/auth/verify-email`) in a mail, token and all.
pub fn link_in(mail: &str, page: &str) -> Option<String> {
    let at = mail.find(&format!("{page}#token="))?;
    let start = mail[..at].rfind("http")?;
    let end = mail[at..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map_or(mail.len(), |e| at + e);
    Some(mail[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_links_come_back_whole() {
        let raw = "To: a@b.c\r\n\r\nOpen:\r\nhttp://127.0.0.1:8080/auth/verify-email#token=3Dab=\r\ncd_EF\r\nbye";
        let mail = decode_quoted_printable(raw);
        assert_eq!(token_in(&mail), "abcd_EF");
        assert_eq!(
            link_in(&mail, "/auth/verify-email").as_deref(),
            Some("http://127.0.0.1:8080/auth/verify-email#token=abcd_EF")
        );
        assert_eq!(link_in(&mail, "/auth/magic-link"), None);
    }
}
