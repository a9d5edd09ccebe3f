//! The evening at the venue in the real window: a fan says they are going to tonight's show
//! (the catalogue always has one on stage), the network drops, they capture six songs and add a
//! song to a coming show's list; the app is restarted with no network; the network returns and
//! the crowd list appears with the fan's songs; as a moderator they verify it offline and see it
//! applied when the network is back.

use anyhow::Context;
use fantoccini::Locator;
use uuid::Uuid;

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

async fn captured(ui: &Ui) -> anyhow::Result<Vec<String>> {
    ui.attrs("#now-playing .captured-list li", "data-title")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_captures_tonights_show_offline_and_the_crowd_list_comes_back() -> anyhow::Result<()>
{
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let mut backend = Backend::start(Seed::Catalogue).await?;
    let (show, artist): (Uuid, String) = sqlx::query_as(
        "SELECT s.id, a.name FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
         WHERE s.ticketmaster_id = 'theset-demo-tonight'",
    )
    .fetch_one(&mut backend.db().await?)
    .await
    .context("the catalogue's show tonight")?;
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };

    let address = super::sign_up_in_app(&ui, &backend, "evening", "Barrier Fan").await?;

    // Tonight's show, found from its artist; nobody follows them.
    ui.fill("#search-input", &artist).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click_text(".artist-card .link", &artist).await?;
    ui.click(&format!(".show-row[data-show='{show}'] .link"))
        .await?;
    ui.wait("#show-title").await?;
    ui.click("#going").await?;
    ui.wait("#going[aria-pressed='true']").await?;
    // Going brings the show with its catalogue onto the device: the songs to tap appear.
    ui.wait("#now-playing .capture-taps [data-song]").await?;
    screenshot(&ui.app, "evening-going").await?;

    // The venue's network drops. Six songs: five tapped, one typed (a cover).
    backend.stop();
    let songs = ui
        .attrs("#now-playing .capture-taps [data-song]", "data-song")
        .await?;
    anyhow::ensure!(songs.len() >= 5, "songs to tap: {songs:?}");
    for (n, song) in songs[..5].iter().enumerate() {
        ui.click(&format!("#now-playing [data-song='{song}']"))
            .await?;
        ui.wait(&format!(
            "#now-playing .captured-list li:nth-child({})",
            n + 1
        ))
        .await?;
    }
    ui.fill("#now-playing-title-input", "A Cover Nobody Expected")
        .await?;
    ui.click("#now-playing-add").await?;
    ui.wait("#now-playing .captured-list li:nth-child(6)")
        .await?;
    let before = captured(&ui).await?;
    assert_eq!(before.len(), 6);
    assert_eq!(before[0], "A Cover Nobody Expected", "newest first");
    ui.wait("#now-playing .captured-list .pending-mark").await?;
    screenshot(&ui.app, "evening-captured-offline").await?;

    // A song added and voted up on a coming show of the same artist, still offline: its rows
    // came with tonight's show, no follow needed.
    let upcoming: Uuid = sqlx::query_scalar(
        "SELECT s.id FROM shows s JOIN shows t ON t.headliner_artist_id = s.headliner_artist_id \
         WHERE t.id = $1 AND s.date > current_date AND s.status = 'upcoming' ORDER BY s.date LIMIT 1",
    )
    .bind(show)
    .fetch_optional(&mut backend.db().await?)
    .await?
    .context("a coming show of the artist")?;
    ui.click_text(".show-hero .button", &artist).await?;
    ui.click(&format!(".show-row[data-show='{upcoming}'] .link"))
        .await?;
    let add = ui.attrs("#add-song [data-song]", "data-song").await?;
    ui.click(&format!("#add-song [data-song='{}']", add[0]))
        .await?;
    ui.wait(".vote-row:nth-child(1) .pending-mark").await?;
    let title = ui.attr(".vote-row", "data-title").await?.context("title")?;
    ui.click(".vote-row .vote-up").await?;
    ui.wait(".vote-row[data-net='1']").await?;

    // The app is killed and opened again, still offline: the captures are there.
    ui.app.close().await?;
    drop(driver);
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#connection[data-state='Offline']").await?;
    ui.click(&format!("#my-shows .show-row[data-show='{show}'] .link"))
        .await?;
    ui.wait("#now-playing .captured-list li:nth-child(6)")
        .await?;
    assert_eq!(
        captured(&ui).await?,
        before,
        "nothing lost across the restart"
    );

    // The network returns: the captures go once, the crowd list comes back with them.
    backend.restart()?;
    ui.click("#sync-now").await?;
    ui.gone("#pending-count").await?;
    ui.wait("#actual .setlist li:nth-child(6)").await?;
    let heading = ui.text("#actual-title").await?;
    assert!(heading.contains("Set-list from the crowd"), "{heading}");
    let mut listed = Vec::new();
    for e in ui.app.find_all(Locator::Css("#actual .setlist li")).await? {
        listed.push(e.text().await?);
    }
    let mut expected = before.clone();
    expected.reverse();
    assert_eq!(listed, expected, "the crowd list in capture order");
    screenshot(&ui.app, "evening-crowd-list").await?;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM captures WHERE show_id = $1")
        .bind(show)
        .fetch_one(&mut backend.db().await?)
        .await?;
    assert_eq!(stored, 6, "each capture once");
    let community = backend.get(&format!("/shows/{upcoming}/community")).await?;
    let line = community["songs"]
        .as_array()
        .context("songs")?
        .iter()
        .find(|s| s["title"] == title.as_str())
        .context("the song added offline")?;
    assert_eq!(line["upvotes"].as_i64(), Some(1), "the offline vote, once");

    // The fan moderates too: with no signal they verify the crowd list they see; it applies
    // when the network returns.
    sqlx::query("UPDATE users SET role = 'moderator' WHERE email = $1")
        .bind(&address)
        .execute(&mut backend.db().await?)
        .await?;
    ui.app.close().await?;
    drop(driver);
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#connection[data-state='Online']").await?;
    ui.click(&format!("#my-shows .show-row[data-show='{show}'] .link"))
        .await?;
    ui.wait("#setlist-verify").await?;
    backend.stop();
    ui.click("#setlist-verify").await?;
    ui.wait("#actual .pending-mark").await?;
    let title = ui.text("#actual-title").await?;
    assert!(title.contains("Verified"), "{title}");
    screenshot(&ui.app, "evening-verified-offline").await?;
    backend.restart()?;
    ui.click("#sync-now").await?;
    ui.gone("#pending-count").await?;
    ui.gone("#actual .pending-mark").await?;
    let verified: Option<i32> = sqlx::query_scalar(
        "SELECT verified_version FROM setlists WHERE show_id = $1 AND source = 'crowd'",
    )
    .bind(show)
    .fetch_one(&mut backend.db().await?)
    .await?;
    assert!(
        verified.is_some(),
        "the crowd list verified once back online"
    );
    assert!(ui.text("#actual-title").await?.contains("Verified"));
    ui.app.close().await?;
    Ok(())
}
