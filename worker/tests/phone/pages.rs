//! Every page of the web app on the phone, in both themes (screenshots under
//! `target/screenshots/page-*-webphone.png`), as an admin so the moderators' page is there too;
//! and every page audited for accessibility (axe-core) at phone and desktop size.

use theset_testkit::e2e::axe::Axe;
use theset_testkit::e2e::ui::Ui;
use theset_testkit::e2e::{screenshot, tour};
use theset_testkit::{PASSWORD, email};

use theset_testkit::e2e::chrome::Chrome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_and_passes_an_accessibility_audit_at_phone_and_desktop_size()
-> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let admin = email("phone-admin");
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/signup", backend.url))
        .json(&serde_json::json!({
            "email": admin, "password": PASSWORD, "display_name": "Stage Manager",
            "device_id": uuid::Uuid::new_v4().to_string(),
        }))
        .send()
        .await?
        .error_for_status()?;
    backend.confirm(&admin).await?;
    backend.command(&["set-role", &admin, "admin"])?;

    let tonight: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM shows WHERE ticketmaster_id = 'theset-demo-tonight'")
            .fetch_one(&mut backend.db().await?)
            .await?;
    let chrome = Chrome::start()?;
    let axe = Axe::load()?;
    // The audit itself: a picture without a text alternative is a critical violation.
    {
        let profile = tempfile::tempdir()?;
        let probe = chrome.phone(profile.path()).await?;
        probe
            .goto(
                "data:text/html,<html lang=en><title>t</title><main><img src=x.png></main></html>",
            )
            .await?;
        let found = axe.serious(&probe).await?;
        assert!(
            found.iter().any(|v| v.starts_with("image-alt")),
            "axe did not see the unlabelled picture: {found:?}"
        );
        probe.close().await?;
    }
    let mut violations = Vec::new();
    for phone in [true, false] {
        let profile = tempfile::tempdir()?;
        let app = if phone {
            chrome.phone(profile.path()).await?
        } else {
            chrome.desktop(profile.path()).await?
        };
        violations.extend(pages(Ui { app }, &backend.url, &admin, phone, &axe, tonight).await?);
    }
    assert!(
        violations.is_empty(),
        "serious or critical accessibility violations:\n{}",
        violations.join("\n")
    );
    Ok(())
}

/// Signs the admin in, then tours every page in both themes; the violations found.
async fn pages(
    ui: Ui,
    base: &str,
    admin: &str,
    phone: bool,
    axe: &Axe,
    tonight: uuid::Uuid,
) -> anyhow::Result<Vec<String>> {
    let size = if phone { "webphone" } else { "webdesktop" };
    ui.app.goto(&format!("{base}/app/")).await?;
    ui.nav("account").await?;
    screenshot(&ui.app, &format!("page-sign-in-{size}")).await?;
    let mut found = axe.serious(&ui.app).await?;
    ui.fill("#auth-email", admin).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    ui.wait("[data-nav='moderation']").await?;

    for theme in ["dark", "light"] {
        let current = ui
            .app
            .execute("return document.documentElement.dataset.theme", vec![])
            .await?;
        if current.as_str() != Some(theme) {
            ui.click("#theme-toggle").await?;
        }
        found.extend(tour(&ui, &format!("{theme}-{size}"), Some(axe)).await?);
        // Tonight's show with "Now playing": going, one song captured.
        ui.app.goto(&format!("{base}/app/shows/{tonight}")).await?;
        ui.wait("#show-title").await?;
        if ui.attr("#going", "aria-pressed").await?.as_deref() != Some("true") {
            ui.click("#going").await?;
        }
        ui.wait("#now-playing .capture-taps [data-song]").await?;
        if ui
            .app
            .find_all(fantoccini::Locator::Css("#now-playing .captured-list li"))
            .await?
            .is_empty()
        {
            ui.click("#now-playing .capture-taps [data-song]").await?;
            ui.wait("#now-playing .captured-list li").await?;
        }
        screenshot(&ui.app, &format!("page-tonight-{theme}-{size}")).await?;
        for v in axe.serious(&ui.app).await? {
            found.push(format!("tonight ({theme}-{size}): {v}"));
        }
        // Nothing is wider than the screen: no sideways scrolling.
        let overflow = ui
            .app
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth",
                vec![],
            )
            .await?;
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "the page is {overflow} px wider than the screen ({size})"
        );
    }
    ui.app.close().await?;
    Ok(found)
}
