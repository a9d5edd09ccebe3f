//! An admin's tour: every page, in both themes, at desktop and phone widths (screenshots under
//! `target/screenshots/`), then a moderator's job: verifying an imported set-list.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use fantoccini::Locator;
use uuid::Uuid;

use super::{PASSWORD, email};
use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};
use theset_testkit::e2e::tour;

const SIZES: [(&str, u32, u32); 2] = [("desktop", 1280, 800), ("phone", 390, 844)];

/// A 1×1 light-blue PNG: every tile of the fake tile server.
const TILE_PNG: [u8; 69] = [
    0x89, 0x50, 0x4e, 0x47, 0xd, 0xa, 0x1a, 0xa, 0x0, 0x0, 0x0, 0xd, 0x49, 0x48, 0x44, 0x52, 0x0,
    0x0, 0x0, 0x1, 0x0, 0x0, 0x0, 0x1, 0x8, 0x2, 0x0, 0x0, 0x0, 0x90, 0x77, 0x53, 0xde, 0x0, 0x0,
    0x0, 0xc, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x98, 0x73, 0xec, 0x5, 0x0, 0x4, 0x4c, 0x2,
    0x4b, 0x63, 0xa2, 0xff, 0x9, 0x0, 0x0, 0x0, 0x0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
    0x82,
];

/// A tile server on loopback counting the tiles it serves; its `{z}/{x}/{y}` URL template.
async fn tile_server(hits: Arc<AtomicUsize>) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/{z}/{x}/{y}",
        axum::routing::get(move || {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                ([("content-type", "image/png")], TILE_PNG.to_vec())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}/{{z}}/{{x}}/{{y}}.png"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_both_themes_and_widths_then_a_moderator_verifies() -> anyhow::Result<()> {
    let display = Display::start()?;
    let home = tempfile::tempdir()?;
    let backend = Backend::start(Seed::Catalogue).await?;
    let admin = email("admin");
    let signup = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/signup", backend.url))
        .json(&serde_json::json!({
            "email": admin, "password": PASSWORD, "display_name": "Stage Manager",
            "device_id": Uuid::new_v4().to_string(),
        }))
        .send()
        .await?;
    assert!(signup.status().is_success(), "{}", signup.text().await?);
    backend.confirm(&admin).await?;
    backend.command(&["set-role", &admin, "admin"])?;

    let hits = Arc::new(AtomicUsize::new(0));
    let tiles = tile_server(hits.clone()).await?;
    let driver = Driver::start(
        &display,
        home.path(),
        &backend.url,
        &[("THESET_TILE_URL", &tiles)],
    )?;
    let ui = Ui {
        app: driver.session().await?,
    };
    ui.wait("#connection[data-state='Signed out']").await?;
    ui.nav("account").await?;
    screenshot(&ui.app, "page-sign-in").await?;
    ui.fill("#auth-email", &admin).await?;
    ui.fill("#auth-password", PASSWORD).await?;
    ui.click("#auth-submit").await?;
    ui.wait(".status-account").await?;
    ui.wait("[data-nav='moderation']").await?;

    for theme in ["dark", "light"] {
        let current = ui
            .app
            .execute("return document.documentElement.dataset.theme", vec![])
            .await?;
        if current.as_str() != Some(theme) {
            ui.click("#theme-toggle").await?;
        }
        for (size, w, h) in SIZES {
            ui.app.set_window_size(w, h).await?;
            tour(&ui, &format!("{theme}-{size}"), None).await?;
        }
    }
    ui.app.set_window_size(1280, 800).await?;
    // The maps' tiles came through the shell's tile scheme from the configured tile server.
    assert!(hits.load(Ordering::SeqCst) > 0, "no map tile was asked for");

    // A moderator verifies an imported set-list on its show's page: the artist of the latest
    // show with one, then that show as the artist page lists it.
    let mut db = backend.db().await?;
    let slug: String = sqlx::query_scalar(
        "SELECT a.slug FROM setlists l JOIN shows s ON s.id = l.show_id
         JOIN artists a ON a.id = s.headliner_artist_id
         WHERE l.kind = 'actual' AND l.moderation_status <> 'verified' AND s.date < current_date
         ORDER BY s.date DESC, a.slug LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    ui.fill("#search-input", &slug.replace('-', " ")).await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.click(&format!(".artist-card[data-slug='{slug}'] .link"))
        .await?;
    ui.wait("#artist-name").await?;
    let listed: Vec<Uuid> = ui
        .attrs("ul[aria-label='Past shows'] .show-row", "data-show")
        .await?
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    let _ = std::fs::write("/tmp/artist.html", ui.app.source().await?);
    let (setlist, show): (Uuid, Uuid) = sqlx::query_as(
        "SELECT l.id, l.show_id FROM setlists l JOIN shows s ON s.id = l.show_id
         WHERE l.kind = 'actual' AND l.moderation_status <> 'verified' AND l.show_id = ANY($1)
         ORDER BY s.date DESC LIMIT 1",
    )
    .bind(&listed)
    .fetch_one(&mut db)
    .await
    .with_context(|| {
        format!("no listed past show of {slug} has a set-list to verify: {listed:?}")
    })?;
    ui.click(&format!(".show-row[data-show='{show}'] .link"))
        .await?;
    ui.click("#setlist-verify").await?;
    let notice = ui.text("#actual .notice").await?;
    assert!(notice.contains("verified on this device"), "{notice}");
    // Saved on the device, then sent at once (the server is up): applied, and so shown.
    ui.wait("#actual .badge-accent").await?;
    ui.gone("#actual .pending-mark").await?;
    let status: String =
        sqlx::query_scalar("SELECT moderation_status::text FROM setlists WHERE id = $1")
            .bind(setlist)
            .fetch_one(&mut db)
            .await?;
    assert_eq!(status, "verified");
    let flags = ui.app.find_all(Locator::Css("#actual .badge")).await?;
    assert!(!flags.is_empty());
    screenshot(&ui.app, "flow-verified")
        .await
        .context("screenshot")?;
    ui.app.close().await?;
    Ok(())
}
