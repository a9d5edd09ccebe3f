//! Google and Spotify sign-in (RFC 8252 loopback flow) against the fake authorisation server in
//! `replay/oauth.rs`, served over real HTTP: the happy path for both providers, account linking
//! by verified email, and the attacks the real providers also stop (wrong state, reused and
//! expired codes, PKCE mismatch, open redirects).

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use theset_backend::auth::oauth::{Provider, ProviderKind, Providers, s256};
use theset_backend::replay::oauth::{FakeProvider, router};
use url::Url;

use theset_testkit::{PASSWORD, TestApp, email};

const APP_REDIRECT: &str = "http://127.0.0.1:53682/callback";

pub(crate) async fn fake(kind: ProviderKind, code_ttl: Duration) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let provider = FakeProvider::new(kind, "client-id", "client-secret", &base, &fixtures)
        .expect("fake provider")
        .with_code_ttl(code_ttl);
    tokio::spawn(async move {
        axum::serve(listener, router(provider))
            .await
            .expect("serve")
    });
    Url::parse(&base).expect("url")
}

pub(crate) async fn live_with_providers(db: PgPool, code_ttl: Duration) -> TestApp {
    let google = fake(ProviderKind::Google, code_ttl).await;
    let spotify = fake(ProviderKind::Spotify, code_ttl).await;
    TestApp::start_with(db, move |auth| {
        let p = |kind, base: &Url| {
            Provider::new(kind, "client-id".into(), "client-secret".into(), Some(base))
        };
        auth.oauth = Providers::new(
            p(ProviderKind::Google, &google),
            p(ProviderKind::Spotify, &spotify),
        );
    })
    .await
}

/// What the app does: a verifier of its own, `start`, then the system browser.
struct AppFlow {
    verifier: String,
    authorize_url: String,
}

async fn start(live: &TestApp, provider: &str) -> AppFlow {
    let verifier = format!("app-verifier-{}", uuid::Uuid::new_v4().simple());
    let (s, body) = live
        .post(
            &format!("/api/v1/auth/oauth/{provider}/start"),
            None,
            json!({ "redirect_uri": APP_REDIRECT, "code_challenge": s256(&verifier) }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    AppFlow {
        verifier,
        authorize_url: body["authorize_url"].as_str().expect("url").to_owned(),
    }
}

pub(crate) fn location(res: &reqwest::Response) -> Url {
    Url::parse(res.headers()["location"].to_str().expect("location")).expect("url")
}

/// The browser: the provider signs `who` in and redirects to our callback. Returns the callback URL.
async fn consent(live: &TestApp, flow: &AppFlow, who: &str) -> Url {
    let res = live
        .http
        .get(format!("{}&login_hint={who}", flow.authorize_url))
        .send()
        .await
        .expect("authorize");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        res.text().await
    );
    location(&res)
}

/// Follows the callback; `Ok(hand-off code)` when it redirects to the app, `Err(page)` otherwise.
async fn callback(live: &TestApp, url: &Url) -> Result<String, (StatusCode, String)> {
    let res = live.http.get(url.clone()).send().await.expect("callback");
    if res.status().is_redirection() {
        let to = location(&res);
        assert!(to.as_str().starts_with(APP_REDIRECT), "{to}");
        let code = to
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned());
        return Ok(code.expect("code in the app redirect"));
    }
    Err((res.status(), res.text().await.expect("page")))
}

async fn exchange(live: &TestApp, code: &str, verifier: &str) -> (StatusCode, serde_json::Value) {
    live.post(
        "/api/v1/auth/oauth/exchange",
        None,
        json!({ "code": code, "code_verifier": verifier, "device_id": "laptop" }),
    )
    .await
}

/// Signs `who` in with Spotify through the app's flow; the account's access token.
pub(crate) async fn spotify_sign_in(live: &TestApp, who: &str) -> String {
    let flow = start(live, "spotify").await;
    let code = callback(live, &consent(live, &flow, who).await)
        .await
        .expect("redirect");
    let (s, pair) = exchange(live, &code, &flow.verifier).await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    pair["access_token"].as_str().expect("access").to_owned()
}

pub(crate) async fn users(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(db)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn google_signs_in_and_links_a_verified_email(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    // An existing password account with the same address.
    let address = email("linked");
    let (s, _) = live.post("/api/v1/auth/signup", None, json!({ "email": address, "password": PASSWORD, "display_name": "Pw", "device_id": "d" })).await;
    assert_eq!(s, StatusCode::ACCEPTED);

    let flow = start(&live, "google").await;
    let authorize = Url::parse(&flow.authorize_url).expect("url");
    let q: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert!(q.contains_key("state") && q.contains_key("nonce"));
    assert_eq!(
        q.get("redirect_uri").map(String::as_str),
        Some(format!("{}api/v1/auth/oauth/google/callback", live.url("/")).as_str())
    );

    let cb = consent(&live, &flow, &address).await;
    let code = callback(&live, &cb).await.expect("redirect to the app");
    let (s, pair) = exchange(&live, &code, &flow.verifier).await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    let (_, me) = live
        .get_as("/api/v1/me", pair["access_token"].as_str())
        .await;
    assert_eq!(me["email"].as_str(), Some(address.as_str()));
    assert_eq!(me["email_verified"], true, "Google vouched for the address");
    assert_eq!(users(&db).await, 1, "linked, not duplicated");
    // Google tokens are not kept; the identity is.
    let (n, sealed): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(access_token_enc) FROM oauth_identities WHERE provider = 'google'",
    )
    .fetch_one(&db)
    .await
    .expect("q");
    assert_eq!((n, sealed), (1, 0));

    // Replaying the callback, or the hand-off code, fails.
    assert!(callback(&live, &cb).await.is_err(), "state is single use");
    let (s, body) = exchange(&live, &code, &flow.verifier).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );

    // Signing in again finds the same account through the identity.
    let again = start(&live, "google").await;
    let code = callback(&live, &consent(&live, &again, &address).await)
        .await
        .expect("redirect");
    let (s, _) = exchange(&live, &code, &again.verifier).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(users(&db).await, 1);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn spotify_creates_an_account_keeps_tokens_sealed_and_never_links_unverified_emails(
    db: PgPool,
) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    let address = email("spotify");
    let flow = start(&live, "spotify").await;
    let code = callback(&live, &consent(&live, &flow, &address).await)
        .await
        .expect("redirect");
    let (s, pair) = exchange(&live, &code, &flow.verifier).await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    let access_token = pair["access_token"].as_str().expect("access").to_owned();
    let (_, me) = live.get_as("/api/v1/me", Some(&access_token)).await;
    // Spotify does not vouch for addresses: the account has none, so it reserves nothing.
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (None, Some(false)),
        "{me}"
    );
    let (access, refresh): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "SELECT access_token_enc, refresh_token_enc FROM oauth_identities WHERE provider = 'spotify'")
        .fetch_one(&db).await.expect("sealed tokens");
    assert!(access.len() > 28 && refresh.len() > 28);
    // The address stays free for its owner.
    let (s, _) = live.post("/api/v1/auth/signup", None, json!({ "email": address, "password": PASSWORD, "display_name": "Owner", "device_id": "d" })).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE lower(email) = lower($1) AND password_hash IS NOT NULL",
    )
    .bind(&address)
    .fetch_one(&db)
    .await
    .expect("q");
    assert_eq!(owners, 1, "the sign-up got the address");

    // A Spotify profile claiming the address of an existing password account signs in to a new
    // account of its own: never to the victim's.
    let victim = email("victim");
    let (s, _) = live
        .post(
            "/api/v1/auth/signup",
            None,
            json!({ "email": victim, "password": PASSWORD, "display_name": "V", "device_id": "d" }),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let victim_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&victim)
        .fetch_one(&db)
        .await
        .expect("victim");
    let flow = start(&live, "spotify").await;
    let code = callback(&live, &consent(&live, &flow, &victim).await)
        .await
        .expect("a new account, not a refusal that would tell the address is taken");
    let (s, pair) = exchange(&live, &code, &flow.verifier).await;
    assert_eq!(s, StatusCode::OK);
    let (_, me) = live
        .get_as("/api/v1/me", pair["access_token"].as_str())
        .await;
    assert_ne!(me["id"].as_str(), Some(victim_id.to_string().as_str()));
    assert_eq!(me["email"], serde_json::Value::Null);
    let linked_to_victim: i64 =
        sqlx::query_scalar("SELECT count(*) FROM oauth_identities WHERE user_id = $1")
            .bind(victim_id)
            .fetch_one(&db)
            .await
            .expect("q");
    assert_eq!(linked_to_victim, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn wrong_state_reused_code_and_pkce_mismatch_fail(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::from_secs(60)).await;
    let address = email("attacker");
    let flow = start(&live, "google").await;
    let cb = consent(&live, &flow, &address).await;

    // Wrong state: the provider's code with a state we never issued.
    let mut forged = cb.clone();
    let code = cb
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "not-our-state");
    let (s, _) = callback(&live, &forged).await.expect_err("wrong state");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(users(&db).await, 0);

    // The real callback works once; the provider's code cannot be redeemed for a second flow.
    let handoff = callback(&live, &cb).await.expect("redirect");
    let second = start(&live, "google").await;
    let second_state = Url::parse(&second.authorize_url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let mut reused = cb.clone();
    reused
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &second_state);
    let (s, page) = callback(&live, &reused).await.expect_err("reused code");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("did not confirm"), "{page}");

    // The hand-off code needs the app's own verifier; a wrong guess burns it.
    let (s, _) = exchange(
        &live,
        &handoff,
        "a-wrong-verifier-a-wrong-verifier-a-wrong-verifier",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = exchange(&live, &handoff, &flow.verifier).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(sessions, 0);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn expired_codes_and_open_redirects_fail(db: PgPool) {
    let live = live_with_providers(db.clone(), Duration::ZERO).await;
    let flow = start(&live, "spotify").await;
    let cb = consent(&live, &flow, &email("late")).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (s, _) = callback(&live, &cb).await.expect_err("expired code");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(users(&db).await, 0);

    for redirect in [
        "https://evil.example/callback",
        "http://evil.example:80/callback",
        "http://localhost:53682/callback",
        "http://127.0.0.1:53682/callback?next=https://evil.example",
        "http://127.0.0.1.nip.io:53682/callback",
        "theset://callback",
    ] {
        let (s, body) = live
            .post(
                "/api/v1/auth/oauth/google/start",
                None,
                json!({ "redirect_uri": redirect, "code_challenge": s256("v") }),
            )
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_body")),
            "{redirect}"
        );
    }
    let (s, _) = live
        .post(
            "/api/v1/auth/oauth/github/start",
            None,
            json!({ "redirect_uri": APP_REDIRECT, "code_challenge": s256("v") }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let flows: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_flows")
        .fetch_one(&db)
        .await
        .expect("q");
    assert_eq!(flows, 1, "refused starts store nothing");
}
