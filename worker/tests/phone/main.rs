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

/// The backend with the offline catalogue, serving the web app.
async fn backend() -> anyhow::Result<Backend> {
    let dist = web_app()?;
    Backend::start_with(
        Seed::Catalogue,
        &[("THESET_WEB_DIR", dist.to_str().context("web app path")?)],
    )
    .await
}
