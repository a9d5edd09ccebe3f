//! The real router served over TCP on loopback (with the peer address, as in production), a
//! reqwest client, and what tests do with it: accounts, requests, pages, the account tables'
//! footprint.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::auth::AuthConfig;
use theset_backend::auth::mail::Mailer;
use theset_backend::{AppState, app};
use theset_shared::api::Role;
use uuid::Uuid;

use crate::accounts::{self, NewAccount, PASSWORD, email};

pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub http: reqwest::Client,
    pub db: PgPool,
    /// The server's page-view counters (tests flush them instead of waiting for the timer).
    pub views: theset_backend::page_views::PageViews,
    /// The server's open-stream caps (tests read what is counted).
    pub streams: theset_backend::auth::streams::Streams,
    /// What the server's group commit of votes did (the benchmark reports batch sizes).
    pub vote_batches: std::sync::Arc<theset_backend::commits::Stats>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// The accounts configuration tests use: a random key and the local SMTP sink
/// (`THESET_SMTP_URL`, which `cargo xtask test` sets; without it no mail goes out).
pub fn test_auth(public_url: &str) -> AuthConfig {
    let mut auth = AuthConfig::new(theset_backend::auth::tokens::random_key());
    let url = url::Url::parse(public_url).expect("public url");
    auth.mailer = match std::env::var("THESET_SMTP_URL") {
        Ok(smtp) => {
            Mailer::new(Some(&smtp), "TheSet <no-reply@theset.test>", url.clone()).expect("mailer")
        }
        Err(_) => Mailer::disabled(url.clone()),
    };
    auth.public_url = url;
    auth
}

/// Rates with the vote budgets lifted: benchmarks measure the write path, not the limiter.
pub fn unlimited_votes() -> theset_backend::auth::limits::Rates {
    use theset_backend::auth::limits::{Rate, Rates};
    let open = Rate {
        burst: 1_000_000,
        every: std::time::Duration::from_micros(1),
    };
    Rates {
        vote_ip: open,
        vote_account: open,
        ..Rates::default()
    }
}

type Configure = Box<dyn FnOnce(&mut AuthConfig) + Send>;

/// How a [`TestApp`] starts: where, with which external services and accounts settings.
pub struct Builder {
    db: PgPool,
    addr: String,
    providers: theset_backend::jobs::Providers,
    configure: Option<Configure>,
    own_pool: bool,
    web: Option<std::path::PathBuf>,
}

impl Builder {
    /// Listens on `addr` (`127.0.0.1:0` by default; a fixed one to come back on after `stop`).
    pub fn on(mut self, addr: &str) -> Self {
        self.addr = addr.to_owned();
        self
    }

    /// External services (fakes).
    pub fn providers(mut self, providers: theset_backend::jobs::Providers) -> Self {
        self.providers = providers;
        self
    }

    /// Adjusts the accounts configuration (limits, OAuth providers…).
    pub fn auth(mut self, configure: impl FnOnce(&mut AuthConfig) + Send + 'static) -> Self {
        self.configure = Some(Box::new(configure));
        self
    }

    /// Serves the web app built into `dir` at `/app/`.
    pub fn web_app(mut self, dir: &std::path::Path) -> Self {
        self.web = Some(dir.to_owned());
        self
    }

    /// A pool of its own, as a restarted process would have: a stopped server's background
    /// tasks (listeners) live on in the test's runtime and keep their connections.
    pub fn own_pool(mut self) -> Self {
        self.own_pool = true;
        self
    }

    pub async fn start(self) -> TestApp {
        let listener = tokio::net::TcpListener::bind(&self.addr)
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let mut auth = test_auth(&format!("{base}/"));
        if let Some(configure) = self.configure {
            configure(&mut auth);
        }
        let pool = if self.own_pool {
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(10)
                .connect_with((*self.db.connect_options()).clone())
                .await
                .expect("pool")
        } else {
            self.db.clone()
        };
        let streams = auth.streams.clone();
        let mut state = AppState::with_providers(pool, self.providers).with_auth(auth);
        if let Some(dir) = &self.web {
            state = state.with_web_app(dir);
        }
        let views = state.views.clone();
        let vote_batches = state.votes.stats.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            base,
            addr,
            http,
            db: self.db,
            views,
            streams,
            vote_batches,
            stop,
            task,
        }
    }
}

impl TestApp {
    pub fn builder(db: PgPool) -> Builder {
        Builder {
            db,
            addr: "127.0.0.1:0".to_owned(),
            providers: theset_backend::jobs::Providers::default(),
            configure: None,
            own_pool: false,
            web: None,
        }
    }

    pub async fn start(db: PgPool) -> Self {
        Self::builder(db).start().await
    }

    /// Starts with the test configuration, adjusted by `configure` (limits, OAuth providers…).
    pub async fn start_with(
        db: PgPool,
        configure: impl FnOnce(&mut AuthConfig) + Send + 'static,
    ) -> Self {
        Self::builder(db).auth(configure).start().await
    }

    /// As [`TestApp::start_with`], with external services (fakes).
    pub async fn start_with_providers(
        db: PgPool,
        providers: theset_backend::jobs::Providers,
        configure: impl FnOnce(&mut AuthConfig) + Send + 'static,
    ) -> Self {
        Self::builder(db)
            .providers(providers)
            .auth(configure)
            .start()
            .await
    }

    /// Stops like a server that goes away: listener closed, idle connections dropped.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
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

    /// `POST path` with a JSON body, as `bearer` or anonymously.
    pub async fn post(&self, path: &str, bearer: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, bearer, Some(body)).await
    }

    /// `POST path` without a body.
    pub async fn post_empty(&self, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::POST, path, bearer, None).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, bearer: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, bearer, Some(body)).await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, bearer, Some(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, bearer, None).await
    }

    /// `GET path` as `bearer` (or anonymously).
    pub async fn get_as(&self, path: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, bearer, None).await
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
        self.signup_and_login_as(address, "Fan", device).await
    }

    /// Signs `address` up as `name` and signs in on `device`; the login's answer.
    async fn signup_and_login_as(&self, address: &str, name: &str, device: &str) -> Value {
        let signup = json!({ "email": address, "password": PASSWORD, "display_name": name, "device_id": device });
        let (s, body) = self.post("/api/v1/auth/signup", None, signup).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        let login = json!({ "email": address, "password": PASSWORD, "device_id": device });
        let (s, pair) = self.post("/api/v1/auth/login", None, login).await;
        assert_eq!(s, StatusCode::OK, "{pair}");
        pair
    }

    /// Signs up a fresh account and signs in with its password, address not yet confirmed;
    /// returns (user id, access token, refresh token).
    pub async fn unverified_account(&self, tag: &str) -> (Uuid, String, String) {
        let email = email(tag);
        let pair = self.signup_and_login_as(&email, tag, "test-device").await;
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
    pub async fn account_with_role(&self, tag: &str, role: Role) -> (Uuid, String) {
        let (id, access, _) = self.account(tag).await;
        sqlx::query("UPDATE users SET role = $2::user_role WHERE id = $1")
            .bind(id)
            .bind(role.as_str())
            .execute(&self.db)
            .await
            .expect("role");
        (id, access)
    }

    /// An account with `role` and a live native session written straight to the database (no
    /// password hashing, no sign-up rate limit): `(user, session, access token)`.
    pub async fn quick(&self, role: Role) -> (Uuid, Uuid, String) {
        let s = accounts::session(
            &self.db,
            NewAccount {
                role,
                device: "d",
                ..NewAccount::default()
            },
        )
        .await
        .expect("account");
        (s.user, s.session, s.access)
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
            "show_attendance",
            "calendar_feeds",
            "captures",
            "comments",
            "flags",
            "artist_links",
        ] {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
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
        // The provider ids the importers fetch by (a moderator may change them).
        let links: String = sqlx::query_scalar(
            "SELECT coalesce(md5(string_agg(coalesce(spotify_id, '-') || coalesce(musicbrainz_id::text, '-'), ',' \
             ORDER BY id)), '') FROM artists",
        )
        .fetch_one(&self.db)
        .await
        .expect("artist links digest");
        out.push(format!("artist_ids_digest={links}"));
        // Set-lists, their versions, lines and scores (captures, corrections and history write
        // here).
        let lists: String = sqlx::query_scalar(
            "SELECT coalesce(md5(string_agg(l.id::text || ':' || l.version || ':' || coalesce(l.accuracy_score::text, '-') \
                    || ':' || (SELECT count(*) FROM setlist_songs ss WHERE ss.setlist_id = l.id) \
                    || ':' || (SELECT count(*) FROM setlist_versions v WHERE v.setlist_id = l.id), ',' ORDER BY l.id)), '') \
             FROM setlists l",
        )
        .fetch_one(&self.db)
        .await
        .expect("set-lists digest");
        out.push(format!("setlists_digest={lists}"));
        out
    }

    /// A GET whose answer is JSON: status and body (`Null` when not JSON).
    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.send(Method::GET, uri, None, None).await
    }

    /// A GET whose answer is text (pages, scripts).
    pub async fn get_text(&self, uri: &str) -> (StatusCode, String) {
        let res = self.req(Method::GET, uri).send().await.expect("response");
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// A GET that must answer 200.
    pub async fn ok(&self, uri: &str) -> Value {
        let (status, body) = self.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        body
    }

    /// A GET that must answer `status` with the JSON error body and `code`.
    pub async fn error(&self, uri: &str, status: StatusCode, code: &str) {
        let (got, body) = self.get(uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{uri}: {body}"
        );
    }

    /// Follows `next_cursor` through every page of a list and returns all items.
    pub async fn all_pages(&self, uri: &str) -> Vec<Value> {
        let sep = if uri.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let page_uri = match &cursor {
                Some(c) => format!("{uri}{sep}cursor={c}"),
                None => uri.to_owned(),
            };
            let page = self.ok(&page_uri).await;
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
        panic!("{uri}: pagination does not end");
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
