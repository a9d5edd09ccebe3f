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
    let signed_in_as = ui.text(".status-account").await?;

    // A link for another account (planted in a message, say) opened on the signed-in phone: the
    // app asks before leaving the account; declined, the phone stays signed in as before.
    let other = theset_testkit::email("phone-link-planted");
    let asked = std::time::SystemTime::now();
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/magic-link", backend.url))
        .json(&serde_json::json!({ "email": other }))
        .send()
        .await?
        .error_for_status()?;
    let planted = theset_testkit::mail::link_after(&other, asked, "/auth/magic-link").await;
    ui.app.goto(&planted).await?;
    ui.click("#web").await?;
    let question = {
        let mut asked = None;
        for _ in 0..100 {
            if let Ok(text) = ui.app.get_alert_text().await {
                asked = Some(text);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        asked.ok_or_else(|| anyhow::anyhow!("the app did not ask before switching accounts"))?
    };
    assert!(question.contains("You are signed in as"), "{question}");
    ui.app.dismiss_alert().await?;
    ui.wait("#app-notice").await?;
    let notice = ui.text("#app-notice").await?;
    assert!(notice.contains("not used"), "{notice}");
    assert_eq!(ui.text(".status-account").await?, signed_in_as);
    ui.app.close().await?;
    Ok(())
}
