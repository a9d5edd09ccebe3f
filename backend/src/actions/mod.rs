//! What a signed-in user can change, whichever door the change comes through: a REST route or a
//! mutation in a sync push. Each action validates its input, checks what the user may do and
//! writes in the caller's transaction; it answers a typed outcome (`Added::Created`, `Voted`, a
//! `Prediction` …) that the REST route turns into its status and body and the sync push into a
//! mutation's result, so both doors answer alike. Nothing here knows HTTP.

pub mod accounts;
pub mod apply;
pub mod attendance;
pub mod comments;
pub mod follows;
pub mod links;
pub mod live;
pub mod moderation;
pub mod notices;
pub mod setlists;
pub mod voting;

use crate::error::AppError;

pub(crate) fn bad_body(message: impl Into<String>) -> AppError {
    AppError::BadRequest {
        code: theset_shared::ErrorCode::InvalidBody,
        message: message.into(),
    }
}
