//! The project's two commands, the conventional Rust way:
//!
//! - `cargo xtask run`: install what is missing, start Postgres, migrate, load the offline
//!   catalogue when no API keys are set, start the backend and open the desktop app.
//! - `cargo xtask test`: install what is missing, start services, check formatting and lints,
//!   build every crate once (dev profile, one target folder) and run every test, including the
//!   real-window test under Xvfb.
//!
//! Other subcommands: `build-ui` (wasm UI into `app/dist`), `package` (.deb and .rpm of the
//! desktop app), `dist` (the deployable backend, see `dist.rs`), `services start|stop`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

mod api_checks;
mod dist;
mod layout;
mod package;
mod web;

fn main() -> ExitCode {
    STARTED.get_or_init(Instant::now);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("api-checks") => services(&["test-deps"])
            .and_then(|_| services(&["start"]))
            .and_then(|_| services_env())
            .and_then(|env| api_checks::fuzz().and_then(|_| api_checks::schemathesis(&env))),
        Some("reliability") => services(&["test-deps"])
            .and_then(|_| services(&["start"]))
            .and_then(|_| services_env())
            .and_then(|env| reliability(&env)),
        Some("build-ui") => services(&["deps"]).and_then(|_| build_ui()),
        // `--check`: what the test command checks of it (dev build, staged in target/dist-check).
        Some("dist") if args.get(1).is_some_and(|a| a == "--check") => services(&["test-deps"])
            .and_then(|_| services(&["start"]))
            .and_then(|_| services_env())
            .and_then(|env| dist::check_dist(&env)),
        Some("dist") => services(&["dist-deps"]).and_then(|_| dist::dist()),
        Some("package") => services(&["deps"]).and_then(|_| package::package()),
        Some("sqlx-prepare") => services(&["deps"])
            .and_then(|_| services(&["start"]))
            .and_then(|_| services_env())
            .and_then(|env| sqlx_prepare(&env)),
        Some("services") => services(&args[1..].iter().map(String::as_str).collect::<Vec<_>>()),
        _ => {
            eprintln!(
                "usage: cargo xtask run | test [nextest filters] | bench [--release | --scale] | package | dist [--check] | reliability | api-checks | build-ui | sqlx-prepare | services start|stop|deps|test-deps|dist-deps"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\x1b[1;31mxtask: {e:#}\x1b[0m");
            ExitCode::FAILURE
        }
    }
}

/// The clone being worked on, normalized (see `layout`). `cargo run` names the package's folder
/// at run time; the path baked in at build time is only the fallback, because cargo does not
/// re-copy an up-to-date binary when another clone sharing the same `CARGO_TARGET_DIR` built it
/// last (CI's clone), and that binary would otherwise work on the other clone.
pub(crate) fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    layout::root_from(&manifest)
}

/// Where cargo puts builds: `CARGO_TARGET_DIR` when set (CI keeps it outside the clone),
/// normalized either way.
pub(crate) fn target_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root());
    layout::target_from(std::env::var_os("CARGO_TARGET_DIR"), &root(), &cwd)
}

/// When this task started: each step says how long after it began.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

pub(crate) fn step(what: &str) {
    let at = STARTED.get_or_init(Instant::now).elapsed().as_secs();
    eprintln!(
        "\x1b[1;32m==>\x1b[0m [{:02}:{:02}] {what}",
        at / 60,
        at % 60
    );
}

pub(crate) fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root());
    c
}

pub(crate) fn check(c: &mut Command) -> anyhow::Result<()> {
    let status = c.status().with_context(|| format!("starting {c:?}"))?;
    if !status.success() {
        bail!("{c:?} failed: {status}");
    }
    Ok(())
}

fn services(args: &[&str]) -> anyhow::Result<()> {
    check(cmd("bash").arg("scripts/services.sh").args(args))
}

/// The local run's token secret (`target/services/token-secret`, made once, readable by root
/// only).
fn local_secret() -> anyhow::Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let path = root().join("target/services/token-secret");
    if let Ok(s) = std::fs::read_to_string(&path)
        && s.trim().len() >= 32
    {
        return Ok(s.trim().to_owned());
    }
    let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut secret = String::new();
    while secret.len() < 48 {
        for b in random_bytes()? {
            // 248 = 4 × 62: bytes above it would favour the first characters.
            if b < 248 && secret.len() < 48 {
                secret.push(char::from(chars[usize::from(b) % chars.len()]));
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &secret)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(secret)
}

/// Random bytes from the kernel (xtask has no random-number crate of its own).
fn random_bytes() -> anyhow::Result<[u8; 64]> {
    use std::io::Read;
    let mut b = [0u8; 64];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .context("reading /dev/urandom")?;
    Ok(b)
}

/// `KEY=VALUE` lines from `scripts/services.sh env`.
fn services_env() -> anyhow::Result<HashMap<String, String>> {
    let out = cmd("bash").args(["scripts/services.sh", "env"]).output()?;
    if !out.status.success() {
        bail!("scripts/services.sh env failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect())
}

/// The Dioxus UI as wasm + JS glue in `app/dist`, which the Tauri crate embeds at compile time
/// and the backend serves as the web app (with the offline core's worker in `app/dist/worker`,
/// the service worker and its list of files, the web manifest and icons).
pub(crate) fn build_ui() -> anyhow::Result<()> {
    step("building the UI and the web app's worker (wasm)");
    // Optimised: the debug bundle is three times the size and doubles the app's cold start
    // (see the cold_start benchmark); the release build of the UI alone takes about a minute.
    check(cmd("cargo").args([
        "build",
        "-p",
        "theset-app",
        "-p",
        "theset-worker",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm",
    ]))?;
    let out = target_dir().join("wasm32-unknown-unknown/wasm");
    // Built whole into a fresh stage, then published into app/dist under content-hashed names.
    let stage = target_dir().join("web-stage");
    if stage.exists() {
        std::fs::remove_dir_all(&stage)?;
    }
    bindgen(&out.join("theset-app.wasm"), &stage, "theset_app")?;
    bindgen(
        &out.join("theset_worker.wasm"),
        &stage.join("worker"),
        "theset_worker",
    )?;
    let statics = root().join("app/static");
    for file in [
        "index.html",
        "boot.js",
        "worker.js",
        "sw.js",
        "manifest.webmanifest",
    ] {
        std::fs::copy(statics.join(file), stage.join(file))?;
    }
    std::fs::copy(
        root().join("assets/styles/theme.css"),
        stage.join("theme.css"),
    )?;
    for icon in ["icon-192.png", "icon-512.png"] {
        std::fs::copy(root().join("assets/icons").join(icon), stage.join(icon))?;
    }
    web::publish(&stage, &root().join("app/dist"))
}

/// `wasm-bindgen --target web` of `wasm` into `dir` as `name`.
fn bindgen(wasm: &Path, dir: &Path, name: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    check(
        cmd("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                name,
                "--out-dir",
            ])
            .arg(dir)
            .arg(wasm),
    )?;
    Ok(())
}

/// Writes only when the content differs, so an unchanged UI does not force a Tauri rebuild.
fn copy_if_changed_bytes(new: &[u8], to: &Path) -> anyhow::Result<()> {
    if std::fs::read(to).ok().as_deref() != Some(new) {
        std::fs::write(to, new)?;
    }
    Ok(())
}

fn test(filters: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    step("installing what is missing and starting services");
    services(&["test-deps"])?;
    services(&["start"])?;
    let env = services_env()?;

    step("cargo fmt --check");
    check(cmd("cargo").args(["fmt", "--all", "--", "--check"]))?;
    build_ui()?;
    step("clippy (every crate, tests included)");
    check(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("clippy (the browser's crates, for wasm)");
    check(cmd("cargo").args([
        "clippy",
        "-p",
        "theset-app",
        "-p",
        "theset-worker",
        "-p",
        "theset-client",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Test builds also build the binaries the end-to-end tests start (backend, desktop app), with
    // the same features as the tests, so dependencies compile once.
    step("running every test");
    let nextest = Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    // The window and phone tests run after the others, not beside them: each starts a backend
    // that imports artists on the shared Postgres cluster, and the live-update tests read change
    // feeds that wait for the cluster's oldest open transaction. The three-instance test (a
    // 10,000-vote burst) runs last, alone, for the same reason.
    let passes: Vec<Vec<&str>> = if nextest && filters.is_empty() {
        vec![
            vec![
                "-E",
                "not (binary(window) | binary(phone) | test(three_instances))",
            ],
            vec!["-E", "binary(window) | binary(phone)"],
            vec!["-E", "test(three_instances)"],
        ]
    } else {
        vec![Vec::new()]
    };
    for pass in passes {
        let mut c = cmd("cargo");
        if nextest {
            c.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
        } else {
            c.args(["test", "--workspace", "--no-fail-fast"]);
        }
        c.args(pass).args(filters).envs(&env);
        // Snapshots are compared, never written, on CI.
        if std::env::var_os("CI").is_some() {
            c.env("INSTA_UPDATE", "no");
        }
        check(&mut c)?;
    }
    if filters.is_empty() {
        dist::check_dist(&env)?;
        reliability(&env)?;
        api_checks::fuzz()?;
        api_checks::schemathesis(&env)?;
    }
    eprintln!("xtask test: all green in {:.0?}", started.elapsed());
    Ok(())
}

/// The schema the query macros are checked against: database `theset_sqlx`, made afresh from
/// `migrations/` with psql (the backend cannot migrate it: it does not compile without it).
fn sqlx_schema(env: &HashMap<String, String>) -> anyhow::Result<String> {
    let url = env.get("DATABASE_URL").context("DATABASE_URL")?;
    let (server, _) = url
        .rsplit_once('/')
        .context("DATABASE_URL has no database")?;
    let psql = |db: &str| {
        let mut c = cmd("psql");
        c.args([&format!("{server}/{db}"), "-v", "ON_ERROR_STOP=1", "-q"])
            .env("PGOPTIONS", "-c client_min_messages=warning");
        c
    };
    check(psql("postgres").args(["-c", "DROP DATABASE IF EXISTS theset_sqlx"]))?;
    check(psql("postgres").args(["-c", "CREATE DATABASE theset_sqlx"]))?;
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(root().join("migrations"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    migrations.sort();
    for m in migrations {
        check(
            psql("theset_sqlx")
                .arg("--single-transaction")
                .arg("-f")
                .arg(&m),
        )?;
    }
    // The migrator's bookkeeping table, as sqlx-postgres 0.8 creates it: the readiness check
    // reads it (db::schema::applied_version), so its statement is checked like any other.
    check(psql("theset_sqlx").args([
        "-c",
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
         checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
    ]))?;
    Ok(format!("{server}/theset_sqlx"))
}

/// Rewrites `backend/.sqlx/`: what every `query!` in the backend learnt from a fresh schema, so
/// builds check SQL without a database (`SQLX_OFFLINE=true`, set in `.cargo/config.toml`). Run it
/// after changing a query or a migration; a test compares the committed data with the schema.
fn sqlx_prepare(env: &HashMap<String, String>) -> anyhow::Result<()> {
    step("query data for the backend's SQL (backend/.sqlx)");
    let url = sqlx_schema(env)?;
    let dir = root().join("backend/.sqlx");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    // A fresh expansion of every macro: touching the crate root makes cargo recompile it.
    check(cmd("touch").arg(root().join("backend/src/lib.rs")))?;
    check(
        cmd("cargo")
            .args(["check", "-q", "-p", "theset-backend", "--lib"])
            .env("SQLX_OFFLINE", "false")
            .env("DATABASE_URL", &url)
            .env("SQLX_OFFLINE_DIR", &dir),
    )?;
    let n = std::fs::read_dir(&dir)?.count();
    eprintln!("{n} queries described in {}", dir.display());
    Ok(())
}

/// Every benchmark; each prints its figures. Dev profile by default (shares the test build;
/// the figures are dominated by the fakes' 100 ms latency), `--release` for optimised code.
fn bench(args: &[String]) -> anyhow::Result<()> {
    services(&["test-deps"])?;
    services(&["start"])?;
    let env = services_env()?;
    if args.iter().any(|a| a == "--scale") {
        return scale_bench(&env);
    }
    // The desktop app embeds the UI: build it first.
    build_ui()?;
    let profile = if args.iter().any(|a| a == "--release") {
        "release"
    } else {
        "dev"
    };
    for (package, bench, what) in [
        ("theset-backend", "import", "import benchmark"),
        (
            "theset-backend",
            "likely",
            "likely-songs benchmark (Brier score, top-10 hit rate)",
        ),
        (
            "theset-backend",
            "votes",
            "vote write throughput over HTTP vs pgbench, and p99 at 70 % load",
        ),
        (
            "theset-backend",
            "fanout",
            "live fan-out: 2,000 SSE subscribers on one process, 10,000 over three, commit to delivery",
        ),
        (
            "theset-client",
            "sync",
            "sync: push of 10,000 mutations, first and empty pulls, local search",
        ),
        (
            "theset-client",
            "venue",
            "at the venue: show pack bytes, one capture and one vote pushed, crowd merge of 5,000 captures",
        ),
        (
            "theset-desktop",
            "cold_start",
            "desktop app: cold start to the first page from the local store, under Xvfb",
        ),
        (
            "theset-worker",
            "web",
            "web app on a phone (Chromium): first visit bytes, venue link, offline reload, sync",
        ),
    ] {
        step(&format!("{what} ({profile} profile)"));
        check(
            cmd("cargo")
                .args([
                    "bench",
                    "-p",
                    package,
                    "--bench",
                    bench,
                    "--profile",
                    profile,
                ])
                .envs(&env)
                .env("RUST_LOG", "error"),
        )?;
    }
    Ok(())
}

/// Ten million votes (`backend/benches/scale`): loads the dataset once into its own database
/// (about 16 minutes and 12 GB here; kept for later runs), then the hot paths, their plans, the
/// mixed load.
/// Optimised build: at this size the figures are the database's, not the dev build's.
fn scale_bench(env: &HashMap<String, String>) -> anyhow::Result<()> {
    step("ten million votes: dataset, hot paths and their plans, mixed load (release profile)");
    check(
        cmd("cargo")
            .args([
                "bench",
                "-p",
                "theset-backend",
                "--bench",
                "scale",
                "--profile",
                "release",
            ])
            .envs(env)
            .env("RUST_LOG", "error"),
    )
}

/// The sync reliability suite (`reliability/`): a crowd of clients through a faulty network while
/// the backend is killed and Postgres restarts. It restarts the shared Postgres, so it runs alone,
/// after the tests. Then the same under `tc netem` in a network namespace, where allowed.
fn reliability(env: &HashMap<String, String>) -> anyhow::Result<()> {
    step("reliability suite: clients through a faulty network, backend killed, Postgres restarted");
    check(cmd("cargo").args([
        "build",
        "-q",
        "-p",
        "theset-backend",
        "-p",
        "theset-reliability",
    ]))?;
    let bin = target_dir().join("debug");
    // The suite makes its own database on the same server.
    let admin = env
        .get("DATABASE_URL")
        .map(|v| {
            v.rsplit_once('/')
                .map_or(v.clone(), |(b, _)| format!("{b}/postgres"))
        })
        .ok_or_else(|| anyhow::anyhow!("no DATABASE_URL from the services script"))?;
    check(
        cmd(&bin.join("theset-reliability").to_string_lossy())
            .envs(env)
            .env("DATABASE_URL", &admin)
            .env("THESET_BACKEND_BIN", bin.join("theset-backend"))
            .env("RUST_LOG", "error"),
    )
}

pub(crate) struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The replay server (recorded fixtures served as the music services and fake sign-in
/// providers) on `listen`, ready to answer.
pub(crate) fn start_replay(backend: &Path, listen: &str) -> anyhow::Result<Guard> {
    let guard = Guard(
        Command::new(backend)
            .args(["replay", "--listen", listen, "--fixtures"])
            .arg(root().join("fixtures"))
            .spawn()
            .context("starting the replay server")?,
    );
    wait_ready(listen, Duration::from_secs(30))?;
    Ok(guard)
}

pub(crate) fn wait_ready(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    let addr = url.trim_start_matches("http://");
    while start.elapsed() < timeout {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("the backend did not come up on {url}")
}

fn run() -> anyhow::Result<()> {
    step("installing what is missing and starting Postgres");
    services(&["deps"])?;
    services(&["start"])?;
    let env = services_env()?;
    build_ui()?;
    step("building the backend and the desktop app");
    check(cmd("cargo").args(["build", "-p", "theset-backend", "-p", "theset-desktop"]))?;
    let bin = target_dir().join("debug");
    let backend = bin.join("theset-backend");

    check(Command::new(&backend).arg("migrate").envs(&env))?;
    // Without API keys, the real clients talk to a local replay of the recorded answers in
    // fixtures/ (the offline catalogue): same code paths as production, paging and limits included.
    let offline = std::env::var_os("TICKETMASTER_API_KEY").is_none();
    let mut backend_env = env.clone();
    let mut _replay = None;
    if offline {
        let replay_listen =
            std::env::var("THESET_REPLAY_LISTEN").unwrap_or_else(|_| "127.0.0.1:18081".into());
        step(&format!(
            "no API keys: replaying fixtures/ as the music services on http://{replay_listen}"
        ));
        _replay = Some(start_replay(&backend, &replay_listen)?);
        backend_env.extend(offline_provider_env(&format!("http://{replay_listen}"))?);
        // The demo always has a show on stage tonight (backend/src/db/demo.rs).
        backend_env.insert("THESET_DEMO_TONIGHT".into(), "on".into());
    }

    let listen = std::env::var("THESET_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let api = format!("http://{listen}");
    backend_env
        .entry("THESET_PUBLIC_URL".into())
        .or_insert_with(|| format!("{api}/"));
    // One secret for every start of the local run, kept beside its database: sessions, CSRF
    // tokens and sealed Spotify tokens survive a restart, as they must in production.
    if std::env::var_os("THESET_TOKEN_SECRET").is_none() {
        backend_env.insert("THESET_TOKEN_SECRET".into(), local_secret()?);
    }
    // The web app (the phone build) from the same origin as the API.
    backend_env
        .entry("THESET_WEB_DIR".into())
        .or_insert_with(|| root().join("app/dist").display().to_string());
    if let Some(dir) = env.get("THESET_MAIL_DIR") {
        step(&format!(
            "mail (sign-up, magic links, resets) lands in {dir}/new"
        ));
    }
    step(&format!(
        "starting the backend on {api} (API docs: {api}/api/v1/docs; the web app for phones: {api}/)"
    ));
    let _server = Guard(
        Command::new(&backend)
            .args(["serve", "--listen", &listen])
            .envs(&backend_env)
            .spawn()
            .context("starting the backend")?,
    );
    wait_ready(&listen, Duration::from_secs(30))?;
    if offline {
        step(
            "importing the offline catalogue through the importers (phase 1 now; shows, songs and set-lists follow in the background)",
        );
        check(
            Command::new(&backend)
                .args(["import", "--no-wait", "--all-in-fixtures"])
                .arg(root().join("fixtures"))
                .envs(&backend_env),
        )?;
    }

    // With no display (a server, CI), open the app in a virtual one so it still runs for real.
    let mut _xvfb = None;
    let display = match std::env::var("DISPLAY") {
        Ok(d) if !d.is_empty() => d,
        _ => {
            let d = ":99".to_owned();
            step(
                "no DISPLAY: opening the app in Xvfb :99 (screenshot: import -display :99 -window root shot.png)",
            );
            _xvfb = Some(Guard(
                Command::new("Xvfb")
                    .args([&d, "-screen", "0", "1280x800x24"])
                    .spawn()?,
            ));
            std::thread::sleep(Duration::from_millis(500));
            d
        }
    };
    step("opening TheSet (close the window or press Ctrl-C to stop everything)");
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // Ctrl-C or a TERM stops the app, the backend and Xvfb through their guards.
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the signal handler")?;
    let mut app = Guard(
        Command::new(bin.join("theset-desktop"))
            .env("THESET_API_URL", &api)
            .env("DISPLAY", display)
            .spawn()
            .context("starting the desktop app")?,
    );
    while !stop.load(Ordering::SeqCst) {
        if let Some(status) = app.0.try_wait()? {
            eprintln!("TheSet exited ({status}); stopping the backend");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("stopping TheSet and the backend");
    Ok(())
}

/// The provider variables that point the real clients at a replay server on `base`
/// (`fixtures/replay.env`, shared with the window tests).
pub(crate) fn offline_provider_env(base: &str) -> anyhow::Result<Vec<(String, String)>> {
    Ok(theset_testkit::replay_env::provider_env(&root(), base)?)
}
