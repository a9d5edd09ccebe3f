//! The two API robustness checks of the test command: a bounded `cargo fuzz` run over the request
//! parsers and validators, and schemathesis generating requests for every documented operation
//! against a live backend on a fresh database, failing on any server error.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use crate::{Guard, check, cmd, offline_provider_env, start_replay, step, target_dir, wait_ready};

/// Seconds the fuzzer runs in the test command (`THESET_FUZZ_SECS` overrides).
const FUZZ_SECS: u64 = 60;

pub fn fuzz() -> anyhow::Result<()> {
    let secs = std::env::var("THESET_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(FUZZ_SECS);
    step(&format!(
        "fuzzing the request parsers and validators for {secs} s (cargo fuzz)"
    ));
    let dir = target_dir().join("fuzz");
    let corpus = dir.join("corpus");
    let artifacts = dir.join("artifacts");
    std::fs::create_dir_all(&corpus)?;
    std::fs::create_dir_all(&artifacts)?;
    // The stable toolchain with nightly flags allowed and no sanitizer: the fuzzed code is safe
    // Rust (`unsafe_code = "forbid"`), so coverage-guided search for panics is what matters, and
    // CI machines have only the stable toolchain.
    check(
        cmd("cargo")
            .args([
                "fuzz",
                "run",
                "requests",
                "--fuzz-dir",
                "fuzz",
                "--sanitizer",
                "none",
            ])
            .arg("--target-dir")
            .arg(dir.join("build"))
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={secs}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg("-print_final_stats=1")
            .env("RUSTC_BOOTSTRAP", "1"),
    )
}

pub fn schemathesis(env: &HashMap<String, String>) -> anyhow::Result<()> {
    step("schemathesis: generated requests for every documented operation, no server errors");
    check(cmd("cargo").args(["build", "-q", "-p", "theset-backend"]))?;
    let backend = target_dir().join("debug").join("theset-backend");
    let py = env
        .get("THESET_PY_DIR")
        .context("THESET_PY_DIR from scripts/services.sh env")?;
    let url = env.get("DATABASE_URL").context("DATABASE_URL")?;
    let (server_url, _) = url
        .rsplit_once('/')
        .context("DATABASE_URL has no database")?;
    let db_url = format!("{server_url}/theset_schemathesis");
    for sql in [
        "DROP DATABASE IF EXISTS theset_schemathesis WITH (FORCE)",
        "CREATE DATABASE theset_schemathesis",
    ] {
        check(Command::new("psql").args([&format!("{server_url}/postgres"), "-qc", sql]))?;
    }
    let replay = format!("127.0.0.1:{}", theset_testkit::process::free_port());
    let _replay = start_replay(&backend, &replay)?;
    let listen = format!("127.0.0.1:{}", theset_testkit::process::free_port());
    let api = format!("http://{listen}");
    let server_env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .chain(offline_provider_env(&format!("http://{replay}"))?)
        .chain([
            ("DATABASE_URL".to_owned(), db_url.clone()),
            ("THESET_CRON".to_owned(), "off".to_owned()),
            ("THESET_PUBLIC_URL".to_owned(), format!("{api}/")),
            ("RUST_LOG".to_owned(), "error".to_owned()),
        ])
        .collect();
    let _server = Guard(
        Command::new(&backend)
            .args(["serve", "--listen", &listen])
            .envs(server_env.iter().cloned())
            .spawn()
            .context("starting the backend")?,
    );
    wait_ready(&listen, Duration::from_secs(60))?;
    // An admin's token, so the generated requests also reach the signed-in and admin routes.
    let python = format!("{py}/bin/python");
    let email = "schemathesis-admin@example.com";
    let signup = format!(
        "import json, urllib.request\n\
         body = json.dumps({{'email': '{email}', 'password': 'a long passphrase for fuzzing', \
         'display_name': 'Fuzz', 'device_id': 'schemathesis'}}).encode()\n\
         req = urllib.request.Request('{api}/api/v1/auth/signup', body, {{'content-type': 'application/json'}})\n\
         urllib.request.urlopen(req)\n\
         body = json.dumps({{'email': '{email}', 'password': 'a long passphrase for fuzzing', \
         'device_id': 'schemathesis'}}).encode()\n\
         req = urllib.request.Request('{api}/api/v1/auth/login', body, {{'content-type': 'application/json'}})\n\
         print(json.load(urllib.request.urlopen(req))['access_token'])"
    );
    let out = Command::new(&python).args(["-c", &signup]).output()?;
    anyhow::ensure!(
        out.status.success(),
        "sign-up failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)?.trim().to_owned();
    let cli = |args: &[&str]| {
        check(
            Command::new(&backend)
                .args(args)
                .envs(server_env.iter().cloned()),
        )
    };
    cli(&["set-role", email, "admin"])?;
    cli(&["confirm-email", email])?;
    check(
        Command::new(format!("{py}/bin/schemathesis"))
            .args(["run", &format!("{api}/api/v1/openapi.json")])
            .args(["--checks", "not_a_server_error"])
            .args([
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--request-timeout",
                "20",
            ])
            .arg("--generation-deterministic")
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Excluded: the sign-out routes would end the token mid-run (they are covered by
            // the attack and access tests).
            .args(["--exclude-path-regex", "^/api/v1/(auth/logout|me)$"])
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(target_dir()),
    )
}
