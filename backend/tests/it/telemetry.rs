//! `/metrics`: the Prometheus text format with request, vote, job and queue series, readable from
//! loopback (never through a proxy) or with the configured bearer token, hidden from anyone else.

use reqwest::{Method, StatusCode, header};
use sqlx::PgPool;

use theset_testkit::TestApp;
use theset_testkit::rows as support;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn metrics_are_scraped_from_loopback_or_with_the_token_only(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    support::artist(&db, "Measured Band", &[], None, 0.0).await;
    let (s, _) = live.get("/api/v1/artists/measured-band").await;
    assert_eq!(s, StatusCode::OK);

    let scrape = live
        .req(Method::GET, "/metrics")
        .send()
        .await
        .expect("scrape");
    assert_eq!(scrape.status(), StatusCode::OK);
    assert_eq!(scrape.headers()[header::CACHE_CONTROL], "no-store");
    let text = scrape.text().await.expect("text");
    for series in [
        "http_requests_total{",
        "route=\"/api/v1/artists/{slug}\"",
        "http_request_duration_seconds_bucket{",
        "job_queue_depth",
        "db_pool_connections",
        "cache_lookups_total{level=",
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
    // A route template, never a raw path: one series per route, not per artist.
    assert!(!text.contains("measured-band"));

    // Through a proxy (forwarded headers) the loopback rule does not hold: as if absent.
    let proxied = live
        .req(Method::GET, "/metrics")
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .expect("proxied");
    assert_eq!(proxied.status(), StatusCode::NOT_FOUND);

    // With a token configured, only the token opens it.
    let guarded = TestApp::builder(db.clone())
        .own_pool()
        .auth(|a| a.metrics_token = Some("scrape-secret".into()))
        .start()
        .await;
    let none = guarded
        .req(Method::GET, "/metrics")
        .send()
        .await
        .expect("none");
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let wrong = guarded
        .req(Method::GET, "/metrics")
        .bearer_auth("guess")
        .send()
        .await
        .expect("wrong");
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let right = guarded
        .req(Method::GET, "/metrics")
        .bearer_auth("scrape-secret")
        .send()
        .await
        .expect("right");
    assert_eq!(right.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn every_answer_carries_its_request_id(db: PgPool) {
    let live = TestApp::start(db).await;
    let fresh = live
        .req(Method::GET, "/healthz")
        .send()
        .await
        .expect("healthz");
    let id = fresh.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let again = live
        .req(Method::GET, "/healthz")
        .send()
        .await
        .expect("again");
    assert_ne!(
        again.headers()["x-request-id"],
        id.as_str(),
        "one per request"
    );
    // A proxy's id is kept, so one request is found in both logs.
    let proxied = live
        .req(Method::GET, "/api/v1/artists")
        .header("x-request-id", "edge-4711")
        .send()
        .await
        .expect("proxied");
    assert_eq!(proxied.headers()["x-request-id"], "edge-4711");
}
