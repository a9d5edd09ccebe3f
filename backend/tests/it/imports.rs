//! Artist search, phase 1 of an import, and live progress over SSE, against fake services.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::worker::Worker;
use theset_backend::{AppState, app};
use tower::ServiceExt;

use crate::fakes::{AM_TM_ID, Fakes};
use theset_testkit::Role;

/// The router over fakes and a signed-in fan's token, which `post_json` sends.
#[derive(Clone)]
struct Fan {
    router: Router,
    token: String,
}

impl std::ops::Deref for Fan {
    type Target = Router;

    fn deref(&self) -> &Router {
        &self.router
    }
}

async fn router(db: &PgPool, fakes: &Fakes) -> Fan {
    let token = theset_testkit::accounts::with_role(db, Role::User)
        .await
        .access;
    Fan {
        router: app(AppState::with_providers(db.clone(), fakes.providers())),
        token,
    }
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, String) {
    let res = router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn get_json(router: &Router, uri: &str) -> (StatusCode, Value) {
    let (s, body) = send(router, Request::get(uri).body(Body::empty()).expect("req")).await;
    (
        s,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: {body}")),
    )
}

/// POSTs as the fan of `router` (imports need a signed-in account with a confirmed address).
async fn post_json(router: &Fan, uri: &str, body: &str) -> (StatusCode, Value) {
    let token = &router.token;
    let req = Request::post(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_owned()))
        .expect("req");
    let (s, body) = send(&router.router, req).await;
    (
        s,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: {body}")),
    )
}

/// `(id, data)` of every SSE event in a finished stream.
fn sse_events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let id = block
                .lines()
                .find_map(|l| l.strip_prefix("id:"))?
                .trim()
                .to_owned();
            let data = block.lines().find_map(|l| l.strip_prefix("data:"))?.trim();
            Some((id, serde_json::from_str(data).ok()?))
        })
        .collect()
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn search_merges_ticketmaster_hits_with_held_artists(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let r = router(&db, &fakes).await;
    let (s, res) = get_json(&r, "/api/v1/search/artists?q=Arctic%20Monkeys").await;
    assert_eq!(s, StatusCode::OK, "{res}");
    let items = res["items"].as_array().expect("items");
    assert_eq!(items[0]["name"], "Arctic Monkeys");
    assert_eq!(items[0]["in_database"], false);
    assert_eq!(items[0]["ticketmaster_id"], AM_TM_ID);
    assert!(items.len() >= 2, "the tribute act is listed too");
    assert!(
        res["unavailable"]
            .as_array()
            .expect("unavailable")
            .is_empty()
    );

    let (s, imported) = post_json(
        &r,
        "/api/v1/artists/import",
        &json!({ "ticketmaster_id": AM_TM_ID }).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{imported}");
    let (_, again) = get_json(&r, "/api/v1/search/artists?q=arctic").await;
    let am = again["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["ticketmaster_id"] == AM_TM_ID)
        .cloned();
    let am = am.expect("Arctic Monkeys found");
    assert_eq!(am["in_database"], true);
    assert_eq!(am["slug"], "arctic-monkeys");
    let (_, rock) = get_json(&r, "/api/v1/search/artists?q=Arctic%20Monkeys&genre=rock").await;
    assert!(rock["items"].as_array().expect("items").iter().all(|i| {
        i["genres"]
            .as_array()
            .is_some_and(|g| g.iter().any(|x| x == "rock"))
    }));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn search_without_ticketmaster_answers_from_the_database(db: PgPool) {
    sqlx::query("INSERT INTO artists (name, slug, genres) VALUES ('Velvet Static', 'velvet-static', '{shoegaze}')")
        .execute(&db)
        .await
        .expect("artist");
    let r = app(AppState::new(db));
    let (s, res) = get_json(&r, "/api/v1/search/artists?q=velvet").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(res["items"][0]["name"], "Velvet Static");
    assert_eq!(res["unavailable"], json!(["ticketmaster"]));
    // A LIKE wildcard in the query is a literal character.
    let (_, none) = get_json(&r, "/api/v1/search/artists?q=%25%25%25").await;
    assert!(
        none["items"].as_array().expect("items").is_empty(),
        "{none}"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn search_and_import_refuse_bad_input(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let r = router(&db, &fakes).await;
    let long = "a".repeat(200);
    for uri in [
        "/api/v1/search/artists".to_owned(),
        "/api/v1/search/artists?q=".to_owned(),
        "/api/v1/search/artists?q=%20%20".to_owned(),
        format!("/api/v1/search/artists?q={long}"),
        "/api/v1/search/artists?q=a&limit=0".to_owned(),
        "/api/v1/search/artists?q=a&min_popularity=200".to_owned(),
        "/api/v1/search/artists?q=a&sort=loudest".to_owned(),
    ] {
        let (s, body) = get_json(&r, &uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{uri}");
    }
    for body in [
        "",
        "{",
        "[]",
        r#"{"ticketmaster_id": 5}"#,
        r#"{"ticketmaster_id": "../x"}"#,
        r#"{"ticketmaster_id": "ok", "role": "admin"}"#,
    ] {
        let (s, res) = post_json(&r, "/api/v1/artists/import", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {res}");
        assert_eq!(res["error"]["code"], "invalid_body", "{body}");
    }
    let (s, res) = post_json(
        &r,
        "/api/v1/artists/import",
        r#"{"ticketmaster_id": "Unknown123"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{res}");
    let artists: i64 = sqlx::query_scalar("SELECT count(*) FROM artists")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(artists, 0, "nothing was written");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn import_answers_at_once_and_streams_progress_with_resume(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let r = router(&db, &fakes).await;
    // The search fills the cache, so phase 1 makes no further Ticketmaster request.
    get_json(&r, "/api/v1/search/artists?q=Arctic%20Monkeys").await;
    let (s, res) = post_json(
        &r,
        "/api/v1/artists/import",
        &json!({ "ticketmaster_id": AM_TM_ID }).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{res}");
    assert_eq!(res["artist"]["name"], "Arctic Monkeys");
    assert_eq!(res["created"], true);
    let jobs = res["jobs"].as_array().expect("jobs").clone();
    assert_eq!(jobs.len(), 2);
    let attraction_requests = fakes
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|q| q.url.path().starts_with("/tm/discovery/v2/attractions/"))
        .count();
    assert_eq!(attraction_requests, 0);
    let (s, again) = post_json(
        &r,
        "/api/v1/artists/import",
        &json!({ "ticketmaster_id": AM_TM_ID }).to_string(),
    )
    .await;
    assert_eq!(
        (s, again["created"].clone()),
        (StatusCode::OK, json!(false))
    );

    // Subscribe before the work starts: the stream waits, then delivers everything live.
    let job = jobs[0]["id"].as_str().expect("id").to_owned();
    let live = {
        let r = r.clone();
        let uri = format!("/api/v1/jobs/{job}/events");
        tokio::spawn(
            async move { send(&r, Request::get(uri).body(Body::empty()).expect("req")).await },
        )
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let worker = Worker::new(db.clone(), fakes.providers());
    while worker.run_one().await.expect("run").is_some() {}
    // Ticketmaster's public on-sale time is kept (for the followers' reminders).
    let onsale: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT onsale_at FROM shows WHERE ticketmaster_id = 'vvG1IZ9YbdHKpA'")
            .fetch_one(&db)
            .await
            .expect("imported show");
    assert_eq!(
        onsale.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-11-15T15:00:00+00:00")
    );
    let (s, body) = tokio::time::timeout(Duration::from_secs(20), live)
        .await
        .expect("stream ends")
        .expect("task");
    assert_eq!(s, StatusCode::OK);
    let events = sse_events(&body);
    assert!(events.len() >= 3, "{body}");
    let cursors: Vec<theset_backend::db::feed::Cursor> = events
        .iter()
        .map(|(id, _)| theset_backend::db::feed::Cursor::decode(id).expect("cursor id"))
        .collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "ids increase");
    let last = &events.last().expect("last").1;
    assert_eq!(last["status"], "succeeded");
    assert!(events.iter().all(|(_, e)| e["job_id"] == job.as_str()));

    // Resume after the second event: exactly the rest arrives.
    let resume_after = events[1].0.clone();
    let req = Request::get(format!("/api/v1/jobs/{job}/events"))
        .header("last-event-id", resume_after.as_str())
        .body(Body::empty())
        .expect("req");
    let (_, rest) = send(&r, req).await;
    let rest_ids: Vec<String> = sse_events(&rest).into_iter().map(|(id, _)| id).collect();
    let expected: Vec<String> = events[2..].iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(rest_ids, expected);

    // The artist stream carries both phases and ends when they are done.
    let (_, all) = send(
        &r,
        Request::get("/api/v1/artists/arctic-monkeys/import/events")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let phases: std::collections::HashSet<String> = sse_events(&all)
        .into_iter()
        .map(|(_, e)| e["phase"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        phases.contains("shows") && phases.contains("catalogue"),
        "{phases:?}"
    );

    let (s, bad) = send(
        &r,
        Request::get(format!("/api/v1/jobs/{job}/events"))
            .header("last-event-id", "soon")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    let (s, _) = get_json(&r, &format!("/api/v1/jobs/{}/events", uuid::Uuid::new_v4())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn admins_start_jobs_by_hand_and_nobody_else_can(db: PgPool) {
    let live = theset_testkit::TestApp::start(db.clone()).await;
    let (_, user) = live.account_with_role("fan", Role::User).await;
    let (_, moderator) = live.account_with_role("mod", Role::Moderator).await;
    let (_, admin) = live.account_with_role("admin", Role::Admin).await;
    let trending = serde_json::json!({ "job": "trending" });
    for (auth, status, code) in [
        (None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (
            Some("wrong-token"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (Some(user.as_str()), StatusCode::FORBIDDEN, "forbidden"),
        (Some(moderator.as_str()), StatusCode::FORBIDDEN, "forbidden"),
    ] {
        let (s, body) = live
            .post("/api/v1/admin/jobs", auth, trending.clone())
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{auth:?}: {body}"
        );
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_jobs")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(jobs, 0, "refused requests queue nothing");

    let (s, job) = live
        .post("/api/v1/admin/jobs", Some(&admin), trending)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["job_type"], "cron.trending");
    for (body, code) in [
        (r#"{"job": "shows"}"#, StatusCode::BAD_REQUEST),
        (r#"{"job": "reboot"}"#, StatusCode::BAD_REQUEST),
        (
            r#"{"job": "trending", "artist_id": "00000000-0000-0000-0000-000000000001"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"job": "shows", "artist_id": "00000000-0000-0000-0000-000000000001"}"#,
            StatusCode::NOT_FOUND,
        ),
        (
            r#"{"job": "shows", "artist_id": "nope"}"#,
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let b: Value = serde_json::from_str(body).expect("json");
        let (s, res) = live.post("/api/v1/admin/jobs", Some(&admin), b).await;
        assert_eq!(s, code, "{body}: {res}");
    }
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'admin.job_started'")
            .fetch_one(&db)
            .await
            .expect("audit");
    assert_eq!(audited, 1);
}

/// Progress written by a separate worker process reaches a stream served by this one.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn progress_from_another_process_streams_live(db: PgPool) {
    let fakes = Fakes::start(Duration::from_millis(50)).await;
    let r = router(&db, &fakes).await;
    get_json(&r, "/api/v1/search/artists?q=Arctic%20Monkeys").await;
    let (s, res) = post_json(
        &r,
        "/api/v1/artists/import",
        &json!({ "ticketmaster_id": AM_TM_ID }).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{res}");
    let stream = {
        let r = r.clone();
        tokio::spawn(async move {
            send(
                &r,
                Request::get("/api/v1/artists/arctic-monkeys/import/events")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
        })
    };
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("db");
    let url = format!(
        "{server}/{}",
        db.connect_options().get_database().expect("db name")
    );
    let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_theset-backend"))
        .arg("worker")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .envs(fakes.env())
        .spawn()
        .expect("worker process");
    let outcome = tokio::time::timeout(Duration::from_secs(60), stream).await;
    let _ = worker.kill();
    let _ = worker.wait();
    let (status, body) = outcome
        .expect("the stream ends once the jobs are done")
        .expect("task");
    assert_eq!(status, StatusCode::OK);
    let events = sse_events(&body);
    let finished: Vec<&str> = events
        .iter()
        .filter(|(_, e)| e["status"] == "succeeded")
        .map(|(_, e)| e["phase"].as_str().unwrap_or_default())
        .collect();
    for phase in ["shows", "catalogue", "setlists"] {
        assert!(
            finished.contains(&phase),
            "{phase} missing from {finished:?}"
        );
    }
}
