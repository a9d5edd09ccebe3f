//! Cold start: from launching the app to its first page rendered from the local store, under
//! Xvfb, with no server reachable (the store is all it has). The app marks the moment itself
//! (`first_render`, when the device's own lists are on screen) and exits; this prints the
//! launch-to-mark time seen from outside (process start, WebKit, wasm, IPC, SQLite included)
//! and the app's own figure, against the 1 s budget.
//!
//! `cargo xtask bench` runs it; alone: `cargo bench -p theset-desktop --bench cold_start`
//! with the UI built (`cargo xtask build-ui`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use theset_shared::api::ArtistSummary;
use uuid::Uuid;

const RUNS: usize = 7;
/// A server address nothing answers on: the store is all the app has.
const OFFLINE: &str = "http://127.0.0.1:1";
const BUDGET_MS: f64 = 1000.0;
/// Artists in the store: a fan's device after a season of use.
const ARTISTS: usize = 500;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let store_dir = data.join("app.theset.desktop");
    std::fs::create_dir_all(&store_dir)?;
    let store = theset_client::Store::open(&store_dir.join(theset_client::store_file(OFFLINE)))?;
    let artists: Vec<ArtistSummary> = (0..ARTISTS)
        .map(|i| ArtistSummary {
            id: Uuid::new_v4(),
            slug: format!("artist-{i}"),
            name: format!("Artist {i:04}"),
            image_url: None,
            genres: vec!["rock".into(), "indie".into()],
            popularity: Some(i32::try_from(i % 100).unwrap_or(0)),
            followers: Some(1000),
            trending_score: 0.0,
            upcoming_show_count: 3,
            origin: Default::default(),
        })
        .collect();
    store.replace_artists(&artists)?;
    drop(store);

    let display = format!(":{}", 500 + std::process::id() % 300);
    let mut xvfb = Command::new("Xvfb")
        .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("Xvfb (installed by `cargo xtask test`)")?;
    std::thread::sleep(Duration::from_millis(500));

    let app = env!("CARGO_BIN_EXE_theset-desktop");
    let mut outside = Vec::new();
    let mut inside = Vec::new();
    // One unmeasured run warms the disk cache, as any second launch of an app would be.
    for run in 0..=RUNS {
        let started = Instant::now();
        let mut child = Command::new(app)
            .env("DISPLAY", &display)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("THESET_API_URL", OFFLINE)
            .env("THESET_EXIT_AFTER_FIRST_RENDER", "1")
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut mark = None;
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(ms) = line.strip_prefix("first-render-ms ") {
                mark = Some((started.elapsed(), ms.trim().parse::<f64>()?));
                break;
            }
        }
        let _ = child.wait();
        let Some((seen, own)) = mark else {
            let _ = xvfb.kill();
            bail!("the app exited without rendering its first page");
        };
        if run > 0 {
            outside.push(seen.as_secs_f64() * 1000.0);
            inside.push(own);
        }
    }
    let _ = xvfb.kill();
    outside.sort_by(f64::total_cmp);
    inside.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[v.len() / 2];
    let worst = |v: &[f64]| v[v.len() - 1];
    println!(
        "cold start to first page from the local store ({ARTISTS} artists, {RUNS} runs, Xvfb):"
    );
    println!(
        "  launch → first page: median {:.0} ms, worst {:.0} ms (app's own mark: median {:.0} ms)",
        median(&outside),
        worst(&outside),
        median(&inside)
    );
    println!(
        "  budget {BUDGET_MS:.0} ms: median is {:.2}× the budget — {}",
        median(&outside) / BUDGET_MS,
        if median(&outside) <= BUDGET_MS {
            "within"
        } else {
            "OVER"
        }
    );
    Ok(())
}
