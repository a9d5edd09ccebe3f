//! Password accounts and native sessions against the real router: sign-up, login, refresh-token
//! rotation with reuse detection and the same-device retry grace, logout, bad input.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::{AppState, app};
use tower::ServiceExt;

async fn call(
    r: &Router,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = r.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const PASSWORD: &str = "four words walk into a bar";

/// Signs up (202, no session), then signs in with the password: the token pair.
async fn signup(r: &Router, email: &str, device: &str) -> Value {
    let (s, body) = call(
        r,
        "POST",
        "/api/v1/auth/signup",
        None,
        Some(json!({ "email": email, "password": PASSWORD, "display_name": "Fan", "device_id": device })),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let (s, tokens) = call(
        r,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": email, "password": PASSWORD, "device_id": device })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    tokens
}

fn token<'a>(pair: &'a Value, which: &str) -> &'a str {
    pair[which].as_str().expect("token")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn sign_up_log_in_and_see_yourself(db: PgPool) {
    let r = app(AppState::new(db.clone()));
    let first = signup(&r, "Fan@Example.com", "phone-1").await;
    let (s, me) = call(
        &r,
        "GET",
        "/api/v1/me",
        Some(token(&first, "access_token")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (me["email"].as_str(), me["role"].as_str()),
        (Some("Fan@Example.com"), Some("user"))
    );

    let (s, body) = call(
        &r,
        "POST",
        "/api/v1/auth/signup",
        None,
        Some(json!({ "email": "fan@example.COM", "password": PASSWORD, "display_name": "Copy", "device_id": "d" })),
    )
    .await;
    // Emails are case-insensitive: the same answer as any sign-up, and no second account.
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let accounts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE lower(email) = 'fan@example.com'")
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(accounts, 1);

    let login = |email: &'static str, password: &'static str| {
        let r = r.clone();
        async move {
            call(
                &r,
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({ "email": email, "password": password, "device_id": "laptop" })),
            )
            .await
        }
    };
    let (s, pair) = login("fan@example.com", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    let (wrong_status, wrong) = login("fan@example.com", "not the password at all").await;
    let (unknown_status, unknown) = login("nobody@example.com", PASSWORD).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (unknown_status, &unknown),
        (wrong_status, &wrong),
        "no hint whether the account exists"
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn bad_sign_ups_change_nothing(db: PgPool) {
    let r = app(AppState::new(db.clone()));
    for body in [
        json!({ "email": "fan@example.com", "password": "short", "display_name": "Fan", "device_id": "d" }),
        json!({ "email": "not-an-email", "password": PASSWORD, "display_name": "Fan", "device_id": "d" }),
        json!({ "email": "a@b.c\r\nBcc: evil@x.y", "password": PASSWORD, "display_name": "Fan", "device_id": "d" }),
        json!({ "email": "fan@example.com", "password": "fan is my favourite word", "display_name": "Fan", "device_id": "d" }),
        json!({ "email": "fan@example.com", "password": PASSWORD, "display_name": "", "device_id": "d" }),
        json!({ "email": "fan@example.com", "password": PASSWORD, "display_name": "Fan", "device_id": "" }),
        json!({ "email": "fan@example.com", "password": PASSWORD, "display_name": "Fan", "device_id": "d", "role": "admin" }),
        json!({ "email": "fan@example.com'; DROP TABLE users; --", "password": PASSWORD, "display_name": "Fan", "device_id": "d" }),
    ] {
        let (s, res) = call(&r, "POST", "/api/v1/auth/signup", None, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {res}");
        assert_eq!(res["error"]["code"], "invalid_body", "{body}");
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(users, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family(db: PgPool) {
    let r = app(AppState::new(db.clone()));
    let first = signup(&r, "rotating@example.com", "phone").await;
    let refresh = |rt: String, device: &'static str| {
        let r = r.clone();
        async move {
            call(
                &r,
                "POST",
                "/api/v1/auth/refresh",
                None,
                Some(json!({ "refresh_token": rt, "device_id": device })),
            )
            .await
        }
    };
    let (s, second) = refresh(token(&first, "refresh_token").to_owned(), "phone").await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_ne!(
        token(&second, "refresh_token"),
        token(&first, "refresh_token")
    );

    // The response was lost on the venue network: the phone retries within 30 s and gets the same pair.
    let (s, retried) = refresh(token(&first, "refresh_token").to_owned(), "phone").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(retried, second);

    let (s, third) = refresh(token(&second, "refresh_token").to_owned(), "phone").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        &r,
        "GET",
        "/api/v1/me",
        Some(token(&third, "access_token")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // The first token again, from another device: someone copied it. The whole session ends.
    let (s, _) = refresh(token(&first, "refresh_token").to_owned(), "attacker").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(
        &r,
        "GET",
        "/api/v1/me",
        Some(token(&third, "access_token")),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the family's newest access token is dead too"
    );
    let (s, _) = refresh(token(&third, "refresh_token").to_owned(), "phone").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn logout_and_forged_tokens(db: PgPool) {
    let r = app(AppState::new(db.clone()));
    let pair = signup(&r, "leaver@example.com", "phone").await;
    let access = token(&pair, "access_token");
    let mut tampered = access.to_owned();
    tampered.replace_range(0..1, if tampered.starts_with('A') { "B" } else { "A" });
    for bad in [tampered.as_str(), "not-a-token", "", &"x".repeat(43)] {
        let (s, res) = call(&r, "GET", "/api/v1/me", Some(bad), None).await;
        assert_eq!(
            (s, res["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "{bad}"
        );
    }
    let (s, _) = call(&r, "GET", "/api/v1/me", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(&r, "POST", "/api/v1/auth/logout", Some(access), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&r, "GET", "/api/v1/me", Some(access), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(
        &r,
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": token(&pair, "refresh_token"), "device_id": "phone" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn expired_credentials_are_purged_and_live_ones_kept(db: PgPool) {
    let r = app(AppState::new(db.clone()));
    let live = signup(&r, "keep@example.com", "phone").await;
    let old = signup(&r, "old@example.com", "phone").await;
    // Age the second account's tokens and session past every retention.
    sqlx::query(
        "UPDATE access_tokens SET expires_at = now() - interval '2 days' WHERE session_id IN \
         (SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'old@example.com')",
    )
    .execute(&db)
    .await
    .expect("age");
    sqlx::query(
        "UPDATE sessions SET revoked_at = now() - interval '31 days' WHERE user_id = \
         (SELECT id FROM users WHERE email = 'old@example.com')",
    )
    .execute(&db)
    .await
    .expect("age");
    let mut conn = db.acquire().await.expect("conn");
    let removed = theset_backend::db::sessions::purge_expired(&mut conn)
        .await
        .expect("purge");
    assert!(removed >= 2, "{removed}");
    let (s, _) = call(
        &r,
        "GET",
        "/api/v1/me",
        Some(token(&live, "access_token")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "live sessions survive");
    let (s, _) = call(
        &r,
        "GET",
        "/api/v1/me",
        Some(token(&old, "access_token")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'old@example.com'",
    )
    .fetch_one(&db)
    .await
    .expect("count");
    assert_eq!(left, 0);
}
