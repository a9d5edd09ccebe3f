//! The real backend over a fresh database, as the end-to-end tests (the desktop window, the
//! phone's browser) meet it: music services and sign-in providers replayed from `fixtures/` by
//! `theset-backend replay`, as `cargo xtask run` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::Connection;
use uuid::Uuid;

use crate::process::{self, Killed as Guard};

/// The workspace root, resolved (no `..`: paths built from it are handed to other programs).
pub fn root() -> PathBuf {
    let clone = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(&clone).unwrap_or(clone)
}

/// The cargo profile folder that holds the running test's binaries (`target/debug`).
pub fn profile_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/debug/deps/<test>-<hash> → target/debug
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("test binary has no profile folder")
}

/// A catalogue artist with announced shows and songs, by name, from the fixtures' manifest (so
/// the end-to-end tests follow whatever catalogue the fixtures hold).
pub fn artist_with_shows() -> anyhow::Result<String> {
    let path = root().join("fixtures/catalogue/index.json");
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    index["artists"]
        .as_array()
        .context("artists")?
        .iter()
        .find(|a| {
            a["upcomingEvents"].as_array().is_some_and(|e| e.len() >= 2)
                && a["tracks"].as_u64().is_some_and(|t| t >= 5)
        })
        .and_then(|a| a["name"].as_str().map(str::to_owned))
        .context("no catalogue artist with shows and songs")
}

pub fn wait_for_port(port: u16, timeout: Duration) -> anyhow::Result<()> {
    if !process::wait_for_port(port, timeout) {
        bail!("nothing listens on 127.0.0.1:{port} after {timeout:?}")
    }
    Ok(())
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
        Self::start_with(seed, &[]).await
    }

    /// As [`Backend::start`], with more settings of the server (`THESET_WEB_DIR`…).
    pub async fn start_with(seed: Seed, settings: &[(&str, &str)]) -> anyhow::Result<Self> {
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
        let mut env =
            crate::replay_env::provider_env(&root(), &format!("http://127.0.0.1:{replay_port}"))?;
        env.push(("DATABASE_URL".into(), db_url.clone()));
        env.push(("RUST_LOG".into(), "warn".into()));
        env.extend(
            settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
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

    /// Confirms `address` as its owner pasting the mailed code in the app would: the password
    /// and sessions stay (`theset-backend confirm-email` proves as a stranger and clears them).
    pub async fn confirm(&self, address: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)")
            .bind(address)
            .execute(&mut self.db().await?)
            .await?;
        Ok(())
    }

    pub async fn db(&self) -> anyhow::Result<sqlx::PgConnection> {
        Ok(sqlx::PgConnection::connect(&self.db_url).await?)
    }

    /// A one-connection pool on the backend's database (for the test kit's account helpers).
    pub async fn pool(&self) -> anyhow::Result<sqlx::PgPool> {
        Ok(sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.db_url)
            .await?)
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

    /// The show of `artist` ten days ago, with an actual set-list of three of its songs: a recent
    /// show whose set-list fans still correct. (The replayed setlist.fm history is older than the
    /// 90 days a device keeps.)
    pub async fn recent_show_with_setlist(&self, artist: Uuid) -> anyhow::Result<Uuid> {
        let mut db = self.db().await?;
        let show: Uuid = sqlx::query_scalar(
            "INSERT INTO shows (name, headliner_artist_id, venue_id, date, status)
             SELECT 'Last week''s show', $1, venue_id, current_date - 10, 'completed'
             FROM shows WHERE headliner_artist_id = $1 AND venue_id IS NOT NULL LIMIT 1
             RETURNING id",
        )
        .bind(artist)
        .fetch_one(&mut db)
        .await?;
        sqlx::query(
            "INSERT INTO show_artists (show_id, artist_id, role) VALUES ($1, $2, 'headliner')",
        )
        .bind(show)
        .bind(artist)
        .execute(&mut db)
        .await?;
        let setlist: Uuid = sqlx::query_scalar(
            "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'actual', 'manual')
             RETURNING id",
        )
        .bind(show)
        .bind(artist)
        .fetch_one(&mut db)
        .await?;
        sqlx::query(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position)
             SELECT $1, s.id, s.title, row_number() OVER (ORDER BY s.title) - 1
             FROM songs s JOIN artist_songs a ON a.song_id = s.id WHERE a.artist_id = $2
             ORDER BY s.title LIMIT 3",
        )
        .bind(setlist)
        .bind(artist)
        .execute(&mut db)
        .await?;
        Ok(show)
    }

    /// A new account made through the API (sign-up, sign-in, address confirmed); its access token.
    pub async fn confirmed_account(&self, who: &str) -> anyhow::Result<String> {
        let address = crate::email(who);
        let http = reqwest::Client::new();
        let device = Uuid::new_v4().to_string();
        http.post(format!("{}/api/v1/auth/signup", self.url))
            .json(&serde_json::json!({
                "email": address, "password": crate::PASSWORD, "display_name": who, "device_id": device,
            }))
            .send()
            .await?
            .error_for_status()?;
        let pair: serde_json::Value = http
            .post(format!("{}/api/v1/auth/login", self.url))
            .json(&serde_json::json!({ "email": address, "password": crate::PASSWORD, "device_id": device }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        sqlx::query("UPDATE users SET email_verified_at = now() WHERE email = $1")
            .bind(&address)
            .execute(&mut self.db().await?)
            .await?;
        Ok(pair["access_token"].as_str().context("token")?.to_owned())
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

/// Saves a screenshot under `<target>/screenshots/` for people to look at.
pub async fn screenshot(app: &fantoccini::Client, name: &str) -> anyhow::Result<PathBuf> {
    let dir = profile_dir()?
        .parent()
        .context("the profile folder has no parent")?
        .join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, app.screenshot().await?)?;
    Ok(path)
}
