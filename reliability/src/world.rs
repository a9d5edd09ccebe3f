//! The suite's own database, its catalogue and accounts, and the backend process it kills.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sqlx::PgPool;
use theset_testkit::accounts::{self, NewAccount};
use uuid::Uuid;

pub struct Catalogue {
    pub artists: Vec<Artist>,
}

pub struct Artist {
    pub id: Uuid,
    pub shows: Vec<Uuid>,
    pub songs: Vec<Uuid>,
}

/// A fresh database `name` on the server of `admin_url`; returns its URL.
pub async fn fresh_database(admin_url: &str, name: &str) -> Result<String> {
    let admin = PgPool::connect(admin_url)
        .await
        .context("connecting to Postgres")?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

pub async fn seed(db: &PgPool, artists: usize, shows: usize, songs: usize) -> Result<Catalogue> {
    let mut out = Vec::new();
    for a in 0..artists {
        let id: Uuid =
            sqlx::query_scalar("INSERT INTO artists (name, slug) VALUES ($1, $2) RETURNING id")
                .bind(format!("Fault Band {a}"))
                .bind(format!("fault-band-{a}"))
                .fetch_one(db)
                .await?;
        let mut show_ids = Vec::new();
        for s in 0..shows {
            show_ids.push(
                sqlx::query_scalar(
                    "INSERT INTO shows (headliner_artist_id, date, status) \
                     VALUES ($1, current_date + $2, 'upcoming') RETURNING id",
                )
                .bind(id)
                .bind(i32::try_from(s).unwrap_or(0) + 10)
                .fetch_one(db)
                .await?,
            );
        }
        let mut song_ids = Vec::new();
        for n in 0..songs {
            let song: Uuid = sqlx::query_scalar(
                "INSERT INTO songs (title, normalized_title) VALUES ($1, lower($1)) RETURNING id",
            )
            .bind(format!("Song {a}-{n}"))
            .fetch_one(db)
            .await?;
            sqlx::query("INSERT INTO artist_songs (artist_id, song_id) VALUES ($1, $2)")
                .bind(id)
                .bind(song)
                .execute(db)
                .await?;
            song_ids.push(song);
        }
        out.push(Artist {
            id,
            shows: show_ids,
            songs: song_ids,
        });
    }
    Ok(Catalogue { artists: out })
}

/// An account with a native session valid for the run: `(user, access, refresh)`.
pub async fn account(db: &PgPool, n: usize) -> Result<(Uuid, String, String)> {
    let email = format!("fan{n}@faults.test");
    let name = format!("Fan {n}");
    let device = format!("device-{n}");
    let s = accounts::session(
        db,
        NewAccount {
            email: &email,
            display_name: &name,
            device: &device,
            ..NewAccount::default()
        },
    )
    .await?;
    Ok((s.user, s.access, s.refresh))
}

/// The backend as a process, killed with SIGKILL and started again on the same port.
pub struct Backend {
    bin: PathBuf,
    database_url: String,
    pub addr: SocketAddr,
    child: Option<Child>,
    pub kills: u32,
}

impl Backend {
    pub fn new(bin: PathBuf, database_url: String, addr: SocketAddr) -> Self {
        Self {
            bin,
            database_url,
            addr,
            child: None,
            kills: 0,
        }
    }

    pub fn run_once(&self, args: &[&str]) -> Result<()> {
        let status = Command::new(&self.bin)
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .status()
            .with_context(|| format!("running {}", self.bin.display()))?;
        if !status.success() {
            bail!("{} {args:?} failed: {status}", self.bin.display());
        }
        Ok(())
    }

    pub async fn start(&mut self) -> Result<()> {
        let child = Command::new(&self.bin)
            .args(["serve", "--listen", &self.addr.to_string()])
            .env("DATABASE_URL", &self.database_url)
            .env("THESET_CRON", "off")
            .env("RUST_LOG", "warn")
            .stdout(self.log()?)
            .stderr(self.log()?)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        self.child = Some(child);
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the backend did not come up on {}", self.addr)
    }

    /// The backend's log, appended across restarts (`THESET_FAULT_LOG`, else the temp folder).
    fn log(&self) -> Result<std::fs::File> {
        let path = std::env::var("THESET_FAULT_LOG")
            .map(PathBuf::from)
            .unwrap_or_else(|_| std::env::temp_dir().join("theset-reliability-backend.log"));
        Ok(std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?)
    }

    /// SIGKILL: no shutdown, no flushing, open transactions die with the process.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
            self.kills += 1;
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
