//! Prometheus metrics through the `metrics` facade and its Prometheus exporter: recording is an
//! atomic per event wherever it happens (handlers, jobs, provider clients), nothing runs in the
//! background, and the text format is rendered when `/metrics` is scraped. OpenTelemetry would
//! add a collector pipeline this service does not need; the facade keeps the door open (another
//! exporter is one recorder away).
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `http_requests_total`, `http_request_duration_seconds` | counter, histogram | `route`, `method`, `status` |
//! | `votes_applied_total` | counter | |
//! | `group_commit_batch_size` | summary | `kind` (`vote`): writes per transaction |
//! | `jobs_finished_total`, `job_duration_seconds` | counter, histogram | `type`, `outcome` (`succeeded`, `failed`, `lease_lost`, `released`) |
//! | `provider_requests_total` | counter | `service`, `outcome` |
//! | `sync_mutations_total` | counter | `outcome` (`applied`, `superseded`, `rejected`) |
//! | `sse_connections` | gauge | `stream` (`show`, `job`, `sync`) |
//! | `sse_delivery_seconds` | histogram | (show streams: from the wake-up on a change to its send) |
//! | `vote_totals_drifted` | gauge | (set by the weekly integrity check) |
//! | `cache_lookups_total` | counter | `level` (`local`, `shared`, `miss`) |
//! | `provider_limiter_wait_seconds` | histogram | `service` |
//! | `job_queue_depth`, `job_queue_oldest_seconds` | gauge (at scrape) | |
//! | `db_pool_connections`, `db_pool_idle` | gauge (at scrape) | |

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets (seconds): a millisecond to ten seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use (one per process; several servers in one test
/// process share it). `None` when another recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// Gauges read from the database when scraped: the job queue and the connection pool.
pub async fn scrape_gauges(db: &sqlx::PgPool) {
    if let Ok((depth, oldest)) = crate::db::jobs::queue_depth(db).await {
        metrics::gauge!("job_queue_depth").set(depth as f64);
        metrics::gauge!("job_queue_oldest_seconds").set(oldest);
    }
    metrics::gauge!("db_pool_connections").set(f64::from(db.size()));
    #[allow(clippy::cast_precision_loss)] // a pool holds a few hundred connections at most
    metrics::gauge!("db_pool_idle").set(db.num_idle() as f64);
}
