//! Stable, machine-readable error codes and the one JSON error body every endpoint answers with.
//!
//! Codes are part of the public API: clients translate them, so a code is never renamed or reused.

use serde::{Deserialize, Serialize};

/// Every error code the API can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A query or path parameter failed validation.
    InvalidParameter,
    /// The request body could not be parsed or failed validation.
    InvalidBody,
    /// The pagination cursor is malformed or belongs to another sort order.
    InvalidCursor,
    /// Credentials are missing or wrong.
    Unauthorized,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// The request conflicts with what exists (e.g. an email already registered).
    Conflict,
    /// No such resource.
    NotFound,
    /// The route does not exist.
    RouteNotFound,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// The body is larger than this route accepts.
    PayloadTooLarge,
    /// The body's content type is not accepted.
    UnsupportedMediaType,
    /// The request took too long.
    Timeout,
    /// The database is unreachable or not migrated.
    NotReady,
    /// An external service we depend on (Ticketmaster, Spotify, setlist.fm) failed; retry later.
    UpstreamUnavailable,
    /// Anything unexpected; details are logged, never sent.
    Internal,
    /// Too many requests; retry after the `Retry-After` header's seconds.
    RateLimited,
    /// A cookie-authenticated change came without the matching `X-CSRF-Token` header.
    CsrfRejected,
    /// A mailed link or OAuth code is unknown, expired or already used.
    InvalidToken,
    /// The sync cursor is older than the kept change history (410): push the outbox, then pull
    /// from scratch.
    ResyncRequired,
    /// The client speaks a sync protocol this server no longer serves (426); update the app.
    UpgradeRequired,
    /// The account's email address is not confirmed yet (403): voting, adding songs, predicting,
    /// correcting, flagging and commenting wait until it is. Offline changes stay on the device.
    EmailUnverified,
    /// A music service we depend on is busy serving others; retry after `Retry-After` (503).
    UpstreamBusy,
    /// This server is at capacity for this kind of work (password checks, uploads); retry after
    /// `Retry-After` (503).
    ServerBusy,
    /// A change that could take the account (deleting it, giving it an address) wants proof that
    /// the owner is here (403): the current password, or where there is none the code just
    /// mailed to the account's address, or a sign-in in the last ten minutes.
    StepUpRequired,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidParameter => "invalid_parameter",
            Self::InvalidBody => "invalid_body",
            Self::InvalidCursor => "invalid_cursor",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Conflict => "conflict",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Timeout => "timeout",
            Self::NotReady => "not_ready",
            Self::UpstreamUnavailable => "upstream_unavailable",
            Self::Internal => "internal",
            Self::RateLimited => "rate_limited",
            Self::CsrfRejected => "csrf_rejected",
            Self::InvalidToken => "invalid_token",
            Self::ResyncRequired => "resync_required",
            Self::UpgradeRequired => "upgrade_required",
            Self::EmailUnverified => "email_unverified",
            Self::UpstreamBusy => "upstream_busy",
            Self::ServerBusy => "server_busy",
            Self::StepUpRequired => "step_up_required",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{ "error": { "code": ..., "message": ... } }`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// Human-readable, safe to show; never contains internals.
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_matches_as_str() {
        for code in [
            ErrorCode::InvalidParameter,
            ErrorCode::InvalidBody,
            ErrorCode::InvalidCursor,
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::Conflict,
            ErrorCode::NotFound,
            ErrorCode::RouteNotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Timeout,
            ErrorCode::NotReady,
            ErrorCode::UpstreamUnavailable,
            ErrorCode::Internal,
            ErrorCode::RateLimited,
            ErrorCode::CsrfRejected,
            ErrorCode::InvalidToken,
            ErrorCode::ResyncRequired,
            ErrorCode::UpgradeRequired,
            ErrorCode::EmailUnverified,
            ErrorCode::UpstreamBusy,
            ErrorCode::ServerBusy,
            ErrorCode::StepUpRequired,
        ] {
            let json = serde_json::to_value(code).expect("serialise");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
