//! Signing in without a password: Google and Spotify through the system browser and the app's
//! loopback port (the replay's fake providers stand in for the real ones), and a mailed link.

use std::time::Duration;

use anyhow::Context;

use super::{browse, email, fake_browser, mailed_link};
use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

async fn sign_out(ui: &Ui) -> anyhow::Result<()> {
    ui.nav("account").await?;
    ui.click("#sign-out").await?;
    ui.wait("#connection[data-state='Signed out']").await?;
    Ok(())
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

    // Google vouches for the address: the account has it, confirmed. Spotify does not: the
    // account has no address until its owner adds one, confirmed by a mailed code in the app.
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
        if provider == "google" {
            assert!(shown.contains(who.as_str()), "{provider}: {shown}");
            ui.gone("#confirm-email").await?;
        } else {
            assert!(shown.contains("no address yet"), "{provider}: {shown}");
            ui.wait("#confirm-address").await?;
            screenshot(&ui.app, "spotify-add-address").await?;
            let asked = std::time::SystemTime::now() - Duration::from_secs(1);
            ui.fill("#confirm-address", who).await?;
            ui.click("#confirm-add").await?;
            ui.wait("#confirm-code").await?;
            let code = mailed_link(who, asked, "/auth/verify-email").await;
            ui.fill("#confirm-code", &code).await?;
            ui.click("#confirm-submit").await?;
            ui.gone("#confirm-email").await?;
            let shown = ui.text("#signed-in-as").await?;
            assert!(shown.contains(who.as_str()), "{provider}: {shown}");

            // The fan brings the artists they follow on Spotify (the demo library): matched to
            // Ticketmaster's, imported, followed, and listed.
            ui.click("#spotify-import").await?;
            ui.wait("#spotify-import-summary").await?;
            let summary = ui.text("#spotify-import-summary").await?;
            let followed: usize = summary
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("summary: {summary}"))?;
            assert!(followed > 0, "{summary}");
            screenshot(&ui.app, "spotify-library").await?;
            ui.click("#spotify-library .library-list .link").await?;
            ui.wait("#artist-name").await?;
            ui.wait("#follow[aria-pressed='true']").await?;
        }
        sign_out(&ui).await?;
    }

    // The mailed link, pasted into the app.
    ui.nav("account").await?;
    ui.click("#tab-link").await?;
    ui.fill("#auth-email", &who).await?;
    let asked = std::time::SystemTime::now() - Duration::from_secs(1);
    ui.click("#auth-submit").await?;
    ui.wait(".notice").await?;
    let link = mailed_link(&who, asked, "/auth/magic-link").await;
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
