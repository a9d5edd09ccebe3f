use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /api/v1/auth/signup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// A stable id the device generated for itself (refresh retries are tied to it).
    pub device_id: String,
    pub device_name: Option<String>,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub device_id: String,
    pub device_name: Option<String>,
}

/// `POST /api/v1/auth/refresh`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
    pub device_id: String,
}

/// `POST /api/v1/auth/signup` answers 202 with this whether or not the address already has an
/// account: the mail tells the two apart, the answer does not. Sign in with the password next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupAccepted {
    pub status: String,
}

/// Tokens of a native session. The refresh token is single use: keep the new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u32,
    pub token_type: String,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: Uuid,
    /// `None` until an account made through Spotify adds a proven address.
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    pub avatar_url: Option<String>,
}

/// What an account may do. Ordered: each role may do everything the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    /// Every role, from the least to the most powerful.
    pub const ALL: &'static [Self] = &[Self::User, Self::Moderator, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::try_from(s.to_owned()).ok()
    }
}

// Stored as the Postgres enum `user_role` (migration 33).
crate::enum_column!(Role, "user_role");

/// A role name the database or a request held that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl TryFrom<String> for Role {
    type Error = UnknownRole;

    fn try_from(s: String) -> Result<Self, UnknownRole> {
        match s.as_str() {
            "user" => Ok(Self::User),
            "moderator" => Ok(Self::Moderator),
            "admin" => Ok(Self::Admin),
            _ => Err(UnknownRole(s)),
        }
    }
}

/// `POST /api/v1/auth/verify-email/resend`, `/auth/password-reset`, `/auth/magic-link`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

/// Proof that the owner is at the device, for `DELETE /api/v1/me`: the current password; for an
/// account without one, the code the first attempt mails to its address; for an account with
/// neither, nothing (a sign-in in the last ten minutes is the proof).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepUpProof {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub current_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub code: Option<String>,
}

/// `POST /api/v1/me/email`: an address for an account that has none (made through Spotify),
/// with the current password when the account has one (a sign-in in the last ten minutes
/// otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddEmailRequest {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub current_password: Option<String>,
}

/// `POST /api/v1/auth/verify-email`: the token from the mailed link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

/// `POST /api/v1/auth/password-reset/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    pub token: String,
    pub new_password: String,
}

/// `PUT /api/v1/me/password`: a signed-in fan changes a password they know. Accounts without one
/// (Google, Spotify, mailed links) set theirs through the mailed reset instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/auth/magic-link/consume`: the mailed token, for a native session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MagicLinkConsume {
    pub token: String,
    pub device_id: String,
    pub device_name: Option<String>,
}

/// `POST /api/v1/auth/browser/login`: a password sign-in that sets the session cookie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrowserLogin {
    pub email: String,
    pub password: String,
}

/// A browser session: the cookie is set; send `csrf_token` as `X-CSRF-Token` on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrowserSession {
    pub csrf_token: String,
    pub user: Me,
}

/// `PATCH /api/v1/me`: only what a user may change about themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
}

/// `PUT /api/v1/admin/users/{id}/role`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    pub role: Role,
}

crate::named! {
    #[pg_enum = "session_kind"]
    /// How a session authenticates.
    pub enum SessionKind {
        /// An app: bearer access tokens and rotating refresh tokens.
        Native = "native",
        /// A browser: the `__Host-` cookie and CSRF tokens.
        Browser = "browser",
    }
}

/// One signed-in device, in `GET /api/v1/me/sessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: Uuid,
    pub kind: SessionKind,
    pub device_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    /// The session making this request.
    pub current: bool,
}

/// A public profile: `GET /api/v1/users/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicProfile {
    pub id: Uuid,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub role: Role,
}

/// One audit event, in `GET /api/v1/admin/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub subject_id: Option<Uuid>,
    pub ip: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

/// `POST /api/v1/auth/oauth/{provider}/start` (RFC 8252 native flow). The app listens on
/// `redirect_uri` (`http://127.0.0.1:{port}/...`), keeps `code_verifier` and sends its S256
/// challenge here; it opens `authorize_url` in the system browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OAuthStart {
    pub redirect_uri: String,
    pub code_challenge: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthStarted {
    pub authorize_url: String,
}

/// `POST /api/v1/auth/browser/oauth/{provider}/start`: Google or Spotify from the web app. The
/// answer sets a short-lived cookie that ties the flow to this browser (no other browser can
/// finish it), and the provider's page then leads back to `return_path`, a page of the web app
/// (`/app/…`), signed in (`#signed-in`) or not (`#sign-in-error=…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrowserOAuthStart {
    pub return_path: String,
}

/// `POST /api/v1/auth/oauth/exchange`: the `code` the loopback redirect received, the app's
/// PKCE verifier, and the device, for a native session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OAuthExchange {
    pub code: String,
    pub code_verifier: String,
    pub device_id: String,
    pub device_name: Option<String>,
}

/// `GET /api/v1/admin/audit`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}
