//! The web app at the bare host, and a new version of it: a phone that visited once opens
//! `http://host/` with no signal; on the next online visit the service worker fetches the new
//! build behind the page's back, the page says so, and a tap reloads into it.

use anyhow::Context;
use theset_testkit::e2e::chrome::{Chrome, Net};
use theset_testkit::e2e::link::Link;
use theset_testkit::e2e::ui::Ui;
use theset_testkit::e2e::{Backend, Seed, screenshot};

/// The names of the service worker's caches of the app.
async fn shell_caches(ui: &Ui) -> anyhow::Result<Vec<String>> {
    let names = ui
        .app
        .execute(
            "return caches.keys().then(k => k.filter(n => n.startsWith('theset-shell')))",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(names)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bare_host_opens_offline_and_a_new_version_is_announced() -> anyhow::Result<()> {
    // A copy of the build, so the test can publish a newer one beside it.
    let served = crate::web_app_copy()?;
    let backend = Backend::start_with(
        Seed::Catalogue,
        &[(
            "THESET_WEB_DIR",
            served.path().to_str().context("web app path")?,
        )],
    )
    .await?;
    let chrome = Chrome::start()?;
    let link = Link::start(backend.port()).await?;
    let host = format!("http://127.0.0.1:{}/", link.port);
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(&host).await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    ui.service_worker_ready().await?;
    ui.until_js(
        "return caches.keys().then(k => k.some(n => n.startsWith('theset-shell')))",
        "the service worker never kept the app",
    )
    .await?;
    let first = shell_caches(&ui).await?;
    assert_eq!(first.len(), 1, "{first:?}");

    // No signal: the bare host still opens the app, from the phone.
    link.set(Net::Offline);
    chrome.network(&ui.app, Net::Offline).await?;
    ui.app.refresh().await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    assert_eq!(ui.app.current_url().await?.path(), "/");
    assert!(
        ui.app
            .find_all(fantoccini::Locator::Css("#update-note"))
            .await?
            .is_empty()
    );

    // A new build is published (a new content-hashed file and a new version in the list).
    let list_path = served.path().join("shell.json");
    let mut list: serde_json::Value = serde_json::from_slice(&std::fs::read(&list_path)?)?;
    let new_file = "extra.00000000000000aa.css";
    std::fs::write(served.path().join(new_file), "/* the new build */\n")?;
    list["version"] = "0123456789abcdef".into();
    list["files"]
        .as_array_mut()
        .context("files")?
        .push(new_file.into());
    std::fs::write(&list_path, serde_json::to_vec(&list)?)?;

    // The next online visit opens at once from the phone and says a newer version arrived.
    link.set(Net::Online);
    chrome.network(&ui.app, Net::Online).await?;
    ui.app.refresh().await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    ui.wait("#update-note").await?;
    screenshot(&ui.app, "phone-updated").await?;
    ui.click("#update-note").await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    ui.gone("#update-note").await?;
    // Only the new build is kept, with its new file.
    assert_eq!(shell_caches(&ui).await?, ["theset-shell-0123456789abcdef"]);
    let kept = ui
        .app
        .execute(
            "return caches.match(arguments[0]).then(r => !!r)",
            vec![format!("/app/{new_file}").into()],
        )
        .await?;
    assert_eq!(kept.as_bool(), Some(true), "the new file is not kept");
    ui.app.close().await?;
    Ok(())
}
