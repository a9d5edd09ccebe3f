use theset_shared::{ErrorBody, ErrorCode};

/// Errors of the offline core. `is_transient` tells the sync loop whether to retry later (network
/// trouble, server busy) or give up on the request (the server refused it).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("local store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error(
        "local store was written by a newer TheSet (schema {found}, this build knows {known}); update the app"
    )]
    StoreTooNew { found: i64, known: i64 },
    #[error("cannot reach the server: {0}")]
    Network(#[source] reqwest::Error),
    /// The server did not answer within the page's budget.
    #[error("the server did not answer in time")]
    Timeout,
    #[error("server error {status}: {message}")]
    Server {
        status: u16,
        /// `None` when the answer was not one of ours (a proxy's page, a newer server's code).
        code: Option<ErrorCode>,
        message: String,
        /// `current` of a 409: the server's version, or where a sync push must resume.
        current: Option<serde_json::Value>,
    },
    /// A sign-up whose address has an account already: its owner got a mail (the sign-up's
    /// answer does not say which).
    #[error("we sent a mail to {0}")]
    CheckMail(String),
    /// Refused before it left the device: a value the server would refuse (the message says
    /// which).
    #[error("{0}")]
    Invalid(String),
    #[error("invalid server URL: {0}")]
    BadUrl(String),
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    /// The sign-in in the browser was cancelled, refused or never finished.
    #[error("sign-in did not complete: {0}")]
    SignIn(String),
    /// No session, or the server ended it: sign in again (the outbox is kept).
    #[error("signed out")]
    SignedOut,
    #[error("token storage: {0}")]
    Vault(String),
    /// The server asked to slow down (429): nothing was lost, try again after `retry_after`.
    #[error("the server asked to wait {retry_after:?}")]
    RateLimited { retry_after: std::time::Duration },
    /// The server no longer speaks this app's sync protocol.
    #[error("this app is too old for the server (needs protocol {min})")]
    UpgradeRequired { min: u32 },
}

impl ClientError {
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::Timeout | Self::RateLimited { .. } => true,
            Self::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    /// A sentence for people; the details go to the log.
    pub fn user_message(&self) -> &'static str {
        match self {
            Self::Network(_) | Self::Timeout => "The TheSet server can't be reached right now.",
            Self::Server { status, .. } if *status >= 500 => {
                "The TheSet server is having trouble right now."
            }
            Self::Server { status: 429, .. } | Self::RateLimited { .. } => {
                "The TheSet server is busy; trying again shortly."
            }
            Self::Server { .. } => "The TheSet server refused the request.",
            Self::Store(_) | Self::StoreTooNew { .. } => "This device's saved data can't be read.",
            Self::SignIn(_) => "Signing in did not complete; try again.",
            Self::SignedOut => "You are signed out; sign in to sync your changes.",
            Self::Vault(_) => "Your sign-in could not be read from this device; sign in again.",
            Self::UpgradeRequired { .. } => {
                "This version of TheSet is too old to sync; please update it."
            }
            Self::Invalid(_) => "That value cannot be used.",
            Self::CheckMail(_) => {
                "We sent you a mail: if this address already has an account, it has a link to sign in."
            }
            Self::BadUrl(_) | Self::Decode(_) => {
                "The app and the server don't understand each other; update the app."
            }
        }
    }

    /// The error of a failed answer; a 429 becomes [`ClientError::RateLimited`] with the
    /// server's `Retry-After` (1 s when it sent none).
    pub(crate) fn from_answer(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Self {
        if status == 429 {
            let secs = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1);
            return Self::RateLimited {
                retry_after: std::time::Duration::from_secs(secs.clamp(1, 3600)),
            };
        }
        Self::from_status(status, body)
    }

    /// The stable error code the server answered with, if any.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Server { code, .. } => *code,
            Self::RateLimited { .. } => Some(ErrorCode::RateLimited),
            _ => None,
        }
    }

    pub(crate) fn from_status(status: u16, body: &[u8]) -> Self {
        let current = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("current").cloned());
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => Self::Server {
                status,
                code: Some(b.error.code),
                message: b.error.message,
                current,
            },
            Err(_) => Self::Server {
                status,
                code: None,
                message: String::from_utf8_lossy(body).chars().take(200).collect(),
                current,
            },
        }
    }
}
