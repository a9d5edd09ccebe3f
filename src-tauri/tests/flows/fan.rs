//! A fan's evening: sign up, search an artist TheSet does not have yet, watch the import, follow,
//! open a show and vote. Then the network goes: vote again, draft a prediction and correct a
//! set-list; the app is closed and reopened with no server, and everything is still there;
//! the server comes back, everything is sent once and the totals are right.

use anyhow::Context;
use fantoccini::Locator;
use sqlx::Row;
use uuid::Uuid;

use super::{PASSWORD, artist_with_shows, email};
use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

/// The id of the community line titled `title` on the server.
async fn community_line(backend: &Backend, show: Uuid, title: &str) -> anyhow::Result<Uuid> {
    let community = backend.get(&format!("/shows/{show}/community")).await?;
    community["songs"]
        .as_array()
        .context("songs")?
        .iter()
        .find(|s| s["title"] == title)
        .and_then(|s| s["id"].as_str())
        .context("line on the server")?
        .parse()
        .context("line id")
}

async fn pending(ui: &Ui) -> anyhow::Result<usize> {
    Ok(ui
        .attr("#pending-count", "data-count")
        .await?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// Titles of the user's prediction, in order.
async fn prediction(ui: &Ui) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in ui.app.find_all(Locator::Css(".prediction-line")).await? {
        out.extend(e.attr("data-title").await?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_imports_follows_votes_and_keeps_offline_changes_across_a_restart() -> anyhow::Result<()>
{
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let mut backend = Backend::start(Seed::Empty).await?;
    let artist_name = artist_with_shows()?;
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };

    // Sign up in the app, then confirm the address with the code from the mail: until then
    // the app says what to do, and contributions wait.
    let address = email("fan");
    let signed_up_at = std::time::SystemTime::now();
    ui.nav("account").await?;
    ui.click("#tab-sign-up").await?;
    ui.fill("#auth-email", &address).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.fill("#auth-name", "Front Row Fan").await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    ui.wait("#confirm-nudge").await?;
    ui.nav("account").await?;
    ui.wait("#confirm-email").await?;
    screenshot(&ui.app, "flow-confirm-email").await?;
    let link = super::mailed_link(&address, signed_up_at, "/auth/verify-email").await;
    ui.fill("#confirm-code", &link).await?;
    ui.click("#confirm-submit").await?;
    ui.gone("#confirm-email").await?;

    // Search: the artist is not on TheSet yet; opening it imports it, with a bar per phase.
    ui.fill("#search-input", &artist_name).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.wait("main[data-page='search'] .artist-card").await?;
    screenshot(&ui.app, "flow-search").await?;
    ui.click_text(".artist-card .link", &artist_name).await?;
    ui.wait("main[data-page='artist'] .phase-progress").await?;
    screenshot(&ui.app, "flow-import-progress").await?;
    ui.wait(".phase-progress[data-done='true']").await?;
    assert_eq!(ui.text("#artist-name").await?, artist_name);
    let bars = ui
        .app
        .find_all(Locator::Css(".phase-progress progress"))
        .await?;
    assert_eq!(bars.len(), 3, "one bar per phase");

    // Follow: the artist's shows come to the device.
    ui.click("#follow").await?;
    ui.wait("#follow[aria-pressed='true']").await?;
    let artist_id: Uuid = sqlx::query_scalar("SELECT id FROM artists WHERE name = $1")
        .bind(&artist_name)
        .fetch_one(&mut backend.db().await?)
        .await?;
    let recent = backend.recent_show_with_setlist(artist_id).await?;
    ui.home().await?;
    ui.wait(&format!("#my-shows .show-row[data-show='{recent}']"))
        .await?;
    screenshot(&ui.app, "flow-home-signed-in").await?;

    // An upcoming show: add two songs to the community list and vote one up.
    let upcoming = ui.app.find_all(Locator::Css("#my-shows .show-row")).await?;
    let mut show_id = None;
    for row in upcoming {
        let id = row.attr("data-show").await?.context("show id")?;
        if id != recent.to_string() {
            show_id = Some(id);
            row.find(Locator::Css(".link")).await?.click().await?;
            break;
        }
    }
    let show_id: Uuid = show_id.context("no upcoming show on the device")?.parse()?;
    let songs = ui.attrs("#add-song [data-song]", "data-song").await?;
    assert!(songs.len() >= 4, "catalogue on the device: {songs:?}");
    // One at a time, each seen on screen before the next, as a person does.
    for (n, song) in songs[..2].iter().enumerate() {
        ui.click(&format!("#add-song [data-song='{song}']")).await?;
        ui.wait(&format!(".vote-row:nth-child({})", n + 1)).await?;
    }
    let first = ui.attr(".vote-row", "data-title").await?.context("title")?;
    ui.click(&format!(".vote-row[data-title=\"{first}\"] .vote-up"))
        .await?;
    ui.wait(&format!(".vote-row[data-title=\"{first}\"][data-net='1']"))
        .await?;
    ui.gone("#pending-count").await?;

    // Another fan votes the same song up from elsewhere: the open page shows it live.
    let line = community_line(&backend, show_id, &first).await?;
    let other = backend.confirmed_account("other").await?;
    reqwest::Client::new()
        .put(format!("{}/api/v1/setlist-songs/{line}/vote", backend.url))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "value": 1 }))
        .send()
        .await?
        .error_for_status()?;
    ui.wait(&format!(".vote-row[data-title=\"{first}\"][data-net='2']"))
        .await?;
    screenshot(&ui.app, "flow-show-voted").await?;

    // The network goes. Vote the other way, draft a prediction, correct last week's set-list.
    backend.stop();
    ui.click(&format!(".vote-row[data-title=\"{first}\"] .vote-down"))
        .await?;
    ui.wait(&format!(
        ".vote-row[data-title=\"{first}\"][data-net='0'] .pending-mark"
    ))
    .await?;
    let picks = ui.attrs("#predict [data-song]", "data-song").await?;
    for (n, song) in picks[..3].iter().enumerate() {
        ui.click(&format!("#predict [data-song='{song}']")).await?;
        ui.wait(&format!(".prediction-line:nth-child({})", n + 1))
            .await?;
    }
    let drafted = prediction(&ui).await?;
    // Move the last song to the top with the keyboard-reachable arrows.
    let last = drafted[2].clone();
    ui.click(&format!("[aria-label='Move {last} up']")).await?;
    ui.wait(&format!(
        ".prediction-line:nth-child(2)[data-title=\"{last}\"]"
    ))
    .await?;
    ui.click(&format!("[aria-label='Move {last} up']")).await?;
    ui.wait(&format!(
        ".prediction-line:nth-child(1)[data-title=\"{last}\"]"
    ))
    .await?;
    let predicted = prediction(&ui).await?;
    ui.wait("#prediction .pending-mark").await?;

    ui.home().await?;
    ui.click(&format!("#my-shows .show-row[data-show='{recent}'] .link"))
        .await?;
    ui.click("#setlist-edit").await?;
    let corrected = ["Opening Jam", "Second Song", "# encore", "The Big Finish"];
    // WebDriver's Enter key: a newline typed into the editor.
    ui.fill("#setlist-text", &corrected.join("\u{E007}"))
        .await?;
    ui.click("#setlist-save").await?;
    ui.wait("#actual .pending-mark").await?;
    // A second correction typed but not saved when the app closes: kept on the device.
    ui.click("#setlist-edit").await?;
    ui.fill("#setlist-text", "Half typed").await?;
    // Closing the app is only fair once the device says it holds the newest text.
    ui.wait("#draft-kept").await?;
    let unsent = pending(&ui).await?;
    assert!(
        unsent >= 5,
        "vote, three prediction steps and more, an edit: {unsent}"
    );
    screenshot(&ui.app, "flow-offline-changes").await?;

    // Close the app and open it again, still with no server: everything is still there.
    ui.app.close().await?;
    drop(driver);
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#connection[data-state='Offline']").await?;
    let after = pending(&ui).await.map_err(|e| {
        let log = std::fs::read_to_string(home.path().join("app.log")).unwrap_or_default();
        e.context(format!("app log: {log}"))
    })?;
    assert_eq!(after, unsent, "nothing lost or sent twice");
    ui.click(&format!("#my-shows .show-row[data-show='{show_id}'] .link"))
        .await?;
    ui.wait(&format!(
        ".vote-row[data-title=\"{first}\"][data-net='0'] .pending-mark"
    ))
    .await?;
    ui.wait(".prediction-line:nth-child(3)").await?;
    assert_eq!(prediction(&ui).await?, predicted);
    ui.home().await?;
    ui.click(&format!("#my-shows .show-row[data-show='{recent}'] .link"))
        .await?;
    ui.wait("#actual .pending-mark").await?;
    let shown: Vec<String> = {
        let mut t = Vec::new();
        for e in ui.app.find_all(Locator::Css("#actual .setlist li")).await? {
            t.push(e.text().await?);
        }
        t
    };
    assert_eq!(shown, ["Opening Jam", "Second Song", "The Big Finish"]);
    ui.click("#setlist-edit").await?;
    assert_eq!(
        ui.wait("#setlist-text")
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some("Half typed"),
        "the unsaved draft survived the restart"
    );
    screenshot(&ui.app, "flow-offline-after-restart").await?;
    ui.click_text(".setlist-editor .button", "Cancel").await?;

    // Meanwhile another fan corrects the same set-list from elsewhere (the server runs on a
    // port this app does not know, so it cannot sync before them).
    let app_port = backend.port();
    backend.restart_on(Backend::free_port())?;
    let setlist: Uuid =
        sqlx::query_scalar("SELECT id FROM setlists WHERE show_id = $1 AND kind = 'actual'")
            .bind(recent)
            .fetch_one(&mut backend.db().await?)
            .await?;
    let corrector = backend.confirmed_account("corrector").await?;
    reqwest::Client::new()
        .put(format!("{}/api/v1/setlists/{setlist}", backend.url))
        .bearer_auth(&corrector)
        .json(&serde_json::json!({
            "mutation_id": Uuid::now_v7(), "base_version": 1, "note": "from the front row",
            "songs": [{ "title": "Their Opener" }, { "title": "Second Song" }],
        }))
        .send()
        .await?
        .error_for_status()?;

    // The server comes back: everything is sent, once. The correction lost the race: the
    // merge view shows both versions; keeping mine sends it again on top of theirs.
    backend.restart_on(app_port)?;
    ui.click("#sync-now").await?;
    ui.wait("#merge-view").await?;
    let merge = ui.text("#merge-view").await?;
    assert!(
        merge.contains("+ Opening Jam") && merge.contains("− Their Opener"),
        "{merge}"
    );
    screenshot(&ui.app, "flow-merge-view").await?;
    ui.click("#merge-keep-mine").await?;
    ui.gone("#merge-view").await?;
    ui.click("#sync-now").await?;
    ui.gone("#pending-count").await?;
    ui.wait("#connection[data-state='Online']").await?;
    ui.gone("#actual .pending-mark").await?;

    let community = backend.get(&format!("/shows/{show_id}/community")).await?;
    let line = community["songs"]
        .as_array()
        .context("songs")?
        .iter()
        .find(|s| s["title"] == first.as_str())
        .context("voted line on the server")?;
    assert_eq!(
        (line["upvotes"].as_i64(), line["downvotes"].as_i64()),
        (Some(1), Some(1)),
        "the other fan's vote up and this fan's vote down, each counted once"
    );
    assert_eq!(community["songs"].as_array().map(Vec::len), Some(2));

    let mut db = backend.db().await?;
    let titles: Vec<String> = sqlx::query(
        "SELECT ss.title FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id
         WHERE l.show_id = $1 AND l.source = 'user' ORDER BY ss.position",
    )
    .bind(show_id)
    .fetch_all(&mut db)
    .await?
    .into_iter()
    .map(|r| r.get(0))
    .collect();
    assert_eq!(titles, predicted, "the prediction as drafted offline");
    let (version, actual): (i32, Vec<String>) = {
        let row = sqlx::query(
            "SELECT l.version, array_agg(ss.title ORDER BY ss.position)
             FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id
             WHERE l.show_id = $1 AND l.kind = 'actual' GROUP BY l.version",
        )
        .bind(recent)
        .fetch_one(&mut db)
        .await?;
        (row.get(0), row.get(1))
    };
    assert_eq!(version, 3, "theirs, then mine on top of it");
    assert_eq!(actual, ["Opening Jam", "Second Song", "The Big Finish"]);
    screenshot(&ui.app, "flow-synced").await?;
    ui.app.close().await?;
    Ok(())
}
