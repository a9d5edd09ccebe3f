//! `cargo xtask dist`: the backend as operators deploy it, staged in `target/dist/`: one static
//! (musl) `theset-backend` with the migrations embedded (`sqlx::migrate!`), the web app it serves
//! at `/app/`, the hardened systemd unit, the settings example, the `Containerfile` (from
//! scratch) and the deployment guide.
//!
//! The test command runs [`check`]: the same staging from a dev-profile build (the release one
//! would double CI's build), then what an operator relies on: the binary is static, runs,
//! migrates an empty database with what it carries, serves and drains on SIGTERM; the unit
//! passes `systemd-analyze verify` and scores "OK" on `systemd-analyze security`; the image
//! builds with podman, and runs where the machine lets containers run (skipped with the reason
//! where it does not).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use crate::{build_ui, check, cmd, root, step, target_dir};

const MUSL: &str = "x86_64-unknown-linux-musl";

/// Files from the repository staged beside the binary.
const STAGED: &[(&str, &str)] = &[
    ("ops/theset-backend.service", "theset-backend.service"),
    ("ops/backend.env.example", "backend.env.example"),
    ("ops/Containerfile", "Containerfile"),
    ("docs/deploy.md", "deploy.md"),
];

/// `cargo xtask dist`: the optimised build, staged.
pub fn dist() -> anyhow::Result<()> {
    let dir = stage("dist", &target_dir().join("dist"))?;
    let size = std::fs::metadata(dir.join("theset-backend"))?.len();
    step(&format!(
        "staged in {} (theset-backend: {:.1} MB, static)\n    image: podman build -t theset-backend {0}",
        dir.display(),
        size as f64 / 1e6
    ));
    Ok(())
}

/// Builds the backend for musl with `profile` and stages it with the rest into `dir`.
fn stage(profile: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    build_ui()?;
    step(&format!(
        "building the static backend ({MUSL}, profile {profile})"
    ));
    check(
        cmd("cargo")
            .args(["build", "--locked", "-p", "theset-backend", "--bin"])
            .args(["theset-backend", "--target", MUSL, "--profile", profile])
            // musl links statically by default; saying so keeps a changed default from
            // slipping a dynamic binary through. ring's C goes through musl-gcc.
            .env(
                "CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS",
                "-C target-feature=+crt-static",
            )
            .env("CC_x86_64_unknown_linux_musl", "musl-gcc"),
    )?;
    let out = if profile == "dev" { "debug" } else { profile };
    let built = target_dir().join(MUSL).join(out).join("theset-backend");
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let binary = dir.join("theset-backend");
    std::fs::copy(&built, &binary).with_context(|| format!("copying {}", built.display()))?;
    for (from, to) in STAGED {
        std::fs::copy(root().join(from), dir.join(to))
            .with_context(|| format!("copying {from}"))?;
    }
    copy_tree(&root().join("app/dist"), &dir.join("web"))?;
    ensure_static(&binary)?;
    Ok(dir.to_path_buf())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// No program interpreter and no shared library: the binary runs on any Linux, `FROM scratch`.
fn ensure_static(binary: &Path) -> anyhow::Result<()> {
    let out = Command::new("readelf")
        .args(["--program-headers", "--dynamic", "--wide"])
        .arg(binary)
        .output()
        .context("readelf (binutils)")?;
    ensure!(
        out.status.success(),
        "readelf failed on {}",
        binary.display()
    );
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        !text.contains("INTERP") && !text.contains("(NEEDED)"),
        "{} is not static:\n{text}",
        binary.display()
    );
    Ok(())
}

/// The test command's check of what `dist` ships (see the module comment).
pub fn check_dist(env: &HashMap<String, String>) -> anyhow::Result<()> {
    let dir = stage("dev", &target_dir().join("dist-check"))?;
    let binary = dir.join("theset-backend");
    step("checking the static backend: version, embedded migrations, serving and draining");
    let version = Command::new(&binary).arg("--version").output()?;
    let version = String::from_utf8_lossy(&version.stdout);
    ensure!(
        version.contains(env!("CARGO_PKG_VERSION")),
        "theset-backend --version: {version}"
    );
    let url = fresh_database(env, "theset_dist_check")?;
    check(
        Command::new(&binary)
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn"),
    )?;
    let applied = psql_value(&url, "SELECT count(*) FROM _sqlx_migrations WHERE success")?;
    let shipped = std::fs::read_dir(root().join("migrations"))?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .count();
    ensure!(
        applied == shipped.to_string(),
        "the binary applied {applied} migrations; migrations/ holds {shipped}"
    );
    serve_and_drain(&binary, &url, &dir.join("web"))?;
    check_unit(&binary)?;
    check_image(&dir)?;
    Ok(())
}

fn fresh_database(env: &HashMap<String, String>, name: &str) -> anyhow::Result<String> {
    let url = env.get("DATABASE_URL").context("DATABASE_URL")?;
    let (server, _) = url
        .rsplit_once('/')
        .context("DATABASE_URL names no database")?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        check(
            Command::new("psql")
                .args([
                    &format!("{server}/postgres"),
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-q",
                    "-c",
                ])
                .arg(sql)
                .env("PGOPTIONS", "-c client_min_messages=warning"),
        )?;
    }
    Ok(format!("{server}/{name}"))
}

fn psql_value(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([url, "-tAc", sql])
        .output()
        .context("psql")?;
    ensure!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Serves the web app and `/readyz`, then exits cleanly on SIGTERM within its grace.
fn serve_and_drain(binary: &Path, url: &str, web: &Path) -> anyhow::Result<()> {
    let port = theset_testkit::process::free_port();
    let mut child = theset_testkit::process::Killed(
        Command::new(binary)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .env("THESET_WEB_DIR", web)
            .env("THESET_CRON", "off")
            .env("THESET_SHUTDOWN_GRACE", "3")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("starting the static backend")?,
    );
    ensure!(
        theset_testkit::process::wait_for_port(port, Duration::from_secs(30)),
        "the static backend did not start"
    );
    for path in ["/readyz", "/app/"] {
        check(
            Command::new("curl")
                .args(["-fsS", "-o", "/dev/null"])
                .arg(format!("http://127.0.0.1:{port}{path}")),
        )
        .with_context(|| format!("GET {path} from the static backend"))?;
    }
    check(Command::new("kill").args(["-TERM", &child.0.id().to_string()]))?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait()? {
            ensure!(status.success(), "the static backend exited with {status}");
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!("the static backend did not exit within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `systemd-analyze verify` with no remark, and an "OK" exposure (≤ 2.0 of 10).
///
/// The unit is written where both layouts put it — the build folder in use and `target/` of the
/// clone, which differ when `CARGO_TARGET_DIR` is set (CI) — so a path that only one layout would
/// spell with `..` fails here whichever layout runs the check.
fn check_unit(binary: &Path) -> anyhow::Result<()> {
    step("checking the systemd unit (systemd-analyze verify, security)");
    let mut folders = vec![target_dir().join("dist-check/unit")];
    let in_clone = root().join("target/dist-check/unit");
    if !folders.contains(&in_clone) {
        folders.push(in_clone);
    }
    let mut path = PathBuf::new();
    for scratch in folders {
        path = verify_unit(binary, &scratch)?;
    }
    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&path)
        .output()?;
    let report = String::from_utf8_lossy(&security.stdout);
    let exposure: f64 = report
        .lines()
        .find_map(|l| l.split("Overall exposure level for").nth(1))
        .and_then(|rest| rest.split(':').nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no exposure level in:\n{report}"))?;
    ensure!(
        exposure <= 2.0,
        "the unit's exposure is {exposure} (> 2.0):\n{report}"
    );
    eprintln!("    unit exposure level {exposure} (OK ≤ 2.0)");
    Ok(())
}

/// Writes the shipped unit into `scratch` with this machine's paths and verifies it: every path
/// normalized, and no remark from `systemd-analyze verify`. Returns the unit's path.
fn verify_unit(binary: &Path, scratch: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(scratch)?;
    let env_file = scratch.join("backend.env");
    std::fs::write(&env_file, "")?;
    for p in [binary, env_file.as_path()] {
        ensure!(
            crate::layout::is_normalized(p),
            "a path in the unit is not normalized: {}",
            p.display()
        );
    }
    let unit = std::fs::read_to_string(root().join("ops/theset-backend.service"))?
        .replace(
            "/usr/local/bin/theset-backend",
            &binary.display().to_string(),
        )
        .replace("/etc/theset/backend.env", &env_file.display().to_string());
    let path = scratch.join("theset-backend.service");
    std::fs::write(&path, unit)?;
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .context("systemd-analyze (systemd)")?;
    let remarks = format!(
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    ensure!(
        verify.status.success() && remarks.trim().is_empty(),
        "systemd-analyze verify:\n{remarks}"
    );
    eprintln!("    verified in {}", scratch.display());
    Ok(path)
}

/// Builds the image with podman; runs it where containers can run here.
fn check_image(dir: &Path) -> anyhow::Result<()> {
    step("building the container image (podman)");
    if Command::new("podman").arg("--version").output().is_err() {
        eprintln!(
            "    skipped: podman is not installed (scripts/services.sh test-deps installs it)"
        );
        return Ok(());
    }
    let tag = "localhost/theset-backend:dist-check";
    check(
        Command::new("podman")
            .args(["build", "--quiet", "-t", tag, "-f"])
            .arg(dir.join("Containerfile"))
            .arg(dir),
    )
    .context("podman build")?;
    let run = Command::new("podman")
        .args(["run", "--rm", "--network=none", tag, "--version"])
        .output()?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    if run.status.success() {
        ensure!(
            said.contains(env!("CARGO_PKG_VERSION")),
            "the image's binary said: {said}"
        );
        eprintln!("    image built and run");
    } else if said.contains("OCI") || said.contains("cgroup") || said.contains("setrlimit") {
        // The build is what the image needs from us; running needs a container runtime this
        // machine's sandbox may refuse (cgroups, rlimits).
        eprintln!(
            "    image built; running it skipped: this machine cannot run containers ({})",
            said.lines().next().unwrap_or_default().trim()
        );
    } else {
        bail!("the image did not run: {said}");
    }
    let _ = Command::new("podman")
        .args(["rmi", "--force", tag])
        .output();
    Ok(())
}
