//! A tour of every page of the app by clicking, as a person would, with a screenshot of each:
//! the desktop window's and the phone's page tests both take it.

use crate::e2e::screenshot;
use crate::e2e::ui::Ui;

/// Visits every page by clicking, as a person would, and takes a picture of each.
pub async fn tour(ui: &Ui, tag: &str) -> anyhow::Result<()> {
    let shot = |page: &str| format!("page-{page}-{tag}");
    ui.home().await?;
    ui.wait("#local-artists .artist-card").await?;
    ui.wait(".show-list .show-row").await?;
    screenshot(&ui.app, &shot("home")).await?;

    ui.fill("#search-input", "the").await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.wait("#result-count").await?;
    screenshot(&ui.app, &shot("search")).await?;

    ui.home().await?;
    // An artist with shows to come: the first trending show's headliner.
    ui.click(".show-list .show-row .link").await?;
    ui.wait("main[data-page='show'] #show-title").await?;
    ui.wait(".venue-map svg").await?;
    screenshot(&ui.app, &shot("show")).await?;

    ui.click(".venue-block .link").await?;
    ui.wait("#venue-name").await?;
    screenshot(&ui.app, &shot("venue")).await?;

    ui.home().await?;
    ui.click("#local-artists .artist-card .link").await?;
    ui.wait("#artist-name").await?;
    screenshot(&ui.app, &shot("artist")).await?;

    ui.nav("venues").await?;
    ui.wait(".venue-list .venue-row").await?;
    screenshot(&ui.app, &shot("venues")).await?;
    ui.nav("dashboard").await?;
    ui.wait("#profile-name").await?;
    ui.wait(".stats").await?;
    screenshot(&ui.app, &shot("dashboard")).await?;
    ui.nav("moderation").await?;
    ui.wait("#flag-queue").await?;
    screenshot(&ui.app, &shot("moderation")).await?;
    ui.nav("account").await?;
    ui.wait("#signed-in-as").await?;
    screenshot(&ui.app, &shot("account")).await?;
    Ok(())
}
