//! Processes of the window test: Xvfb, the backend over its own database, tauri-driver. Each is
//! killed when its guard drops, so a failing test leaves nothing running.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;
use theset_testkit::process::{self, Killed as Guard};

/// The workspace root (this crate is `src-tauri/`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cargo target profile folder that holds this test's binaries (`target/debug`).
fn profile_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/debug/deps/window-<hash> → target/debug
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("test binary has no profile folder")
}

fn wait_for_port(port: u16, timeout: Duration) -> anyhow::Result<()> {
    if !process::wait_for_port(port, timeout) {
        bail!("nothing listens on 127.0.0.1:{port} after {timeout:?}")
    }
    Ok(())
}

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

/// What the fresh database starts with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// The offline catalogue loaded straight into the database.
    Catalogue,
    /// Nothing: artists arrive through search and import.
    Empty,
}

/// The real backend binary over a fresh database, with the music services and the sign-in
/// providers replayed from fixtures/ by `theset-backend replay` (as `cargo xtask run` does).
pub struct Backend {
    pub url: String,
    pub db_url: String,
    port: u16,
    bin: PathBuf,
    env: Vec<(String, String)>,
    server: Option<Guard>,
    _replay: Guard,
    admin_url: String,
    db_name: String,
}

impl Backend {
    pub async fn start(seed: Seed) -> anyhow::Result<Self> {
        let base =
            std::env::var("DATABASE_URL").context("DATABASE_URL (set by `cargo xtask test`)")?;
        let (admin_url, _) = base
            .rsplit_once('/')
            .context("DATABASE_URL has no database name")?;
        let admin_url = admin_url.to_owned();
        let db_name = format!("e2e_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&format!("{admin_url}/postgres")).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db_name}")))
            .execute(&mut admin)
            .await?;
        let db_url = format!("{admin_url}/{db_name}");
        let bin = std::env::var("THESET_BACKEND_BIN")
            .map(PathBuf::from)
            .or_else(|_| profile_dir().map(|d| d.join("theset-backend")))?;
        let mut prepare = Command::new(&bin);
        match seed {
            Seed::Catalogue => prepare
                .args(["seed", "--fixtures"])
                .arg(root().join("fixtures")),
            Seed::Empty => prepare.arg("migrate"),
        };
        let status = prepare
            .env("DATABASE_URL", &db_url)
            .env("RUST_LOG", "warn")
            .status()
            .with_context(|| {
                format!(
                    "running {} (build it with `cargo build -p theset-backend`)",
                    bin.display()
                )
            })?;
        if !status.success() {
            bail!("preparing the database failed: {status}");
        }
        let replay_port = process::free_port();
        let replay = Guard(
            Command::new(&bin)
                .args([
                    "replay",
                    "--listen",
                    &format!("127.0.0.1:{replay_port}"),
                    "--fixtures",
                ])
                .arg(root().join("fixtures"))
                .env("RUST_LOG", "warn")
                .spawn()?,
        );
        wait_for_port(replay_port, Duration::from_secs(20))?;
        let port = process::free_port();
        let mut env = theset_testkit::replay_env::provider_env(
            &root(),
            &format!("http://127.0.0.1:{replay_port}"),
        )?;
        env.push(("DATABASE_URL".into(), db_url.clone()));
        env.push(("RUST_LOG".into(), "warn".into()));
        env.push((
            "THESET_PUBLIC_URL".into(),
            format!("http://127.0.0.1:{port}/"),
        ));
        let mut backend = Self {
            url: format!("http://127.0.0.1:{port}"),
            db_url,
            port,
            bin,
            env,
            server: None,
            _replay: replay,
            admin_url,
            db_name,
        };
        backend.restart()?;
        Ok(backend)
    }

    /// Serves on another port (an app pointed at the old one no longer reaches it), or back on
    /// `port`.
    pub fn restart_on(&mut self, port: u16) -> anyhow::Result<()> {
        self.port = port;
        self.url = format!("http://127.0.0.1:{port}");
        self.restart()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn free_port() -> u16 {
        process::free_port()
    }

    /// (Re)starts the server on the same port, so an app pointed at it finds it again.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.server = None;
        let server = Command::new(&self.bin)
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .spawn()?;
        self.server = Some(Guard(server));
        wait_for_port(self.port, Duration::from_secs(20))
    }

    /// Runs a backend subcommand against this database (`set-role EMAIL ROLE`).
    pub fn command(&self, args: &[&str]) -> anyhow::Result<()> {
        let status = Command::new(&self.bin)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .status()?;
        if !status.success() {
            bail!("theset-backend {args:?} failed: {status}");
        }
        Ok(())
    }

    pub async fn db(&self) -> anyhow::Result<sqlx::PgConnection> {
        Ok(sqlx::PgConnection::connect(&self.db_url).await?)
    }

    /// All artist names as the API lists them (name order): what the UI must show.
    pub async fn artist_names(&self) -> anyhow::Result<Vec<String>> {
        let page: serde_json::Value =
            reqwest::get(format!("{}/api/v1/artists?limit=100", self.url))
                .await?
                .error_for_status()?
                .json()
                .await?;
        Ok(page["items"]
            .as_array()
            .context("items")?
            .iter()
            .filter_map(|a| a["name"].as_str().map(str::to_owned))
            .collect())
    }

    /// GET of the API as JSON (public routes).
    pub async fn get(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        Ok(reqwest::get(format!("{}/api/v1{path}", self.url))
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    pub fn stop(&mut self) {
        self.server = None;
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.server = None;
        // Best effort: a leftover e2e database is harmless, but keep the cluster tidy.
        let _ = Command::new("psql")
            .arg(format!("{}/postgres", self.admin_url))
            .args([
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db_name),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
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
        let port = process::free_port();
        let native = process::free_port();
        let mut command = Command::new("tauri-driver");
        command.envs(env.iter().copied());
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
            .env("THESET_API_URL", api_url)
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
        let app = PathBuf::from(env!("CARGO_BIN_EXE_theset-desktop"));
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

/// Saves a screenshot under `<target>/screenshots/` for people to look at.
pub async fn screenshot(app: &fantoccini::Client, name: &str) -> anyhow::Result<PathBuf> {
    let dir = profile_dir()?.join("..").join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, app.screenshot().await?)?;
    Ok(path)
}
pub mod ui;
