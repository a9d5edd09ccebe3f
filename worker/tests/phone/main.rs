//! TheSet on a phone: the web app served by the real backend, in headless Chromium with phone
//! emulation, through network cuts, a venue's slow link, restarts and a second tab. Run by
//! `cargo xtask test` after the UI is built (it serves `app/dist`).

mod fan;
mod mailed_link;
mod near_me;
mod pages;
mod provider_sign_in;
mod two_tabs;
mod updated;

use std::path::PathBuf;

use anyhow::Context;
use theset_testkit::e2e::{Backend, Seed, root};

/// The built web app; `cargo xtask test` (or `cargo xtask build-ui`) makes it.
fn web_app() -> anyhow::Result<PathBuf> {
    let dist = root().join("app/dist");
    anyhow::ensure!(
        dist.join("shell.json").is_file(),
        "no web app in {} (run `cargo xtask build-ui`)",
        dist.display()
    );
    Ok(dist)
}

/// A copy of the built web app that a test may change (break, or publish a newer build into).
fn web_app_copy() -> anyhow::Result<tempfile::TempDir> {
    let copy = tempfile::tempdir()?;
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(web_app()?.join("."))
        .arg(copy.path())
        .status()?;
    anyhow::ensure!(status.success(), "copying the web app");
    Ok(copy)
}

/// The backend with the offline catalogue, serving the web app.
async fn backend() -> anyhow::Result<Backend> {
    let dist = web_app()?;
    Backend::start_with(
        Seed::Catalogue,
        &[("THESET_WEB_DIR", dist.to_str().context("web app path")?)],
    )
    .await
}
