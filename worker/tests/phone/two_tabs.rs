//! One store per phone: a second tab of the web app cannot open the store the first one holds
//! (the OPFS pool's files are exclusive), says so, and changes nothing.

use theset_testkit::e2e::screenshot;
use theset_testkit::e2e::ui::Ui;

use theset_testkit::e2e::chrome::Chrome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tab_says_the_store_is_open_elsewhere_and_changes_nothing() -> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    let app = format!("{}/app/", backend.url);
    ui.app.goto(&app).await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    let first = ui.app.window().await?;

    let second = ui.app.new_window(true).await?;
    ui.app.switch_to_window(second.handle).await?;
    ui.app.goto(&app).await?;
    let note = ui.text("#store-elsewhere").await?;
    assert!(note.contains("another tab"), "{note}");
    screenshot(&ui.app, "phone-second-tab").await?;

    // The first tab still works.
    ui.app.close_window().await?;
    ui.app.switch_to_window(first).await?;
    ui.app.refresh().await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    ui.app.close().await?;
    Ok(())
}

/// A web app whose worker cannot load (here: its script is missing) says so instead of waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_cannot_start_is_reported_not_waited_for() -> anyhow::Result<()> {
    let broken = crate::web_app_copy()?;
    std::fs::remove_file(broken.path().join("worker.js"))?;
    let backend = theset_testkit::e2e::Backend::start_with(
        theset_testkit::e2e::Seed::Empty,
        &[("THESET_WEB_DIR", broken.path().to_str().unwrap_or_default())],
    )
    .await?;
    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(&format!("{}/app/", backend.url)).await?;
    let note = ui.text("#store-unavailable").await?;
    assert!(note.contains("could not start"), "{note}");
    ui.app.close().await?;
    Ok(())
}
