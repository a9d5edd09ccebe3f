//! Raw `pgbench` runs of a custom script: the baseline the benchmarks measure the product against
//! in the same run, on the same Postgres.

use std::time::Duration;

/// Runs `script` (pgbench's script language) with `clients` connections for `seconds` against
/// `url` and returns its transactions per second.
pub fn tps(url: &str, script: &str, clients: usize, seconds: u64) -> f64 {
    let path = std::env::temp_dir().join(format!("theset-pgbench-{}.sql", std::process::id()));
    std::fs::write(&path, script).expect("pgbench script");
    let out = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&path)
        .arg(url)
        .output()
        .expect("pgbench (installed with Postgres by scripts/services.sh)");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no tps in pgbench output: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// The `p` quantile (0..=1) of sorted latencies (zero when there are none).
pub fn quantile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_from_the_sorted_list() {
        let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&ms, 0.5), Duration::from_millis(51));
        assert_eq!(quantile(&ms, 0.99), Duration::from_millis(100));
        assert_eq!(quantile(&ms, 1.0), Duration::from_millis(100));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }
}
