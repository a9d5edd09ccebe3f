//! HTTP caching over the real server: public answers carry a max-age and a tag, a matching
//! `If-None-Match` answers 304 with no body (the same tag from another backend process), answers
//! to credentialed requests are `private, no-cache`, private routes `no-store`, streams untouched.

use reqwest::{Method, StatusCode, header};
use sqlx::PgPool;

use theset_testkit::rows as support;
use theset_testkit::{Role, TestApp};

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn public_answers_revalidate_by_tag_and_private_ones_are_never_kept(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    // A second backend process: its own pool, as another process would have.
    let other = TestApp::builder(db.clone()).own_pool().start().await;
    support::artist(&db, "Cached Band", &["rock"], None, 0.0).await;

    let first = live
        .req(Method::GET, "/api/v1/artists/cached-band")
        .send()
        .await
        .expect("get");
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::CACHE_CONTROL], "public, max-age=60");
    let tag = first.headers()[header::ETAG]
        .to_str()
        .expect("tag")
        .to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");

    // Revalidation, here and on another backend process: 304, no body, the same tag.
    for server in [&live, &other] {
        let again = server
            .req(Method::GET, "/api/v1/artists/cached-band")
            .header(header::IF_NONE_MATCH, &tag)
            .send()
            .await
            .expect("revalidate");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag.as_str());
        assert!(again.bytes().await.expect("body").is_empty());
    }
    // A tag of another answer (a copy from before a change) gets the whole answer.
    let stale = live
        .req(Method::GET, "/api/v1/artists/cached-band")
        .header(header::IF_NONE_MATCH, "W/\"an-older-answer\"")
        .send()
        .await
        .expect("stale copy");
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.headers()[header::ETAG], tag.as_str());
    assert!(!stale.bytes().await.expect("body").is_empty());

    // The same page asked with a token may be personal: only the caller's cache, revalidated.
    let (_, _, token) = live.quick(Role::User).await;
    let mine = live
        .req(Method::GET, "/api/v1/artists/cached-band")
        .bearer_auth(&token)
        .send()
        .await
        .expect("mine");
    assert_eq!(mine.headers()[header::CACHE_CONTROL], "private, no-cache");
    assert!(mine.headers().contains_key(header::ETAG));
    // Private routes: nowhere, no tag.
    let dash = live
        .req(Method::GET, "/api/v1/me/dashboard")
        .bearer_auth(&token)
        .send()
        .await
        .expect("dashboard");
    assert_eq!(dash.status(), StatusCode::OK);
    assert_eq!(dash.headers()[header::CACHE_CONTROL], "no-store");
    assert!(!dash.headers().contains_key(header::ETAG));
    // Errors are not tagged; the web app's files keep their own rules.
    let missing = live
        .req(Method::GET, "/api/v1/artists/nobody")
        .send()
        .await
        .expect("404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(!missing.headers().contains_key(header::ETAG));
    // Whatever the method: a sync push's answer or a moderator's decision is stored nowhere
    // either (the one list of private routes serves both the caching and the security headers).
    for (method, path) in [
        (Method::POST, "/api/v1/sync/push"),
        (
            Method::POST,
            "/api/v1/moderation/flags/00000000-0000-0000-0000-000000000000/resolve",
        ),
        (Method::POST, "/api/v1/auth/logout"),
    ] {
        let res = live
            .req(method, path)
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("answer");
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "no-store",
            "{path}: {}",
            res.status()
        );
    }
}
