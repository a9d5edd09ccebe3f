//! Driving the app like a person (the desktop window or the phone's browser): wait for things to
//! appear, click them, type.

use std::time::{Duration, Instant};

use anyhow::bail;
use fantoccini::Locator;
use fantoccini::elements::Element;

/// Long enough for a debug build under load on two cores; a passing step returns at once.
const WAIT: Duration = Duration::from_secs(60);

pub struct Ui {
    pub app: fantoccini::Client,
}

impl Ui {
    /// The first element matching `css`, once there is one.
    pub async fn wait(&self, css: &str) -> anyhow::Result<Element> {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.app.find(Locator::Css(css)).await {
                return Ok(e);
            }
            if start.elapsed() > WAIT {
                bail!(
                    "nothing matches {css} after {WAIT:?}; the window shows: {}",
                    self.visible().await
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The window's text (status bar and page), for failure messages.
    pub async fn visible(&self) -> String {
        let mut out = String::new();
        for css in ["#connection", ".rejected", "main"] {
            if let Ok(e) = self.app.find(Locator::Css(css)).await {
                out.push_str(&e.text().await.unwrap_or_default());
                out.push_str(" | ");
            }
        }
        out
    }

    /// Waits until no part of the page says it is loading.
    pub async fn settled(&self) -> anyhow::Result<()> {
        self.gone(".loading").await
    }

    /// Waits until nothing matches `css`.
    pub async fn gone(&self, css: &str) -> anyhow::Result<()> {
        let start = Instant::now();
        while self.app.find(Locator::Css(css)).await.is_ok() {
            if start.elapsed() > WAIT {
                bail!("{css} still there after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        Ok(())
    }

    /// Clicks the first element matching `css`, once the page has loaded what it is loading (a
    /// list arriving above the target would move it under the pointer).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.settled().await?;
        // A list re-rendered between finding and tapping (a sync reordering it) leaves a stale
        // element, or something covers it for a moment: find it again, as a person's eye would.
        let mut tries = 0;
        loop {
            let target = self.wait(css).await?;
            let tapped = match self.scroll_to(&target).await {
                Ok(()) => target.click().await.map_err(anyhow::Error::from),
                Err(e) => Err(e),
            };
            match tapped {
                Ok(()) => return Ok(()),
                Err(e) if tries < 3 && e.to_string().contains("stale element") => tries += 1,
                // Something moved over it between scrolling and tapping (a status line growing,
                // a list arriving): look again and tap where it is now.
                Err(e) if tries < 3 && e.to_string().contains("click intercepted") => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => return Err(e.context(format!("clicking {css}"))),
            }
        }
    }

    /// Scrolls `e` to the middle of the screen, as a person does before tapping it: WebDriver
    /// scrolls only until it shows, which on a phone can leave it under the bottom navigation.
    async fn scroll_to(&self, e: &Element) -> anyhow::Result<()> {
        let arg = serde_json::to_value(e)?;
        self.app
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await?;
        Ok(())
    }

    /// Clicks the first element matching `css` whose text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.settled().await?;
        let start = Instant::now();
        loop {
            for e in self.app.find_all(Locator::Css(css)).await? {
                if e.text().await.unwrap_or_default().contains(text) {
                    self.scroll_to(&e).await?;
                    e.click().await?;
                    return Ok(());
                }
            }
            if start.elapsed() > WAIT {
                bail!("no {css} with text {text:?} after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.wait(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Values of `attr` of every element matching `css`, in screen order.
    pub async fn attrs(&self, css: &str, attr: &str) -> anyhow::Result<Vec<String>> {
        self.wait(css).await?;
        let mut out = Vec::new();
        for e in self.app.find_all(Locator::Css(css)).await? {
            out.extend(e.attr(attr).await?);
        }
        Ok(out)
    }

    /// The texts of every element matching `css` now (none is fine: no waiting).
    pub async fn texts(&self, css: &str) -> anyhow::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in self.app.find_all(Locator::Css(css)).await? {
            out.push(e.text().await?);
        }
        Ok(out)
    }

    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.wait(css).await?.text().await?)
    }

    pub async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.wait(css).await?.attr(name).await?)
    }

    /// Opens a page from the main navigation and waits for it.
    pub async fn nav(&self, page: &str) -> anyhow::Result<()> {
        self.click(&format!("[data-nav='{page}']")).await?;
        self.wait(&format!("main[data-page='{page}']")).await?;
        Ok(())
    }

    pub async fn home(&self) -> anyhow::Result<()> {
        self.click(".brand .link").await?;
        self.wait("main[data-page='home']").await?;
        Ok(())
    }

    /// Waits until a service worker controls the page (the web app can then open offline).
    pub async fn service_worker_ready(&self) -> anyhow::Result<()> {
        self.until_js(
            "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)",
            "the service worker never took the page",
        )
        .await
    }

    /// Waits until `script` (a function body run in the page, possibly async) returns `true`.
    pub async fn until_js(&self, script: &str, what: &str) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if self.app.execute(script, vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if start.elapsed() > WAIT * 2 {
                bail!("{what} after {:?}", WAIT * 2);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
