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
            // Generated requests should reach the handlers, not the rate limits (which the
            // backend's own tests cover): every bucket gets a budget no run exhausts.
            ("THESET_RATES".to_owned(), generous_rates()),
        ])
        .collect();
    // The catalogue, so generated requests meet real artists, shows and venues.
    check(
        Command::new(&backend)
            .args(["seed", "--fixtures"])
            .arg(crate::root().join("fixtures"))
            .envs(server_env.iter().cloned()),
    )?;
    let _server = Guard(
        Command::new(&backend)
            .args(["serve", "--listen", &listen])
            .envs(server_env.iter().cloned())
            .spawn()
            .context("starting the backend")?,
    );
    wait_ready(&listen, Duration::from_secs(60))?;
    // An admin's token, so the generated requests also reach the signed-in and admin routes, and
    // a fan whose role the admin routes may change.
    let python = format!("{py}/bin/python");
    let admin = "schemathesis-admin@example.com";
    let fan = "schemathesis-fan@example.com";
    let python_post = |steps: &str| -> anyhow::Result<String> {
        let script = format!(
            "import json, urllib.request\n\
             def post(path, body):\n\
             \x20   req = urllib.request.Request('{api}' + path, json.dumps(body).encode(), {{'content-type': 'application/json'}})\n\
             \x20   return urllib.request.urlopen(req)\n\
             {steps}"
        );
        let out = Command::new(&python).args(["-c", &script]).output()?;
        anyhow::ensure!(
            out.status.success(),
            "a request failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    };
    let password = "a long passphrase for fuzzing";
    // Signed up, then confirmed by the operator (which, as a stranger's proof, clears the
    // password), then a password chosen with the link the command prints, then signed in.
    let confirmed_token = |email: &str| -> anyhow::Result<String> {
        python_post(&format!(
            "post('/api/v1/auth/signup', {{'email': '{email}', 'password': '{password}', 'display_name': 'Fuzz', 'device_id': 'schemathesis'}})"
        ))?;
        let out = Command::new(&backend)
            .args(["confirm-email", email])
            .envs(server_env.iter().cloned())
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "confirm-email failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout);
        let reset = said
            .split("#token=")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .context("confirm-email printed no password link")?;
        python_post(&format!(
            "post('/api/v1/auth/password-reset/confirm', {{'token': '{reset}', 'new_password': '{password}'}})\n\
             print(json.load(post('/api/v1/auth/login', {{'email': '{email}', 'password': '{password}', 'device_id': 'schemathesis'}}))['access_token'])"
        ))
    };
    let token_of_admin = confirmed_token(admin)?;
    confirmed_token(fan)?;
    let cli = |args: &[&str]| {
        check(
            Command::new(&backend)
                .args(args)
                .envs(server_env.iter().cloned()),
        )
    };
    cli(&["set-role", admin, "admin"])?;
    cli(&["sync", "scores"])?;
    let config = target_dir().join("schemathesis.toml");
    std::fs::write(&config, known_ids(&db_url)?)?;
    check(
        Command::new(format!("{py}/bin/schemathesis"))
            .arg("--config-file")
            .arg(&config)
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
            // Per-operation times and results, kept for a look after the run.
            .args(["--report", "junit", "--report-dir"])
            .arg(target_dir().join("schemathesis-report"))
            .args(["-H", &format!("Authorization: Bearer {token_of_admin}")])
            // Excluded: the routes that end the run's own session (sign-out, deleting the
            // account, revoking the session by id) would leave every later request a 401; they
            // are covered by the attack and access tests.
            .args(["--exclude-path-regex", "^/api/v1/(auth/logout|me)$"])
            .args(["--exclude-name", "DELETE /api/v1/me/sessions/{id}"])
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(target_dir()),
    )
}

/// Ids of things the seeded database holds, as schemathesis parameters per operation, so the
/// generated requests reach real rows instead of 404s.
fn known_ids(db_url: &str) -> anyhow::Result<String> {
    // None when the table has no such row (the fixtures decide what the catalogue holds).
    let one = |sql: &str| -> anyhow::Result<Option<String>> {
        let out = Command::new("psql").args([db_url, "-qtAc", sql]).output()?;
        anyhow::ensure!(out.status.success(), "psql: {sql}");
        let value = String::from_utf8(out.stdout)?.trim().to_owned();
        Ok((!value.is_empty()).then_some(value))
    };
    let show = one(
        "SELECT id FROM shows WHERE date >= current_date AND status <> 'cancelled' \
         ORDER BY date, id LIMIT 1",
    )?;
    let setlist = one("SELECT id FROM setlists ORDER BY kind, id LIMIT 1")?;
    let line = one("SELECT id FROM setlist_songs ORDER BY id LIMIT 1")?;
    let song = one("SELECT id FROM songs ORDER BY id LIMIT 1")?;
    let venue = one("SELECT id FROM venues ORDER BY id LIMIT 1")?;
    let artist = one("SELECT id FROM artists ORDER BY name, id LIMIT 1")?;
    let slug = one("SELECT slug FROM artists ORDER BY name, id LIMIT 1")?;
    let fan = one("SELECT id FROM users WHERE email = 'schemathesis-fan@example.com'")?;
    let job = one("SELECT id FROM sync_jobs ORDER BY created_at DESC LIMIT 1")?;
    // Live streams never end by themselves: each generated request reads one second of its
    // stream (a cut, not a failure), so a stream with real ids does not hold the run for the
    // whole request timeout.
    // Sign-ins hash a password each (argon2, slow in a debug build) even for unknown addresses:
    // fewer examples there keep the run short without leaving them out.
    // The stateful phase is off: schemathesis infers links between operations by resource names
    // and made one from `POST /me/calendar` to `GET /me/notifications` (a `secret` parameter that
    // operation does not have), failing the run on its own invalid link. Every operation is still
    // generated and sent in the coverage and fuzzing phases.
    let mut toml = String::from(
        "[phases.stateful]\nenabled = false\n\n\
         [[operations]]\ninclude-path-regex = '/events$'\nrequest-timeout = 1\nmax-stream-events = 5\n\n\
         [[operations]]\ninclude-path-regex = '^/api/v1/auth/(login|browser/login)$'\n\
         generation = { max-examples = 5 }\n\n",
    );
    for (regex, name, value) in [
        ("^/api/v1/shows/\\{id\\}", "id", &show),
        ("^/api/v1/setlists/\\{id\\}", "id", &setlist),
        ("^/api/v1/setlist-songs/\\{id\\}", "id", &line),
        ("^/api/v1/songs/\\{id\\}", "id", &song),
        ("^/api/v1/venues/\\{id\\}", "id", &venue),
        ("^/api/v1/artists/\\{slug\\}", "slug", &slug),
        ("^/api/v1/me/follows/\\{artist_id\\}", "artist_id", &artist),
        ("^/api/v1/users/\\{id\\}", "id", &fan),
        ("^/api/v1/admin/users/\\{id\\}", "id", &fan),
        ("^/api/v1/jobs/\\{id\\}", "id", &job),
    ] {
        let Some(value) = value else { continue };
        toml.push_str(&format!(
            "[[operations]]\ninclude-path-regex = '{regex}'\nparameters = {{ \"path.{name}\" = \"{value}\" }}\n\n"
        ));
    }
    Ok(toml)
}

fn generous_rates() -> String {
    [
        "login_ip",
        "login_account",
        "signup_ip",
        "mail_ip",
        "mail_account",
        "search_ip",
        "upstream_search_ip",
        "vote_ip",
        "vote_account",
        "import_account",
        "oauth_start_ip",
        "avatar_account",
    ]
    .map(|b| format!("{b}=100000/1"))
    .join(",")
}
