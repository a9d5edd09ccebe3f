//! Secrets never leave the server: a provider failure's text is cleaned of URLs and keys before
//! it is stored, logged or served; everyone but admins reads a generic sentence; the server
//! refuses to start with a weak or missing token secret; providers' limiters fail fast for
//! people; imports and upstream searches have budgets.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use theset_backend::auth::limits::{Limits, Rate, Rates};
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_artist_job, types};
use theset_backend::providers::Limits as ProviderLimits;
use theset_backend::providers::config::{ProvidersConfig, TicketmasterConfig};
use tokio::io::AsyncReadExt;

use theset_testkit::Role;
use theset_testkit::TestApp;

const KEY: &str = "tm-SECRET-key-0123456789";

/// A "Ticketmaster" that accepts each connection, reads the request and hangs up without an
/// answer: the network failure whose error text carries the request URL (and its `apikey`).
async fn hanging_up() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            drop(s);
        }
    });
    format!("http://{addr}/discovery/v2")
}

fn ticketmaster(base: &str, rps: u32) -> Providers {
    let limits = ProviderLimits {
        backoff_base: Duration::from_millis(2),
        backoff_cap: Duration::from_millis(5),
        max_retries: 1,
        ..ProviderLimits::per_second(rps)
    };
    Providers::from_config(&ProvidersConfig {
        ticketmaster: Some(TicketmasterConfig {
            api_key: KEY.into(),
            base_url: base.into(),
            limits,
        }),
        spotify: None,
        setlistfm: None,
        wikipedia: None,
        origin: Default::default(),
    })
    .expect("providers")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_dropped_connection_leaks_no_key_anywhere(db: PgPool) {
    let base = hanging_up().await;
    let providers = ticketmaster(&base, 100);
    let artist: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO artists (name, slug, ticketmaster_id) VALUES ('Gone', 'gone', 'K8vZ9171gone') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .expect("artist");
    let job = enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 10)
        .await
        .expect("enqueue");
    Worker::new(db.clone(), providers)
        .run_one()
        .await
        .expect("run");

    // Stored: the job's error and every progress event.
    let last_error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM sync_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&db)
            .await
            .expect("job");
    let last_error = last_error.expect("the failure is recorded");
    assert!(last_error.contains("ticketmaster"), "{last_error}");
    let messages: Vec<Option<String>> =
        sqlx::query_scalar("SELECT message FROM sync_progress WHERE job_id = $1")
            .bind(job)
            .fetch_all(&db)
            .await
            .expect("progress");
    assert!(!messages.is_empty());
    let mut texts = vec![last_error.clone()];
    texts.extend(messages.into_iter().flatten());

    // Served: the job to anyone and to an admin, and its event streams.
    let live = TestApp::start(db.clone()).await;
    let (_, _, admin) = live.quick(Role::Admin).await;
    let (s, public) = live.get_as(&format!("/api/v1/jobs/{job}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        public["last_error"],
        serde_json::Value::Null,
        "detail is for admins"
    );
    let (_, detail) = live
        .get_as(&format!("/api/v1/jobs/{job}"), Some(&admin))
        .await;
    assert!(detail["last_error"].is_string(), "{detail}");
    texts.push(public.to_string());
    texts.push(detail.to_string());
    // The job waits to be retried, so its streams stay open: read what they send for a while.
    for path in [
        format!("/api/v1/jobs/{job}/events"),
        "/api/v1/artists/gone/import/events".to_owned(),
    ] {
        let mut res = live.req(Method::GET, &path).send().await.expect("stream");
        let mut body = String::new();
        while let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_secs(2), res.chunk()).await
        {
            body.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(body.contains("event: progress"), "{path}: {body}");
        texts.push(body);
    }
    for text in &texts {
        assert!(!text.contains(KEY), "the key leaked: {text}");
        assert!(
            !text.contains("apikey="),
            "a URL with its query leaked: {text}"
        );
        assert!(!text.contains("http://"), "a URL leaked: {text}");
    }
    // What people read says what happened, in words.
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Ticketmaster could not be reached")),
        "{texts:?}"
    );
}

#[test]
fn the_server_refuses_weak_or_missing_token_secrets() {
    let run = |envs: &[(&str, &str)], listen: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_theset-backend"))
            .args(["serve", "--listen", listen])
            .env_remove("THESET_TOKEN_SECRET")
            .env_remove("THESET_PUBLIC_URL")
            .envs(envs.iter().copied())
            // Never reached: the check comes first.
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:9/none")
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = run(&[("THESET_TOKEN_SECRET", "short")], "127.0.0.1:0");
    assert!(!ok);
    assert!(err.contains("at least 32 characters"), "{err}");
    let (ok, err) = run(&[], "0.0.0.0:0");
    assert!(!ok);
    assert!(err.contains("THESET_TOKEN_SECRET is not set"), "{err}");
    let (ok, err) = run(
        &[("THESET_PUBLIC_URL", "https://theset.example/")],
        "127.0.0.1:0",
    );
    assert!(!ok, "a public server behind a proxy needs the secret too");
    assert!(err.contains("THESET_TOKEN_SECRET is not set"), "{err}");
    let (ok, err) = run(
        &[
            ("THESET_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("THESET_TOKEN_SECRET", &"x".repeat(40)),
        ],
        "127.0.0.1:0",
    );
    assert!(!ok);
    assert!(err.contains("THESET_TRUSTED_PROXIES"), "{err}");
}

/// The seed's flow: a visitor who is not signed in searches an artist TheSet does not hold yet,
/// and its page comes at once with shows and songs to follow — within the budgets: per network,
/// per account when signed in, and the day's share of upstream calls people may cause.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_signed_out_search_imports_the_artist_within_the_budgets(db: PgPool) {
    let fakes = crate::fakes::Fakes::start(Duration::ZERO).await;
    let providers = fakes.providers();
    let live = TestApp::start_with_providers(db.clone(), providers, |auth| {
        auth.limits = Limits::new(Rates {
            import_ip: Rate::new(3, 60_000),
            import_account: Rate::new(1, 60_000),
            people_upstream_daily: 2,
            ..Rates::default()
        });
    })
    .await;
    // The search (one of the day's share), then the import of the hit nobody holds yet.
    let (s, found) = live.get_as("/api/v1/search/artists?q=arctic", None).await;
    assert_eq!(s, StatusCode::OK);
    let hit = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|h| h["ticketmaster_id"] == crate::fakes::AM_TM_ID)
        .expect("the hit")
        .clone();
    assert_eq!(hit["in_database"], false);
    let body = json!({ "ticketmaster_id": crate::fakes::AM_TM_ID });
    let (s, b) = live
        .post("/api/v1/artists/import", None, body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["artist"]["name"], "Arctic Monkeys");
    assert!(
        !b["jobs"].as_array().expect("jobs").is_empty(),
        "phases queued"
    );
    let slug = b["artist"]["slug"].as_str().expect("slug").to_owned();
    let (s, _) = live.get_as(&format!("/api/v1/artists/{slug}"), None).await;
    assert_eq!(s, StatusCode::OK, "the page is there at once");
    // Again: held, no upstream call, still within the network's budget.
    let (s, _) = live
        .post("/api/v1/artists/import", None, body.clone())
        .await;
    assert_eq!(s, StatusCode::OK);
    // A new artist past the day's share (search + import spent it): said, nothing created.
    let (s, b) = live
        .post(
            "/api/v1/artists/import",
            None,
            json!({ "ticketmaster_id": "K8vZ917notheld" }),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("upstream_busy"))
    );
    // The network's budget holds for everyone behind it.
    let (s, b) = live
        .post("/api/v1/artists/import", None, body.clone())
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

/// Signed in, an account's own import budget applies as well.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_accounts_imports_have_a_budget_of_their_own(db: PgPool) {
    let fakes = crate::fakes::Fakes::start(Duration::ZERO).await;
    let body = json!({ "ticketmaster_id": crate::fakes::AM_TM_ID });
    let live = TestApp::start_with_providers(db.clone(), fakes.providers(), |auth| {
        auth.limits = Limits::new(Rates {
            import_account: Rate::new(1, 60_000),
            ..Rates::default()
        });
    })
    .await;
    let (_, _, access) = live.quick(Role::User).await;
    // The search keeps the hit, so the import costs Ticketmaster nothing more.
    let (s, _) = live.get_as("/api/v1/search/artists?q=arctic", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = live
        .post("/api/v1/artists/import", Some(&access), body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = live
        .post("/api/v1/artists/import", Some(&access), body)
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_busy_provider_answers_people_at_once_instead_of_queueing_them(db: PgPool) {
    let fakes = crate::fakes::Fakes::start(Duration::ZERO).await;
    // One call every 30 s: spent by the first caller, so the next person would wait half a minute.
    let mut config = fakes.config();
    if let Some(tm) = config.ticketmaster.as_mut() {
        tm.limits = ProviderLimits {
            requests: 1,
            per: Duration::from_secs(30),
            burst: 1,
            ..tm.limits.clone()
        };
    }
    let providers = Providers::from_config(&config).expect("providers");
    let live = TestApp::start_with_providers(db.clone(), providers, |_| {}).await;
    let (_, _, access) = live.quick(Role::User).await;
    let import = |id: &str| json!({ "ticketmaster_id": id });
    // Someone's search spends the one call there is.
    let (s, b) = live.get_as("/api/v1/search/artists?q=arctic", None).await;
    assert!(
        s == StatusCode::OK && b["unavailable"].as_array().is_some_and(Vec::is_empty),
        "{b}"
    );
    let started = std::time::Instant::now();
    let res = live
        .req(Method::POST, "/api/v1/artists/import")
        .bearer_auth(&access)
        .json(&import("K8vZ917otherone"))
        .send()
        .await
        .expect("import");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "queued behind the limiter"
    );
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let (_, b) = theset_testkit::json_of(res).await;
    assert_eq!(b["error"]["code"], "upstream_busy");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn uncached_searches_have_a_per_network_budget(db: PgPool) {
    let fakes = crate::fakes::Fakes::start(Duration::ZERO).await;
    let live = TestApp::start_with_providers(db.clone(), fakes.providers(), |auth| {
        auth.limits = Limits::new(Rates {
            upstream_search_ip: Rate::new(3, 60_000),
            ..Rates::default()
        });
    })
    .await;
    for n in 0..8 {
        let (s, b) = live
            .get_as(&format!("/api/v1/search/artists?q=band{n}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let remote = b["unavailable"].as_array().is_some_and(Vec::is_empty);
        assert_eq!(remote, n < 3, "search {n}: {b}");
    }
    // A cached query costs Ticketmaster nothing and is still answered in full.
    let (_, b) = live.get_as("/api/v1/search/artists?q=band0", None).await;
    assert!(
        b["unavailable"].as_array().is_some_and(Vec::is_empty),
        "{b}"
    );
    let calls = fakes
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("attractions.json"))
        .count();
    assert_eq!(calls, 3);
}
