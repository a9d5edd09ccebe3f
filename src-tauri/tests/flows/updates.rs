//! The app's own updates, as a release would serve them: a local update server publishes a newer
//! version whose package is signed with a key pair made for the test (minisign, as Tauri's signer
//! makes them). The app, given the public key, downloads and verifies the package and offers it;
//! a manifest whose signature comes from another key is refused and said so, never offered.

use std::io::Cursor;

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minisign::KeyPair;

use crate::harness::ui::Ui;
use crate::harness::{Backend, Display, Driver, Seed, screenshot};

const NEWER: &str = "99.0.0";

/// A manifest for `NEWER` whose package at `url` is signed by `signer`.
fn manifest(url: &str, package: &[u8], signer: &KeyPair) -> anyhow::Result<String> {
    let signature = minisign::sign(
        Some(&signer.pk),
        &signer.sk,
        Cursor::new(package),
        Some(&format!(
            "timestamp:1764547200\tfile:TheSet.deb\tversion:{NEWER}"
        )),
        Some("signature from the test's release key"),
    )?;
    let signature = STANDARD.encode(signature.into_string());
    let entry = serde_json::json!({ "url": url, "signature": signature });
    Ok(serde_json::json!({
        "version": NEWER,
        "notes": "Faster live totals.",
        "pub_date": "2026-12-01T00:00:00Z",
        "platforms": { "linux-x86_64": entry, "linux-x86_64-deb": entry },
    })
    .to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_update_is_offered_and_a_forged_one_refused() -> anyhow::Result<()> {
    let release = KeyPair::generate_unencrypted_keypair()?;
    let stranger = KeyPair::generate_unencrypted_keypair()?;
    let pubkey = STANDARD.encode(release.pk.to_box()?.into_string());
    let package: &'static [u8] = b"the bytes of TheSet 99.0.0's package";

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let url = format!("{base}/TheSet.deb");
    let (good, forged) = (
        manifest(&url, package, &release)?,
        manifest(&url, package, &stranger)?,
    );
    let server = Router::new()
        .route("/good.json", get(move || async move { good }))
        .route("/forged.json", get(move || async move { forged }))
        .route("/TheSet.deb", get(move || async move { package }));
    tokio::spawn(async move { axum::serve(listener, server).await });

    let display = Display::start()?;
    let backend = Backend::start(Seed::Catalogue).await?;

    // Signed by the release key: downloaded, verified, offered with its notes.
    let home = tempfile::tempdir()?;
    let good_url = format!("{base}/good.json");
    let driver = Driver::start(
        &display,
        home.path(),
        &backend.url,
        &[
            ("THESET_UPDATE_URL", &good_url),
            ("THESET_UPDATE_PUBKEY", &pubkey),
        ],
    )?;
    let ui = Ui {
        app: driver.session().await?,
    };
    let offer = ui
        .wait(&format!("#update-offer[data-version='{NEWER}']"))
        .await?;
    assert!(offer.text().await?.contains("Faster live totals."));
    let install = ui.wait("#update-install").await?;
    assert_eq!(
        install.attr("disabled").await?,
        None,
        "nothing waits to be sent: installing may restart the app"
    );
    screenshot(&ui.app, "update-offered").await?;
    ui.app.close().await?;
    drop(driver);

    // Signed by another key: refused, said, never offered.
    let home = tempfile::tempdir()?;
    let forged_url = format!("{base}/forged.json");
    let driver = Driver::start(
        &display,
        home.path(),
        &backend.url,
        &[
            ("THESET_UPDATE_URL", &forged_url),
            ("THESET_UPDATE_PUBKEY", &pubkey),
        ],
    )?;
    let ui = Ui {
        app: driver.session().await?,
    };
    let refused = ui
        .wait(&format!("#update-refused[data-version='{NEWER}']"))
        .await?;
    assert!(refused.text().await?.contains("signature"));
    assert!(
        ui.app
            .find_all(fantoccini::Locator::Css("#update-offer"))
            .await?
            .is_empty(),
        "a package with a foreign signature is never offered"
    );
    screenshot(&ui.app, "update-refused").await?;
    ui.app.close().await?;
    Ok(())
}
