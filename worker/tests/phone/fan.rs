//! A fan at the venue with the web app: signs up on the phone, follows, votes and drafts a
//! prediction; the signal goes, the page is reloaded and opens from the service worker with the
//! same show, votes and prediction; more changes offline; the browser is closed and opened again;
//! then a venue's slow link comes back and everything is sent once, and another fan's vote arrives
//! live.

use anyhow::Context;
use fantoccini::Locator;
use theset_testkit::e2e::screenshot;
use theset_testkit::e2e::ui::Ui;
use theset_testkit::{PASSWORD, email};
use uuid::Uuid;

use theset_testkit::e2e::chrome::{Chrome, Net};
use theset_testkit::e2e::link::Link;

async fn pending(ui: &Ui) -> anyhow::Result<usize> {
    if ui
        .app
        .find_all(Locator::Css("#pending-count"))
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    Ok(ui
        .attr("#pending-count", "data-count")
        .await?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

async fn prediction(ui: &Ui) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in ui.app.find_all(Locator::Css(".prediction-line")).await? {
        out.extend(e.attr("data-title").await?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_votes_offline_at_the_venue_and_everything_arrives_once() -> anyhow::Result<()> {
    let backend = crate::backend().await?;
    let artist_name = theset_testkit::e2e::artist_with_shows()?;
    let chrome = Chrome::start()?;
    let profile = tempfile::tempdir()?;
    let link = Link::start(backend.port()).await?;
    let app = format!("http://127.0.0.1:{}/app/", link.port);
    // The phone's network: the link the browser reaches the server through, and Chromium's own
    // emulation for the page (what `navigator.onLine` reports).
    let net = async |phone: &fantoccini::Client, net: Net| -> anyhow::Result<()> {
        link.set(net);
        chrome.network(phone, net).await
    };
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(&app).await?;
    ui.wait("main[data-page='home']")
        .await
        .with_context(|| "the web app did not start".to_owned())?;

    // 1. Sign up on the phone; the address is confirmed with the mailed link.
    let address = email("phone-fan");
    let signed_up_at = std::time::SystemTime::now();
    ui.nav("account").await?;
    ui.click("#tab-sign-up").await?;
    ui.fill("#auth-email", &address).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.fill("#auth-name", "Phone Fan").await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    ui.nav("account").await?;
    ui.wait("#confirm-email").await?;
    let link = theset_testkit::mail::link_after(&address, signed_up_at, "/auth/verify-email").await;
    ui.fill("#confirm-code", &link).await?;
    ui.click("#confirm-submit").await?;
    ui.gone("#confirm-email").await?;

    // Follow the artist; last week's show (with a set-list to correct) and the upcoming ones
    // come to the phone.
    ui.fill("#search-input", &artist_name).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click_text(".artist-card .link", &artist_name).await?;
    ui.click("#follow").await?;
    ui.wait("#follow[aria-pressed='true']").await?;
    let artist_id: Uuid = sqlx::query_scalar("SELECT id FROM artists WHERE name = $1")
        .bind(&artist_name)
        .fetch_one(&mut backend.db().await?)
        .await?;
    let recent = backend.recent_show_with_setlist(artist_id).await?;
    ui.home().await?;
    ui.click("#sync-now").await?;
    ui.wait(&format!("#my-shows .show-row[data-show='{recent}']"))
        .await?;

    // The next show, still open for votes (the catalogue's show on stage tonight is not):
    // two songs on the community list, one voted up, a prediction drafted.
    let show_id: Uuid = sqlx::query_scalar(
        "SELECT id FROM shows WHERE headliner_artist_id = $1 AND status = 'upcoming' \
           AND date >= current_date AND (starts_at IS NULL OR starts_at > now()) ORDER BY date, id LIMIT 1",
    )
    .bind(artist_id)
    .fetch_one(&mut backend.db().await?)
    .await
    .context("no upcoming show of the artist")?;
    ui.click(&format!("#my-shows .show-row[data-show='{show_id}'] .link"))
        .await?;
    let songs = ui.attrs("#add-song [data-song]", "data-song").await?;
    assert!(songs.len() >= 4, "catalogue on the phone: {songs:?}");
    for (n, song) in songs[..2].iter().enumerate() {
        ui.click(&format!("#add-song [data-song='{song}']")).await?;
        ui.wait(&format!(".vote-row:nth-child({})", n + 1)).await?;
    }
    let first = ui.attr(".vote-row", "data-title").await?.context("title")?;
    ui.click(&format!(".vote-row[data-title=\"{first}\"] .vote-up"))
        .await?;
    ui.wait(&format!(".vote-row[data-title=\"{first}\"][data-net='1']"))
        .await?;
    let picks = ui.attrs("#predict [data-song]", "data-song").await?;
    for (n, song) in picks[..2].iter().enumerate() {
        ui.click(&format!("#predict [data-song='{song}']")).await?;
        ui.wait(&format!(".prediction-line:nth-child({})", n + 1))
            .await?;
    }
    ui.gone("#pending-count").await?;
    screenshot(&ui.app, "phone-show-online").await?;

    // 2. The signal goes. The page is reloaded: it opens from the service worker, and the show,
    // the vote and the prediction are still there.
    net(&ui.app, Net::Offline).await?;
    ui.app.refresh().await?;
    ui.wait("main[data-page='home']")
        .await
        .with_context(|| "the web app did not open offline (service worker)".to_owned())?;
    ui.click(&format!("#my-shows .show-row[data-show='{show_id}'] .link"))
        .await?;
    ui.wait(&format!(".vote-row[data-title=\"{first}\"][data-net='1']"))
        .await?;
    ui.wait(".prediction-line:nth-child(2)").await?;
    // More offline: the vote turned down, a third song predicted, last week's set-list corrected.
    ui.click(&format!(".vote-row[data-title=\"{first}\"] .vote-down"))
        .await?;
    if let Err(e) = ui
        .wait(&format!(
            ".vote-row[data-title=\"{first}\"][data-net='-1'] .pending-mark"
        ))
        .await
    {
        screenshot(&ui.app, "phone-failure").await?;
        return Err(e.context(chrome.console(&ui.app).await));
    }
    ui.click(&format!("#predict [data-song='{}']", picks[2]))
        .await?;
    ui.wait(".prediction-line:nth-child(3)").await?;
    let predicted = prediction(&ui).await?;
    ui.home().await?;
    ui.click(&format!("#my-shows .show-row[data-show='{recent}'] .link"))
        .await?;
    ui.click("#setlist-edit").await?;
    let corrected = ["Opening Jam", "Second Song", "The Big Finish"];
    ui.fill("#setlist-text", &corrected.join("\u{E007}"))
        .await?;
    ui.click("#setlist-save").await?;
    ui.wait("#actual .pending-mark").await?;
    let unsent = pending(&ui).await?;
    assert!(
        unsent >= 3,
        "a vote, a prediction step, a correction: {unsent}"
    );
    screenshot(&ui.app, "phone-offline-changes").await?;

    // The browser is closed and opened again (same phone), still with no signal.
    ui.app.close().await?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    net(&ui.app, Net::Offline).await?;
    ui.app.goto(&app).await?;
    ui.wait("main[data-page='home']")
        .await
        .with_context(|| "the web app did not open offline after a browser restart".to_owned())?;
    ui.wait("#pending-count").await?;
    assert_eq!(pending(&ui).await?, unsent, "nothing lost or sent twice");
    ui.click(&format!("#my-shows .show-row[data-show='{show_id}'] .link"))
        .await?;
    ui.wait(&format!(
        ".vote-row[data-title=\"{first}\"][data-net='-1'] .pending-mark"
    ))
    .await?;
    ui.wait(".prediction-line:nth-child(3)").await?;
    assert_eq!(prediction(&ui).await?, predicted);

    // 3. A venue's slow link: everything goes, once; the server's totals match.
    net(&ui.app, Net::Venue).await?;
    ui.click("#sync-now").await?;
    ui.gone("#pending-count")
        .await
        .with_context(|| "changes not sent over the venue link".to_owned())?;
    let community = backend.get(&format!("/shows/{show_id}/community")).await?;
    let line = community["songs"]
        .as_array()
        .context("songs")?
        .iter()
        .find(|s| s["title"] == first.as_str())
        .context("voted line on the server")?
        .clone();
    assert_eq!(
        (line["upvotes"].as_i64(), line["downvotes"].as_i64()),
        (Some(0), Some(1)),
        "the fan's vote, turned down offline, counted once"
    );
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT ss.title FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id
         WHERE l.show_id = $1 AND l.source = 'user' ORDER BY ss.position",
    )
    .bind(show_id)
    .fetch_all(&mut backend.db().await?)
    .await?;
    assert_eq!(titles, predicted, "the prediction as drafted offline");
    let actual: Vec<String> = sqlx::query_scalar(
        "SELECT ss.title FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id
         WHERE l.show_id = $1 AND l.kind = 'actual' ORDER BY ss.position",
    )
    .bind(recent)
    .fetch_all(&mut backend.db().await?)
    .await?;
    assert_eq!(actual, corrected);

    // Another fan votes the same song up: it arrives live on the phone.
    let other = backend.confirmed_account("phone-other").await?;
    let line_id = line["id"].as_str().context("line id")?;
    reqwest::Client::new()
        .put(format!(
            "{}/api/v1/setlist-songs/{line_id}/vote",
            backend.url
        ))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": 1 }))
        .send()
        .await?
        .error_for_status()?;
    ui.wait(&format!(".vote-row[data-title=\"{first}\"][data-net='0']"))
        .await
        .context("the other fan's vote did not arrive live")?;
    screenshot(&ui.app, "phone-synced").await?;

    // The show's QR code holds its page's address; opening it lands on the show.
    let link = ui
        .attr("#share-qr", "data-link")
        .await?
        .context("no link in the QR block")?;
    assert_eq!(link, format!("{app}shows/{show_id}"));
    ui.wait("#share-qr .qr svg").await?;
    ui.app.goto(&link).await?;
    ui.wait(&format!(
        "main[data-page='show'] .vote-row[data-title=\"{first}\"]"
    ))
    .await?;
    ui.app.close().await?;
    Ok(())
}
