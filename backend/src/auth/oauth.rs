//! Sign-in with Google (OpenID Connect) and Spotify: authorisation code + PKCE + `state`, as a
//! confidential client (the secret stays on the server). Endpoints are configurable so tests and
//! the offline demo run against the fake provider in `replay/oauth.rs`.
//!
//! | provider | env | endpoints (real) |
//! |---|---|---|
//! | Google | `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`, `GOOGLE_OAUTH_BASE_URL` (fake) | accounts.google.com, oauth2.googleapis.com, JWKS |
//! | Spotify | `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET`, `SPOTIFY_OAUTH_BASE_URL` (fake) | accounts.spotify.com, api.spotify.com/v1/me |

use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Google,
    Spotify,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Spotify => "spotify",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "google" => Some(Self::Google),
            "spotify" => Some(Self::Spotify),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub kind: ProviderKind,
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: Url,
    pub token_url: Url,
    /// Google: where the ID token's signing keys are, and the issuer it must name.
    pub jwks_url: Option<Url>,
    pub issuer: Option<String>,
    /// Spotify: the profile endpoint.
    pub userinfo_url: Option<Url>,
}

impl Provider {
    /// The provider at its real endpoints, or all under `base` (the fake's layout).
    pub fn new(kind: ProviderKind, id: String, secret: String, base: Option<&Url>) -> Option<Self> {
        let join = |b: &Url, p: &str| b.join(p).ok();
        let (auth, token, jwks, issuer, me) = match (kind, base) {
            (_, Some(b)) => (
                join(b, "authorize")?,
                join(b, "token")?,
                join(b, "certs"),
                Some(b.as_str().trim_end_matches('/').to_owned()),
                join(b, "userinfo"),
            ),
            (ProviderKind::Google, None) => (
                Url::parse("https://accounts.google.com/o/oauth2/v2/auth").ok()?,
                Url::parse("https://oauth2.googleapis.com/token").ok()?,
                Url::parse("https://www.googleapis.com/oauth2/v3/certs").ok(),
                Some("https://accounts.google.com".to_owned()),
                None,
            ),
            (ProviderKind::Spotify, None) => (
                Url::parse("https://accounts.spotify.com/authorize").ok()?,
                Url::parse("https://accounts.spotify.com/api/token").ok()?,
                None,
                None,
                Url::parse("https://api.spotify.com/v1/me").ok(),
            ),
        };
        let google = kind == ProviderKind::Google;
        Some(Self {
            kind,
            client_id: id,
            client_secret: secret,
            auth_url: auth,
            token_url: token,
            jwks_url: if google { jwks } else { None },
            issuer: if google { issuer } else { None },
            userinfo_url: if google { None } else { me },
        })
    }

    fn scopes(&self) -> &'static [&'static str] {
        match self.kind {
            ProviderKind::Google => &["openid", "email", "profile"],
            ProviderKind::Spotify => &["user-read-email", "user-follow-read", "user-top-read"],
        }
    }
}

/// The configured providers and the HTTP client that talks to them.
#[derive(Clone, Default)]
pub struct Providers {
    pub google: Option<Provider>,
    pub spotify: Option<Provider>,
    http: reqwest::Client,
}

impl Providers {
    pub fn new(google: Option<Provider>, spotify: Option<Provider>) -> Self {
        let http = reqwest::Client::builder()
            // A token endpoint that redirects is misconfigured or hostile: never follow.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            google,
            spotify,
            http,
        }
    }

    pub fn get(&self, kind: ProviderKind) -> Option<&Provider> {
        match kind {
            ProviderKind::Google => self.google.as_ref(),
            ProviderKind::Spotify => self.spotify.as_ref(),
        }
    }
}

/// The `id_token` Google adds to the token response.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type TokenResp = StandardTokenResponse<IdTokenField, BasicTokenType>;
type Client = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("provider configuration: {0}")]
    Config(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the provider's identity is invalid: {0}")]
    Identity(String),
    #[error("provider request failed: {0}")]
    Http(#[from] reqwest::Error),
}

fn client(p: &Provider, callback: &Url) -> Result<Client, OAuthError> {
    let cfg = |e: oauth2::url::ParseError| OAuthError::Config(e.to_string());
    Ok(oauth2::Client::new(ClientId::new(p.client_id.clone()))
        .set_client_secret(ClientSecret::new(p.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(p.auth_url.to_string()).map_err(cfg)?)
        .set_token_uri(TokenUrl::new(p.token_url.to_string()).map_err(cfg)?)
        .set_redirect_uri(RedirectUrl::new(callback.to_string()).map_err(cfg)?))
}

/// What the server keeps of a started flow.
pub struct Started {
    pub url: Url,
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

/// The provider's authorisation URL, with a fresh `state`, PKCE verifier and OIDC nonce.
pub fn start(p: &Provider, callback: &Url) -> Result<Started, OAuthError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let c = client(p, callback)?;
    let mut req = c
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for s in p.scopes() {
        req = req.add_scope(Scope::new((*s).to_owned()));
    }
    if p.kind == ProviderKind::Google {
        req = req.add_extra_param("nonce", nonce.clone());
    }
    let (url, state) = req.url();
    Ok(Started {
        url,
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
        nonce,
    })
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    /// Only Google's `email_verified` counts; Spotify does not vouch for addresses.
    pub email_verified: bool,
    pub name: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct GoogleClaims {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    name: Option<String>,
    nonce: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SpotifyMe {
    id: String,
    email: Option<String>,
    display_name: Option<String>,
}

/// Exchanges the code (with the flow's PKCE verifier) and establishes the identity: for Google
/// by checking the ID token (signature against the provider's JWKS, issuer, audience, expiry,
/// nonce), for Spotify by reading the profile with the new access token.
pub async fn finish(
    providers: &Providers,
    p: &Provider,
    callback: &Url,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<Identity, OAuthError> {
    let token = client(p, callback)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&providers.http)
        .await
        .map_err(|e| OAuthError::Exchange(e.to_string()))?;
    let access_token = token.access_token().secret().clone();
    let refresh_token = token.refresh_token().map(|t| t.secret().clone());
    let expires_at = token
        .expires_in()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| Utc::now() + d);
    match p.kind {
        ProviderKind::Google => {
            let raw = token
                .extra_fields()
                .id_token
                .as_deref()
                .ok_or_else(|| OAuthError::Identity("no id_token".into()))?;
            let claims = verify_id_token(providers, p, raw, nonce).await?;
            Ok(Identity {
                subject: claims.sub,
                email: claims.email,
                email_verified: claims.email_verified,
                name: claims.name,
                access_token,
                refresh_token,
                expires_at,
            })
        }
        ProviderKind::Spotify => {
            let url = p
                .userinfo_url
                .clone()
                .ok_or_else(|| OAuthError::Config("no profile endpoint".into()))?;
            let me: SpotifyMe = providers
                .http
                .get(url)
                .bearer_auth(&access_token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            Ok(Identity {
                subject: me.id,
                email: me.email,
                email_verified: false,
                name: me.display_name,
                access_token,
                refresh_token,
                expires_at,
            })
        }
    }
}

/// A provider access token renewed with its refresh token.
#[derive(Debug, Clone)]
pub struct Renewed {
    pub access_token: String,
    /// Spotify may hand out a new refresh token; otherwise the old one stays valid.
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Renews an access token (Spotify's expire after an hour) with the refresh token kept at
/// sign-in.
pub async fn renew(
    providers: &Providers,
    p: &Provider,
    refresh_token: &str,
) -> Result<Renewed, OAuthError> {
    let token = client(p, &p.token_url)?
        .exchange_refresh_token(&oauth2::RefreshToken::new(refresh_token.to_owned()))
        .request_async(&providers.http)
        .await
        .map_err(|e| OAuthError::Exchange(e.to_string()))?;
    Ok(Renewed {
        access_token: token.access_token().secret().clone(),
        refresh_token: token.refresh_token().map(|t| t.secret().clone()),
        expires_at: token
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d),
    })
}

async fn verify_id_token(
    providers: &Providers,
    p: &Provider,
    raw: &str,
    nonce: &str,
) -> Result<GoogleClaims, OAuthError> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
    let bad = |m: &str| OAuthError::Identity(m.to_owned());
    let header = decode_header(raw).map_err(|e| OAuthError::Identity(e.to_string()))?;
    if header.alg != Algorithm::RS256 {
        return Err(bad("id_token must be RS256"));
    }
    let jwks_url = p.jwks_url.clone().ok_or_else(|| bad("no JWKS endpoint"))?;
    let jwks: JwkSet = providers
        .http
        .get(jwks_url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None => jwks.keys.first(),
    }
    .ok_or_else(|| bad("id_token signed by an unknown key"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| OAuthError::Identity(e.to_string()))?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[&p.client_id]);
    let issuer = p
        .issuer
        .clone()
        .ok_or_else(|| bad("no issuer configured"))?;
    // Google issues both spellings.
    let bare = issuer.trim_start_matches("https://").to_owned();
    v.set_issuer(&[issuer.as_str(), bare.as_str()]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = decode::<GoogleClaims>(raw, &key, &v)
        .map_err(|e| OAuthError::Identity(e.to_string()))?
        .claims;
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(bad("id_token nonce does not match the flow"));
    }
    Ok(claims)
}

/// The app's way back: loopback (RFC 8252 §7.3) or its scheme (§7.1); see
/// `theset_shared::validate::app_redirect`.
pub fn valid_app_redirect(raw: &str) -> Option<Url> {
    theset_shared::validate::app_redirect(raw).and_then(|u| Url::parse(&u).ok())
}

/// The S256 challenge of a verifier (RFC 7636), to check the app's proof.
pub fn s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_agrees_with_the_oauth2_crate() {
        for _ in 0..20 {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            assert_eq!(s256(verifier.secret()), challenge.as_str());
        }
    }
}
