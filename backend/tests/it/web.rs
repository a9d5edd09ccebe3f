//! The web app is served at `/` and `/app/`: files from its folder (content-hashed ones cached as
//! immutable, the rest revalidated), the page (with its base and its own CSP) for every other
//! path under it, nothing outside the folder, and JSON 404s without one.

use axum::http::StatusCode;
use reqwest::Method;
use sqlx::PgPool;
use theset_testkit::TestApp;

fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><html><head><title>TheSet</title></head><body></body></html>",
    )
    .expect("page");
    std::fs::create_dir(dir.path().join("worker")).expect("folder");
    std::fs::write(dir.path().join("worker/core.js"), "export {};").expect("script");
    std::fs::write(dir.path().join("worker/core.js.br"), "BROTLI").expect("compressed");
    std::fs::write(
        dir.path().join("worker/core.0123456789abcdef.wasm"),
        b"\0asm",
    )
    .expect("hashed");
    std::fs::write(dir.path().join("sw.js"), "// sw").expect("service worker");
    std::fs::write(dir.path().join(".secret"), "no").expect("hidden");
    dir
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_web_app_is_served_with_deep_links_and_nothing_else(db: PgPool) {
    let dir = built_app();
    let app = TestApp::builder(db).web_app(dir.path()).start().await;

    let old = app.req(Method::GET, "/app").send().await.expect("old");
    assert!(old.status().is_redirection());
    assert_eq!(old.headers()["location"], "/app/");

    for deep in [
        "/",
        "/app/",
        "/app/shows/4b0f6c1e-0000-7000-8000-000000000001",
        "/app/venues",
    ] {
        let page = app.req(Method::GET, deep).send().await.expect("page");
        assert_eq!(page.status(), StatusCode::OK, "{deep}");
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers()["cache-control"], "no-cache", "{deep}");
        let body = page.text().await.expect("body");
        assert!(body.contains("<base href=\"/app/\" />"), "{body}");
    }

    // Named after its content: kept a year without asking. Anything else: asked each visit.
    let hashed = app
        .req(Method::GET, "/app/worker/core.0123456789abcdef.wasm")
        .send()
        .await
        .expect("hashed");
    assert_eq!(hashed.status(), StatusCode::OK);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // A hashed name that is not in the build is the page, never cached as immutable.
    let missing = app
        .req(Method::GET, "/app/worker/core.fedcba9876543210.wasm")
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.headers()["cache-control"], "no-cache");
    // The service worker may take the whole origin as its scope (so `/` opens offline).
    let sw = app.req(Method::GET, "/app/sw.js").send().await.expect("sw");
    assert_eq!(sw.headers()["cache-control"], "no-cache");
    assert_eq!(sw.headers()["service-worker-allowed"], "/");

    let script = app
        .req(Method::GET, "/app/worker/core.js")
        .send()
        .await
        .expect("script");
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .expect("type")
            .contains("javascript")
    );
    assert_eq!(script.text().await.expect("body"), "export {};");
    // Compressed ahead of time by the build: sent as it is to browsers that take brotli.
    let packed = app
        .req(Method::GET, "/app/worker/core.js")
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("packed");
    assert_eq!(packed.headers()["content-encoding"], "br");
    assert_eq!(packed.bytes().await.expect("body").as_ref(), b"BROTLI");

    // Hidden files and anything outside the folder answer the page, never their content.
    for sneaky in [
        "/app/.secret",
        "/app/..%2f..%2fetc%2fpasswd",
        "/app/worker/../.secret",
    ] {
        let res = app.req(Method::GET, sneaky).send().await.expect("sneaky");
        let body = res.text().await.expect("body");
        assert!(body.contains("<html"), "{sneaky}: {body}");
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn without_a_built_web_app_its_paths_answer_json_404(db: PgPool) {
    let app = TestApp::start(db).await;
    let (status, body) = app.get_as("/app/shows/x", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found", "{body}");
}
