//! The flows a person goes through, one test each.

mod fan;
mod offline_start;
mod pages;
mod sign_in;

use std::path::Path;

use anyhow::Context;

/// A catalogue artist with announced shows, by name, from the fixtures' manifest (so the test
/// follows whatever catalogue the fixtures hold).
pub fn artist_with_shows() -> anyhow::Result<String> {
    let path = crate::harness::root().join("fixtures/catalogue/index.json");
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    index["artists"]
        .as_array()
        .context("artists")?
        .iter()
        .find(|a| {
            a["upcomingEvents"].as_array().is_some_and(|e| e.len() >= 2)
                && a["tracks"].as_u64().is_some_and(|t| t >= 5)
        })
        .and_then(|a| a["name"].as_str().map(str::to_owned))
        .context("no catalogue artist with shows and songs")
}

/// A unique address for this run.
pub fn email(who: &str) -> String {
    format!("{who}-{}@example.com", uuid::Uuid::new_v4().simple())
}

pub const PASSWORD: &str = "a long walk to the encore 2027";

/// The newest link to `page` (`/auth/magic-link`, `/auth/verify-email`) mailed to `to` since
/// `after` (the SMTP sink writes a Maildir).
pub fn mailed_link(to: &str, after: std::time::SystemTime, page: &str) -> anyhow::Result<String> {
    use std::time::{Duration, Instant};
    let dir = std::path::PathBuf::from(
        std::env::var("THESET_MAIL_DIR").context("THESET_MAIL_DIR (set by `cargo xtask test`)")?,
    )
    .join("new");
    let needle = format!("{page}#token=");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let fresh = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m >= after);
            let body = std::fs::read_to_string(entry.path()).unwrap_or_default();
            // Quoted-printable mail folds long lines with "=\n".
            let body = body
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if fresh
                && body.contains(to)
                && let Some(i) = body.find(&needle)
            {
                let start = body[..i].rfind("http").context("link start")?;
                let end = body[i..]
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
                    .map_or(body.len(), |e| i + e);
                return Ok(body[start..end].to_owned());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    anyhow::bail!("no {page} link mailed to {to}")
}

/// Confirms `address` in the database, as the mailed code would (accounts a test makes through
/// the API to act beside the person in the window).
pub async fn confirm_in_db(backend: &crate::harness::Backend, address: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE email = $1")
        .bind(address)
        .execute(&mut backend.db().await?)
        .await?;
    Ok(())
}

/// Writes an executable that stands in for the system browser: it only notes the page the app
/// asked to open; [`browse`] then plays the person at that page.
pub fn fake_browser(dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("browser.sh");
    std::fs::write(&path, "#!/bin/sh\necho \"$1\" >> \"$0.opened\"\n")?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}

/// Waits for the app to open a new page in the "browser", answers the fake provider's consent
/// screen as `email` and follows the redirects back to the app's loopback port.
pub async fn browse(browser: &Path, opened_before: usize, email: &str) -> anyhow::Result<()> {
    let log = browser.with_extension("sh.opened");
    let start = std::time::Instant::now();
    let url = loop {
        let seen = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(u) = seen.lines().nth(opened_before) {
            break u.to_owned();
        }
        anyhow::ensure!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the app opened no browser"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut consent = reqwest::Url::parse(&url)?;
    consent.query_pairs_mut().append_pair("login_hint", email);
    let res = reqwest::get(consent).await?;
    let status = res.status();
    let page = res.text().await?;
    anyhow::ensure!(status.is_success(), "the sign-in ended on {status}: {page}");
    Ok(())
}
