//! "Near me" on the phone: the browser's position (overridden to a venue's coordinates) lists that
//! venue first; with no signal, the same place finds the same list on the device, and a place
//! the server was never asked about is answered from the venues the device knows; the venue's
//! map says how far away the fan is and never paints a sea it cannot know.

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
    // One of its shows is tonight (the device's date; the machine's clock is UTC like the
    // database's).
    let tonight: Uuid = sqlx::query_scalar(
        "UPDATE shows SET date = (now() AT TIME ZONE 'UTC')::date, starts_at = NULL, status = 'upcoming' \
         WHERE id = (SELECT id FROM shows WHERE venue_id = $1 ORDER BY id LIMIT 1) RETURNING id",
    )
    .bind(venue)
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
    let tonight_row = format!("#tonight-near .show-row[data-show='{tonight}']");
    ui.wait(&tonight_row).await?;
    screenshot(&ui.app, "phone-near-me").await?;

    // No signal: the app opens from the phone, and the same place finds the same venue first.
    link.set(Net::Offline);
    chrome.network(&ui.app, Net::Offline).await?;
    ui.app.refresh().await?;
    ui.nav("venues").await?;
    ui.click("#near-me").await?;
    ui.wait(&first).await?;
    ui.wait(&tonight_row).await?;

    // The fan walked a few hundred metres: a question the server never answered, answered from
    // the venues the device knows, still nearest first, marked as the device's copy.
    chrome.locate(&ui.app, &origin, lat + 0.003, lng).await?;
    ui.click("#near-me").await?;
    // About 330 m north of it now (the kept answer said 0.0 km).
    ui.until_js(
        &format!(
            "const row = document.querySelector(\"{first}\"); \
             return !!row && row.textContent.includes('0.3 km')"
        ),
        "the venue was not listed 0.3 km away from the device's venues",
    )
    .await?;
    ui.wait(".stale-note").await?;
    screenshot(&ui.app, "phone-near-me-offline").await?;

    // Back online, the venue's page: its map says how far the fan is and which way, and at a
    // city's zoom, without tiles, it shows neutral ground rather than outlines that would put
    // the venue in the sea.
    link.set(Net::Online);
    chrome.network(&ui.app, Net::Online).await?;
    ui.click(&format!("{first} button")).await?;
    ui.wait("main[data-page='venue'] svg[data-outlines='true'] .map-land")
        .await?;
    let from_me = ui.text(".map-from-me").await?;
    assert!(
        from_me.contains("km") && from_me.contains("of you"),
        "{from_me}"
    );
    for _ in 0..4 {
        ui.click(".map-tools button[aria-label='Zoom in']").await?;
    }
    ui.wait("svg[data-zoom='9'][data-outlines='false'] .map-ground")
        .await?;
    assert!(
        ui.app
            .find_all(fantoccini::Locator::Css(".map-sea"))
            .await?
            .is_empty()
    );
    screenshot(&ui.app, "phone-venue-map-zoomed").await?;
    ui.app.close().await?;
    Ok(())
}
