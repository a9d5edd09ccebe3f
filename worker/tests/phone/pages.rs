//! Every page of the web app on the phone, in both themes (screenshots under
//! `target/screenshots/page-*-webphone.png`), as an admin so the moderators' page is there too.

use theset_testkit::e2e::ui::Ui;
use theset_testkit::e2e::{screenshot, tour};
use theset_testkit::{PASSWORD, email};

use theset_testkit::e2e::chrome::Chrome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_in_both_themes() -> anyhow::Result<()> {
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
    backend.command(&["set-role", &admin, "admin"])?;
    backend.command(&["confirm-email", &admin])?;

    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(&format!("{}/app/", backend.url)).await?;
    ui.nav("account").await?;
    screenshot(&ui.app, "page-sign-in-webphone").await?;
    ui.fill("#auth-email", &admin).await?;
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
        tour(&ui, &format!("{theme}-webphone")).await?;
        // Nothing is wider than the phone: no sideways scrolling on any page of the tour's end.
        let overflow = ui
            .app
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth",
                vec![],
            )
            .await?;
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "the page is {overflow} px wider than the phone"
        );
    }
    ui.app.close().await?;
    Ok(())
}
