//! "Near me" on the phone: the browser's position (overridden to a venue's coordinates) lists that
//! venue first; with no signal, the same place finds the same list on the device.

use theset_testkit::e2e::chrome::{Chrome, Net};
use theset_testkit::e2e::link::Link;
use theset_testkit::e2e::screenshot;
use theset_testkit::e2e::ui::Ui;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_me_lists_the_venue_the_phone_is_at_online_and_offline() -> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let (venue, lat, lng): (Uuid, f64, f64) = sqlx::query_as(
        "SELECT id, ST_Y(location::geometry), ST_X(location::geometry) FROM venues
         WHERE location IS NOT NULL ORDER BY name DESC LIMIT 1",
    )
    .fetch_one(&mut backend.db().await?)
    .await?;
    let chrome = Chrome::start()?;
    let link = Link::start(backend.port()).await?;
    let origin = format!("http://127.0.0.1:{}", link.port);
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    chrome.locate(&ui.app, &origin, lat, lng).await?;
    ui.app.goto(&format!("{origin}/app/")).await?;
    ui.nav("venues").await?;
    ui.click("#near-me").await?;
    // The last venue by name: first in the list only because the list is by distance.
    let first = format!(".venue-list .venue-row:first-child[data-venue='{venue}']");
    ui.wait(&first).await?;
    screenshot(&ui.app, "phone-near-me").await?;

    // No signal: the app opens from the phone, and the same place finds the same venue first.
    link.set(Net::Offline);
    chrome.network(&ui.app, Net::Offline).await?;
    ui.app.refresh().await?;
    ui.nav("venues").await?;
    ui.click("#near-me").await?;
    ui.wait(&first).await?;
    ui.app.close().await?;
    Ok(())
}
