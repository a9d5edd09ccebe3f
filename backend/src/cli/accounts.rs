//! Operator commands on accounts: roles (how the first admin is made) and vouching for an
//! address. Each is audited as done `via: cli`.

use anyhow::Context;
use sqlx::PgPool;
use theset_shared::api::Role;

use crate::actions::accounts::{Prover, prove_address};
use crate::db::{audit, users};

/// Gives the account using `email` `role`.
pub async fn set_role(db: &PgPool, email: &str, role: Role) -> anyhow::Result<()> {
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

/// Confirms `email` as its owner's, as the mailed code would.
pub async fn confirm_email(db: &PgPool, email: &str) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let id = users::by_email(&mut *tx, email)
        .await?
        .with_context(|| format!("no account uses {email}"))?;
    prove_address(&mut tx, id, email, Prover::Owner)
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
    tx.commit().await?;
    Ok(())
}
