//! A live server for account and security tests: the real router served over TCP on loopback
//! (with the peer address, as in production), a reqwest client, helpers to create accounts and
//! to read mail from the local SMTP sink the services script runs.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::auth::AuthConfig;
use theset_backend::auth::mail::Mailer;
use theset_backend::{AppState, app};
use uuid::Uuid;

pub const PASSWORD: &str = "four words walk into a bar";

pub struct Live {
    pub base: String,
    pub http: reqwest::Client,
    pub db: PgPool,
    /// The server's page-view counters (tests flush them instead of waiting for the timer).
    pub views: theset_backend::page_views::PageViews,
    /// The server's open-stream caps (tests read what is counted).
    pub streams: theset_backend::auth::streams::Streams,
}

/// A unique address per call: the SMTP sink is shared by every test.
pub fn email(tag: &str) -> String {
    format!("{tag}-{}@example.com", Uuid::new_v4().simple())
}

/// The accounts configuration tests use: a random key and the local SMTP sink.
pub fn test_auth(public_url: &str) -> AuthConfig {
    let mut auth = AuthConfig::new(rand::random());
    let url = url::Url::parse(public_url).expect("public url");
    let smtp = std::env::var("THESET_SMTP_URL").expect(
        "THESET_SMTP_URL: run the tests through `cargo xtask test` (it starts the SMTP sink)",
    );
    auth.mailer =
        Mailer::new(Some(&smtp), "TheSet <no-reply@theset.test>", url.clone()).expect("mailer");
    auth.public_url = url;
    auth
}

impl Live {
    pub async fn start(db: PgPool) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// Starts with the test configuration, adjusted by `configure` (limits, OAuth providers…).
    pub async fn start_with(db: PgPool, configure: impl FnOnce(&mut AuthConfig)) -> Self {
        Self::start_with_providers(db, theset_backend::jobs::Providers::default(), configure).await
    }

    /// As [`Live::start_with`], with external services (fakes).
    pub async fn start_with_providers(
        db: PgPool,
        providers: theset_backend::jobs::Providers,
        configure: impl FnOnce(&mut AuthConfig),
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut auth = test_auth(&format!("{base}/"));
        configure(&mut auth);
        let streams = auth.streams.clone();
        let state = AppState::with_providers(db.clone(), providers).with_auth(auth);
        let views = state.views.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            base,
            http,
            db,
            views,
            streams,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// Sends and returns status and JSON body (`Null` when the body is not JSON).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.req(method, path);
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        json_of(req.send().await.expect("response")).await
    }

    /// Signs up a fresh account, signs in and confirms its address (in the database, as if the
    /// mailed code had been pasted); returns (user id, access token, refresh token).
    pub async fn account(&self, tag: &str) -> (Uuid, String, String) {
        let (id, access, refresh) = self.unverified_account(tag).await;
        sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
            .bind(id)
            .execute(&self.db)
            .await
            .expect("verify");
        (id, access, refresh)
    }

    /// Signs up `address` (202 whatever happened) and signs in with the password: the token
    /// pair's JSON.
    pub async fn signup_and_login(&self, address: &str, device: &str) -> Value {
        let (s, body) = self
            .send(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({ "email": address, "password": PASSWORD, "display_name": "Fan", "device_id": device })),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        let (s, pair) = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({ "email": address, "password": PASSWORD, "device_id": device })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{pair}");
        pair
    }

    /// Signs up a fresh account and signs in with its password, address not yet confirmed;
    /// returns (user id, access token, refresh token).
    pub async fn unverified_account(&self, tag: &str) -> (Uuid, String, String) {
        let email = email(tag);
        let (s, body) = self
            .send(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({ "email": email, "password": PASSWORD, "display_name": tag, "device_id": "test-device" })),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        let (s, pair) = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({ "email": email, "password": PASSWORD, "device_id": "test-device" })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{pair}");
        let access = pair["access_token"].as_str().expect("access").to_owned();
        let (_, me) = self
            .send(Method::GET, "/api/v1/me", Some(&access), None)
            .await;
        let id = me["id"].as_str().expect("id").parse().expect("uuid");
        (
            id,
            access,
            pair["refresh_token"].as_str().expect("refresh").to_owned(),
        )
    }

    /// An account with `role`, set directly in the database (as the CLI does).
    pub async fn account_with_role(&self, tag: &str, role: &str) -> (Uuid, String) {
        let (id, access, _) = self.account(tag).await;
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(id)
            .bind(role)
            .execute(&self.db)
            .await
            .expect("role");
        (id, access)
    }

    /// An account with `role` and a live native session written straight to the database (no
    /// password hashing, no sign-up rate limit): `(user, session, access token)`.
    pub async fn quick(&self, role: &str) -> (Uuid, Uuid, String) {
        let user: Uuid = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, role, email_verified_at) \
             VALUES ($1, 'P', $2, now()) RETURNING id",
        )
        .bind(email("quick"))
        .bind(role)
        .fetch_one(&self.db)
        .await
        .expect("user");
        let session: Uuid = sqlx::query_scalar(
            "INSERT INTO sessions (user_id, device_id) VALUES ($1, 'd') RETURNING id",
        )
        .bind(user)
        .fetch_one(&self.db)
        .await
        .expect("session");
        let token = theset_backend::auth::tokens::new_token();
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, session_id, expires_at) \
             VALUES ($1, $2, now() + interval '5 minutes')",
        )
        .bind(theset_backend::auth::tokens::digest(&token))
        .bind(session)
        .execute(&self.db)
        .await
        .expect("token");
        (user, session, token)
    }

    /// Row counts of the tables account actions touch, to prove a refused request changed nothing.
    pub async fn footprint(&self) -> Vec<String> {
        let mut out = Vec::new();
        for table in [
            "users",
            "sessions",
            "access_tokens",
            "refresh_tokens",
            "email_tokens",
            "oauth_flows",
            "oauth_identities",
            "user_avatars",
            "votes",
            "song_aliases",
            "sync_jobs",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&self.db)
                .await
                .expect("count");
            out.push(format!("{table}={n}"));
        }
        // Every column of every account (role, name, password hash, verification…).
        let users: String = sqlx::query_scalar(
            "SELECT coalesce(md5(string_agg(u::text, ',' ORDER BY id)), '') FROM users u",
        )
        .fetch_one(&self.db)
        .await
        .expect("users digest");
        out.push(format!("users_digest={users}"));
        out
    }
}

pub async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let bytes = res.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn mail_dir() -> PathBuf {
    PathBuf::from(
        std::env::var("THESET_MAIL_DIR")
            .expect("THESET_MAIL_DIR: run the tests through `cargo xtask test`"),
    )
    .join("new")
}

/// Every message the SMTP sink received for `to` so far.
pub fn mails_to(to: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(mail_dir()) else {
        return Vec::new();
    };
    let needle = format!("To: {to}");
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.lines().any(|l| l.trim_end() == needle))
        .map(|m| decode_quoted_printable(&m))
        .collect()
}

/// Mail bodies with long lines (links) travel quoted-printable: soft breaks and `=XX` escapes.
fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits (up to 15 s) for a message to `to` that is not in `seen`, records and returns it.
pub async fn next_mail(to: &str, seen: &mut Vec<String>) -> String {
    for _ in 0..150 {
        if let Some(m) = mails_to(to).into_iter().find(|m| !seen.contains(m)) {
            seen.push(m.clone());
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no new mail to {to} within 15 s");
}

/// The single-use token in a mail's link (`…#token=…`).
pub fn token_in(mail: &str) -> String {
    let start = mail.find("#token=").expect("link with token") + "#token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
