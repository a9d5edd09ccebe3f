//! The one error type of the HTTP layer and its mapping to status codes.
//!
//! Policy: every failure a client can cause is a 4xx with a stable [`ErrorCode`] and a message
//! that is safe to show. Anything else is a 500 whose details go to the log only.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use theset_shared::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: ErrorCode, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("unauthorized")]
    Unauthorized,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// A mailed link or OAuth code that is unknown, expired or spent.
    #[error("invalid or expired token")]
    InvalidToken,
    #[error("rate limited")]
    RateLimited(std::time::Duration),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A write based on an old version: 409 with the current version under `current`, so the
    /// client can merge.
    #[error("stale version")]
    Stale(serde_json::Value),
    #[error("{0}")]
    Conflict(String),
    /// A sync cursor older than the kept change history.
    #[error("resync required")]
    ResyncRequired,
    /// A client protocol older than the server serves; the minimum goes in the body.
    #[error("upgrade required")]
    UpgradeRequired(u32),
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("upstream: {0}")]
    Upstream(String),
    /// A provider's limiter is spent by other callers: fail fast rather than queue this request.
    #[error("upstream busy")]
    UpstreamBusy(std::time::Duration),
    /// A bounded queue of this process is full (password hashing, image decoding).
    #[error("server busy")]
    ServerBusy(std::time::Duration),
    /// The caller's address is not confirmed yet; the action needs it.
    #[error("email unverified")]
    EmailUnverified,
    /// The action wants fresh proof that the owner is here; the sentence says which.
    #[error("step-up required")]
    StepUp(String),
    /// A refusal the exactly-once record kept (a pushed mutation's), answered again to a retry of
    /// the same mutation id through a REST route.
    #[error("{message}")]
    Replayed {
        status: u16,
        code: ErrorCode,
        message: String,
        current: Option<serde_json::Value>,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::BadRequest {
            code: ErrorCode::InvalidParameter,
            message: message.into(),
        }
    }

    pub fn invalid_cursor() -> Self {
        Self::BadRequest {
            code: ErrorCode::InvalidCursor,
            message: "cursor is malformed or belongs to another query".into(),
        }
    }

    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound(what)
    }
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf | Self::EmailUnverified | Self::StepUp(_) => {
                StatusCode::FORBIDDEN
            }
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Stale(_) | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::ResyncRequired => StatusCode::GONE,
            Self::UpgradeRequired(_) => StatusCode::UPGRADE_REQUIRED,
            Self::NotReady(_) | Self::UpstreamBusy(_) | Self::ServerBusy(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Replayed { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::CONFLICT)
            }
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients act on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest { code, .. } => *code,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::Csrf => ErrorCode::CsrfRejected,
            Self::EmailUnverified => ErrorCode::EmailUnverified,
            Self::StepUp(_) => ErrorCode::StepUpRequired,
            Self::InvalidToken => ErrorCode::InvalidToken,
            Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::Stale(_) | Self::Conflict(_) => ErrorCode::Conflict,
            Self::ResyncRequired => ErrorCode::ResyncRequired,
            Self::UpgradeRequired(_) => ErrorCode::UpgradeRequired,
            Self::NotReady(_) => ErrorCode::NotReady,
            Self::Upstream(_) => ErrorCode::UpstreamUnavailable,
            Self::UpstreamBusy(_) => ErrorCode::UpstreamBusy,
            Self::ServerBusy(_) => ErrorCode::ServerBusy,
            Self::Replayed { code, .. } => *code,
            Self::Database(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A sentence safe to show anyone: never internals, URLs or provider answers (those go to
    /// the log, see [`AppError::log`]).
    pub fn public_message(&self) -> String {
        match self {
            Self::BadRequest { message, .. }
            | Self::UnsupportedMediaType(message)
            | Self::Conflict(message)
            | Self::StepUp(message)
            | Self::Replayed { message, .. } => message.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Unauthorized => "missing or invalid credentials".into(),
            Self::Forbidden => "your account may not do this".into(),
            Self::Csrf => "send the session's X-CSRF-Token header with every change".into(),
            Self::EmailUnverified => "confirm your email address first: open the link we mailed \
                                      you, or ask for a new one"
                .into(),
            Self::InvalidToken => "this link or code is invalid, expired or already used".into(),
            Self::RateLimited(_) => "too many requests; wait and try again".into(),
            Self::Stale(_) => {
                "this was changed since you loaded it; merge with the current version".into()
            }
            Self::ResyncRequired => "your copy is older than the change history we keep: push \
                                     your changes, then sync from scratch"
                .into(),
            Self::UpgradeRequired(_) => {
                "this version of the app is too old to sync; please update it".into()
            }
            Self::NotReady(_) => "service not ready".into(),
            Self::Upstream(_) => {
                "a music service we rely on is unavailable; try again shortly".into()
            }
            Self::UpstreamBusy(_) => {
                "a music service we rely on is busy right now; try again shortly".into()
            }
            Self::ServerBusy(_) => "the server is busy; try again in a moment".into(),
            Self::Database(_) | Self::Internal(_) => "internal error".into(),
        }
    }

    /// How long a client should wait before trying again, where that is known.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::RateLimited(d) | Self::UpstreamBusy(d) | Self::ServerBusy(d) => Some(*d),
            _ => None,
        }
    }

    /// Writes what the client is not told to the log.
    fn log(&self) {
        match self {
            Self::NotReady(reason) => tracing::warn!(%reason, "not ready"),
            Self::Upstream(reason) => tracing::warn!(%reason, "upstream failure"),
            Self::Database(err) => tracing::error!(error = %err, "database error"),
            Self::Internal(err) => tracing::error!(error = ?err, "internal error"),
            _ => {}
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let mut body = serde_json::json!(ErrorBody::new(self.code(), self.public_message()));
        match &self {
            Self::Stale(current)
            | Self::Replayed {
                current: Some(current),
                ..
            } => body["current"] = current.clone(),
            Self::UpgradeRequired(min) => body["min_version"] = serde_json::json!(min),
            _ => {}
        }
        let mut res = (status, Json(body)).into_response();
        if let Some(wait) = self.retry_after() {
            // Whole seconds, rounded up, never 0: clients sleep at least that long.
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::invalid_parameter(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::invalid_parameter(rejection.body_text())
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if let JsonRejection::MissingJsonContentType(_) = rejection {
            return Self::UnsupportedMediaType("send the body as application/json".into());
        }
        Self::BadRequest {
            code: ErrorCode::InvalidBody,
            message: rejection.body_text(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
