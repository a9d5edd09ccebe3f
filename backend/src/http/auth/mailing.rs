//! Mailing a single-use link or code: the budget each mail spends first ([`MailBudget`]), and
//! the sending, now or in the background. Shared by the mailed-link routes (`links.rs`),
//! sign-up (`password.rs`) and step-up (`step_up.rs`).

use uuid::Uuid;

use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::mail::{MailError, Purpose};
use crate::auth::tokens;
use crate::db::email_tokens;
use crate::error::AppResult;
use crate::http::access::{ClientIp, limited};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// How long an older link keeps working after a newer one for the same purpose is sent.
pub const LINK_OVERLAP_SECS: i64 = 5 * 60;
/// A "you already have an account" mail is not sent again while the sign-in link of the last
/// one (or any unused one) is this fresh.
const ACCOUNT_EXISTS_QUIET_SECS: i64 = 15 * 60;

/// Proof that a mail to an address spent that address's (and the caller's network's) mail
/// budget: [`send_link`] and [`send_later`] take one, so no route can mail without spending.
pub(super) struct MailBudget(());

/// Spends one mail of `email`'s budget (and of the caller's network); 429 when spent.
pub(super) async fn mail_budget(
    state: &AppState,
    ip: ClientIp,
    email: &str,
) -> AppResult<MailBudget> {
    limited(state, Bucket::Mail, ip, Some(email)).await?;
    Ok(MailBudget(()))
}

/// Stores a fresh token for `purpose` (older unused ones end after [`LINK_OVERLAP_SECS`]) and
/// mails its link. A repeated "you already have an account" within
/// [`ACCOUNT_EXISTS_QUIET_SECS`] of an unused link is not sent (`Ok(false)`).
pub(super) async fn send_link(
    state: &AppState,
    _spent: MailBudget,
    purpose: Purpose,
    email: &str,
    user: Option<Uuid>,
) -> Result<bool, LinkError> {
    if purpose == Purpose::AccountExists
        && email_tokens::recently_sent(
            &state.db,
            email,
            purpose.as_str(),
            ACCOUNT_EXISTS_QUIET_SECS,
        )
        .await?
    {
        return Ok(false);
    }
    let token = tokens::new_token();
    let mut tx = state.db.begin().await?;
    email_tokens::shorten_others(&mut *tx, email, purpose.as_str(), LINK_OVERLAP_SECS).await?;
    email_tokens::create(
        &mut *tx,
        &tokens::digest(&token),
        purpose.as_str(),
        email,
        user,
        purpose.lifetime_secs(),
    )
    .await?;
    tx.commit().await?;
    state.auth.mailer.send(purpose, email, &token).await?;
    Ok(true)
}

/// Sends in the background: the caller's answer must not wait on (or reveal) the mail.
pub(super) fn send_later(
    state: &AppState,
    spent: MailBudget,
    purpose: Purpose,
    email: String,
    user: Option<Uuid>,
) {
    let state = state.clone();
    tokio::spawn(async move {
        match send_link(&state, spent, purpose, &email, user).await {
            Ok(true) => {}
            Ok(false) => tracing::info!(purpose = purpose.as_str(), "not mailed again so soon"),
            Err(e) => tracing::warn!(error = %e, purpose = purpose.as_str(), "mail not sent"),
        }
    });
}
