//! What proving an email address does to an account. An address counts as proven by a mailed
//! link or code (magic link, verification, password reset) or by a provider that vouches for it
//! (Google's `email_verified`). Until then anyone could have put the address on the account, so
//! the first proof hands the account to whoever proved it: the password chosen before, every
//! session and refresh family, the calendar feed's secret address, and identities whose address the provider did not vouch for all
//! go, unless the proof came from the account's own signed-in owner (a verification code pasted
//! into the app that signed up), who is both the password's author and the mailbox's.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{attendance, oauth, sessions, users};

/// Who presented the proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prover {
    /// A session of the account itself: it already holds the account's credentials.
    Owner,
    /// Anyone else (a browser page, a provider callback, another app).
    Stranger,
}

/// Which sessions a change of credentials leaves signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// None: whoever held any credential is out (a proof by a stranger, a reset by mail).
    Nothing,
    /// The session that made the change (a password changed on one device, "sign out
    /// everywhere else").
    Session(Uuid),
}

/// Ends every way into `user`'s account but `keep`: sessions and their refresh families, and the
/// calendar feed's secret address (a credential too: it reads the private "going"). Whoever took
/// the account back, or changed its password, must not leave a reader behind; the owner makes a
/// new feed address. Returns how many sessions ended.
pub async fn end_access(
    tx: &mut PgConnection,
    user: Uuid,
    keep: Keep,
    reason: &str,
) -> sqlx::Result<u64> {
    let ended = match keep {
        Keep::Nothing => sessions::revoke_all(&mut *tx, user, reason).await?,
        Keep::Session(id) => sessions::revoke_others(&mut *tx, user, id, reason).await?,
    };
    attendance::drop_feed(&mut *tx, user).await?;
    Ok(ended)
}

/// What a proof did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Proven {
    /// The address was not proven before this.
    pub first: bool,
    pub password_removed: bool,
    pub sessions_ended: u64,
    pub identities_unlinked: u64,
}

/// Marks `email` proven for `user`. `None` when it is no longer the account's address (a link
/// mailed before an address change proves nothing).
pub async fn prove_address(
    tx: &mut PgConnection,
    user: Uuid,
    email: &str,
    prover: Prover,
) -> sqlx::Result<Option<Proven>> {
    let Some(was_verified) = users::lock_address(&mut *tx, user, email).await? else {
        return Ok(None);
    };
    if was_verified {
        return Ok(Some(Proven::default()));
    }
    users::mark_verified(&mut *tx, user, email).await?;
    let mut proven = Proven {
        first: true,
        ..Proven::default()
    };
    if prover == Prover::Stranger {
        proven.password_removed = users::clear_password(&mut *tx, user).await?;
        proven.sessions_ended = end_access(tx, user, Keep::Nothing, "address_proven").await?;
        proven.identities_unlinked = oauth::unlink_unvouched(&mut *tx, user).await?;
    }
    Ok(Some(proven))
}

/// Gives an account without an address (signed up through a provider that does not vouch for
/// addresses) the address its owner just proved. `Ok(false)` when another account has it.
pub async fn adopt_address(tx: &mut PgConnection, user: Uuid, email: &str) -> sqlx::Result<bool> {
    users::adopt_address(tx, user, email).await
}
