//! The app's side of Google/Spotify sign-in (RFC 8252) end to end: the client's loopback listener,
//! the real backend, the fake authorisation server, and a "system browser" that follows the
//! redirects from the provider through the backend's callback to the app's loopback port.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::PgPool;
use theset_backend::auth::oauth::{Provider, ProviderKind, Providers};
use theset_backend::replay::oauth::{FakeProvider, router};
use theset_client::oauth::{Device, WayBack, sign_in};
use theset_client::{ApiClient, ClientError};
use theset_testkit::TestApp;

async fn bind() -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/", l.local_addr().expect("addr"));
    (l, base)
}

/// The backend with a fake Google.
async fn backend(db: PgPool) -> TestApp {
    let (fake_listener, fake_base) = bind().await;
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let fake = FakeProvider::new(ProviderKind::Google, "id", "secret", &fake_base, &fixtures)
        .expect("fake");
    tokio::spawn(async move {
        axum::serve(fake_listener, router(fake))
            .await
            .expect("fake")
    });
    let google = url::Url::parse(&fake_base).expect("url");
    TestApp::start_with(db, move |auth| {
        auth.oauth = Providers::new(
            Provider::new(
                ProviderKind::Google,
                "id".into(),
                "secret".into(),
                Some(&google),
            ),
            None,
        );
    })
    .await
}

/// The device name of the one session the sign-in opened.
async fn session_device(db: &PgPool) -> String {
    sqlx::query_scalar("SELECT device_name FROM sessions")
        .fetch_one(db)
        .await
        .expect("session")
}

/// A browser that signs in as `who` and follows every redirect; records the final page.
fn browser(
    who: &'static str,
) -> (
    impl FnOnce(&str) -> Result<(), ClientError>,
    tokio::sync::oneshot::Receiver<String>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let open = move |url: &str| {
        let url = format!("{url}&login_hint={who}");
        tokio::spawn(async move {
            let page = reqwest::get(url)
                .await
                .expect("browse")
                .text()
                .await
                .expect("page");
            let _ = tx.send(page);
        });
        Ok(())
    };
    (open, rx)
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn google_sign_in_through_the_system_browser_and_a_loopback_port(db: PgPool) {
    let server = backend(db.clone()).await;
    let api = ApiClient::new(&server.url("/")).expect("api");
    let (open, page) = browser("fan@example.com");
    let device = Device {
        id: "laptop",
        name: Some("Laptop"),
    };
    let tokens = sign_in(
        &api,
        "google",
        device,
        open,
        WayBack::Loopback,
        Duration::from_secs(30),
    )
    .await
    .expect("signed in");
    assert_eq!(tokens.token_type, "Bearer");
    assert!(page.await.expect("page").contains("You are signed in"));
    let (email, verified): (String, bool) =
        sqlx::query_as("SELECT email, email_verified_at IS NOT NULL FROM users")
            .fetch_one(&db)
            .await
            .expect("user");
    assert_eq!((email.as_str(), verified), ("fan@example.com", true));
    let device = session_device(&db).await;
    assert_eq!(device, "Laptop");
}

/// A phone's browser: signs in as `who`, follows the redirects until one leaves the web for the
/// app's `app.theset:` scheme, and hands that address to the app as the OS would. Before it, a
/// made-up address for the same scheme (another app may claim it) arrives first and is ignored.
fn phone_browser(
    who: &'static str,
    os: tokio::sync::broadcast::Sender<String>,
) -> impl FnOnce(&str) -> Result<(), ClientError> {
    move |url: &str| {
        let mut next = format!("{url}&login_hint={who}");
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http");
            let _ = os.send("app.theset:/oauth/forged?code=stolen".to_owned());
            loop {
                let res = http.get(&next).send().await.expect("browse");
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned)
                    .unwrap_or_else(|| panic!("no redirect from {next}: {}", res.status()));
                let location = url::Url::parse(&next)
                    .and_then(|base| base.join(&location))
                    .expect("location")
                    .to_string();
                if location.starts_with("app.theset:") {
                    let _ = os.send(location);
                    return;
                }
                next = location;
            }
        });
        Ok(())
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn google_sign_in_on_a_phone_comes_back_through_the_apps_scheme(db: PgPool) {
    let server = backend(db.clone()).await;
    let api = ApiClient::new(&server.url("/")).expect("api");
    let (os, links) = tokio::sync::broadcast::channel(8);
    let device = Device {
        id: "phone",
        name: Some("Phone"),
    };
    let tokens = sign_in(
        &api,
        "google",
        device,
        phone_browser("fan@example.com", os),
        WayBack::Scheme(links),
        Duration::from_secs(30),
    )
    .await
    .expect("signed in through app.theset:");
    assert_eq!(tokens.token_type, "Bearer");
    let (redirect,): (String,) = sqlx::query_as("SELECT app_redirect_uri FROM oauth_flows")
        .fetch_one(&db)
        .await
        .expect("flow");
    assert!(redirect.starts_with("app.theset:/oauth/"), "{redirect}");
    let device = session_device(&db).await;
    assert_eq!(device, "Phone");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_unconfigured_provider_or_an_abandoned_browser_fail_cleanly(db: PgPool) {
    let server = backend(db.clone()).await;
    let api = ApiClient::new(&server.url("/")).expect("api");
    let device = || Device {
        id: "laptop",
        name: None,
    };
    let err = sign_in(
        &api,
        "spotify",
        device(),
        |_| Ok(()),
        WayBack::Loopback,
        Duration::from_secs(5),
    )
    .await
    .expect_err("spotify is not configured");
    assert!(
        matches!(err, ClientError::Server { status: 404, .. }),
        "{err:?}"
    );
    // The browser is opened but nobody signs in.
    let err = sign_in(
        &api,
        "google",
        device(),
        |_| Ok(()),
        WayBack::Loopback,
        Duration::from_millis(300),
    )
    .await
    .expect_err("abandoned");
    assert!(matches!(err, ClientError::SignIn(_)), "{err:?}");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(sessions, 0);
}
