//! Headless Chromium as a phone (Debian's `chromium` and `chromium-driver`, installed by the
//! services script): 390×844 at 3× with touch, one profile folder per phone (the same folder
//! again is the same phone after the browser closes), and the network as the venue has it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::wait_for_port;
use crate::process::{self, Killed};
use anyhow::Context;

pub struct Chrome {
    port: u16,
    _driver: Killed,
}

/// The network a phone has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Online,
    Offline,
    /// A venue's link: 2 s latency, 32 kbit/s down, 16 kbit/s up.
    Venue,
}

impl Chrome {
    pub fn start() -> anyhow::Result<Self> {
        let port = process::free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (installed by `cargo xtask test`)")?;
        let driver = Killed(child);
        wait_for_port(port, Duration::from_secs(20))?;
        Ok(Self {
            port,
            _driver: driver,
        })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A phone whose browser keeps its data in `profile`.
    pub async fn phone(&self, profile: &Path) -> anyhow::Result<fantoccini::Client> {
        self.session(profile, true).await
    }

    /// A desktop browser (1280×800, a mouse) keeping its data in `profile`.
    pub async fn desktop(&self, profile: &Path) -> anyhow::Result<fantoccini::Client> {
        let app = self.session(profile, false).await?;
        app.set_window_size(1280, 800).await?;
        Ok(app)
    }

    async fn session(&self, profile: &Path, phone: bool) -> anyhow::Result<fantoccini::Client> {
        let mut caps = serde_json::json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }
        });
        if phone {
            caps["goog:chromeOptions"]["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3, "touch": true }
            });
        }
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("a JSON object")
        };
        Ok(
            fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps)
            .connect(&self.url())
            .await?,
        )
    }

    /// Chromium's own WebDriver commands, which fantoccini does not know.
    async fn command(
        &self,
        phone: &fantoccini::Client,
        path: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let id = phone.session_id().await?.context("no session")?;
        let res = reqwest::Client::new()
            .post(format!("{}/session/{id}/{path}", self.url()))
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let answer: serde_json::Value = res.json().await?;
        anyhow::ensure!(status.is_success(), "{path}: {status} {answer}");
        Ok(answer["value"].clone())
    }

    pub async fn network(&self, phone: &fantoccini::Client, net: Net) -> anyhow::Result<()> {
        let (offline, latency, down, up) = match net {
            Net::Online => (false, 0, -1, -1),
            Net::Offline => (true, 0, 0, 0),
            Net::Venue => (false, 2_000, 32_000 / 8, 16_000 / 8),
        };
        self.command(
            phone,
            "chromium/network_conditions",
            serde_json::json!({ "network_conditions": {
                "offline": offline, "latency": latency,
                "download_throughput": down, "upload_throughput": up,
            }}),
        )
        .await
        .map(drop)
    }

    /// Puts the phone at a place, as its GPS would, and lets `origin` ask for it (the prompt a
    /// person would answer).
    pub async fn locate(
        &self,
        phone: &fantoccini::Client,
        origin: &str,
        latitude: f64,
        longitude: f64,
    ) -> anyhow::Result<()> {
        self.command(
            phone,
            "goog/cdp/execute",
            serde_json::json!({ "cmd": "Browser.grantPermissions", "params": {
                "origin": origin, "permissions": ["geolocation"],
            }}),
        )
        .await?;
        self.command(
            phone,
            "goog/cdp/execute",
            serde_json::json!({ "cmd": "Emulation.setGeolocationOverride", "params": {
                "latitude": latitude, "longitude": longitude, "accuracy": 10,
            }}),
        )
        .await
        .map(drop)
    }

    /// What the page and its workers wrote to the console (for failure messages).
    pub async fn console(&self, phone: &fantoccini::Client) -> String {
        match self
            .command(phone, "se/log", serde_json::json!({ "type": "browser" }))
            .await
        {
            Ok(serde_json::Value::Array(lines)) => lines
                .iter()
                .filter_map(|l| l["message"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(other) => other.to_string(),
            Err(e) => format!("(no console: {e})"),
        }
    }
}
