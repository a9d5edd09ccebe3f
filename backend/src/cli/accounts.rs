//! Operator commands on accounts: roles (how the first admin is made) and vouching for an
//! address. Each is audited as done `via: cli`.

use anyhow::Context;
use sqlx::PgPool;
use theset_shared::api::Role;

use crate::actions::accounts::{Prover, prove_address};
use crate::auth::mail::{Mailer, Purpose};
use crate::auth::tokens;
use crate::db::{audit, email_tokens, users};

/// Gives the account using `email` `role`. Moderator and admin powers go only to an account
/// whose address is proven (anyone could have typed an unproven one): confirm it first.
pub async fn set_role(db: &PgPool, email: &str, role: Role) -> anyhow::Result<()> {
    let id = users::by_email(db, email)
        .await?
        .with_context(|| format!("no account uses {email}"))?;
    if role > Role::User && !users::is_verified(db, id).await? {
        anyhow::bail!(
            "{email} is not confirmed: a moderator or admin must have a proven address              (`theset-backend confirm-email {email}` hands the account to the mailbox's owner)"
        );
    }
    let id = users::set_role_by_email(db, email, role)
        .await?
        .with_context(|| format!("no account uses {email}"))?;
    audit::record(
        db,
        audit::Event {
            actor: None,
            action: "user.role_changed",
            subject: Some(id),
            ip: None,
            detail: serde_json::json!({ "to": role.as_str(), "via": "cli" }),
        },
    )
    .await?;
    Ok(())
}

/// Confirms `email` as its owner's, as a mailed link opened by the mailbox's owner would: the
/// operator vouches for the mailbox, not for whoever registered the address, so a password chosen
/// before, every session and calendar feed, and unvouched sign-ins go. The owner chooses a new
/// password with the link this returns (a password-reset link, valid 30 minutes), which the
/// operator hands to them — also where no mail server is set.
pub async fn confirm_email(
    db: &PgPool,
    email: &str,
    public_url: &url::Url,
) -> anyhow::Result<String> {
    let mut tx = db.begin().await?;
    let id = users::by_email(&mut *tx, email)
        .await?
        .with_context(|| format!("no account uses {email}"))?;
    prove_address(&mut tx, id, email, Prover::Stranger)
        .await?
        .with_context(|| format!("{email} changed meanwhile"))?;
    audit::record(
        &mut *tx,
        audit::Event {
            actor: None,
            action: "auth.email_verified",
            subject: Some(id),
            ip: None,
            detail: serde_json::json!({ "via": "cli" }),
        },
    )
    .await?;
    let token = tokens::new_token();
    email_tokens::create(
        &mut *tx,
        &tokens::digest(&token),
        Purpose::PasswordReset.as_str(),
        email,
        Some(id),
        Purpose::PasswordReset.lifetime_secs(),
    )
    .await?;
    tx.commit().await?;
    Ok(Mailer::disabled(public_url.clone()).link(Purpose::PasswordReset, &token))
}
