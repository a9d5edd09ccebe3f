//! End to end in the real window: the Tauri app (with the wasm UI embedded) under Xvfb, driven
//! through tauri-driver + WebKitWebDriver, against the real backend over a fresh database seeded
//! with the offline catalogue. Then the backend stops and the restarted app still lists the
//! artists from its SQLite store.
//!
//! Needs what `cargo xtask test` installs: Xvfb, tauri-driver, WebKitWebDriver, Postgres
//! (`DATABASE_URL`), the UI built into `app/dist` before this crate compiled.

mod harness;

use std::time::Duration;

use fantoccini::Locator;
use harness::{Backend, Display, Driver, poll, screenshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artists_show_online_then_from_the_local_store_offline() -> anyhow::Result<()> {
    let display = Display::start()?;
    let data_home = tempfile::tempdir()?;
    let mut backend = Backend::start().await?;
    let expected = backend.artist_names().await?;
    assert!(
        expected.len() >= 10,
        "seeded catalogue too small: {expected:?}"
    );

    let driver = Driver::start(&display, data_home.path(), &backend.url)?;

    // Online: the list arrives through client → SQLite → IPC → UI.
    let app = driver.session().await?;
    poll(
        "connection state Online",
        Duration::from_secs(60),
        || async {
            Ok(app
                .find(Locator::Css("#connection[data-state='Online']"))
                .await
                .is_ok())
        },
    )
    .await?;
    let shown = poll_names(&app, expected.len()).await?;
    assert_same_artists(&shown, &expected);
    screenshot(&app, "home-online").await?;
    app.close().await?;

    // Offline: stop the backend, restart the app with the same data folder. The restarted app is
    // pointed at a port nothing listens on (1): the stopped backend's port could be taken by
    // another test's server meanwhile.
    backend.stop();
    drop(driver);
    let driver = Driver::start(&display, data_home.path(), "http://127.0.0.1:1")?;
    let app = driver.session().await?;
    poll(
        "connection state Offline",
        Duration::from_secs(60),
        || async {
            Ok(app
                .find(Locator::Css("#connection[data-state='Offline']"))
                .await
                .is_ok())
        },
    )
    .await?;
    let shown = poll_names(&app, expected.len()).await?;
    assert_same_artists(&shown, &expected);
    screenshot(&app, "home-offline").await?;
    app.close().await?;
    Ok(())
}

/// Waits until the UI lists `n` artists, then returns their names in screen order.
async fn poll_names(app: &fantoccini::Client, n: usize) -> anyhow::Result<Vec<String>> {
    let start = std::time::Instant::now();
    loop {
        let mut got = Vec::new();
        for el in app
            .find_all(Locator::Css(".artist-card .artist-name"))
            .await?
        {
            got.push(el.text().await?);
        }
        if got.len() == n || start.elapsed() > Duration::from_secs(60) {
            return Ok(got);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
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
