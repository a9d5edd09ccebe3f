//! Bad input and attacks against the live server. Each case must get a 4xx JSON error with a
//! stable code, and leave every account table as it was (row counts and the full content of
//! `users`) — or, where a refusal would itself tell an attacker something, the documented safe
//! outcome (the same answer as for anyone) with the accounts unchanged.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use theset_testkit::Role;
use theset_testkit::mail::mails_to;
use theset_testkit::{PASSWORD, TestApp, email, json_of};

mod second_round;

struct Suite<'a> {
    live: &'a TestApp,
    before: Vec<String>,
    cases: usize,
}

impl<'a> Suite<'a> {
    /// A suite whose "nothing changed" starts from the database as it is now.
    async fn from_now(live: &'a TestApp) -> Self {
        Self {
            before: live.footprint().await,
            live,
            cases: 0,
        }
    }

    /// Takes the database as it is now as the state later cases must leave unchanged (after
    /// the setup a case needs).
    async fn settle(&mut self) {
        self.before = self.live.footprint().await;
    }

    /// Sends `req`, expects `status` with error `code`, and that nothing changed.
    async fn refused(&mut self, name: &str, req: RequestBuilder, status: StatusCode, code: &str) {
        let (got, body) = json_of(req.send().await.expect(name)).await;
        assert_eq!(got, status, "{name}: {body}");
        assert_eq!(body["error"]["code"].as_str(), Some(code), "{name}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        let after = self.live.footprint().await;
        assert_eq!(self.before, after, "{name} changed the database");
        self.cases += 1;
    }

    /// Sends `req`, expects the documented safe answer `status` (`body` checked by `check`), and
    /// that no account changed (mail tokens may be written: the owner is told by mail).
    async fn safe(
        &mut self,
        name: &str,
        req: RequestBuilder,
        status: StatusCode,
        check: impl Fn(&serde_json::Value) -> bool,
    ) {
        let (got, body) = json_of(req.send().await.expect(name)).await;
        assert_eq!(got, status, "{name}: {body}");
        assert!(check(&body), "{name}: {body}");
        let accounts = |f: &[String]| {
            f.iter()
                .filter(|l| !l.starts_with("email_tokens="))
                .cloned()
                .collect::<Vec<_>>()
        };
        let after = self.live.footprint().await;
        assert_eq!(
            accounts(&self.before),
            accounts(&after),
            "{name} changed an account"
        );
        self.before = after;
        self.cases += 1;
    }

    /// Waits until the mail a case sends in the background has written its token (a sign-up
    /// with a taken address answers at once, as for a new one, and mails the owner after), so
    /// that write is not taken for the next case's.
    async fn mailed_since(&mut self, before_case: &[String]) {
        let tokens = |f: &[String]| f.iter().find(|l| l.starts_with("email_tokens=")).cloned();
        let start = std::time::Instant::now();
        loop {
            let now = self.live.footprint().await;
            if tokens(&now) != tokens(before_case) {
                self.before = now;
                return;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(15),
                "the owner's mail was never written"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([1, 2, 3]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn thirty_odd_attacks_get_clear_errors_and_change_nothing(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let address = email("target");
    // The target signed up and signed in; its address is not confirmed yet.
    let pair = live.signup_and_login(&address, "d").await;
    let access = pair["access_token"].as_str().expect("access").to_owned();
    let res = live
        .req(Method::POST, "/api/v1/auth/browser/login")
        .json(&json!({ "email": address, "password": PASSWORD }))
        .send()
        .await
        .expect("browser login");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let (_, browser) = json_of(res).await;
    let csrf = browser["csrf_token"].as_str().expect("csrf").to_owned();
    // Wait for the sign-up's verification mail, so mail counts below are stable.
    let mut seen = Vec::new();
    theset_testkit::mail::next_mail(&address, &mut seen).await;

    // A pre-hijack undone: an attacker registered `hijacked` first; its owner then signed in
    // with a mailed link.
    let hijacked = email("hijacked");
    let attacker = live.signup_and_login(&hijacked, "attacker").await;
    theset_testkit::mail::next_mail(&hijacked, &mut seen).await;
    live.post(
        "/api/v1/auth/magic-link",
        None,
        json!({ "email": hijacked }),
    )
    .await;
    let link = theset_testkit::mail::token_in(
        &theset_testkit::mail::next_mail(&hijacked, &mut seen).await,
    );
    let (s, _) = live
        .post(
            "/api/v1/auth/magic-link/consume",
            None,
            json!({ "token": link, "device_id": "owner" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Something to vote on, predict, flag and correct.
    let band = theset_testkit::rows::artist(&db, "Suite Band", &[], None, 0.0).await;
    let show = theset_testkit::rows::show(
        &db,
        band,
        None,
        theset_testkit::rows::days_from_today(3),
        "upcoming",
    )
    .await;
    let (community, lines) =
        theset_testkit::rows::setlist(&db, show, band, "community", &["A"]).await;
    let past = theset_testkit::rows::show(
        &db,
        band,
        None,
        theset_testkit::rows::days_from_today(-3),
        "completed",
    )
    .await;
    let (actual, _) = theset_testkit::rows::setlist(&db, past, band, "setlistfm", &["A"]).await;
    let target: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&address)
        .fetch_one(&db)
        .await
        .expect("target");
    let prediction: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         VALUES ($1, $2, 'predicted', 'user', $3) RETURNING id",
    )
    .bind(show)
    .bind(band)
    .bind(target)
    .fetch_one(&db)
    .await
    .expect("prediction");
    let (_, _, quick) = live.quick(Role::Moderator).await;
    let (unconfirmed_mod, _, unconfirmed_mod_token) = live.quick(Role::Moderator).await;
    // A confirmed fan who writes comments, and someone else's comment.
    let (_, _, writer) = live.quick(Role::User).await;
    let victim_comment: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO comments (id, show_id, author_id, body) VALUES (gen_random_uuid(), $1, $2, 'Original') RETURNING id",
    )
    .bind(past)
    .bind(target)
    .fetch_one(&db)
    .await
    .expect("comment");
    let failed_job: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO sync_jobs (job_type, status, last_error) \
         VALUES ('import.artist_shows', 'failed', 'ticketmaster: network error (detail for admins)') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .expect("job");
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(unconfirmed_mod)
        .execute(&db)
        .await
        .expect("unconfirmed moderator");

    let mut t = Suite::from_now(&live).await;
    let post = |path: &str| live.req(Method::POST, path);
    let bad = StatusCode::BAD_REQUEST;

    // Injection strings.
    t.refused(
        "sqli in login email",
        post("/api/v1/auth/login")
            .json(&json!({ "email": "' OR '1'='1' --", "password": "x", "device_id": "d" })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused("sqli in signup email", post("/api/v1/auth/signup").json(&json!({ "email": "a@b.c'; DROP TABLE users; --", "password": PASSWORD, "display_name": "x", "device_id": "d" })), bad, "invalid_body").await;
    t.refused(
        "sqli in path id",
        live.req(Method::GET, "/api/v1/shows/1'%20OR%20'1'='1"),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "sqli in slug",
        live.req(Method::GET, "/api/v1/artists/x';DROP%20TABLE%20users;--"),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "sqli in sort",
        live.req(
            Method::GET,
            "/api/v1/artists?sort=name;DROP%20TABLE%20users",
        ),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "json duplicate keys",
        post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(r#"{"email":"a@b.co","email":"c@d.co","password":"x","device_id":"d"}"#),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "json type confusion",
        post("/api/v1/auth/login")
            .json(&json!({ "email": ["a@b.co"], "password": {"$ne": null}, "device_id": "d" })),
        bad,
        "invalid_body",
    )
    .await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    t.refused(
        "deeply nested json",
        post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(deep),
        bad,
        "invalid_body",
    )
    .await;

    // Sizes, encodings and content types.
    let huge = json!({ "email": "a@b.co", "password": "x".repeat(100_000), "display_name": "x", "device_id": "d" });
    t.refused(
        "oversized body",
        post("/api/v1/auth/signup").json(&huge),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    t.refused(
        "invalid utf-8",
        post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "wrong content type",
        post("/api/v1/auth/login")
            .header("content-type", "text/plain")
            .body(r#"{"email":"a@b.co"}"#),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    t.refused(
        "no content type",
        post("/api/v1/auth/login").body(r#"{"email":"a@b.co"}"#),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    t.refused(
        "nul byte in email",
        post("/api/v1/auth/magic-link").json(&json!({ "email": "a\u{0}@b.co" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "page size out of range",
        live.req(Method::GET, "/api/v1/artists?limit=100000000000"),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "tampered cursor",
        live.req(
            Method::GET,
            "/api/v1/artists?cursor=eyJzIjoibmFtZSIsImsiOiJ4IiwiaWQiOiJub3BlIn0",
        ),
        bad,
        "invalid_cursor",
    )
    .await;
    t.refused(
        "method not allowed",
        live.req(Method::PUT, "/api/v1/auth/login"),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;

    // Forged, expired, tampered and reused credentials.
    let forged = theset_backend::auth::tokens::new_token();
    t.refused(
        "forged token",
        live.req(Method::GET, "/api/v1/me").bearer_auth(&forged),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "malformed bearer",
        live.req(Method::GET, "/api/v1/me")
            .header("authorization", "Bearer ../../../etc/passwd"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let mut tampered = access.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    t.refused(
        "tampered token",
        live.req(Method::GET, "/api/v1/me")
            .bearer_auth(String::from_utf8(tampered).expect("ascii")),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "basic instead of bearer",
        live.req(Method::GET, "/api/v1/me")
            .header("authorization", format!("Basic {access}")),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "browser cookie as bearer",
        live.req(Method::GET, "/api/v1/me")
            .bearer_auth(cookie.split('=').nth(1).expect("value")),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "native token as cookie",
        live.req(Method::GET, "/api/v1/me")
            .header("cookie", format!("__Host-theset_session={access}")),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "bogus refresh token",
        post("/api/v1/auth/refresh").json(&json!({ "refresh_token": forged, "device_id": "d" })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "reused magic link (never issued)",
        post("/api/v1/auth/magic-link/consume").json(&json!({ "token": forged, "device_id": "d" })),
        bad,
        "invalid_token",
    )
    .await;
    t.refused(
        "forged magic link for a browser session",
        post("/api/v1/auth/browser/magic-link/consume").json(&json!({ "token": forged })),
        bad,
        "invalid_token",
    )
    .await;
    t.refused(
        "browser magic link with a path for a token",
        post("/api/v1/auth/browser/magic-link/consume").json(&json!({ "token": "../../x" })),
        bad,
        "invalid_token",
    )
    .await;
    t.refused(
        "verification with a reset token shape",
        post("/api/v1/auth/verify-email").json(&json!({ "token": "../../etc/passwd" })),
        bad,
        "invalid_token",
    )
    .await;

    // CSRF on cookie sessions.
    t.refused(
        "csrf: no token",
        live.req(Method::PATCH, "/api/v1/me")
            .header("cookie", &cookie)
            .json(&json!({ "display_name": "Pwned" })),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused(
        "csrf: wrong token",
        live.req(Method::PATCH, "/api/v1/me")
            .header("cookie", &cookie)
            .header("x-csrf-token", forged.as_str())
            .json(&json!({ "display_name": "Pwned" })),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused(
        "csrf token without the cookie",
        live.req(Method::PATCH, "/api/v1/me")
            .header("x-csrf-token", csrf.as_str())
            .json(&json!({ "display_name": "Pwned" })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "csrf: logout without token",
        live.req(Method::POST, "/api/v1/auth/logout")
            .header("cookie", &cookie),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;

    // Redirects, escalation, mass assignment.
    t.refused(
        "open redirect in oauth",
        post("/api/v1/auth/oauth/google/start").json(
            &json!({ "redirect_uri": "https://evil.example/cb", "code_challenge": "a".repeat(43) }),
        ),
        bad,
        "invalid_body",
    )
    .await;
    for (case, to) in [
        (
            "open redirect in the web app's oauth",
            "https://evil.example/app/",
        ),
        (
            "protocol-relative redirect in the web app's oauth",
            "//evil.example/app/",
        ),
        ("path escape in the web app's oauth", "/app/../api/v1/me"),
    ] {
        t.refused(
            case,
            post("/api/v1/auth/browser/oauth/google/start").json(&json!({ "return_path": to })),
            bad,
            "invalid_body",
        )
        .await;
    }
    t.refused(
        "role escalation via profile",
        live.req(Method::PATCH, "/api/v1/me")
            .bearer_auth(&access)
            .json(&json!({ "display_name": "Target", "role": "admin" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "email change via profile",
        live.req(Method::PATCH, "/api/v1/me")
            .bearer_auth(&access)
            .json(&json!({ "email": "attacker@evil.example" })),
        bad,
        "invalid_body",
    )
    .await;
    // A session alone cannot take the account: the current password is asked for, and a
    // cookie session must prove CSRF first.
    t.refused(
        "password change with a guessed current password",
        live.req(Method::PUT, "/api/v1/me/password")
            .bearer_auth(&access)
            .json(&json!({ "current_password": "guessing the password", "new_password": "the attacker's own passphrase" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "password change from a cookie session without csrf",
        live.req(Method::PUT, "/api/v1/me/password")
            .header("cookie", &cookie)
            .json(&json!({ "current_password": PASSWORD, "new_password": "the attacker's own passphrase" })),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused("mass assignment of role at sign-up", post("/api/v1/auth/signup").json(&json!({ "email": email("mass"), "password": PASSWORD, "display_name": "x", "device_id": "d", "role": "admin" })), bad, "invalid_body").await;
    let me = target;
    t.refused(
        "self-promotion to admin",
        live.req(Method::PUT, &format!("/api/v1/admin/users/{me}/role"))
            .bearer_auth(&access)
            .json(&json!({ "role": "admin" })),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Avatars: names are never used; content decides; bombs are refused before decoding.
    t.refused(
        "avatar: path traversal name, svg body",
        live.req(Method::PUT, "/api/v1/me/avatar")
            .bearer_auth(&access)
            .header("content-type", "image/svg+xml")
            .header(
                "content-disposition",
                "attachment; filename=\"../../../../etc/passwd\"",
            )
            .body("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    t.refused(
        "avatar: html declared as png",
        live.req(Method::PUT, "/api/v1/me/avatar")
            .bearer_auth(&access)
            .header("content-type", "image/png")
            .body("<html><script>alert(1)</script></html>"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let mut bomb = png(64, 64);
    // Rewrite the IHDR to claim 100000×100000 (the CRC no longer matches either).
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    t.refused(
        "avatar: decompression bomb header",
        live.req(Method::PUT, "/api/v1/me/avatar")
            .bearer_auth(&access)
            .header("content-type", "image/png")
            .body(bomb),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "avatar: over 2 MB",
        live.req(Method::PUT, "/api/v1/me/avatar")
            .bearer_auth(&access)
            .header("content-type", "image/png")
            .body(vec![0u8; 2 * 1024 * 1024 + 1]),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    t.refused(
        "avatar: traversal in user id",
        live.req(Method::GET, "/api/v1/users/..%2F..%2Fetc%2Fpasswd/avatar"),
        bad,
        "invalid_parameter",
    )
    .await;

    // Mail header injection.
    t.refused(
        "header injection in magic link email",
        post("/api/v1/auth/magic-link")
            .json(&json!({ "email": "fan@example.com\r\nBcc: victim@example.com" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused("header injection in display name", post("/api/v1/auth/signup").json(&json!({ "email": email("inj"), "password": PASSWORD, "display_name": "Fan\r\nBcc: victim@example.com", "device_id": "d" })), bad, "invalid_body").await;
    t.refused(
        "bidi control in display name",
        live.req(Method::PATCH, "/api/v1/me")
            .bearer_auth(&access)
            .json(&json!({ "display_name": "evil\u{202e}gnp.exe" })),
        bad,
        "invalid_body",
    )
    .await;

    // Unconfirmed addresses do not contribute (by REST or by sync push).
    let unverified = (StatusCode::FORBIDDEN, "email_unverified");
    let line = lines[0];
    t.refused(
        "vote before confirming the address",
        live.req(Method::PUT, &format!("/api/v1/setlist-songs/{line}/vote"))
            .bearer_auth(&access)
            .json(&json!({ "value": 1 })),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "add a song before confirming",
        post(&format!("/api/v1/shows/{show}/community/songs"))
            .bearer_auth(&access)
            .json(&json!({ "song_id": uuid::Uuid::new_v4() })),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "predict before confirming",
        live.req(Method::PUT, &format!("/api/v1/shows/{show}/prediction"))
            .bearer_auth(&access)
            .json(&json!({ "songs": [] })),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "flag before confirming",
        post("/api/v1/flags")
            .bearer_auth(&access)
            .json(&json!({ "setlist_id": community, "reason": "spam" })),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "correct a set-list before confirming",
        live.req(Method::PUT, &format!("/api/v1/setlists/{actual}"))
            .bearer_auth(&access)
            .json(&json!({ "base_version": 1, "songs": [] })),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "add a free title as an unconfirmed moderator",
        post(&format!("/api/v1/shows/{show}/community/titles"))
            .bearer_auth(&unconfirmed_mod_token)
            .json(&json!({ "title": "Cover" })),
        unverified.0,
        unverified.1,
    )
    .await;
    let votes = json!({ "device_id": uuid::Uuid::now_v7(), "mutations": [
        { "id": uuid::Uuid::now_v7(), "seq": 1, "hlc": "1", "kind": "vote.set@1", "payload": { "setlist_song_id": line, "value": 1 } }
    ] });
    t.refused(
        "sync push of votes before confirming",
        post("/api/v1/sync/push")
            .bearer_auth(&access)
            .header("x-theset-protocol", "1")
            .json(&votes),
        unverified.0,
        unverified.1,
    )
    .await;
    t.refused(
        "import, signed out, of a path for a Ticketmaster id",
        post("/api/v1/artists/import").json(&json!({ "ticketmaster_id": "../../artists" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "history of someone's private prediction",
        live.req(
            Method::GET,
            &format!("/api/v1/setlists/{prediction}/history"),
        ),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // The pre-hijacker's credentials died with the owner's proof.
    let attacker_access = attacker["access_token"].as_str().expect("access");
    let attacker_refresh = attacker["refresh_token"].as_str().expect("refresh");
    t.refused(
        "pre-hijacker's session after the owner's proof",
        live.req(Method::GET, "/api/v1/me")
            .bearer_auth(attacker_access),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "pre-hijacker's password after the owner's proof",
        post("/api/v1/auth/login")
            .json(&json!({ "email": hijacked, "password": PASSWORD, "device_id": "attacker" })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "pre-hijacker's refresh family after the owner's proof",
        post("/api/v1/auth/refresh")
            .json(&json!({ "refresh_token": attacker_refresh, "device_id": "attacker" })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    // Addresses: added only by their owner, in the app.
    t.refused(
        "add an address to an account that has one",
        post("/api/v1/me/email")
            .bearer_auth(&access)
            .json(&json!({ "email": email("second") })),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    t.refused(
        "add an address without signing in",
        post("/api/v1/me/email").json(&json!({ "email": email("nobody") })),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    t.refused(
        "header injection in an added address",
        post("/api/v1/me/email")
            .bearer_auth(&access)
            .json(&json!({ "email": "a@b.co\r\nBcc: victim@example.com" })),
        bad,
        "invalid_body",
    )
    .await;

    // Sign-up tells nobody who has an account.
    let before_taken = t.before.clone();
    t.safe("sign-up with a taken address",
        post("/api/v1/auth/signup").json(&json!({ "email": address, "password": "a different pass phrase", "display_name": "x", "device_id": "d" })),
        StatusCode::ACCEPTED, |b| b.get("access_token").is_none() && b["status"].is_string()).await;
    t.mailed_since(&before_taken).await;
    t.safe(
        "a failed job's detail, asked by anyone",
        live.req(Method::GET, &format!("/api/v1/jobs/{failed_job}")),
        StatusCode::OK,
        |b| b["status"] == "failed" && b["last_error"].is_null(),
    )
    .await;

    // Bounded: open streams per account, anonymous OAuth starts per network.
    let mut streams = Vec::new();
    for _ in 0..10 {
        streams.push(
            live.req(Method::GET, "/api/v1/sync/events")
                .bearer_auth(&access)
                .header("x-theset-protocol", "1")
                .send()
                .await
                .expect("stream"),
        );
    }
    t.refused(
        "an eleventh live stream for one account",
        live.req(Method::GET, "/api/v1/sync/events")
            .bearer_auth(&access)
            .header("x-theset-protocol", "1"),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    drop(streams);
    for _ in 0..20 {
        post("/api/v1/auth/oauth/google/start")
            .json(&json!({ "redirect_uri": "http://127.0.0.1:5000/callback", "code_challenge": "a".repeat(43) }))
            .send().await.expect("start");
    }
    t.refused("a flood of anonymous OAuth starts",
        post("/api/v1/auth/oauth/google/start")
            .json(&json!({ "redirect_uri": "http://127.0.0.1:5000/callback", "code_challenge": "a".repeat(43) })),
        StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Comments: markup is text (kept and served as JSON, never made a link or a tag), sizes
    // and characters are bounded, and nobody writes as, or over, someone else.
    let thread = format!("/api/v1/shows/{show}/comments");
    let script = "<script>alert(1)</script><img src=x onerror=alert(1)> javascript:alert(1)";
    let (s, written) = json_of(
        post(&thread)
            .bearer_auth(&writer)
            .json(&json!({ "body": script }))
            .send()
            .await
            .expect("script"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{written}");
    let res = live.req(Method::GET, &thread).send().await.expect("thread");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json"))
    );
    let (_, shown) = json_of(res).await;
    assert_eq!(
        shown["comments"][0]["body"], script,
        "kept as the text it is"
    );
    assert!(
        theset_shared::comments::segments(script)
            .iter()
            .all(|s| matches!(s, theset_shared::comments::Segment::Text(_))),
        "no link or tag is made of it"
    );
    let (s, _) = json_of(
        live.req(
            Method::DELETE,
            &format!("/api/v1/comments/{}", written["id"].as_str().expect("id")),
        )
        .bearer_auth(&writer)
        .send()
        .await
        .expect("delete"),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    t.cases += 1;
    t.refused(
        "comment: oversized",
        post(&thread)
            .bearer_auth(&writer)
            .json(&json!({ "body": "x".repeat(2001) })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "comment: direction override and control characters",
        post(&thread)
            .bearer_auth(&writer)
            .json(&json!({ "body": "gnp.exe\u{202e}\u{0007}" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "comment: a forged author",
        post(&thread)
            .bearer_auth(&writer)
            .json(&json!({ "body": "I am the target", "author_id": target })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "comment: written over someone else's by its id",
        post(&format!("/api/v1/shows/{past}/comments"))
            .bearer_auth(&writer)
            .json(&json!({ "id": victim_comment, "body": "Overwritten" })),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    t.refused(
        "comment: editing someone else's",
        live.req(Method::PATCH, &format!("/api/v1/comments/{victim_comment}"))
            .bearer_auth(&writer)
            .json(&json!({ "body": "Overwritten" })),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    t.refused(
        "comment: a reply across shows",
        post(&thread)
            .bearer_auth(&writer)
            .json(&json!({ "parent_id": victim_comment, "body": "Elsewhere" })),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Going, the calendar feed and live captures.
    t.refused(
        "going: a show id that is not one",
        live.req(Method::PUT, "/api/v1/me/going/1%20OR%201=1")
            .bearer_auth(&access)
            .json(&json!({})),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "going: a 100 kB body",
        live.req(Method::PUT, &format!("/api/v1/me/going/{show}"))
            .bearer_auth(&access)
            .json(&json!({ "public": true, "pad": "x".repeat(100_000) })),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    t.refused(
        "going: someone else's attendance by a forged field",
        live.req(Method::PUT, &format!("/api/v1/me/going/{show}"))
            .bearer_auth(&access)
            .json(&json!({ "public": true, "user_id": uuid::Uuid::now_v7() })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "csrf: going from another site",
        live.req(Method::PUT, &format!("/api/v1/me/going/{show}"))
            .header("cookie", &cookie)
            .json(&json!({})),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused(
        "csrf: a calendar address made from another site",
        post("/api/v1/me/calendar").header("cookie", &cookie),
        StatusCode::FORBIDDEN,
        "csrf_rejected",
    )
    .await;
    t.refused(
        "calendar: a guessed secret",
        live.req(
            Method::GET,
            &format!("/api/v1/calendar/{}.ics", "A".repeat(43)),
        ),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    t.refused(
        "calendar: path tricks",
        live.req(Method::GET, "/api/v1/calendar/..%2F..%2Fetc%2Fpasswd"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let push = |mutation: serde_json::Value| {
        live.req(Method::POST, "/api/v1/sync/push")
            .bearer_auth(&access)
            .header(
                theset_shared::sync::PROTOCOL_HEADER,
                theset_shared::sync::PROTOCOL_VERSION.to_string(),
            )
            .json(&json!({ "device_id": uuid::Uuid::now_v7(), "mutations": [mutation] }))
    };
    let capture = |extra: serde_json::Value| {
        let mut payload = json!({ "capture_id": uuid::Uuid::now_v7(), "show_id": show, "song_id": null,
            "title": "Song", "at": chrono::Utc::now() });
        if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        json!({ "id": uuid::Uuid::now_v7(), "seq": 1, "hlc": "1", "kind": "capture.add@1", "payload": payload })
    };
    t.refused(
        "a capture naming another author",
        push(capture(json!({ "user_id": uuid::Uuid::now_v7() }))),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "a capture by an account whose address is not confirmed",
        push(capture(json!({ "title": "<script>alert(1)</script>" }))),
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;

    // A moderator's replacement of an artist's provider link.
    let link = |service: &str| {
        live.req(
            Method::PUT,
            &format!("/api/v1/artists/suite-band/links/{service}"),
        )
    };
    t.refused(
        "artist link: markup for a Spotify id",
        link("spotify")
            .bearer_auth(&quick)
            .json(&json!({ "external_id": "<script>alert(1)</script>" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "artist link: a path for a MusicBrainz id",
        link("setlistfm")
            .bearer_auth(&quick)
            .json(&json!({ "external_id": "../../admin/jobs" })),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "artist link: a service that is not one",
        link("wikipedia")
            .bearer_auth(&quick)
            .json(&json!({ "external_id": null })),
        bad,
        "invalid_parameter",
    )
    .await;
    t.refused(
        "artist link: a forged moderator",
        link("spotify").bearer_auth(&quick).json(
            &json!({ "external_id": "0OdUWJ0sBjDrqHygGUXeCF", "decided_by": uuid::Uuid::now_v7() }),
        ),
        bad,
        "invalid_body",
    )
    .await;
    t.refused(
        "artist link: set by a fan",
        link("spotify")
            .bearer_auth(&writer)
            .json(&json!({ "external_id": "0OdUWJ0sBjDrqHygGUXeCF" })),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    t.refused(
        "spotify import: an account without a Spotify sign-in",
        post("/api/v1/me/spotify/import").bearer_auth(&writer),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    t.refused(
        "spotify import: someone else's library by a forged field",
        post("/api/v1/me/spotify/import")
            .bearer_auth(&writer)
            .json(&json!({ "user_id": uuid::Uuid::now_v7() })),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    assert!(t.cases >= 60, "only {} cases", t.cases);
    println!("attack suite, first rounds: {} cases", t.cases);
    // No injected mail went out.
    assert!(mails_to("victim@example.com").is_empty());

    // A reused refresh token is refused and ends the session (that change is the defence).
    let refresh = pair["refresh_token"].as_str().expect("refresh");
    let body = json!({ "refresh_token": refresh, "device_id": "d" });
    let (s, _) = live.post("/api/v1/auth/refresh", None, body.clone()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = live
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": refresh, "device_id": "attacker" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let revoked: Option<String> = sqlx::query_scalar(
        "SELECT revoked_reason FROM sessions WHERE device_id = 'd' ORDER BY created_at LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .expect("session");
    assert_eq!(revoked.as_deref(), Some("refresh_token_reuse"));
}
