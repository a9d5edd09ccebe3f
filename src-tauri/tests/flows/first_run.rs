//! A newly installed app knows no server: it asks, refuses what is not a TheSet server with a
//! reason, connects to the one typed, and goes straight there on the next start.

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_asks_for_the_server_and_keeps_the_answer() -> anyhow::Result<()> {
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let backend = Backend::start(Seed::Catalogue).await?;

    let driver = Driver::unpinned(&display, home.path())?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("[data-page='first-run'] #server-address").await?;
    screenshot(&ui.app, "first-run").await?;
    ui.fill("#server-address", "http://theset.example.org")
        .await?;
    ui.click("#server-connect").await?;
    let refused = ui.wait("#server-error").await?.text().await?;
    assert!(refused.contains("https://"), "{refused}");
    assert!(
        ui.attr("[data-page='first-run']", "data-page")
            .await?
            .is_some()
    );

    // Typed the way people type it: no scheme.
    let typed = backend.url.trim_start_matches("http://").to_owned();
    ui.fill("#server-address", &typed).await?;
    ui.click("#server-connect").await?;
    ui.wait("#connection[data-state='Signed out']").await?;
    ui.wait("#local-artists .artist-name").await?;
    ui.nav("account").await?;
    let shown = ui.wait("#server-current").await?.text().await?;
    assert_eq!(shown, backend.url.trim_end_matches('/'));
    ui.wait("#server-change").await?;
    screenshot(&ui.app, "account-server").await?;
    ui.app.close().await?;

    // The next start goes straight to the chosen server.
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#local-artists .artist-name").await?;
    assert!(
        ui.app
            .find(fantoccini::Locator::Css("[data-page='first-run']"))
            .await
            .is_err(),
        "the app asked again"
    );
    ui.app.close().await?;
    Ok(())
}
