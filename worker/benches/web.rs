//! The web app on a phone, measured (`cargo xtask bench`): Chromium with phone emulation against
//! the real backend serving `app/dist`, through the phone's network link
//! (`theset_testkit::e2e::link`, which counts the bytes on the wire each way).
//!
//! - first visit: bytes down until the app shows its first page and the service worker holds the
//!   app (target ≤ 1.5 MB), and a repeat visit online (only what changed: revalidations);
//! - offline reload to the first page from the store (target ≤ 1 s);
//! - first visit to interactive over a venue's link (2 s per request, 32/16 kbit/s);
//! - 20 votes and a prediction step made offline, synced over the venue link, against the same
//!   over the open link: time and bytes each way.

use std::time::{Duration, Instant};

use anyhow::Context;
use theset_testkit::e2e::chrome::{Chrome, Net};
use theset_testkit::e2e::link::Link;
use theset_testkit::e2e::ui::Ui;
use theset_testkit::e2e::{Backend, Seed, root};
use theset_testkit::{PASSWORD, email};
use uuid::Uuid;

const FIRST_VISIT_BUDGET: u64 = 1_500_000;
const OFFLINE_RELOAD_BUDGET: Duration = Duration::from_secs(1);

fn kb(bytes: u64) -> String {
    format!("{:.1} kB", bytes as f64 / 1000.0)
}

/// Waits for `css` for up to `limit` (a first visit over a venue's link takes minutes, longer
/// than the test kit's wait).
async fn wait_long(ui: &Ui, css: &str, limit: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let found = ui
            .app
            .find_all(fantoccini::Locator::Css(css))
            .await
            .map(|v| !v.is_empty())
            .unwrap_or(false);
        if found {
            return Ok(());
        }
        anyhow::ensure!(start.elapsed() < limit, "no {css} after {limit:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dist = root().join("app/dist");
    let backend = Backend::start_with(
        Seed::Catalogue,
        &[
            ("THESET_WEB_DIR", dist.to_str().context("path")?),
            ("THESET_RATES", "vote_ip=1000/10,vote_account=1000/10"),
        ],
    )
    .await?;
    let chrome = Chrome::start()?;
    let link = Link::start(backend.port()).await?;
    let app = format!("http://127.0.0.1:{}/app/", link.port);

    // First visit, open link.
    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    link.reset_counts();
    ui.app.goto(&app).await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    ui.service_worker_ready().await?;
    // The service worker's copies are taken after it starts; give it the moment it needs.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (up, down) = link.counts.read();
    println!(
        "web first visit: {} down, {} up (budget {}: {:.2}× of it)",
        kb(down),
        kb(up),
        kb(FIRST_VISIT_BUDGET),
        down as f64 / FIRST_VISIT_BUDGET as f64
    );
    link.reset_counts();
    ui.app.refresh().await?;
    ui.wait("main[data-page='home'] .show-row").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (up, down) = link.counts.read();
    println!("web repeat visit online: {} down, {} up", kb(down), kb(up));

    // Offline reload to the first page from the store.
    link.set(Net::Offline);
    chrome.network(&ui.app, Net::Offline).await?;
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        ui.app.refresh().await?;
        ui.wait("main[data-page='home'] .show-row").await?;
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "web offline reload to first page from the store: median {:.0} ms of 5 (target {} ms: {:.2}× of it)",
        median.as_secs_f64() * 1000.0,
        OFFLINE_RELOAD_BUDGET.as_millis(),
        median.as_secs_f64() / OFFLINE_RELOAD_BUDGET.as_secs_f64()
    );
    ui.app.close().await?;

    // First visit over the venue link, a new phone.
    let fresh = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(fresh.path()).await?,
    };
    link.set(Net::Venue);
    link.reset_counts();
    let t = Instant::now();
    ui.app.goto(&app).await?;
    wait_long(
        &ui,
        "main[data-page='home'] .show-row",
        Duration::from_secs(900),
    )
    .await?;
    let (_, down) = link.counts.read();
    println!(
        "web first visit to interactive over the venue link: {:.1} s ({} down)",
        t.elapsed().as_secs_f64(),
        kb(down)
    );
    ui.app.close().await?;
    link.set(Net::Online);

    sync_over_links(&backend, &chrome, &link, &app).await
}

/// 20 votes and a prediction step made offline, then synced: over the venue link, then (a second
/// round) over the open link.
async fn sync_over_links(
    backend: &Backend,
    chrome: &Chrome,
    link: &Link,
    app: &str,
) -> anyhow::Result<()> {
    let fan = email("bench-fan");
    let http = reqwest::Client::new();
    http.post(format!("{}/api/v1/auth/signup", backend.url))
        .json(&serde_json::json!({
            "email": fan, "password": PASSWORD, "display_name": "Bench Fan",
            "device_id": Uuid::new_v4().to_string(),
        }))
        .send()
        .await?
        .error_for_status()?;
    backend.confirm(&fan).await?;
    // An upcoming show with 20 songs on its community list, added by another fan.
    let mut db = backend.db().await?;
    let (show, artist, name): (Uuid, Uuid, String) = sqlx::query_as(
        "SELECT s.id, s.headliner_artist_id, a.name FROM shows s
         JOIN artists a ON a.id = s.headliner_artist_id
         WHERE s.date > current_date AND (SELECT count(*) FROM artist_songs x
               WHERE x.artist_id = s.headliner_artist_id) >= 20
         ORDER BY s.date LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    let songs: Vec<Uuid> = sqlx::query_scalar(
        "SELECT song_id FROM artist_songs WHERE artist_id = $1 ORDER BY song_id LIMIT 20",
    )
    .bind(artist)
    .fetch_all(&mut db)
    .await?;
    let other = backend.confirmed_account("bench-other").await?;
    for song in &songs {
        http.post(format!(
            "{}/api/v1/shows/{show}/community/songs",
            backend.url
        ))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "mutation_id": Uuid::now_v7(), "song_id": song }))
        .send()
        .await?
        .error_for_status()?;
    }

    let profile = tempfile::tempdir()?;
    let ui = Ui {
        app: chrome.phone(profile.path()).await?,
    };
    ui.app.goto(app).await?;
    ui.nav("account").await?;
    ui.fill("#auth-email", &fan).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    ui.fill("#search-input", &name).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click_text("main[data-page='search'] .artist-card .link", &name)
        .await?;
    ui.click("#follow").await?;
    ui.wait("#follow[aria-pressed='true']").await?;
    ui.home().await?;
    ui.click("#sync-now").await?;
    ui.click(&format!("#my-shows .show-row[data-show='{show}'] .link"))
        .await?;
    ui.wait(".vote-row:nth-child(20)").await?;

    for (round, net, arrow) in [(1, Net::Venue, "up"), (2, Net::Online, "down")] {
        link.set(Net::Offline);
        chrome.network(&ui.app, Net::Offline).await?;
        for n in 1..=20 {
            ui.click(&format!(".vote-row:nth-child({n}) .vote-{arrow}"))
                .await?;
        }
        let picks = ui.attrs("#predict [data-song]", "data-song").await?;
        ui.click(&format!("#predict [data-song='{}']", picks[0]))
            .await?;
        ui.wait("#pending-count").await?;
        link.set(net);
        chrome.network(&ui.app, net).await?;
        link.reset_counts();
        let t = Instant::now();
        ui.click("#sync-now").await?;
        ui.gone("#pending-count").await?;
        let took = t.elapsed();
        let (up, down) = link.counts.read();
        let over = if net == Net::Venue {
            "venue link"
        } else {
            "open link"
        };
        println!(
            "web sync of 20 offline votes + 1 prediction step over the {over} (round {round}): {:.2} s, {} up, {} down",
            took.as_secs_f64(),
            kb(up),
            kb(down)
        );
    }
    ui.app.close().await?;
    Ok(())
}
