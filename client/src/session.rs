//! The signed-in session: tokens from the vault, refreshed shortly before they expire. Refresh
//! is single-flight — the lock is held across the refresh, so parallel requests wait for one
//! rotation instead of each spending the refresh token (which the server would treat as reuse
//! and answer by revoking the session). Tokens never leave this module except as a bearer header.

use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use theset_shared::api::{BrowserLogin, BrowserSession, LoginRequest, RefreshRequest, TokenPair};
use tokio::sync::Mutex;

use crate::api::{ApiClient, Credential};
use crate::error::ClientError;
use crate::vault::{Tokens, Vault};

/// Refresh when the access token has less than this left.
const REFRESH_AHEAD: Duration = Duration::from_secs(60);

/// What a sign-up led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedUp {
    /// Signed in; the address waits for its confirmation code (voting waits with it).
    SignedIn,
    /// The address has an account already: its owner got a mail with a sign-in link.
    CheckMail,
}

pub struct Session {
    api: ApiClient,
    vault: Box<dyn Vault>,
    device_id: String,
    tokens: Mutex<Option<Tokens>>,
}

fn tokens_of(pair: TokenPair) -> Tokens {
    Tokens {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        expires_at: Utc::now() + chrono::Duration::seconds(i64::from(pair.expires_in)),
    }
}

impl Session {
    pub fn new(
        api: ApiClient,
        vault: Box<dyn Vault>,
        device_id: String,
    ) -> Result<Self, ClientError> {
        let stored = vault.load().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored session unreadable; signed out");
            None
        });
        Ok(Self {
            api,
            vault,
            device_id,
            tokens: Mutex::new(stored),
        })
    }

    pub fn vault_kind(&self) -> &'static str {
        self.vault.kind()
    }

    pub async fn signed_in(&self) -> bool {
        self.tokens.lock().await.is_some()
    }

    /// The CSRF token of the browser session this page holds, if any: a sign-in that replaces
    /// it carries it, as every cookie write does.
    pub async fn replacing_proof(&self) -> Option<String> {
        self.tokens
            .lock()
            .await
            .as_ref()
            .map(|t| t.access_token.clone())
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<(), ClientError> {
        if self.api.credential() == Credential::BrowserCookie {
            let proof = self.replacing_proof().await;
            let session: BrowserSession = self
                .api
                .call(
                    Method::POST,
                    "/auth/browser/login",
                    &[],
                    proof.as_deref(),
                    Some(&BrowserLogin {
                        email: email.to_owned(),
                        password: password.to_owned(),
                    }),
                )
                .await?;
            return self.adopt_browser(session).await;
        }
        let pair: TokenPair = self
            .api
            .call(
                Method::POST,
                "/auth/login",
                &[],
                None,
                Some(&LoginRequest {
                    email: email.to_owned(),
                    password: password.to_owned(),
                    device_id: self.device_id.clone(),
                    device_name: Some(device_name()),
                }),
            )
            .await?;
        self.adopt(pair).await
    }

    /// Signs up, then signs in with the same password. The server answers a sign-up the same
    /// whether or not the address had an account; when it had one (with another password), the
    /// sign-in is refused and the owner finds a mail with a sign-in link instead.
    pub async fn signup(
        &self,
        email: &str,
        password: &str,
        name: &str,
    ) -> Result<SignedUp, ClientError> {
        let _: theset_shared::api::SignupAccepted = self
            .api
            .call(
                Method::POST,
                "/auth/signup",
                &[],
                None,
                Some(&theset_shared::api::SignupRequest {
                    email: email.to_owned(),
                    password: password.to_owned(),
                    display_name: name.to_owned(),
                    device_id: self.device_id.clone(),
                    device_name: Some(device_name()),
                }),
            )
            .await?;
        match self.login(email, password).await {
            Ok(()) => Ok(SignedUp::SignedIn),
            Err(ClientError::Server { status: 401, .. }) => Ok(SignedUp::CheckMail),
            Err(e) => Err(e),
        }
    }

    /// Takes a token pair obtained elsewhere (OAuth, magic link).
    pub async fn adopt(&self, pair: TokenPair) -> Result<(), ClientError> {
        let tokens = tokens_of(pair);
        self.vault.save(&tokens)?;
        *self.tokens.lock().await = Some(tokens);
        Ok(())
    }

    /// Takes the browser session the server just set as a cookie: its record and CSRF token are
    /// what the device keeps (the cookie itself is the browser's, out of scripts' reach).
    pub async fn adopt_browser(&self, session: BrowserSession) -> Result<(), ClientError> {
        let tokens = browser_record(session);
        self.vault.save(&tokens)?;
        *self.tokens.lock().await = Some(tokens);
        Ok(())
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, ClientError> {
        let mut guard = self.tokens.lock().await;
        let Some(current) = guard.as_ref() else {
            return Err(ClientError::SignedOut);
        };
        let left = current.expires_at - Utc::now();
        if left.to_std().unwrap_or_default() > REFRESH_AHEAD {
            return Ok(current.access_token.clone());
        }
        let refreshed = self.refresh(current).await;
        settle(&mut guard, refreshed)
    }

    /// The server refused `used`: refresh once, unless another request already did.
    pub async fn rejected(&self, used: &str) -> Result<String, ClientError> {
        let mut guard = self.tokens.lock().await;
        let Some(current) = guard.as_ref() else {
            return Err(ClientError::SignedOut);
        };
        if current.access_token != used {
            return Ok(current.access_token.clone());
        }
        let refreshed = self.refresh(current).await;
        settle(&mut guard, refreshed)
    }

    async fn refresh(&self, current: &Tokens) -> Result<Tokens, ClientError> {
        let res = if self.api.credential() == Credential::BrowserCookie {
            // Nothing to rotate: the cookie is valid (its CSRF token is read again) or the
            // session is over.
            self.api
                .call::<BrowserSession>(Method::GET, "/auth/browser/session", &[], None, None)
                .await
                .map(browser_record)
        } else {
            self.api
                .call::<TokenPair>(
                    Method::POST,
                    "/auth/refresh",
                    &[],
                    None,
                    Some(&RefreshRequest {
                        refresh_token: current.refresh_token.clone(),
                        device_id: self.device_id.clone(),
                    }),
                )
                .await
                .map(tokens_of)
        };
        match res {
            Ok(tokens) => {
                self.vault.save(&tokens)?;
                Ok(tokens)
            }
            Err(ClientError::Server { status: 401, .. }) => {
                self.vault.clear()?;
                Err(ClientError::SignedOut)
            }
            Err(e) => Err(e),
        }
    }

    /// Ends the session on the server (best effort) and forgets the tokens.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let mut guard = self.tokens.lock().await;
        if let Some(t) = guard.as_ref()
            && let Err(e) = self
                .api
                .call::<serde_json::Value>(
                    Method::POST,
                    "/auth/logout",
                    &[],
                    Some(&t.access_token),
                    None,
                )
                .await
        {
            tracing::info!(error = %e, "logout not confirmed by the server; forgetting the tokens anyway");
        }
        *guard = None;
        self.vault.clear()
    }
}

/// What a device keeps of a browser session: the CSRF token in the access token's place, and an
/// expiry far enough ahead that it is never "refreshed" early (the server's 401 ends it).
fn browser_record(session: BrowserSession) -> Tokens {
    Tokens {
        access_token: session.csrf_token,
        refresh_token: String::new(),
        expires_at: Utc::now() + chrono::Duration::days(3650),
    }
}

pub(crate) fn device_name() -> String {
    if cfg!(target_arch = "wasm32") {
        "TheSet web app".to_owned()
    } else {
        format!("TheSet on {}", std::env::consts::OS)
    }
}

/// Keeps what a refresh gave: the new tokens (their access token answered), or nothing once the
/// server signed the device out; any other failure leaves the tokens as they were.
fn settle(
    guard: &mut Option<Tokens>,
    refreshed: Result<Tokens, ClientError>,
) -> Result<String, ClientError> {
    match refreshed {
        Ok(tokens) => {
            let access = tokens.access_token.clone();
            *guard = Some(tokens);
            Ok(access)
        }
        Err(ClientError::SignedOut) => {
            *guard = None;
            Err(ClientError::SignedOut)
        }
        Err(e) => Err(e),
    }
}
