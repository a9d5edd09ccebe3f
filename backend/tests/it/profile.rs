//! The account a user manages themselves (profile, avatar, sessions, deletion), browser cookie
//! sessions with CSRF, rate limits and login slow-down, and the headers every answer carries.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use theset_backend::auth::limits::{Rate, Rates};
use theset_backend::db::votes;

use theset_testkit::rows as support;
use theset_testkit::{PASSWORD, TestApp, email, json_of};

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .expect("jpeg");
    out
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn profile_avatar_and_sessions(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (id, phone, _) = live.account("owner").await;
    let (s, me) = live
        .patch(
            "/api/v1/me",
            Some(&phone),
            json!({ "display_name": "  Stage Left  " }),
        )
        .await;
    assert_eq!(
        (s, me["display_name"].as_str()),
        (StatusCode::OK, Some("Stage Left"))
    );

    // A JPEG upload is stored as our own 256×256 PNG and served publicly.
    let res = live
        .req(Method::PUT, "/api/v1/me/avatar")
        .bearer_auth(&phone)
        .header("content-type", "image/jpeg")
        .body(png(640, 480))
        .send()
        .await
        .expect("upload");
    let (s, me) = json_of(res).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let url = me["avatar_url"].as_str().expect("avatar url").to_owned();
    let res = live.req(Method::GET, &url).send().await.expect("avatar");
    assert_eq!(res.headers()["content-type"], "image/png");
    let img = image::load_from_memory(&res.bytes().await.expect("bytes")).expect("png");
    assert_eq!((img.width(), img.height()), (256, 256));
    let (_, public) = live.get_as(&format!("/api/v1/users/{id}"), None).await;
    assert_eq!(
        (
            public["display_name"].as_str(),
            public["avatar_url"].as_str()
        ),
        (Some("Stage Left"), Some(url.as_str()))
    );
    assert!(public.get("email").is_none(), "emails are private");

    // A second device; the list marks the current one; revoking the other ends it at once.
    let (s, pair) = live.post("/api/v1/auth/login", None, json!({ "email": live_email(&db, id).await, "password": PASSWORD, "device_id": "laptop", "device_name": "Laptop" })).await;
    assert_eq!(s, StatusCode::OK);
    let laptop = pair["access_token"].as_str().expect("access").to_owned();
    let (_, list) = live.get_as("/api/v1/me/sessions", Some(&phone)).await;
    let list = list.as_array().expect("sessions").clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).expect("other");
    assert_eq!(other["device_name"], "Laptop");
    let (s, _) = live
        .delete(
            &format!("/api/v1/me/sessions/{}", other["id"].as_str().expect("id")),
            Some(&phone),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = live.get_as("/api/v1/me", Some(&laptop)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn changing_a_password_needs_the_current_one_and_ends_other_sessions(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (id, phone, _) = live.account("changer").await;
    let address = live_email(&db, id).await;
    let login =
        |password: &str| json!({ "email": address, "password": password, "device_id": "laptop" });
    let (_, pair) = live.post("/api/v1/auth/login", None, login(PASSWORD)).await;
    let laptop = pair["access_token"].as_str().expect("access").to_owned();
    let new = "a brand new passphrase for the venue";

    // A wrong current password and a weak new one are refused, and change nothing.
    let (s, body) = live
        .put(
            "/api/v1/me/password",
            Some(&phone),
            json!({ "current_password": "not the password at all", "new_password": new }),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body")),
        "{body}"
    );
    let (s, body) = live
        .put(
            "/api/v1/me/password",
            Some(&phone),
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, _) = live.get_as("/api/v1/me", Some(&laptop)).await;
    assert_eq!(s, StatusCode::OK, "refusals end no session");

    let (s, body) = live
        .put(
            "/api/v1/me/password",
            Some(&phone),
            json!({ "current_password": PASSWORD, "new_password": new }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let (s, _) = live.get_as("/api/v1/me", Some(&phone)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the device that changed it stays signed in"
    );
    let (s, _) = live.get_as("/api/v1/me", Some(&laptop)).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "every other device is signed out"
    );
    let (s, _) = live.post("/api/v1/auth/login", None, login(PASSWORD)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (s, _) = live.post("/api/v1/auth/login", None, login(new)).await;
    assert_eq!(s, StatusCode::OK);

    // An account without a password is sent to the mailed reset.
    sqlx::query("UPDATE users SET password_hash = NULL WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .expect("no password");
    let (s, body) = live
        .put(
            "/api/v1/me/password",
            Some(&phone),
            json!({ "current_password": new, "new_password": "yet another long passphrase" }),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "{body}"
    );
}

async fn live_email(db: &PgPool, id: uuid::Uuid) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .expect("email")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn deleting_an_account_takes_its_votes_with_it(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (id, access, _) = live.account("leaver").await;
    let artist = support::artist(&db, "Leaver Band", &[], None, 0.0).await;
    let show = support::show(&db, artist, None, support::days_from_today(5), "upcoming").await;
    let (_, songs) = support::setlist(&db, show, artist, "community", &["One", "Two"]).await;
    votes::set(&db, id, songs[0], Some(1)).await.expect("vote");
    votes::set(&db, id, songs[1], Some(-1)).await.expect("vote");
    let (s, _) = live
        .send(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(&access),
            Some(serde_json::json!({ "current_password": theset_testkit::PASSWORD })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = live.get_as("/api/v1/me", Some(&access)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let totals: Vec<(i32, i32)> = sqlx::query_as(
        "SELECT upvotes, downvotes FROM setlist_songs WHERE id = ANY($1) ORDER BY position",
    )
    .bind(&songs)
    .fetch_all(&db)
    .await
    .expect("totals");
    assert_eq!(
        totals,
        vec![(0, 0), (0, 0)],
        "recounted by the trigger as the votes went"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM votes")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(left, 0);
    assert!(votes::drifted(&db).await.expect("recount").is_empty());
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(gone, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn browser_sessions_use_a_host_cookie_and_csrf_tokens(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (_, _, _) = live.account("web").await;
    let address: String = sqlx::query_scalar("SELECT email FROM users")
        .fetch_one(&db)
        .await
        .expect("email");
    let res = live
        .req(Method::POST, "/api/v1/auth/browser/login")
        .json(&json!({ "email": address, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    for attr in [
        "__Host-theset_session=",
        "Path=/",
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
    ] {
        assert!(set_cookie.contains(attr), "{set_cookie} lacks {attr}");
    }
    assert!(
        !set_cookie.contains("Domain="),
        "__Host- cookies carry no Domain"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (_, body) = json_of(res).await;
    let csrf = body["csrf_token"].as_str().expect("csrf").to_owned();
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();

    // Reads need only the cookie; changes need the token too.
    let (s, me) = json_of(
        live.req(Method::GET, "/api/v1/me")
            .header("cookie", &cookie)
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(
        (s, me["email"].as_str()),
        (StatusCode::OK, Some(address.as_str()))
    );
    let (s, again) = json_of(
        live.req(Method::GET, "/api/v1/auth/browser/session")
            .header("cookie", &cookie)
            .send()
            .await
            .expect("session"),
    )
    .await;
    assert_eq!(
        (s, again["csrf_token"].as_str()),
        (StatusCode::OK, Some(csrf.as_str()))
    );
    let (s, me) = json_of(
        live.req(Method::PATCH, "/api/v1/me")
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "display_name": "Web Fan" }))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(
        (s, me["display_name"].as_str()),
        (StatusCode::OK, Some("Web Fan"))
    );
    // Logging out clears the cookie and ends the session.
    let res = live
        .req(Method::POST, "/api/v1/auth/logout")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("Max-Age=0")
    );
    let res = live
        .req(Method::GET, "/api/v1/me")
        .header("cookie", &cookie)
        .send()
        .await
        .expect("me");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn logins_are_rate_limited_slowed_down_and_do_not_enumerate(db: PgPool) {
    let live = TestApp::start_with(db.clone(), |auth| {
        auth.limits = theset_backend::auth::limits::Limits::new(Rates {
            // Five: the sign-in of `account` below spends one.
            login_account: Rate {
                burst: 5,
                every: Duration::from_secs(60),
            },
            signup_ip: Rate {
                burst: 2,
                every: Duration::from_secs(60),
            },
            ..Rates::default()
        });
    })
    .await;
    let (_, _, _) = live.account("known").await;
    let known: String = sqlx::query_scalar("SELECT email FROM users")
        .fetch_one(&db)
        .await
        .expect("email");
    let unknown = email("unknown");
    let attempt = |who: String| {
        let live = &live;
        async move {
            let started = Instant::now();
            let (s, body) = live.post("/api/v1/auth/login", None, json!({ "email": who, "password": "wrong password, quite long", "device_id": "d" })).await;
            (s, body, started.elapsed())
        }
    };
    // The same answer for a known address with a wrong password and for an unknown address.
    let (s1, b1, t1) = attempt(known.clone()).await;
    let (s2, b2, t2) = attempt(unknown.clone()).await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    let ratio = t1.as_secs_f64().max(t2.as_secs_f64()) / t1.as_secs_f64().min(t2.as_secs_f64());
    assert!(ratio < 3.0, "timings differ too much: {t1:?} vs {t2:?}");
    // After three failures each further attempt waits longer, for both kinds of address.
    attempt(known.clone()).await;
    attempt(unknown.clone()).await;
    attempt(known.clone()).await;
    let (_, _, slow) = attempt(known.clone()).await;
    assert!(
        slow >= Duration::from_millis(250),
        "fifth failure took {slow:?}"
    );
    // The fifth attempt for the account is over its budget (4): 429 with Retry-After.
    let res = live
        .req(Method::POST, "/api/v1/auth/login")
        .json(&json!({ "email": known, "password": PASSWORD, "device_id": "d" }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    let (_, body) = json_of(res).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // Sign-ups per IP (budget 2, one spent on "known" above): the third within the minute is refused.
    for n in 0..1 {
        let (s, _) = live.post("/api/v1/auth/signup", None, json!({ "email": email(&format!("burst{n}")), "password": PASSWORD, "display_name": "B", "device_id": "d" })).await;
        assert_ne!(s, StatusCode::TOO_MANY_REQUESTS, "signup {n}");
    }
    let (s, _) = live.post("/api/v1/auth/signup", None, json!({ "email": email("burst3"), "password": PASSWORD, "display_name": "B", "device_id": "d" })).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn security_headers_and_cors_allow_list(db: PgPool) {
    let live = TestApp::start_with(db, |auth| {
        auth.cors_origins = vec!["https://app.theset.example".into()]
    })
    .await;
    let res = live
        .req(Method::GET, "/api/v1/artists")
        .send()
        .await
        .expect("artists");
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );

    let preflight = |origin: &str| {
        live.req(Method::OPTIONS, "/api/v1/me")
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header(
                "access-control-request-headers",
                "x-csrf-token, content-type",
            )
    };
    let ok = preflight("https://app.theset.example")
        .send()
        .await
        .expect("preflight");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.theset.example"
    );
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let evil = preflight("https://evil.example")
        .send()
        .await
        .expect("preflight");
    assert!(evil.headers().get("access-control-allow-origin").is_none());
}
