//! The outbox: every user action, numbered per device and kept until a pull has delivered its
//! effect. Writing the row *is* the local effect: reads lay undelivered rows over the server's
//! rows (see `scope.rs`), so what the user did shows at once and survives a restart offline.

use rusqlite::{OptionalExtension, params};
use theset_shared::hlc::{Clock, Hlc};
use theset_shared::sync::{Action, Mutation, MutationResult, Outcome};
use uuid::Uuid;

use super::Store;
use crate::error::ClientError;

/// An outbox row as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub mutation: Mutation,
    pub state: State,
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Saved on this device; not sent yet.
    Pending,
    /// Sent; no answer yet (a lost answer leaves it here, and the next push resends it).
    Sent,
    /// The server applied it; the pull that brings its effect has not come yet.
    Applied,
    /// A later vote by the same user was already on the server.
    Superseded,
    /// The server refused it; `outcome` says why.
    Rejected,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Applied => "applied",
            Self::Superseded => "superseded",
            Self::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "sent" => Self::Sent,
            "applied" => Self::Applied,
            "superseded" => Self::Superseded,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
}

pub(crate) fn wall_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

impl Store {
    /// Records `action` as the next mutation of this device; returns it.
    pub fn enqueue(&self, action: Action) -> Result<Mutation, ClientError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let seq: i64 = super::meta_get(&tx, "next_seq")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let mut clock = Clock::starting_at(
            super::meta_get(&tx, "hlc")?
                .and_then(|v| v.parse().ok())
                .map(Hlc)
                .unwrap_or_default(),
        );
        let hlc = clock.tick(wall_ms());
        let mutation = Mutation {
            id: Uuid::now_v7(),
            seq,
            hlc,
            action,
        };
        let body =
            serde_json::to_string(&mutation).map_err(|e| ClientError::Decode(e.to_string()))?;
        let kind = serde_json::to_value(&mutation.action)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default();
        tx.execute(
            "INSERT INTO outbox (seq, id, kind, body, hlc, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                seq,
                mutation.id.to_string(),
                kind,
                body,
                hlc.0.to_string(),
                chrono::Utc::now().to_rfc3339()
            ],
        )?;
        super::live::journal(&tx, &mutation.action)?;
        super::meta_set(&tx, "next_seq", &(seq + 1).to_string())?;
        super::meta_set(&tx, "hlc", &hlc.0.to_string())?;
        tx.commit()?;
        Ok(mutation)
    }

    /// Pending mutations in order, at most `limit`.
    pub fn pending(&self, limit: usize) -> Result<Vec<Mutation>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT body FROM outbox WHERE state IN ('pending', 'sent') ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body?).map_err(|e| ClientError::Decode(e.to_string()))?);
        }
        Ok(out)
    }

    /// Stores the server's answers to a push.
    pub fn record_results(&self, results: &[MutationResult]) -> Result<(), ClientError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for r in results {
            let state = match r.outcome {
                Outcome::Applied { .. } => State::Applied,
                Outcome::Superseded => State::Superseded,
                Outcome::Rejected { .. } => State::Rejected,
            };
            let result = serde_json::to_string(&r.outcome)
                .map_err(|e| ClientError::Decode(e.to_string()))?;
            tx.execute(
                "UPDATE outbox SET state = ?2, result = ?3 WHERE seq = ?1 AND state IN ('pending', 'sent')",
                params![r.seq, state.as_str(), result],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The server has applied everything up to `seq` without telling us (its answer was lost
    /// and its record pruned): those rows count as applied.
    pub fn mark_applied_through(&self, seq: i64) -> Result<(), ClientError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'applied' WHERE seq <= ?1 AND state IN ('pending', 'sent')",
            [seq],
        )?;
        Ok(())
    }

    /// Every outbox row still shown (not yet delivered back by a pull), oldest first.
    pub fn outbox(&self) -> Result<Vec<Entry>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body, state, result FROM outbox ORDER BY seq")?;
        let rows = stmt.query_map([], |r| <(String, String, Option<String>)>::try_from(r))?;
        let mut out = Vec::new();
        for row in rows {
            let (body, state, result) = row?;
            out.push(Entry {
                mutation: serde_json::from_str(&body)
                    .map_err(|e| ClientError::Decode(e.to_string()))?,
                state: State::parse(&state),
                outcome: result.and_then(|r| serde_json::from_str(&r).ok()),
            });
        }
        Ok(out)
    }

    /// Marks mutations as sent, just before a push carries them.
    pub fn mark_sent(&self, from: i64, to: i64) -> Result<(), ClientError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'sent' WHERE seq BETWEEN ?1 AND ?2 AND state = 'pending'",
            [from, to],
        )?;
        Ok(())
    }

    /// Counts by state: (not confirmed — pending or sent —, applied awaiting pull, rejected).
    pub fn outbox_counts(&self) -> Result<(usize, usize, usize), ClientError> {
        let conn = self.conn();
        let count = |state: &str| -> Result<usize, ClientError> {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM outbox WHERE state = ?1",
                [state],
                |r| r.get(0),
            )?;
            Ok(usize::try_from(n).unwrap_or(0))
        };
        Ok((
            count("pending")? + count("sent")?,
            count("applied")?,
            count("rejected")?,
        ))
    }

    /// Forgets a rejected mutation once the user has seen why.
    pub fn dismiss(&self, id: Uuid) -> Result<bool, ClientError> {
        Ok(self.conn().execute(
            "DELETE FROM outbox WHERE id = ?1 AND state = 'rejected'",
            [id.to_string()],
        )? == 1)
    }

    /// The highest sequence number this device has used.
    pub fn last_seq(&self) -> Result<i64, ClientError> {
        let conn = self.conn();
        let next: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = 'next_seq'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .and_then(|v| v.parse().ok());
        Ok(next.unwrap_or(1) - 1)
    }
}
