//! The weekly sweep's integrity checks (`db::integrity`): each finding is logged, counted in
//! `/metrics` (`integrity_findings` and `integrity_fixed`, by check) and fixed where the fix is
//! certain.

use sqlx::PgPool;

use crate::db::integrity as checks;

/// One check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub found: u64,
    pub fixed: u64,
}

/// Runs every check, each in its own transaction (a failing check leaves the others' fixes).
pub async fn run(db: &PgPool) -> sqlx::Result<Vec<Finding>> {
    let mut out = Vec::new();
    for check in CHECKS {
        let mut tx = db.begin().await?;
        let (found, fixed) = match *check {
            "duplicate_songs" => checks::duplicate_songs(&mut tx).await?,
            "duplicate_venues" => checks::duplicate_venues(&mut tx).await?,
            "duplicate_shows" => checks::duplicate_shows(&mut tx).await?,
            "unbilled_setlists" => checks::unbilled_setlists(&mut tx).await?,
            _ => checks::drifted_totals(&mut tx).await?,
        };
        tx.commit().await?;
        metrics::gauge!("integrity_findings", "check" => *check).set(found as f64);
        metrics::gauge!("integrity_fixed", "check" => *check).set(fixed as f64);
        if found > 0 {
            tracing::warn!(check = *check, found, fixed, "integrity check found faults");
        }
        out.push(Finding {
            check,
            found,
            fixed,
        });
    }
    Ok(out)
}

/// The checks, in the order they run (venues before shows: a merged venue can make two shows
/// one night at one place).
pub const CHECKS: &[&str] = &[
    "duplicate_songs",
    "duplicate_venues",
    "duplicate_shows",
    "unbilled_setlists",
    "drifted_totals",
];
