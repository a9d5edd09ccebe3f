//! The alerting rules in `ops/alerts.yml` are valid Prometheus rules over series `/metrics`
//! serves, and each alert fires on a failing series and not on a healthy one (`promtool`, from
//! Debian's prometheus package, which `scripts/services.sh test-deps` installs).

use std::path::PathBuf;
use std::process::Command;

fn ops() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ops")
}

fn promtool(args: &[&str]) -> String {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(ops())
        .output()
        .expect("promtool (Debian's prometheus package; scripts/services.sh test-deps)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?}:\n{text}");
    text
}

#[test]
fn alert_rules_are_valid_and_fire_when_they_should() {
    let checked = promtool(&["check", "rules", "alerts.yml"]);
    assert!(checked.contains("SUCCESS"), "{checked}");
    promtool(&["test", "rules", "alerts.test.yml"]);
}

#[test]
fn alert_rules_read_only_series_the_backend_serves() {
    let rules = std::fs::read_to_string(ops().join("alerts.yml")).expect("rules");
    let served =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/telemetry.rs"))
            .expect("telemetry");
    for series in [
        "jobs_finished_total",
        "job_queue_oldest_seconds",
        "provider_requests_total",
        "http_requests_total",
        "db_pool_connections",
        "db_pool_idle",
    ] {
        assert!(rules.contains(series), "{series} unused by the rules");
        assert!(served.contains(series), "{series} not documented as served");
    }
}
