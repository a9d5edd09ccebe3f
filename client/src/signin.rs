//! Sign-in without a password: Google or Spotify through the system browser (see `oauth.rs`),
//! or a link mailed to the user whose token is pasted into the app.

use theset_shared::api::{
    BrowserOAuthStart, BrowserSession, EmailRequest, MagicLinkConsume, OAuthStarted, TokenPair,
    TokenRequest,
};

use crate::Client;
use crate::api::Credential;
use crate::error::ClientError;
use crate::session::device_name;

impl Client {
    /// Google or Spotify through a system browser: not how the web app does it (the tab itself
    /// goes to the provider, see [`Client::web_sign_in`]).
    #[cfg(target_arch = "wasm32")]
    pub async fn sign_in_with(
        &self,
        _provider: &str,
        _open_browser: impl FnOnce(&str) -> Result<(), ClientError>,
        _app_links: Option<crate::app::AppLinks>,
    ) -> Result<(), ClientError> {
        Err(ClientError::SignIn(
            "the web app signs in with Google or Spotify in this tab".into(),
        ))
    }

    /// The whole browser flow for `provider`; `open_browser` opens the system browser, which
    /// comes back through `app_links` (phones) or a loopback port (desktop).
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn sign_in_with(
        &self,
        provider: &str,
        open_browser: impl FnOnce(&str) -> Result<(), ClientError>,
        app_links: Option<crate::app::AppLinks>,
    ) -> Result<(), ClientError> {
        let id = self.store.device_id()?.to_string();
        let name = device_name();
        let pair = crate::oauth::sign_in(
            &self.api,
            provider,
            crate::oauth::Device {
                id: &id,
                name: Some(&name),
            },
            open_browser,
            app_links.map_or(
                crate::oauth::WayBack::Loopback,
                crate::oauth::WayBack::Scheme,
            ),
            crate::oauth::SIGN_IN_TIMEOUT,
        )
        .await?;
        self.session.adopt(pair).await
    }

    /// Google or Spotify in the web app: starts the server's flow for this browser and answers
    /// the provider's page, for the tab to go to; the server finishes the flow and leads back to
    /// `return_path` with the session cookie set (then [`Client::web_signed_in`]).
    pub async fn web_sign_in(
        &self,
        provider: &str,
        return_path: &str,
    ) -> Result<String, ClientError> {
        if self.api.credential() != Credential::BrowserCookie {
            return Err(ClientError::SignIn(
                "this way of signing in is the web app's; the app uses the system browser".into(),
            ));
        }
        let started: OAuthStarted = self
            .api
            .post(
                &format!("/auth/browser/oauth/{provider}/start"),
                &BrowserOAuthStart {
                    return_path: return_path.to_owned(),
                },
            )
            .await?;
        Ok(started.authorize_url)
    }

    /// Takes the session the server set in this browser at the end of a provider's sign-in.
    pub async fn web_signed_in(&self) -> Result<(), ClientError> {
        if self.api.credential() != Credential::BrowserCookie {
            return Err(ClientError::SignIn(
                "only the web app has a browser session".into(),
            ));
        }
        let session: BrowserSession = self
            .api
            .call(
                reqwest::Method::GET,
                "/auth/browser/session",
                &[],
                None,
                None,
            )
            .await?;
        self.session.adopt_browser(session).await
    }

    /// Asks the server to mail `email` (it answers the same whether the address is known or not;
    /// 202/204 without a body, which `call` reads as null).
    async fn mail_to(&self, path: &str, email: &str) -> Result<(), ClientError> {
        let body = EmailRequest {
            email: email.to_owned(),
        };
        let _: Option<serde_json::Value> = self
            .api
            .call(reqwest::Method::POST, path, &[], None, Some(&body))
            .await?;
        Ok(())
    }

    /// Mails a sign-in link.
    pub async fn request_magic_link(&self, email: &str) -> Result<(), ClientError> {
        self.mail_to("/auth/magic-link", email).await
    }

    /// Mails a link to choose a new password.
    pub async fn forgot_password(&self, email: &str) -> Result<(), ClientError> {
        self.mail_to("/auth/password-reset", email).await
    }

    /// Sets a new password with the mailed reset link (or its code). Every session of the
    /// account ends, this device's too: the user signs in with the new password.
    pub async fn reset_password(
        &self,
        pasted: &str,
        new_password: &str,
    ) -> Result<(), ClientError> {
        let token = token_of(pasted).ok_or_else(|| {
            ClientError::Invalid("That is not a code or link from a TheSet mail.".into())
        })?;
        let body = theset_shared::api::PasswordResetConfirm {
            token,
            new_password: new_password.to_owned(),
        };
        let _: Option<serde_json::Value> = self
            .api
            .call(
                reqwest::Method::POST,
                "/auth/password-reset/confirm",
                &[],
                None,
                Some(&body),
            )
            .await?;
        Ok(())
    }

    /// Signs in with the mailed link (or just its token) that the user pasted.
    pub async fn consume_magic_link(&self, pasted: &str) -> Result<(), ClientError> {
        let token = token_of(pasted)
            .ok_or_else(|| ClientError::SignIn("that is not a TheSet sign-in link".into()))?;
        if self.api.credential() == Credential::BrowserCookie {
            let proof = self.session.replacing_proof().await;
            let session: BrowserSession = self
                .api
                .call(
                    reqwest::Method::POST,
                    "/auth/browser/magic-link/consume",
                    &[],
                    proof.as_deref(),
                    Some(&TokenRequest { token }),
                )
                .await?;
            return self.session.adopt_browser(session).await;
        }
        let pair: TokenPair = self
            .api
            .post(
                "/auth/magic-link/consume",
                &MagicLinkConsume {
                    token,
                    device_id: self.store.device_id()?.to_string(),
                    device_name: Some(device_name()),
                },
            )
            .await?;
        self.session.adopt(pair).await
    }
}

impl Client {
    /// Confirms the account's address with the code (or link) from the verification mail. Sent
    /// with the session: the server then knows the confirmer is the account's owner and keeps
    /// the password (a code confirmed anywhere else hands the account to the mailbox).
    pub async fn confirm_email(&self, pasted: &str) -> Result<(), ClientError> {
        let token = token_of(pasted).ok_or_else(|| {
            ClientError::SignIn("that is not a code or link from a TheSet mail".into())
        })?;
        let _: Option<serde_json::Value> = self
            .authed(
                reqwest::Method::POST,
                "/auth/verify-email",
                &[],
                Some(&TokenRequest { token }),
            )
            .await?;
        Ok(())
    }

    /// Mails the confirmation code again.
    pub async fn resend_confirmation(&self) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> = self
            .authed(
                reqwest::Method::POST,
                "/auth/verify-email/resend",
                &[],
                None,
            )
            .await?;
        Ok(())
    }

    /// The account's signed-in devices.
    pub async fn sessions(&self) -> Result<Vec<theset_shared::api::SessionInfo>, ClientError> {
        self.authed(reqwest::Method::GET, "/me/sessions", &[], None)
            .await
    }

    /// Signs one of the account's devices out.
    pub async fn revoke_session(&self, session: uuid::Uuid) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> = self
            .authed(
                reqwest::Method::DELETE,
                &format!("/me/sessions/{session}"),
                &[],
                None,
            )
            .await?;
        Ok(())
    }

    /// Signs every other device of the account out and stops its calendar address.
    pub async fn sign_out_elsewhere(&self) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> = self
            .authed(reqwest::Method::DELETE, "/me/sessions", &[], None)
            .await?;
        Ok(())
    }

    /// Gives an account without an address (made through Spotify) one: a code goes to it, to
    /// be confirmed with [`Client::confirm_email`].
    pub async fn add_email(
        &self,
        email: &str,
        current_password: Option<String>,
    ) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> = self
            .authed(
                reqwest::Method::POST,
                "/me/email",
                &[],
                Some(&theset_shared::api::AddEmailRequest {
                    email: email.to_owned(),
                    current_password,
                }),
            )
            .await?;
        Ok(())
    }
}

/// The token of a pasted link (`…?token=…`), or the pasted text when it is a bare token.
fn token_of(pasted: &str) -> Option<String> {
    let pasted = pasted.trim();
    if let Ok(url) = reqwest::Url::parse(pasted) {
        // The mailed link carries the token in its fragment (never sent to a server by a
        // browser); older links had it in the query.
        let in_fragment = url.fragment().and_then(|f| {
            url::form_urlencoded::parse(f.as_bytes())
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        });
        return in_fragment.or_else(|| {
            url.query_pairs()
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        });
    }
    let bare = !pasted.is_empty()
        && pasted.len() <= 256
        && pasted
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    bare.then(|| pasted.to_owned())
}

#[cfg(test)]
mod tests {
    use super::token_of;

    #[test]
    fn links_and_bare_tokens_are_understood() {
        assert_eq!(
            token_of(" http://127.0.0.1:8080/auth/magic-link?token=abc_D-1 ").as_deref(),
            Some("abc_D-1")
        );
        assert_eq!(
            token_of("http://127.0.0.1:8080/auth/magic-link#token=xyz").as_deref(),
            Some("xyz")
        );
        assert_eq!(token_of("abc_D-1").as_deref(), Some("abc_D-1"));
        assert_eq!(token_of("http://x/auth/magic-link"), None);
        assert_eq!(token_of("not a token"), None);
        assert_eq!(token_of(""), None);
    }
}
