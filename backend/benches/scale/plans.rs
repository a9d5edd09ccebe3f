//! Real plans of what the server runs: a pool whose sessions load `auto_explain` with
//! `log_analyze` and `log_buffers` at level NOTICE, so every statement's `EXPLAIN (ANALYZE,
//! BUFFERS)` comes back to the client as a notice; sqlx turns notices into `tracing` events
//! (target `sqlx::postgres::notice`), which the layer below keeps. Nothing is copied from the
//! backend's SQL, so the plans cannot drift from it.

use std::sync::{Mutex, OnceLock};

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

fn kept() -> &'static Mutex<Vec<String>> {
    static KEPT: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    KEPT.get_or_init(|| Mutex::new(Vec::new()))
}

/// Keeps the text of every Postgres notice.
pub struct Notices;

struct Message(Option<String>);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && self.0.is_none() {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Notices {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::postgres::notice" {
            return;
        }
        let mut m = Message(None);
        event.record(&mut m);
        if let (Some(text), Ok(mut kept)) = (m.0, kept().lock()) {
            kept.push(text);
        }
    }
}

/// Forgets what was kept so far.
pub fn clear() {
    if let Ok(mut k) = kept().lock() {
        k.clear();
    }
}

/// The plans kept since the last `clear`, with the bookkeeping of the pool left out.
pub fn take() -> Vec<String> {
    let Ok(mut k) = kept().lock() else {
        return Vec::new();
    };
    std::mem::take(&mut *k)
        .into_iter()
        .filter(|p| p.contains("Query Text:"))
        .collect()
}

/// A pool over `options` whose sessions explain every statement they run.
pub async fn explaining_pool(options: &PgConnectOptions) -> sqlx::Result<PgPool> {
    let options = options.clone().options([
        ("session_preload_libraries", "auto_explain"),
        ("auto_explain.log_min_duration", "0"),
        ("auto_explain.log_analyze", "on"),
        ("auto_explain.log_buffers", "on"),
        ("auto_explain.log_timing", "on"),
        ("auto_explain.log_nested_statements", "on"),
        ("auto_explain.log_level", "notice"),
        ("client_min_messages", "notice"),
    ]);
    PgPoolOptions::new()
        .max_connections(20)
        .connect_with(options)
        .await
}
