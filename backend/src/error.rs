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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Self::RateLimited(wait) => return rate_limited(wait),
            Self::Stale(current) => {
                let mut body = serde_json::json!(ErrorBody::new(
                    ErrorCode::Conflict,
                    "this was changed since you loaded it; merge with the current version",
                ));
                body["current"] = current;
                return (StatusCode::CONFLICT, Json(body)).into_response();
            }
            Self::UnsupportedMediaType(message) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                message,
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "your account may not do this".into(),
            ),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                ErrorCode::CsrfRejected,
                "send the session's X-CSRF-Token header with every change".into(),
            ),
            Self::InvalidToken => (
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidToken,
                "this link or code is invalid, expired or already used".into(),
            ),
            Self::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message),
            Self::NotFound(what) => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                format!("{what} not found"),
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "missing or invalid credentials".into(),
            ),
            Self::Conflict(message) => (StatusCode::CONFLICT, ErrorCode::Conflict, message),
            Self::ResyncRequired => (
                StatusCode::GONE,
                ErrorCode::ResyncRequired,
                "your copy is older than the change history we keep: push your changes, then sync from scratch".into(),
            ),
            Self::UpgradeRequired(min) => {
                let mut body = serde_json::json!(ErrorBody::new(
                    ErrorCode::UpgradeRequired,
                    "this version of the app is too old to sync; please update it",
                ));
                body["min_version"] = serde_json::json!(min);
                return (StatusCode::UPGRADE_REQUIRED, Json(body)).into_response();
            }
            Self::NotReady(reason) => {
                tracing::warn!(%reason, "not ready");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::NotReady,
                    "service not ready".into(),
                )
            }
            Self::Upstream(reason) => {
                tracing::warn!(%reason, "upstream failure");
                (
                    StatusCode::BAD_GATEWAY,
                    ErrorCode::UpstreamUnavailable,
                    "a music service we rely on is unavailable; try again shortly".into(),
                )
            }
            Self::Database(err) => {
                tracing::error!(error = %err, "database error");
                internal()
            }
            Self::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                internal()
            }
        };
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}

fn rate_limited(wait: std::time::Duration) -> Response {
    // Whole seconds, rounded up, never 0: clients sleep at least that long.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(axum::http::header::RETRY_AFTER, secs.max(1).to_string())],
        Json(ErrorBody::new(
            ErrorCode::RateLimited,
            "too many requests; wait and try again",
        )),
    )
        .into_response()
}

fn internal() -> (StatusCode, ErrorCode, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "internal error".into(),
    )
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
