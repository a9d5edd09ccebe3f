//! A fan's own account in the real window: a new name and a picture chosen from a file (checked
//! and previewed before it goes), seen on the dashboard; their public page and the all-time
//! leaderboard; a community line reported to the moderators.

use anyhow::Context;
use fantoccini::Locator;
use uuid::Uuid;

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

/// A picture file as a person would have one (a JPEG from a phone, wider than tall).
fn photo(dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let img = image::RgbImage::from_fn(640, 360, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, 160])
    });
    let path = dir.join("me.jpg");
    img.save_with_format(&path, image::ImageFormat::Jpeg)?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_edits_their_profile_and_reports_a_line() -> anyhow::Result<()> {
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let mut backend = Backend::start(Seed::Catalogue).await?;
    let driver = Driver::start(&display, home.path(), &backend.url, &[])?;
    let ui = Ui {
        app: driver.session().await?,
    };
    let address = super::sign_up_in_app(&ui, &backend, "profile", "First Name").await?;

    // A new name, and a picture: a file that is not a picture is refused before anything is
    // sent; a photo is previewed cropped, then saved.
    ui.nav("account").await?;
    ui.wait("#profile-editor").await?;
    ui.fill("#profile-name-input", "Rail Rider").await?;
    ui.click("#profile-save").await?;
    ui.wait("#profile-saved").await?;
    let fake = home.path().join("notes.png");
    std::fs::write(&fake, "<script>alert(1)</script>")?;
    let input = ui.app.find(Locator::Css("#avatar-file")).await?;
    input.send_keys(fake.to_str().context("path")?).await?;
    ui.wait("#avatar-error").await?;
    let input = ui.app.find(Locator::Css("#avatar-file")).await?;
    input
        .send_keys(photo(home.path())?.to_str().context("path")?)
        .await?;
    ui.wait("#avatar-preview").await?;
    ui.until_js(
        "const i = document.querySelector('#avatar-preview'); \
         return !!i && i.complete && i.naturalWidth === 640;",
        "the preview of the chosen photo",
    )
    .await?;
    screenshot(&ui.app, "profile-avatar-preview").await?;
    ui.click("#avatar-upload").await?;
    ui.wait("#avatar-remove").await?;
    let has: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_avatars v JOIN users u ON u.id = v.user_id \
         WHERE u.email = $1 AND u.display_name = 'Rail Rider')",
    )
    .bind(&address)
    .fetch_one(&mut backend.db().await?)
    .await?;
    anyhow::ensure!(has, "the name and the picture are on the server");
    ui.nav("dashboard").await?;
    ui.wait("#profile-name").await?;
    anyhow::ensure!(ui.text("#profile-name").await? == "Rail Rider");
    // The picture loads in the window (not only the initial behind it).
    ui.until_js(
        "const i = document.querySelector('.artist-hero .avatar img'); \
         return !!i && i.complete && i.naturalWidth === 256;",
        "the picture on the dashboard",
    )
    .await?;
    screenshot(&ui.app, "profile-dashboard").await?;

    // Their public page, from the dashboard; the all-time leaderboard from the menu.
    ui.click("#my-public-page").await?;
    ui.wait("#user-name").await?;
    anyhow::ensure!(ui.text("#user-name").await? == "Rail Rider");
    ui.nav("leaderboard").await?;
    ui.wait("main[data-page='leaderboard'] .card").await?;

    // A song on a coming show's community list, reported as spam.
    let show: Uuid = sqlx::query_scalar(
        "SELECT id FROM shows WHERE status = 'upcoming' AND date > current_date ORDER BY date LIMIT 1",
    )
    .fetch_one(&mut backend.db().await?)
    .await?;
    let artist: String = sqlx::query_scalar(
        "SELECT a.name FROM artists a JOIN shows s ON s.headliner_artist_id = a.id WHERE s.id = $1",
    )
    .bind(show)
    .fetch_one(&mut backend.db().await?)
    .await?;
    ui.fill("#search-input", &artist).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click_text(".artist-card .link", &artist).await?;
    ui.click(&format!(".show-row[data-show='{show}'] .link"))
        .await?;
    ui.wait("#show-title").await?;
    let add = ui.attrs("#add-song [data-song]", "data-song").await?;
    ui.click(&format!(
        "#add-song [data-song='{}']",
        add.first().context("a song to add")?
    ))
    .await?;
    // Reported once the line is the server's (a line only on this device has nothing to report).
    ui.wait(".vote-row .button.flag").await?;
    ui.click(".vote-row .button.flag").await?;
    ui.wait(".vote-row .flag-form").await?;
    let reason = ui
        .app
        .find(Locator::Css(".vote-row .flag-form select"))
        .await?;
    reason.select_by_value("spam").await?;
    ui.fill(".vote-row .flag-form textarea", "Added to test the report")
        .await?;
    screenshot(&ui.app, "profile-report-form").await?;
    ui.click(".vote-row .flag-form button[type='submit']")
        .await?;
    ui.wait(".vote-row .flag-sent").await?;
    let start = std::time::Instant::now();
    loop {
        let filed: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT f.reason::text, f.note FROM flags f JOIN users u ON u.id = f.reporter_id \
             WHERE u.email = $1",
        )
        .bind(&address)
        .fetch_optional(&mut backend.db().await?)
        .await?;
        if let Some(f) = filed {
            anyhow::ensure!(
                f == (
                    "spam".to_owned(),
                    Some("Added to test the report".to_owned())
                ),
                "{f:?}"
            );
            break;
        }
        anyhow::ensure!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the report never reached the server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The discussion with no signal: a comment and a reply to it, shown at once and marked;
    // once the server is back both are written, the reply under the comment.
    backend.stop();
    ui.fill(
        "#comment-body",
        "Anyone else queueing since noon? https://example.org/queue",
    )
    .await?;
    ui.click("#comment-post").await?;
    ui.wait("#comments .comment[data-mine='true'] .pending-mark")
        .await?;
    ui.click("#comments .comment[data-mine='true'] [data-action='reply']")
        .await?;
    ui.fill(
        "#comments .reply-form textarea",
        "Answering myself: gates at six",
    )
    .await?;
    ui.click("#comments .reply-form button[type='submit']")
        .await?;
    ui.wait("#comments .replies .comment .pending-mark").await?;
    anyhow::ensure!(
        ui.attr("#comments .comment-body a", "href")
            .await?
            .as_deref()
            == Some("https://example.org/queue"),
        "the address is a link"
    );
    screenshot(&ui.app, "profile-comments-offline").await?;
    backend.restart()?;
    ui.click("#sync-now").await.ok();
    ui.gone("#comments .pending-mark").await?;
    let written: Vec<(bool, String)> = sqlx::query_as(
        "SELECT c.parent_id IS NOT NULL, c.body FROM comments c JOIN users u ON u.id = c.author_id \
         WHERE u.email = $1 ORDER BY c.created_at",
    )
    .bind(&address)
    .fetch_all(&mut backend.db().await?)
    .await?;
    anyhow::ensure!(
        written
            == vec![
                (
                    false,
                    "Anyone else queueing since noon? https://example.org/queue".to_owned()
                ),
                (true, "Answering myself: gates at six".to_owned())
            ],
        "{written:?}"
    );
    screenshot(&ui.app, "profile-comments-sent").await?;

    // The fan had predicted a past show; a moderator (elsewhere) verifies its set-list: the
    // score arrives as a notification, with no polling (the sync's nudge brings it).
    let mut db = backend.db().await?;
    let (setlist, show, artist, version): (Uuid, Uuid, Uuid, i32) = sqlx::query_as(
        "SELECT l.id, l.show_id, l.artist_id, l.version FROM setlists l JOIN shows s ON s.id = l.show_id \
         WHERE l.kind = 'actual' AND l.verified_version IS NULL AND s.date < current_date \
         ORDER BY s.date DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    let predicted: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         SELECT $1, $2, 'predicted', 'user', id FROM users WHERE email = $3 RETURNING id",
    )
    .bind(show)
    .bind(artist)
    .bind(&address)
    .fetch_one(&mut db)
    .await?;
    sqlx::query(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position) \
         SELECT $1, song_id, title, position FROM setlist_songs WHERE setlist_id = $2 ORDER BY position LIMIT 3",
    )
    .bind(predicted)
    .bind(setlist)
    .execute(&mut db)
    .await?;
    let moderator = theset_testkit::accounts::with_role(
        &backend.pool().await?,
        theset_testkit::Role::Moderator,
    )
    .await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/setlists/{setlist}/verify", backend.url))
        .bearer_auth(&moderator.access)
        .json(&serde_json::json!({ "version": version }))
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "verify: {}", res.status());
    ui.wait("#notifications-bell[data-unread='1']").await?;
    ui.click("#notifications-bell").await?;
    ui.wait(".notification[data-kind='prediction_scored'][data-read='false']")
        .await?;
    let told = ui
        .text(".notification[data-kind='prediction_scored']")
        .await?;
    anyhow::ensure!(
        told.contains("scored") && told.contains("Rank 1 of 1"),
        "{told}"
    );
    screenshot(&ui.app, "notifications").await?;
    ui.click(".notification[data-kind='prediction_scored'] .link")
        .await?;
    ui.wait("#show-title").await?;
    ui.wait("#notifications-bell[data-unread='0']").await?;
    Ok(())
}
