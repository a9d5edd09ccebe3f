//! Google and Spotify from the web app: the flow is finished by the server in the browser that
//! started it (a binding cookie), which leaves the callback signed in with a session cookie and
//! lands on the web app's page; a callback opened in another browser signs nobody in (login
//! CSRF), a refused consent comes back to the page with the provider's error, and nothing is
//! exchanged for native tokens.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_testkit::{TestApp, email};
use url::Url;

use super::oauth::{live_with_providers, location, users};

const BINDING: &str = "__Host-theset_oauth";
const SESSION: &str = "__Host-theset_session";

/// The `name=value` of the cookie `name` the response sets, and the whole header line.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<(String, String)> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let pair = v.split(';').next().unwrap_or_default().to_owned();
            (pair, v.to_owned())
        })
}

struct Started {
    authorize_url: String,
    /// `__Host-theset_oauth=…`, as the browser would send it back.
    binding: String,
}

async fn start(live: &TestApp, provider: &str, return_path: &str) -> Started {
    let res = live
        .req(
            reqwest::Method::POST,
            &format!("/api/v1/auth/browser/oauth/{provider}/start"),
        )
        .json(&json!({ "return_path": return_path }))
        .send()
        .await
        .expect("start");
    assert_eq!(res.status(), StatusCode::OK);
    let (binding, line) = set_cookie(&res, BINDING).expect("binding cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attr), "{line}");
    }
    let body: serde_json::Value = res.json().await.expect("body");
    Started {
        authorize_url: body["authorize_url"].as_str().expect("url").to_owned(),
        binding,
    }
}

/// The provider's consent, as `who`: where it sends the browser (our callback).
async fn consent(live: &TestApp, started: &Started, who: &str) -> Url {
    let res = live
        .http
        .get(format!("{}&login_hint={who}", started.authorize_url))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

async fn open(live: &TestApp, url: &Url, cookie: Option<&str>) -> reqwest::Response {
    let mut req = live.http.get(url.clone());
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("callback")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_browser_that_started_signs_in_and_lands_on_the_web_app(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    let who = email("webfan");
    let started = start(&live, "google", "/app/account").await;
    let cb = consent(&live, &started, &who).await;

    let res = open(&live, &cb, Some(&started.binding)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/app/account#signed-in");
    let (session, line) = set_cookie(&res, SESSION).expect("session cookie");
    assert!(
        line.contains("HttpOnly") && line.contains("Secure"),
        "{line}"
    );
    let (cleared, _) = set_cookie(&res, BINDING).expect("binding cleared");
    assert_eq!(cleared, format!("{BINDING}="));

    // The web app adopts the session the cookie carries.
    let me = live
        .req(reqwest::Method::GET, "/api/v1/auth/browser/session")
        .header("cookie", &session)
        .send()
        .await
        .expect("session");
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.expect("body");
    assert_eq!(me["user"]["email"], who.as_str());
    assert!(me["csrf_token"].as_str().is_some_and(|t| !t.is_empty()));

    // The same callback again (a reload, a replay) is spent.
    let again = open(&live, &cb, Some(&started.binding)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(set_cookie(&again, SESSION).is_none());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.login' \
         AND detail->>'kind' = 'browser' AND detail->>'method' = 'google'",
    )
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_callback_opened_in_another_browser_signs_nobody_in(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    // The attacker starts a flow and consents as themself, then sends the callback link to a
    // victim, whose browser has no binding cookie, or the binding of a flow of its own.
    let victims_own = start(&live, "spotify", "/app/").await;
    for cookie in [
        None,
        Some(victims_own.binding.as_str()),
        Some("__Host-theset_oauth=forged"),
    ] {
        let attacker = start(&live, "spotify", "/app/").await;
        let cb = consent(&live, &attacker, &email("attacker")).await;
        let res = open(&live, &cb, cookie).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{cookie:?}");
        assert!(set_cookie(&res, SESSION).is_none(), "{cookie:?}");
        let page = res.text().await.expect("page");
        assert!(page.contains("another browser"), "{page}");
        // The refusal spent the flow: the attacker cannot use it either now.
        let res = open(&live, &cb, Some(&attacker.binding)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(set_cookie(&res, SESSION).is_none());
    }
    assert_eq!(users(&db).await, 0, "no account was made");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_refused_consent_comes_back_to_the_page_and_nothing_is_exchanged(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    let started = start(&live, "google", "/app/venues").await;
    let state = Url::parse(&started.authorize_url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let cb = Url::parse(&live.url(&format!(
        "/api/v1/auth/oauth/google/callback?state={state}&error=access_denied"
    )))
    .expect("url");
    let res = open(&live, &cb, Some(&started.binding)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/app/venues#sign-in-error=access_denied"
    );
    assert!(set_cookie(&res, SESSION).is_none());

    // A finished browser flow never yields native tokens.
    let done = start(&live, "google", "/app/").await;
    let cb = consent(&live, &done, &email("webonly")).await;
    assert_eq!(
        open(&live, &cb, Some(&done.binding)).await.status(),
        StatusCode::SEE_OTHER
    );
    let handoffs: i64 =
        sqlx::query_scalar("SELECT count(*) FROM oauth_flows WHERE handoff_hash IS NOT NULL")
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(handoffs, 0);

    for bad in [
        "https://evil.example/app/",
        "/app/../api",
        "/app/a?next=//evil.example",
    ] {
        let (s, body) = live
            .post(
                "/api/v1/auth/browser/oauth/google/start",
                None,
                json!({ "return_path": bad }),
            )
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_body")),
            "{bad}"
        );
    }
}
