//! A real Prometheus (Debian's package, installed by `scripts/services.sh test-deps`) on loopback
//! scrapes two `theset-backend` processes with the bearer token, as an operator would configure
//! it, loads the repository's alert rules, and sees each process's series.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::PgPool;

use theset_testkit::process::{Killed, Server, database_url, free_port, wait_for_port};
use theset_testkit::rows as support;

const TOKEN: &str = "scrape-token-for-the-test";

/// The query's result vector, once it has at least `want` entries (or what it had at the end).
async fn query(base: &str, promql: &str, want: usize) -> Vec<Value> {
    let http = reqwest::Client::new();
    let start = Instant::now();
    loop {
        let answer: Value = match http
            .get(format!("{base}/api/v1/query"))
            .query(&[("query", promql)])
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let result = answer["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if result.len() >= want || start.elapsed() > Duration::from_secs(60) {
            return result;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn instances(result: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = result
        .iter()
        .filter_map(|r| r["metric"]["instance"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn prometheus_scrapes_two_backend_processes(db: PgPool) {
    support::artist(&db, "Scraped Band", &[], None, 0.0).await;
    let bin = Path::new(env!("CARGO_BIN_EXE_theset-backend"));
    let url = database_url(&db);
    let envs = [("THESET_METRICS_TOKEN", TOKEN)];
    let servers = [
        Server::start(bin, &url, &envs),
        Server::start(bin, &url, &envs),
    ];
    let http = reqwest::Client::new();
    for s in &servers {
        let r = http
            .get(format!("{}/api/v1/artists/scraped-band", s.url))
            .send()
            .await
            .expect("artist");
        assert!(r.status().is_success());
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/alerts.yml");
    let targets: Vec<String> = servers
        .iter()
        .map(|s| format!("'127.0.0.1:{}'", s.port))
        .collect();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files: ['{}']\n\
         scrape_configs:\n  - job_name: theset\n    authorization:\n      credentials: {TOKEN}\n\
         \x20   static_configs:\n      - targets: [{}]\n",
        rules.display(),
        targets.join(", ")
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).expect("config");
    let port = free_port();
    let child = Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            dir.path().join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (Debian's package; scripts/services.sh test-deps)");
    let _prometheus = Killed(child);
    assert!(
        wait_for_port(port, Duration::from_secs(60)),
        "prometheus did not start"
    );
    let base = format!("http://127.0.0.1:{port}");

    let up = query(&base, "up{job=\"theset\"} == 1", 2).await;
    assert_eq!(instances(&up).len(), 2, "both processes up: {up:?}");
    for series in [
        "http_requests_total{route=\"/api/v1/artists/{slug}\"}",
        "cache_lookups_total",
        "db_pool_connections",
        "job_queue_depth",
    ] {
        let found = query(&base, series, 2).await;
        assert_eq!(
            instances(&found).len(),
            2,
            "{series} from both processes: {found:?}"
        );
    }
    // The rule files load: Prometheus lists the alert groups it evaluates.
    let rules: Value = http
        .get(format!("{base}/api/v1/rules"))
        .send()
        .await
        .expect("rules")
        .json()
        .await
        .expect("json");
    let groups = rules["data"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!groups.is_empty(), "no rule groups loaded: {rules}");
}
