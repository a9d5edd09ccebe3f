//! The flows a person goes through, one test each.

mod evening;
mod fan;
mod first_run;
mod installed;
mod moderator;
mod offline_start;
mod pages;
mod profile;
mod sign_in;
mod updates;

use std::path::Path;

pub use theset_testkit::e2e::artist_with_shows;

pub use theset_testkit::{PASSWORD, email};

/// The newest link to `page` (`/auth/magic-link`, `/auth/verify-email`) mailed to `to` since
/// `after`.
pub async fn mailed_link(to: &str, after: std::time::SystemTime, page: &str) -> String {
    theset_testkit::mail::link_after(to, after, page).await
}

/// Signs a new fan up in the window as `name` and confirms the address (as the mailed code
/// would); answers the address.
pub async fn sign_up_in_app(
    ui: &crate::harness::ui::Ui,
    backend: &crate::harness::Backend,
    tag: &str,
    name: &str,
) -> anyhow::Result<String> {
    let address = email(tag);
    ui.nav("account").await?;
    ui.click("#tab-sign-up").await?;
    ui.fill("#auth-email", &address).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.fill("#auth-name", name).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    backend.confirm(&address).await?;
    Ok(address)
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
