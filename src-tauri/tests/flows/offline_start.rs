//! The app opens on what its store holds: online first, then with the backend gone.

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artists_show_online_then_from_the_local_store_offline() -> anyhow::Result<()> {
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let mut backend = Backend::start(Seed::Catalogue).await?;
    let expected = backend.artist_names().await?;
    assert!(
        expected.len() >= 10,
        "seeded catalogue too small: {expected:?}"
    );

    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#connection[data-state='Signed out']").await?;
    let shown = names(&ui, expected.len()).await?;
    assert_same_artists(&shown, &expected);
    screenshot(&ui.app, "home-online").await?;
    ui.app.close().await?;

    // Offline: stop the backend, restart the app with the same folders. It lists the same
    // artists from its SQLite store and says it is showing what is saved.
    backend.stop();
    drop(driver);
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    let shown = names(&ui, expected.len()).await?;
    assert_same_artists(&shown, &expected);
    screenshot(&ui.app, "home-offline").await?;
    ui.app.close().await?;
    Ok(())
}

/// Waits until the device's artist list has `n` entries, then returns them in screen order.
async fn names(ui: &Ui, n: usize) -> anyhow::Result<Vec<String>> {
    let start = std::time::Instant::now();
    loop {
        let mut got = Vec::new();
        for el in ui
            .app
            .find_all(fantoccini::Locator::Css("#local-artists .artist-name"))
            .await?
        {
            got.push(el.text().await?);
        }
        if got.len() == n || start.elapsed() > std::time::Duration::from_secs(60) {
            return Ok(got);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The UI lists exactly the backend's artists, alphabetically ignoring case. (Postgres and SQLite
/// may break ties between punctuation differently, so the orders are compared by that rule rather
/// than element by element.)
fn assert_same_artists(shown: &[String], expected: &[String]) {
    let mut a = shown.to_vec();
    let mut b = expected.to_vec();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the UI lists exactly the backend's artists");
    let keys: Vec<String> = shown.iter().map(|n| n.to_lowercase()).collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "not in name order: {shown:?}"
    );
}
