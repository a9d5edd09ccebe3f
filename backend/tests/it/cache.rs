//! The two-level cache: shared through a real Redis, invalidated by tag, and still answering when
//! Redis goes away mid-run.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_backend::cache::{Cache, CacheKey, artist_tag};
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{enqueue_artist_job, types};
use theset_backend::{AppState, app};
use tower::ServiceExt;

use crate::fakes::Fakes;

/// A private redis-server on a free port (installed by the services script).
pub(crate) struct Redis {
    child: Option<Child>,
    pub(crate) url: String,
}

impl Redis {
    pub(crate) fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (installed by scripts/services.sh deps)");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "redis did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child: Some(child),
            url: format!("redis://127.0.0.1:{port}/"),
        }
    }

    pub(crate) fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn key(name: &str, tag: &str) -> CacheKey {
    CacheKey::new(name, &[tag.to_owned()])
}

#[tokio::test]
async fn entries_are_shared_through_redis_and_invalidated_by_tag() {
    let redis = Redis::start();
    let a = Cache::with_redis(&redis.url).await.expect("a");
    let b = Cache::with_redis(&redis.url).await.expect("b");
    a.set(&key("page:x", "artist:x"), b"x-page".to_vec()).await;
    a.set(&key("other:x", "artist:x"), b"x-other".to_vec())
        .await;
    a.set(&key("page:y", "artist:y"), b"y-page".to_vec()).await;
    // Another process (b) finds what a stored.
    assert_eq!(
        b.get(&key("page:x", "artist:x"))
            .await
            .as_deref()
            .map(Vec::as_slice),
        Some(&b"x-page"[..])
    );

    a.invalidate_tag("artist:x").await;
    assert!(a.get(&key("page:x", "artist:x")).await.is_none());
    assert!(a.get(&key("other:x", "artist:x")).await.is_none());
    let fresh = Cache::with_redis(&redis.url).await.expect("fresh");
    assert!(
        fresh.get(&key("page:x", "artist:x")).await.is_none(),
        "gone from Redis too"
    );
    assert!(
        fresh.get(&key("page:y", "artist:y")).await.is_some(),
        "other tags untouched"
    );
}

#[tokio::test]
async fn losing_redis_mid_run_keeps_answering_from_the_process() {
    let mut redis = Redis::start();
    let cache = Cache::with_redis(&redis.url).await.expect("cache");
    cache.set(&key("warm", "t"), b"warm".to_vec()).await;
    redis.kill();

    let start = Instant::now();
    assert_eq!(
        cache
            .get(&key("warm", "t"))
            .await
            .as_deref()
            .map(Vec::as_slice),
        Some(&b"warm"[..])
    );
    cache.set(&key("cold", "t"), b"cold".to_vec()).await;
    assert_eq!(
        cache
            .get(&key("cold", "t"))
            .await
            .as_deref()
            .map(Vec::as_slice),
        Some(&b"cold"[..])
    );
    assert!(cache.get(&key("never", "t")).await.is_none());
    cache.invalidate_tag("t").await;
    assert!(cache.get(&key("warm", "t")).await.is_none());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "Redis calls are bounded: {:?}",
        start.elapsed()
    );

    // A process that starts while Redis is down still gets a working cache.
    let late = Cache::from_url_or_local(&redis.url, "default").await;
    assert!(!late.has_shared_level());
    late.set(&key("k", "t"), b"v".to_vec()).await;
    assert!(late.get(&key("k", "t")).await.is_some());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_import_invalidates_the_cached_artist_page(db: PgPool) {
    let redis = Redis::start();
    let fakes = Fakes::start(Duration::ZERO).await;
    let cache = Cache::with_redis(&redis.url).await.expect("cache");
    let state = AppState::with_cache(db.clone(), fakes.providers(), cache.clone());
    let router = app(state.clone());
    theset_backend::cli::import(&state, &["Arctic Monkeys".into()], false)
        .await
        .expect("phase 1");
    let page = |router: axum::Router| async move {
        let res = router
            .oneshot(
                axum::http::Request::get("/api/v1/artists/arctic-monkeys")
                    .body(axum::body::Body::empty())
                    .expect("req"),
            )
            .await
            .expect("res");
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")
    };
    let before = page(router.clone()).await;
    assert_eq!(before["past_shows"].as_array().map(Vec::len), Some(0));
    assert!(
        cache
            .get(&CacheKey::new(
                "v1:artist-page:arctic-monkeys",
                &[artist_tag("arctic-monkeys")]
            ))
            .await
            .is_some()
    );

    enqueue_artist_job(
        &db,
        types::ARTIST_SHOWS,
        before["id"].as_str().expect("id").parse().expect("uuid"),
        0,
    )
    .await
    .expect("enqueue");
    let worker = Worker::new(db.clone(), fakes.providers()).with_cache(cache.clone());
    while worker.run_one().await.expect("run").is_some() {}
    let after = page(router).await;
    assert!(
        after["past_shows"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "stale page served: {after}"
    );
}
