//! Processes of the window test: Xvfb, the backend over its own database, tauri-driver. Each is
//! killed when its guard drops, so a failing test leaves nothing running.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;

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

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {timeout:?}")
}

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// The real backend binary over a fresh database loaded with the offline catalogue.
pub struct Backend {
    pub url: String,
    server: Option<Guard>,
    admin_url: String,
    db_name: String,
}

impl Backend {
    pub async fn start() -> anyhow::Result<Self> {
        let base =
            std::env::var("DATABASE_URL").context("DATABASE_URL (set by `cargo xtask test`)")?;
        let (admin_url, _) = base
            .rsplit_once('/')
            .context("DATABASE_URL has no database name")?;
        let admin_url = admin_url.to_owned();
        let db_name = format!("e2e_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&format!("{admin_url}/postgres")).await?;
        sqlx::query(&format!("CREATE DATABASE {db_name}"))
            .execute(&mut admin)
            .await?;
        let db_url = format!("{admin_url}/{db_name}");
        let bin = std::env::var("THESET_BACKEND_BIN")
            .map(PathBuf::from)
            .or_else(|_| profile_dir().map(|d| d.join("theset-backend")))?;
        let status = Command::new(&bin)
            .args(["seed", "--fixtures"])
            .arg(root().join("fixtures"))
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
            bail!("seeding failed: {status}");
        }
        let port = free_port()?;
        let server = Command::new(&bin)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &db_url)
            .env("RUST_LOG", "warn")
            .spawn()?;
        let server = Guard(server);
        wait_for_port(port, Duration::from_secs(20))?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            server: Some(server),
            admin_url,
            db_name,
        })
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
    pub fn start(display: &Display, data_home: &Path, api_url: &str) -> anyhow::Result<Self> {
        let port = free_port()?;
        let native = free_port()?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &display.name)
            .env("XDG_DATA_HOME", data_home)
            .env("THESET_API_URL", api_url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
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
        Ok(
            fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?,
        )
    }
}

/// Polls `check` until it answers true or `timeout` passes.
pub async fn poll<F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let start = Instant::now();
    let mut last_err = None;
    while start.elapsed() < timeout {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_err = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("timed out waiting for {what} (last error: {last_err:?})")
}

/// Saves a screenshot under `<target>/screenshots/` for people to look at.
pub async fn screenshot(app: &fantoccini::Client, name: &str) -> anyhow::Result<PathBuf> {
    let dir = profile_dir()?.join("..").join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, app.screenshot().await?)?;
    Ok(path)
}
