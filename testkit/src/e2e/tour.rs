//! A tour of every page of the app by clicking, as a person would, with a screenshot of each
//! (and, given an auditor, its accessibility violations): the desktop window's and the phone's
//! page tests both take it.

use crate::e2e::axe::Axe;
use crate::e2e::screenshot;
use crate::e2e::ui::Ui;

/// What the tour found on the pages it visited.
struct Seen<'a> {
    tag: &'a str,
    audit: Option<&'a Axe>,
    violations: Vec<String>,
}

impl Seen<'_> {
    async fn page(&mut self, ui: &Ui, page: &str) -> anyhow::Result<()> {
        screenshot(&ui.app, &format!("page-{page}-{}", self.tag)).await?;
        if let Some(axe) = self.audit {
            for v in axe.serious(&ui.app).await? {
                self.violations.push(format!("{page} ({}): {v}", self.tag));
            }
        }
        Ok(())
    }
}

/// Visits every page by clicking, as a person would, and takes a picture of each; with `audit`,
/// answers the serious and critical accessibility violations found on the way.
pub async fn tour(ui: &Ui, tag: &str, audit: Option<&Axe>) -> anyhow::Result<Vec<String>> {
    let mut seen = Seen {
        tag,
        audit,
        violations: Vec::new(),
    };
    ui.home().await?;
    ui.wait("#local-artists .artist-card").await?;
    ui.wait(".show-list .show-row").await?;
    seen.page(ui, "home").await?;

    ui.fill("#search-input", "the").await?;
    ui.click(".search-bar button[type='submit']").await?;
    ui.wait("#result-count").await?;
    seen.page(ui, "search").await?;

    ui.home().await?;
    // An artist with shows to come: the first trending show's headliner.
    ui.click(".show-list .show-row .link").await?;
    ui.wait("main[data-page='show'] #show-title").await?;
    ui.wait(".venue-map svg").await?;
    // The end-to-end backends run the offline demo catalogue: every page it fills says so.
    ui.wait("#demo-notice").await?;
    seen.page(ui, "show").await?;

    ui.click(".venue-block .link").await?;
    ui.wait("#venue-name").await?;
    ui.wait("#demo-notice").await?;
    seen.page(ui, "venue").await?;

    ui.home().await?;
    ui.click("#local-artists .artist-card .link").await?;
    ui.wait("#artist-name").await?;
    ui.wait("#demo-notice").await?;
    // A demo biography is never credited to Wikipedia.
    let credits = ui.texts("#bio-credit").await?;
    anyhow::ensure!(
        credits
            .iter()
            .all(|c| !c.contains("Wikipedia") || c.contains("not from Wikipedia")),
        "a demo biography credited to Wikipedia: {credits:?}"
    );
    seen.page(ui, "artist").await?;

    ui.nav("venues").await?;
    ui.wait(".venue-list .venue-row").await?;
    seen.page(ui, "venues").await?;
    ui.nav("shows").await?;
    ui.wait("main[data-page='shows'] .show-list .show-row")
        .await?;
    seen.page(ui, "shows").await?;
    ui.nav("dashboard").await?;
    ui.wait("#profile-name").await?;
    ui.wait(".stats").await?;
    seen.page(ui, "dashboard").await?;
    ui.click("#my-public-page").await?;
    ui.wait("#user-name").await?;
    ui.wait("#user-rank").await?;
    seen.page(ui, "user").await?;
    ui.nav("leaderboard").await?;
    ui.wait("main[data-page='leaderboard'] .card").await?;
    seen.page(ui, "leaderboard").await?;
    ui.click("#notifications-bell").await?;
    ui.wait("#notification-list").await?;
    ui.wait("#notification-prefs input").await?;
    seen.page(ui, "notifications").await?;
    ui.nav("moderation").await?;
    ui.wait("#flag-queue").await?;
    seen.page(ui, "moderation").await?;
    ui.nav("account").await?;
    ui.wait("#signed-in-as").await?;
    ui.wait("#profile-editor").await?;
    seen.page(ui, "account").await?;
    Ok(seen.violations)
}
