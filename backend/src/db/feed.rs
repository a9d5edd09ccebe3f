//! Positions in change feeds (progress streams, show streams, later the sync pull).
//!
//! A feed row carries the id of the transaction that wrote it (`xid8`) and a sequence number.
//! Readers order by `(transaction, sequence)` and serve only rows of transactions older than
//! every running one (`pg_snapshot_xmin`). A transaction still running when a reader passes has
//! an id at or above that horizon, so its rows sort after everything already served and are
//! never skipped, whatever order transactions commit in. (Ordering by the sequence alone would
//! skip: a transaction that took a low number and commits late lands behind a reader that has
//! moved on.)

/// A position in a feed: `(writing transaction, sequence)`, written `tx.seq` in `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub tx: i64,
    pub seq: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}.{}", self.tx, self.seq)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (tx, seq) = s.split_once('.')?;
        Some(Self {
            tx: tx.parse().ok().filter(|v: &i64| *v >= 0)?,
            seq: seq.parse().ok().filter(|v: &i64| *v >= 0)?,
        })
    }
}
