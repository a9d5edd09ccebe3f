//! Processes of the window test: Xvfb and tauri-driver (the backend comes from the test kit).
//! Each is killed when its guard drops, so a failing test leaves nothing running.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use theset_testkit::e2e::wait_for_port;
use theset_testkit::process::{self, Killed as Guard};

pub use theset_testkit::e2e::{Backend, Seed, screenshot};

/// A private X server.
pub struct Display {
    pub name: String,
    _x: Guard,
}

impl Display {
    pub fn start() -> anyhow::Result<Self> {
        let first = 90 + std::process::id() % 400;
        let n = (first..first + 50)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .context("no free X display")?;
        let name = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb (installed by `cargo xtask test`)")?;
        let guard = Guard(child);
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("Xvfb {name} did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { name, _x: guard })
    }
}

/// tauri-driver (which starts WebKitWebDriver, which starts the app) with the test's environment.
pub struct Driver {
    port: u16,
    _driver: Guard,
}

impl Driver {
    /// `home` holds the app's data and config (tokens' key) folders; `env` adds settings of the
    /// app (`THESET_BROWSER`, the program that stands in for the system browser in sign-in
    /// flows; `THESET_TILE_URL`).
    pub fn start(
        display: &Display,
        home: &Path,
        api_url: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        Self::launch(display, home, Some(api_url), env)
    }

    /// As a newly installed app: no `THESET_API_URL`, so the server is the user's choice.
    pub fn unpinned(display: &Display, home: &Path) -> anyhow::Result<Self> {
        Self::launch(display, home, None, &[])
    }

    fn launch(
        display: &Display,
        home: &Path,
        api_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let port = process::free_port();
        let native = process::free_port();
        let mut command = Command::new("tauri-driver");
        command.envs(env.iter().copied());
        match api_url {
            Some(api) => command.env("THESET_API_URL", api),
            None => command.env_remove("THESET_API_URL"),
        };
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &display.name)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("RUST_LOG", "warn")
            // The app's own log (it inherits these) is kept beside its data for post-mortems.
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(home.join("app.log"))?,
            )
            .spawn()
            .context("starting tauri-driver (installed by `cargo xtask test`)")?;
        let guard = Guard(child);
        wait_for_port(port, Duration::from_secs(20))?;
        Ok(Self {
            port,
            _driver: guard,
        })
    }

    /// A WebDriver session, which launches a fresh app process.
    pub async fn session(&self) -> anyhow::Result<fantoccini::Client> {
        self.session_of(&PathBuf::from(env!("CARGO_BIN_EXE_theset-desktop")))
            .await
    }

    /// A session of the app at `app` (an installed copy, say).
    pub async fn session_of(&self, app: &Path) -> anyhow::Result<fantoccini::Client> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.canonicalize()? }),
        );
        // tauri-driver listens before the WebKitWebDriver behind it does: retry a refused start.
        let mut tries = 0;
        loop {
            let started = fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await;
            match started {
                Ok(c) => return Ok(c),
                Err(e) if tries < 40 => {
                    tries += 1;
                    eprintln!("webdriver session not ready yet: {e}");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

pub use theset_testkit::e2e::ui;
