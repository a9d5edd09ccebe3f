//! Text being typed in an editor, kept on the device under a key (a set-list correction per
//! set-list), so closing the app loses nothing. Private: wiped with the sign-out.

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::Store;
use crate::error::ClientError;

fn key(setlist: Uuid) -> String {
    format!("setlist:{setlist}")
}

impl Store {
    /// The correction being typed for `setlist`, if any.
    pub fn draft(&self, setlist: Uuid) -> Result<Option<String>, ClientError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body FROM drafts WHERE key = ?1",
                [key(setlist)],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Keeps `text` as the draft for `setlist`; empty or `None` forgets it.
    pub fn save_draft(&self, setlist: Uuid, text: Option<&str>) -> Result<(), ClientError> {
        match text.filter(|t| !t.trim().is_empty()) {
            Some(t) => self.conn().execute(
                "INSERT INTO drafts (key, body, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                params![key(setlist), t, chrono::Utc::now().to_rfc3339()],
            )?,
            None => self
                .conn()
                .execute("DELETE FROM drafts WHERE key = ?1", [key(setlist)])?,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn drafts_are_kept_replaced_forgotten_and_wiped_with_private_data() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("s.sqlite3")).expect("open");
        let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        assert_eq!(store.draft(a).expect("read"), None);
        store.save_draft(a, Some("1. Intro")).expect("save");
        store
            .save_draft(a, Some("1. Intro\n2. Hit"))
            .expect("replace");
        store.save_draft(b, Some("x")).expect("save");
        assert_eq!(
            store.draft(a).expect("read").as_deref(),
            Some("1. Intro\n2. Hit")
        );
        store.save_draft(b, Some("  ")).expect("blank forgets");
        assert_eq!(store.draft(b).expect("read"), None);
        store.wipe_private().expect("sign-out");
        assert_eq!(
            store.draft(a).expect("read"),
            None,
            "drafts go with the sign-out"
        );
    }
}
