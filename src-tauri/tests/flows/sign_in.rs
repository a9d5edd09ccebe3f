//! Signing in without a password: Google and Spotify through the system browser and the app's
//! loopback port (the replay's fake providers stand in for the real ones), and a mailed link.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::{browse, email, fake_browser};
use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

async fn sign_out(ui: &Ui) -> anyhow::Result<()> {
    ui.nav("account").await?;
    ui.click("#sign-out").await?;
    ui.wait("#connection[data-state='Signed out']").await?;
    Ok(())
}

/// The newest sign-in link mailed to `to` (the SMTP sink writes a Maildir).
fn mailed_link(to: &str, after: std::time::SystemTime) -> anyhow::Result<String> {
    let dir = std::path::PathBuf::from(
        std::env::var("THESET_MAIL_DIR").context("THESET_MAIL_DIR (set by `cargo xtask test`)")?,
    )
    .join("new");
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
                && let Some(i) = body.find("/auth/magic-link#token=")
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
    bail!("no sign-in link mailed to {to}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_google_spotify_and_a_mailed_link() -> anyhow::Result<()> {
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let backend = Backend::start(Seed::Empty).await?;
    let who = email("oauth");
    let browser = fake_browser(home.path())?;
    let driver = Driver::start(
        &display,
        home.path(),
        &backend.url,
        &[("THESET_BROWSER", browser.to_str().context("path")?)],
    )?;
    let ui = Ui {
        app: driver.session().await?,
    };

    // Each provider vouches for its own address: an account is linked by a provider-verified
    // email only, and the fake Spotify does not verify, so it gets an address of its own.
    let spotify_fan = email("spotify");
    for (opened, (provider, who)) in [("google", &who), ("spotify", &spotify_fan)]
        .into_iter()
        .enumerate()
    {
        ui.nav("account").await?;
        screenshot(&ui.app, "sign-in").await?;
        ui.click(&format!("#sign-in-{provider}")).await?;
        browse(&browser, opened, who).await?;
        ui.wait(".status-account").await?;
        ui.nav("account").await?;
        let shown = ui.text("#signed-in-as").await?;
        assert!(shown.contains(who.as_str()), "{provider}: {shown}");
        sign_out(&ui).await?;
    }

    // The mailed link, pasted into the app.
    ui.nav("account").await?;
    ui.click("#tab-link").await?;
    ui.fill("#auth-email", &who).await?;
    let asked = std::time::SystemTime::now() - Duration::from_secs(1);
    ui.click("#auth-submit").await?;
    ui.wait(".notice").await?;
    let link = mailed_link(&who, asked)?;
    ui.fill("#auth-link", &link).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;

    // A wrong link is refused with a clear message and changes nothing.
    sign_out(&ui).await?;
    ui.nav("account").await?;
    ui.click("#tab-link").await?;
    ui.fill("#auth-email", &who).await?;
    ui.fill("#auth-link", &link).await?;
    ui.click("#auth-submit").await?;
    ui.wait("#auth-error").await?;
    ui.wait("#connection[data-state='Signed out']").await?;
    ui.app.close().await?;
    drop(backend);
    Ok(())
}
