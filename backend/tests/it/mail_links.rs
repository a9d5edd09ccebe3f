//! Mailed links through a real SMTP server (the sink `scripts/services.sh` starts): email
//! verification, password reset and magic-link sign-in, each single use, expiring and bound to
//! the address it was sent to.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use theset_testkit::mail::{next_mail, token_in};
use theset_testkit::{PASSWORD, TestApp, email};

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn sign_up_sends_a_verification_link_that_works_once(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let address = email("verify");
    let pair = live.signup_and_login(&address, "d").await;
    let access = pair["access_token"].as_str().expect("access");
    let (_, me) = live.get_as("/api/v1/me", Some(access)).await;
    assert_eq!(me["email_verified"], false);

    let mut seen = Vec::new();
    let mail = next_mail(&address, &mut seen).await;
    assert!(mail.contains("Subject: Confirm your email"), "{mail}");
    assert!(
        mail.contains(&format!("{}auth/verify-email#token=", live.url("/"))),
        "{mail}"
    );
    let token = token_in(&mail);

    // The landing page the link opens is served and does nothing by itself.
    let page = live
        .req(Method::GET, "/auth/verify-email")
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("script-src 'self'")
    );

    // Pasted into the app that signed up (its session): the owner keeps password and session.
    let (s, _) = live
        .post(
            "/api/v1/auth/verify-email",
            Some(access),
            json!({ "token": token }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, me) = live.get_as("/api/v1/me", Some(access)).await;
    assert_eq!(me["email_verified"], true);
    // Single use.
    let (s, body) = live
        .post("/api/v1/auth/verify-email", None, json!({ "token": token }))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn password_reset_link_sets_a_new_password_and_signs_out_everywhere(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let address = email("reset");
    let pair = live.signup_and_login(&address, "d").await;
    let old_access = pair["access_token"].as_str().expect("access").to_owned();
    let mut seen = Vec::new();
    next_mail(&address, &mut seen).await; // the verification mail

    // Known and unknown addresses get the very same answer.
    let (s1, b1) = live
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": address }),
        )
        .await;
    let (s2, b2) = live
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": email("nobody") }),
        )
        .await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(s1, StatusCode::ACCEPTED);

    let mail = next_mail(&address, &mut seen).await;
    assert!(
        mail.contains("Subject: Reset your TheSet password"),
        "{mail}"
    );
    let token = token_in(&mail);

    // A refused password does not spend the link.
    let (s, body) = live
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": "short" }),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let new_password = "a brand new phrase for the tour";
    let (s, _) = live
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": new_password }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Every old session is gone; the old password no longer works; the new one does.
    let (s, _) = live.get_as("/api/v1/me", Some(&old_access)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let login = |p: &str| json!({ "email": address, "password": p, "device_id": "d" });
    let (s, _) = live.post("/api/v1/auth/login", None, login(PASSWORD)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = live
        .post("/api/v1/auth/login", None, login(new_password))
        .await;
    assert_eq!(s, StatusCode::OK);
    // The link is spent.
    let (s, _) = live
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": "yet another long phrase here" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // And it shows in the audit log.
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.password_reset'")
            .fetch_one(&db)
            .await
            .expect("audit");
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn magic_link_signs_in_once_creates_new_accounts_and_expires(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let address = email("magic");
    let (s, _) = live
        .post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let mut seen = Vec::new();
    let mail = next_mail(&address, &mut seen).await;
    assert!(mail.contains("Subject: Your TheSet sign-in link"), "{mail}");
    let token = token_in(&mail);
    // The code is in the mail in clear for pasting into the app.
    assert!(mail.contains(&format!("\n{token}\n")) || mail.contains(&format!("\r\n{token}\r\n")));
    // Stored hashed only.
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_tokens WHERE position($1::bytea IN token_hash) > 0",
    )
    .bind(token.as_bytes())
    .fetch_one(&db)
    .await
    .expect("q");
    assert_eq!(stored, 0);

    let consume = json!({ "token": token, "device_id": "phone" });
    let (s, pair) = live
        .post("/api/v1/auth/magic-link/consume", None, consume.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    let (_, me) = live
        .get_as("/api/v1/me", pair["access_token"].as_str())
        .await;
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (Some(address.as_str()), Some(true))
    );
    let (s, body) = live
        .post("/api/v1/auth/magic-link/consume", None, consume)
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );

    // A newer link leaves the older one five more minutes (its owner may be opening it right
    // now), then it ends; an expired link fails.
    live.post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    let first = token_in(&next_mail(&address, &mut seen).await);
    live.post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    let second = token_in(&next_mail(&address, &mut seen).await);
    let left = |token: String| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, f64>(
                "SELECT extract(epoch FROM expires_at - now())::float8 FROM email_tokens WHERE token_hash = $1",
            )
            .bind(theset_backend::auth::tokens::digest(&token))
            .fetch_one(&db)
            .await
            .expect("token")
        }
    };
    let (older, newer) = (left(first.clone()).await, left(second.clone()).await);
    assert!(
        older <= 301.0 && older > 240.0,
        "the older link's overlap: {older} s"
    );
    assert!(newer > 800.0, "the newer link's full lifetime: {newer} s");
    // Five minutes on.
    sqlx::query("UPDATE email_tokens SET expires_at = expires_at - interval '301 seconds' WHERE used_at IS NULL")
        .execute(&db)
        .await
        .expect("time passes");
    let (s, _) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": first, "device_id": "d" }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "older link ended after the overlap"
    );
    sqlx::query(
        "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
    )
    .execute(&db)
    .await
    .expect("expire");
    let (s, _) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": second, "device_id": "d" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "expired");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(users, 1);
}

/// The web app signs in with a mailed link into a browser session: the cookie is set (HttpOnly,
/// `__Host-`), the CSRF token comes in the body, no token pair is handed to page script, and the
/// link works once.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_mailed_link_opens_a_browser_session_once(db: PgPool) {
    let live = TestApp::start(db).await;
    let address = email("web-magic");
    live.post("/api/v1/auth/magic-link", None, json!({ "email": address }))
        .await;
    let mut seen = Vec::new();
    let token = token_in(&next_mail(&address, &mut seen).await);
    let res = live
        .req(
            reqwest::Method::POST,
            "/api/v1/auth/browser/magic-link/consume",
        )
        .json(&json!({ "token": token }))
        .send()
        .await
        .expect("consume");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.starts_with("__Host-theset_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(body["csrf_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body.get("access_token").is_none() && body.get("refresh_token").is_none());
    assert_eq!(body["user"]["email_verified"], true);
    let session = cookie.split(';').next().expect("pair").to_owned();
    let me = live
        .req(reqwest::Method::GET, "/api/v1/auth/browser/session")
        .header("cookie", &session)
        .send()
        .await
        .expect("session");
    assert_eq!(me.status(), StatusCode::OK);

    let (s, again) = live
        .post(
            "/api/v1/auth/browser/magic-link/consume",
            None,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(
        (s, again["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
}
