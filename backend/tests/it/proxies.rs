//! Limits that hold behind a reverse proxy and across instances, with real processes: two
//! backend servers on one Redis spend one budget, and behind a real nginx every client has its
//! own budget, which no forged header escapes.

use std::net::IpAddr;
use std::path::Path;

use reqwest::StatusCode;
use sqlx::PgPool;
use theset_testkit::process::{Nginx, Server, database_url};

use crate::cache::Redis;

/// A `theset-backend serve` process on a free port.
fn backend(db: &PgPool, envs: &[(&str, &str)]) -> (Server, u16) {
    let server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_theset-backend")),
        &database_url(db),
        envs,
    );
    let port = server.port;
    (server, port)
}

fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

async fn search(client: &reqwest::Client, port: u16, forged: Option<(&str, &str)>) -> StatusCode {
    let mut req = client.get(format!("http://127.0.0.1:{port}/api/v1/search/artists?q=x"));
    if let Some((name, value)) = forged {
        req = req.header(name, value);
    }
    req.send().await.expect("search").status()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn two_instances_on_one_redis_spend_one_budget(db: PgPool) {
    let redis = Redis::start();
    let rates = "search_ip=20/60000";
    let (_a, port_a) = backend(&db, &[("REDIS_URL", &redis.url), ("THESET_RATES", rates)]);
    let (_b, port_b) = backend(&db, &[("REDIS_URL", &redis.url), ("THESET_RATES", rates)]);
    let client = reqwest::Client::new();
    let mut ok = [0, 0];
    for _ in 0..15 {
        for (i, port) in [port_a, port_b].into_iter().enumerate() {
            if search(&client, port, None).await == StatusCode::OK {
                ok[i] += 1;
            }
        }
    }
    // On their own, each instance would have let 15 through (30 in all).
    assert_eq!(ok[0] + ok[1], 20, "one shared budget of 20: {ok:?}");
    assert!(ok[0] > 0 && ok[1] > 0, "{ok:?}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_instance_whose_redis_is_gone_still_limits_on_its_own(db: PgPool) {
    let mut redis = Redis::start();
    let (_a, port) = backend(
        &db,
        &[
            ("REDIS_URL", &redis.url),
            ("THESET_RATES", "search_ip=5/60000"),
        ],
    );
    redis.kill();
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    for _ in 0..8 {
        codes.push(search(&client, port, None).await);
    }
    let ok = codes.iter().filter(|c| **c == StatusCode::OK).count();
    assert_eq!(ok, 5, "{codes:?}");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn behind_a_proxy_each_client_has_its_budget_and_forged_headers_change_nothing(db: PgPool) {
    let (_backend, backend_port) = backend(
        &db,
        &[
            ("THESET_RATES", "search_ip=3/60000"),
            ("THESET_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    );
    let nginx = Nginx::start(&[backend_port]);
    let proxy = nginx.port;
    let alice = client_from("127.0.0.2");
    let bob = client_from("127.0.0.3");
    for n in 0..3 {
        assert_eq!(
            search(&alice, proxy, None).await,
            StatusCode::OK,
            "alice {n}"
        );
    }
    assert_eq!(
        search(&alice, proxy, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Before: every client behind the proxy shared the proxy's one bucket.
    assert_eq!(
        search(&bob, proxy, None).await,
        StatusCode::OK,
        "bob has his own budget"
    );
    // Alice cannot buy a new budget with a header the proxy passes on: it is read right to left.
    for forged in [
        ("x-forwarded-for", "9.9.9.9"),
        ("x-forwarded-for", "127.0.0.3"),
        ("forwarded", "for=8.8.8.8"),
        ("x-real-ip", "7.7.7.7"),
    ] {
        assert_eq!(
            search(&alice, proxy, Some(forged)).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{forged:?}"
        );
    }
    // Straight to the backend, not through a trusted proxy: forwarded headers are not read.
    let mallory = client_from("127.0.0.4");
    let mut codes = Vec::new();
    for n in 0..5 {
        let forged = format!("10.0.0.{n}");
        codes.push(search(&mallory, backend_port, Some(("x-forwarded-for", &forged))).await);
    }
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::OK).count(),
        3,
        "{codes:?}"
    );
}
