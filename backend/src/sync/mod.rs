//! The offline client's sync (protocol in `theset_shared::sync`, design in `docs/sync.md`):
//! `push` applies a device's outbox exactly once and in order, `pull` sends every change in the
//! user's scope since a cursor.

pub mod pull;
pub mod push;

use crate::db::feed::Cursor;

/// Where a device is in its pull: walking a snapshot (followed artists by id, after `after`)
/// that ends at `watermark`, or following the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullCursor {
    Snapshot {
        watermark: Cursor,
        after: Option<uuid::Uuid>,
    },
    Log(Cursor),
}

impl PullCursor {
    pub fn encode(self) -> String {
        match self {
            Self::Snapshot { watermark, after } => format!(
                "s.{}.{}",
                watermark.encode(),
                after.map_or_else(|| "-".to_owned(), |a| a.simple().to_string())
            ),
            Self::Log(c) => format!("l.{}", c.encode()),
        }
    }

    pub fn decode(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let kind = parts.next()?;
        let cursor = Cursor::decode(&format!("{}.{}", parts.next()?, parts.next()?))?;
        match (kind, parts.next(), parts.next()) {
            ("l", None, None) => Some(Self::Log(cursor)),
            ("s", Some(after), None) => Some(Self::Snapshot {
                watermark: cursor,
                after: match after {
                    "-" => None,
                    id => Some(uuid::Uuid::try_parse(id).ok()?),
                },
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let w = Cursor { tx: 12, seq: 34 };
        for c in [
            PullCursor::Log(w),
            PullCursor::Snapshot {
                watermark: w,
                after: None,
            },
            PullCursor::Snapshot {
                watermark: w,
                after: Some(uuid::Uuid::now_v7()),
            },
        ] {
            assert_eq!(PullCursor::decode(&c.encode()), Some(c));
        }
        for bad in [
            "",
            "l",
            "l.1",
            "l.1.2.3",
            "x.1.2",
            "s.1.2",
            "s.1.2.nope",
            "l.-1.2",
        ] {
            assert_eq!(PullCursor::decode(bad), None, "{bad}");
        }
    }
}
