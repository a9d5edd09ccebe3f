//! A fake authorisation server that behaves like Google's and Spotify's for sign-in: the
//! authorisation endpoint (with a sign-in form, or `login_hint` for scripts), a token endpoint
//! that enforces client authentication, the exact `redirect_uri`, PKCE S256, single-use codes and
//! code expiry (answering `invalid_grant` like the real ones), a JWKS and RS256 ID tokens (Google),
//! and a profile endpoint (Spotify). Tests and the offline demo sign in through it.
//!
//! Mounted at `/oauth/google` and `/oauth/spotify` by the replay server; tests mount it alone.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::oauth::ProviderKind;

#[derive(Clone, Debug)]
struct Person {
    sub: String,
    email: String,
    email_verified: bool,
    name: String,
}

impl Person {
    /// A stable person per address. Addresses starting `unverified.` have an unverified email.
    fn from_email(email: &str) -> Self {
        let digest = Sha256::digest(email.to_lowercase().as_bytes());
        Self {
            sub: format!("fake-{}", hex(&digest[..8])),
            email: email.to_owned(),
            email_verified: !email.starts_with("unverified."),
            name: email.split('@').next().unwrap_or("fan").to_owned(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Grant {
    person: Person,
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    issued: Instant,
    used: bool,
}

pub struct FakeProvider {
    kind: ProviderKind,
    client_id: String,
    client_secret: String,
    /// This provider's base URL, which Google-style ID tokens name as issuer.
    issuer: String,
    key: EncodingKey,
    jwks: Value,
    code_ttl: Duration,
    grants: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, Person>>,
    /// Refresh tokens handed out, and whose they are (a renewal keeps the same one).
    refresh: Mutex<HashMap<String, Person>>,
}

impl FakeProvider {
    /// `fixtures` holds `oauth/fake-signing-key.pem` and `oauth/fake-jwks.json`.
    pub fn new(
        kind: ProviderKind,
        client_id: &str,
        client_secret: &str,
        issuer: &str,
        fixtures: &Path,
    ) -> anyhow::Result<Self> {
        let pem = std::fs::read(fixtures.join("oauth/fake-signing-key.pem"))
            .context("reading the fake provider's signing key")?;
        let jwks = std::fs::read(fixtures.join("oauth/fake-jwks.json"))
            .context("reading the fake provider's JWKS")?;
        Ok(Self {
            kind,
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            issuer: issuer.trim_end_matches('/').to_owned(),
            key: EncodingKey::from_rsa_pem(&pem)?,
            jwks: serde_json::from_slice(&jwks)?,
            code_ttl: Duration::from_secs(60),
            grants: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            refresh: Mutex::new(HashMap::new()),
        })
    }

    /// How long codes stay valid (tests of expired codes set it to zero).
    pub fn with_code_ttl(mut self, ttl: Duration) -> Self {
        self.code_ttl = ttl;
        self
    }
}

pub fn router(provider: FakeProvider) -> Router {
    Router::new()
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/certs", get(certs))
        .route("/userinfo", get(userinfo))
        .with_state(Arc::new(provider))
}

type Shared = State<Arc<FakeProvider>>;

fn random() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn authorize(State(p): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != p.client_id {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    if get("response_type") != "code" || get("code_challenge_method") != "S256" {
        return (
            StatusCode::BAD_REQUEST,
            "response_type=code and PKCE S256 are required",
        )
            .into_response();
    }
    let redirect_uri = get("redirect_uri");
    let Ok(mut back) = url::Url::parse(redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "invalid redirect_uri").into_response();
    };
    let email = get("login_hint").trim();
    if email.is_empty() {
        // The consent screen: ask who is signing in, keeping every parameter.
        let hidden: String = q
            .iter()
            .filter(|(k, _)| k.as_str() != "login_hint")
            .map(|(k, v)| {
                format!(
                    "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                    escape(k),
                    escape(v)
                )
            })
            .collect();
        let name = match p.kind {
            ProviderKind::Google => "Google (offline demo)",
            ProviderKind::Spotify => "Spotify (offline demo)",
        };
        return Html(format!(
            "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
             <title>{name}</title><body style=\"font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem\">\
             <h1 style=\"font-size:1.4rem\">Sign in with {name}</h1>\
             <p>A stand-in for the real provider: any address signs in.</p>\
             <form method=\"get\">{hidden}<label>Email <input name=\"login_hint\" type=\"email\" required autofocus \
             style=\"display:block;width:100%;padding:.5rem;margin:.25rem 0 1rem;font:inherit;box-sizing:border-box\"></label>\
             <button style=\"padding:.5rem 1.2rem;font:inherit\">Continue</button></form>"
        ))
        .into_response();
    }
    let code = random();
    let person = Person::from_email(email);
    if let Ok(mut grants) = p.grants.lock() {
        grants.insert(
            code.clone(),
            Grant {
                person,
                client_id: p.client_id.clone(),
                redirect_uri: redirect_uri.to_owned(),
                challenge: get("code_challenge").to_owned(),
                nonce: q.get("nonce").cloned(),
                issued: Instant::now(),
                used: false,
            },
        );
    }
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", get("state"));
    Redirect::to(back.as_str()).into_response()
}

fn client_auth(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

/// `grant_type=refresh_token`: a new access token for a refresh token this provider issued.
fn renew(p: &FakeProvider, form: &HashMap<String, String>) -> Response {
    let given = form.get("refresh_token").cloned().unwrap_or_default();
    let person = p
        .refresh
        .lock()
        .ok()
        .and_then(|kept| kept.get(&given).cloned());
    let Some(person) = person else {
        return oauth_error("invalid_grant", "unknown refresh token");
    };
    let access = random();
    if let Ok(mut tokens) = p.tokens.lock() {
        tokens.insert(access.clone(), person);
    }
    Json(
        json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3600,
                 "scope": "user-read-email user-follow-read user-top-read" }),
    )
    .into_response()
}

async fn token(
    State(p): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    match client_auth(&headers, &form) {
        Some((id, secret)) if id == p.client_id && secret == p.client_secret => {}
        _ => return oauth_error("invalid_client", "client authentication failed"),
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {}
        Some("refresh_token") => return renew(&p, &form),
        _ => {
            return oauth_error(
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            );
        }
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Ok(mut grants) = p.grants.lock() else {
        return oauth_error("server_error", "lock");
    };
    let Some(grant) = grants.get_mut(&code) else {
        return oauth_error("invalid_grant", "unknown code");
    };
    if grant.used {
        return oauth_error("invalid_grant", "code already used");
    }
    grant.used = true;
    if grant.issued.elapsed() > p.code_ttl {
        return oauth_error("invalid_grant", "code expired");
    }
    if grant.client_id != p.client_id
        || form.get("redirect_uri").map(String::as_str) != Some(grant.redirect_uri.as_str())
    {
        return oauth_error("invalid_grant", "redirect_uri mismatch");
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return oauth_error("invalid_grant", "PKCE verification failed");
    }
    let person = grant.person.clone();
    let nonce = grant.nonce.clone();
    drop(grants);
    let access = random();
    if let Ok(mut tokens) = p.tokens.lock() {
        tokens.insert(access.clone(), person.clone());
    }
    let refresh = random();
    if let Ok(mut kept) = p.refresh.lock() {
        kept.insert(refresh.clone(), person.clone());
    }
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": refresh,
        "scope": "openid email profile",
    });
    if p.kind == ProviderKind::Google {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "iss": p.issuer, "aud": p.client_id, "sub": person.sub, "email": person.email,
            "email_verified": person.email_verified, "name": person.name, "nonce": nonce,
            "iat": now, "exp": now + 3600,
        });
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("fake-1".into());
        match jsonwebtoken::encode(&header, &claims, &p.key) {
            Ok(jwt) => body["id_token"] = json!(jwt),
            Err(_) => return oauth_error("server_error", "signing failed"),
        }
    }
    Json(body).into_response()
}

async fn certs(State(p): Shared) -> Json<Value> {
    Json(p.jwks.clone())
}

async fn userinfo(State(p): Shared, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let person = p.tokens.lock().ok().and_then(|t| t.get(token).cloned());
    match person {
        Some(person) => Json(json!({
            "id": person.sub, "email": person.email, "display_name": person.name,
            "type": "user", "uri": format!("spotify:user:{}", person.sub),
        }))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": { "status": 401, "message": "Invalid access token" } })),
        )
            .into_response(),
    }
}
