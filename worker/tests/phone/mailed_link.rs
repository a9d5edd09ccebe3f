//! Signing in on the phone with a mailed link: the link's page sends the token to the web app in
//! the address's fragment, the app opens a browser session with it (a cookie page script cannot
//! read) and the address bar forgets the token.

use theset_testkit::e2e::ui::Ui;

use theset_testkit::e2e::chrome::Chrome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailed_link_signs_the_phone_in() -> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    let address = theset_testkit::email("phone-link");
    let asked = std::time::SystemTime::now();
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/magic-link", backend.url))
        .json(&serde_json::json!({ "email": address }))
        .send()
        .await?
        .error_for_status()?;
    let link = theset_testkit::mail::link_after(&address, asked, "/auth/magic-link").await;
    ui.app.goto(&link).await?;
    ui.click("#web").await?;
    ui.wait(".status-account").await?;
    let url = ui.app.current_url().await?;
    assert!(
        !url.as_str().contains("token"),
        "the token stayed in the address: {url}"
    );
    // The session is the browser's cookie: page script cannot read it.
    let cookies = ui.app.execute("return document.cookie", vec![]).await?;
    assert!(
        !cookies
            .as_str()
            .unwrap_or_default()
            .contains("theset_session"),
        "{cookies}"
    );
    ui.app.close().await?;
    Ok(())
}
