//! Google (and by the same code, Spotify) on the phone: the web app's tab goes to the provider,
//! the server finishes the flow in this browser and leads back to the page the fan left from,
//! signed in with a cookie page script cannot read; the address keeps no fragment. A refused
//! consent comes back with a plain notice.

use theset_testkit::e2e::chrome::Chrome;
use theset_testkit::e2e::screenshot;
use theset_testkit::e2e::ui::Ui;

/// The replayed provider's consent page (its form asks who signs in).
async fn consent_as(ui: &Ui, who: &str) -> anyhow::Result<()> {
    ui.fill("input[name='login_hint']", who).await?;
    ui.click("form button").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_signs_the_phone_in_and_comes_back_to_the_page() -> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(&format!("{}/app/venues", backend.url)).await?;
    ui.wait("main[data-page='venues']").await?;

    // Refused at the provider: back on the page with a notice, still signed out.
    ui.nav("account").await?;
    ui.click("#sign-in-google").await?;
    ui.wait("input[name='login_hint']").await?;
    let consent = ui.app.current_url().await?;
    let state = consent
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| anyhow::anyhow!("no state in {consent}"))?;
    // What the provider does when the fan says no.
    ui.app
        .goto(&format!(
            "{}/api/v1/auth/oauth/google/callback?state={state}&error=access_denied",
            backend.url
        ))
        .await?;
    ui.wait("main[data-page='venues']").await?;
    let notice = ui.text("#app-notice").await?;
    assert!(notice.contains("access_denied"), "{notice}");
    assert!(
        ui.app
            .find_all(fantoccini::Locator::Css(".status-account"))
            .await?
            .is_empty()
    );

    // Allowed: signed in, on the same page, the address clean.
    let who = theset_testkit::email("phone-google");
    ui.nav("account").await?;
    ui.click("#sign-in-google").await?;
    ui.wait("input[name='login_hint']").await?;
    consent_as(&ui, &who).await?;
    ui.wait(".status-account").await?;
    ui.wait("main[data-page='venues']").await?;
    let url = ui.app.current_url().await?;
    assert_eq!(url.path(), "/app/venues");
    assert_eq!(url.fragment(), None, "{url}");
    let cookies = ui.app.execute("return document.cookie", vec![]).await?;
    assert!(
        !cookies.as_str().unwrap_or_default().contains("theset_"),
        "{cookies}"
    );
    ui.nav("account").await?;
    let account = ui.text("main[data-page='account']").await?;
    assert!(account.contains(&who), "{account}");
    screenshot(&ui.app, "phone-google-signed-in").await?;
    ui.app.close().await?;
    Ok(())
}
