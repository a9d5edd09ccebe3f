//! Step-up: fresh proof that the owner is at the device before a change that could take the
//! account away from them (deleting it, giving an address-less account an address). A session
//! can be a phone left unlocked or a token copied off a machine; the current password says the
//! owner is here. An account without a password proves it with a code mailed to its proven
//! address (the first attempt mails it and answers `step_up_required`), and one with neither
//! with a sign-in made in the last [`FRESH_SIGN_IN_SECS`].

use serde_json::json;
use theset_shared::api::StepUpProof;
use theset_shared::password;

use super::hash_error;
use super::mailing::{mail_budget, send_link};
use super::{audit, bad_body};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::mail::Purpose;
use crate::auth::passwords::Verified;
use crate::auth::tokens;
use crate::db::sessions::Caller;
use crate::db::{email_tokens, sessions, users};
use crate::error::{AppError, AppResult};
use crate::http::access::{ClientIp, limited};

/// How recent a sign-in stands in for a password an account does not have, when it has no
/// address to mail a code to either.
pub const FRESH_SIGN_IN_SECS: i64 = 10 * 60;

/// Checks `given` against the account's password with the sign-in's budget and back-off (kept
/// per account: the address when there is one). `Ok(false)` when the account has none.
pub(super) async fn current_password(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    given: &str,
    failed_action: &'static str,
) -> AppResult<bool> {
    if given.len() > 4 * password::MAX_CHARS {
        return Err(bad_body("current_password: not this account's password"));
    }
    let key = caller
        .email
        .clone()
        .unwrap_or_else(|| caller.user_id.to_string());
    limited(state, Bucket::Login, ip, Some(&key)).await?;
    let limits = &state.auth.limits;
    tokio::time::sleep(limits.failure_delay(&key).await).await;
    let Some(stored) = users::password_hash(&state.db, caller.user_id).await? else {
        return Ok(false);
    };
    let verdict = state
        .auth
        .hasher
        .verify(password::normalize(given), Some(stored))
        .await
        .map_err(hash_error)?;
    if !matches!(verdict, Verified::Yes | Verified::YesRehashed(_)) {
        limits.login_failed(&key).await;
        audit(
            state,
            Some(caller.user_id),
            failed_action,
            Some(caller.user_id),
            Some(ip.0),
            json!({}),
        )
        .await;
        return Err(bad_body("current_password: not this account's password"));
    }
    limits.login_succeeded(&key).await;
    Ok(true)
}

/// Passes when `proof` shows the owner is here (see the module notes); otherwise 400 for a
/// wrong password, 400 `invalid_token` for a wrong code, or 403 `step_up_required` saying what
/// to send.
pub(crate) async fn require(
    state: &AppState,
    ip: ClientIp,
    caller: &Caller,
    proof: &StepUpProof,
) -> AppResult<()> {
    if users::password_hash(&state.db, caller.user_id)
        .await?
        .is_some()
    {
        let given = proof.current_password.as_deref().ok_or_else(|| {
            AppError::StepUp("enter your current password to confirm it is you".into())
        })?;
        current_password(state, ip, caller, given, "auth.step_up_failed").await?;
        return Ok(());
    }
    match (&caller.email, caller.email_verified) {
        (Some(address), true) => {
            let Some(code) = proof.code.as_deref() else {
                let spent = mail_budget(state, ip, address).await?;
                send_link(state, spent, Purpose::StepUp, address, Some(caller.user_id))
                    .await
                    .map_err(|e| AppError::NotReady(e.to_string()))?;
                return Err(AppError::StepUp(format!(
                    "we mailed a code to {address}: enter it to confirm it is you"
                )));
            };
            if !tokens::well_formed(code) {
                return Err(AppError::InvalidToken);
            }
            match email_tokens::consume(&state.db, &tokens::digest(code), Purpose::StepUp.as_str())
                .await?
            {
                Some((_, Some(user))) if user == caller.user_id => Ok(()),
                _ => Err(AppError::InvalidToken),
            }
        }
        _ => {
            let signed_in_at = sessions::created_at(&state.db, caller.session_id).await?;
            let fresh = signed_in_at.is_some_and(|at| {
                chrono::Utc::now() - at < chrono::Duration::seconds(FRESH_SIGN_IN_SECS)
            });
            if fresh {
                Ok(())
            } else {
                Err(AppError::StepUp(
                    "sign out and in again, then confirm within ten minutes".into(),
                ))
            }
        }
    }
}
