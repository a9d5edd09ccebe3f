//! Every invalid parameter answers 400 with the JSON error body; unknown ids and routes 404.

use axum::http::StatusCode;
use sqlx::PgPool;

use theset_testkit::TestApp;

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn invalid_list_parameters_answer_400(db: PgPool) {
    let app = TestApp::start(db).await;
    for uri in [
        "/api/v1/artists?limit=0",
        "/api/v1/artists?limit=10000",
        "/api/v1/artists?limit=-1",
        "/api/v1/artists?limit=ten",
        "/api/v1/artists?sort=popularity",
        "/api/v1/artists?min_popularity=101",
        "/api/v1/artists?genre=",
        "/api/v1/artists?unknown=1",
        "/api/v1/shows?limit=0",
        "/api/v1/shows?limit=10000",
        "/api/v1/shows?artist_id=not-a-uuid",
        "/api/v1/shows?venue_id=123",
        "/api/v1/shows?from=2026-13-01",
        "/api/v1/shows?from=2027-02-01&to=2027-01-01",
        "/api/v1/shows?status=soon",
        "/api/v1/shows?order=sideways",
        "/api/v1/shows?city=",
        "/api/v1/venues?limit=0",
        "/api/v1/venues?limit=10000",
        "/api/v1/venues?near=95,0",
        "/api/v1/venues?near=-91,0",
        "/api/v1/venues?near=0,181",
        "/api/v1/venues?near=40.75",
        "/api/v1/venues?near=north,west",
        "/api/v1/venues?near=40.75,-73.99&km=0",
        "/api/v1/venues?near=40.75,-73.99&km=-5",
        "/api/v1/venues?near=40.75,-73.99&km=50000",
        "/api/v1/venues?km=5",
        "/api/v1/venues?min_capacity=5000&max_capacity=100",
        "/api/v1/venues?min_capacity=-1",
        "/api/v1/venues?has_upcoming=maybe",
    ] {
        app.error(uri, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn bad_cursors_answer_400(db: PgPool) {
    let app = TestApp::start(db).await;
    for uri in [
        "/api/v1/artists?cursor=%%%",
        "/api/v1/shows?cursor=eyJzIjoibmFtZSJ9",
        &format!("/api/v1/venues?cursor={}", "A".repeat(600)),
    ] {
        let (status, body) = app.get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(
            ["invalid_cursor", "invalid_parameter"]
                .contains(&body["error"]["code"].as_str().unwrap_or_default()),
            "{uri}: {body}"
        );
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn bad_ids_answer_400_and_unknown_ids_404(db: PgPool) {
    let app = TestApp::start(db).await;
    let missing = uuid::Uuid::new_v4();
    for base in ["/api/v1/shows", "/api/v1/venues"] {
        app.error(
            &format!("{base}/not-a-uuid"),
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
        app.error(
            &format!("{base}/{missing}"),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    app.error(
        "/api/v1/shows/12345/setlists",
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    app.error(
        &format!("/api/v1/shows/{missing}/setlists"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn unknown_routes_and_methods_answer_json(db: PgPool) {
    let app = TestApp::start(db).await;
    app.error("/api/v1/nothing", StatusCode::NOT_FOUND, "route_not_found")
        .await;
    app.error("/api/v2/artists", StatusCode::NOT_FOUND, "route_not_found")
        .await;
    let (status, body) = app.delete("/api/v1/artists", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn health_readiness_and_openapi(db: PgPool) {
    let app = TestApp::start(db.clone()).await;
    assert_eq!(app.ok("/healthz").await["status"], "ok");
    let ready = app.ok("/readyz").await;
    assert_eq!(ready["status"], "ready");
    let newest = theset_backend::MIGRATOR.iter().map(|m| m.version).max();
    assert_eq!(ready["migration"].as_i64(), newest);
    // Readiness notices a database that lost (or never got) its migrations.
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(&db)
        .await
        .expect("forget migrations");
    app.error("/readyz", StatusCode::SERVICE_UNAVAILABLE, "not_ready")
        .await;

    let doc = app.ok("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/artists",
        "/api/v1/artists/{slug}",
        "/api/v1/shows",
        "/api/v1/shows/{id}",
        "/api/v1/shows/{id}/setlists",
        "/api/v1/venues",
        "/api/v1/venues/{id}",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "openapi lacks GET {path}"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn docs_page_is_served(db: PgPool) {
    let app = TestApp::start(db).await;
    let res = app
        .req(reqwest::Method::GET, "/api/v1/docs")
        .send()
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    // No third-party script on the origin of the session cookie: the page's scripts and the
    // policy name this origin only.
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("http"), "{csp}");
    let html = res.text().await.expect("utf-8");
    for src in html.split("src=\"").skip(1) {
        assert!(src.starts_with('/'), "a script from elsewhere: {src}");
    }
    assert!(html.contains("src=\"/api/v1/docs/docs.js\""), "{html}");
    let (status, js) = app.get_text("/api/v1/docs/docs.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.contains("openapi.json"));
}
