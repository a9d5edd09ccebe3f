//! The user's notifications on the device: the sync brings them (the server's nudge, never a
//! poll), they read with no signal, and "read" goes out through the outbox so every device of
//! the user shows it read. New ones since the last look are handed to the host once, for the
//! OS to show.

use theset_shared::api::{MAX_MARK_READ, Notification, NotificationKind, NotificationPrefs};
use theset_shared::sync::Action;
use uuid::Uuid;

use crate::error::ClientError;
use crate::{Client, Store};

/// Notifications the page lists.
const LISTED: i64 = 200;

impl Store {
    pub fn notifications(&self, limit: i64) -> Result<Vec<Notification>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, kind, show_id, title, body, created_at, read FROM notifications \
             ORDER BY created_at DESC, id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            <(String, String, Option<String>, String, String, String, bool)>::try_from(r)
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, show, title, body, at, read) = row?;
            let (Ok(id), Some(kind), Ok(at)) = (
                id.parse(),
                NotificationKind::parse(&kind),
                chrono::DateTime::parse_from_rfc3339(&at),
            ) else {
                continue;
            };
            out.push(Notification {
                id,
                kind,
                show_id: show.and_then(|s| s.parse().ok()),
                title,
                body,
                created_at: at.with_timezone(&chrono::Utc),
                read,
            });
        }
        Ok(out)
    }

    pub fn unread_notifications(&self) -> Result<usize, ClientError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM notifications WHERE NOT read",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn mark_read_here(&self, ids: &[Uuid]) -> Result<(), ClientError> {
        let conn = self.conn();
        for id in ids {
            conn.execute(
                "UPDATE notifications SET read = 1 WHERE id = ?1",
                [id.to_string()],
            )?;
        }
        Ok(())
    }

    /// Unread notifications newer than the last ones handed to the OS, oldest first; the
    /// first time (a new device), none: the backlog is not news.
    pub fn unannounced(&self) -> Result<Vec<Notification>, ClientError> {
        let since = crate::store::meta_get(&self.conn(), "announced_until")?
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        let all = self.notifications(LISTED)?;
        let newest = all.iter().map(|n| n.created_at).max();
        let fresh: Vec<Notification> = match since {
            None => Vec::new(),
            Some(since) => all
                .into_iter()
                .filter(|n| !n.read && n.created_at > since)
                .rev()
                .collect(),
        };
        let until = match (since, newest) {
            (Some(s), Some(n)) => s.max(n),
            (Some(s), None) => s,
            (None, Some(n)) => n.max(chrono::Utc::now()),
            (None, None) => chrono::Utc::now(),
        };
        if Some(until) != since {
            crate::store::meta_set(
                &self.conn(),
                "announced_until",
                &until.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            )?;
        }
        Ok(fresh)
    }
}

impl Client {
    pub fn notifications(&self) -> Result<Vec<Notification>, ClientError> {
        self.store.notifications(LISTED)
    }

    /// Marks notifications read here at once and on the server with the next sync.
    pub fn mark_notifications_read(&self, ids: &[Uuid]) -> Result<(), ClientError> {
        let mut rest = ids;
        while !rest.is_empty() {
            let (now, later) = rest.split_at(rest.len().min(MAX_MARK_READ));
            self.store.mark_read_here(now)?;
            self.store.enqueue(Action::ReadNotifications {
                ids: Some(now.to_vec()),
            })?;
            rest = later;
        }
        Ok(())
    }

    /// Which kinds are delivered (the last copy with no signal).
    pub async fn notification_prefs(&self) -> Result<NotificationPrefs, ClientError> {
        Ok(self
            .page::<NotificationPrefs>("/me/notification-prefs", &[])
            .await?
            .data)
    }

    pub async fn set_notification_prefs(
        &self,
        prefs: &NotificationPrefs,
    ) -> Result<NotificationPrefs, ClientError> {
        self.authed(
            reqwest::Method::PUT,
            "/me/notification-prefs",
            &[],
            Some(prefs),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: u128, minutes_ago: i64) -> theset_shared::sync::Change {
        theset_shared::sync::Change::Notification(Notification {
            id: Uuid::from_u128(id),
            kind: NotificationKind::CommentReply,
            show_id: None,
            title: format!("n{id}"),
            body: String::new(),
            created_at: chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
            read: false,
        })
    }

    fn pulled(store: &Store, changes: Vec<theset_shared::sync::Change>) {
        store
            .apply_pull(&theset_shared::sync::PullResponse {
                changes,
                cursor: "c".into(),
                more: true,
                reset: false,
                last_applied_seq: 0,
                held_back: false,
            })
            .expect("pull");
    }

    #[test]
    fn new_notifications_are_announced_once_and_the_backlog_never() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("s.sqlite3")).expect("store");
        pulled(&store, vec![note(1, 60), note(2, 30)]);
        assert!(
            store.unannounced().expect("first").is_empty(),
            "the backlog of a new device"
        );
        pulled(&store, vec![note(3, 0), note(4, 0)]);
        let fresh: Vec<String> = store
            .unannounced()
            .expect("fresh")
            .into_iter()
            .map(|n| n.title)
            .collect();
        assert_eq!(fresh.len(), 2, "{fresh:?}");
        assert!(store.unannounced().expect("again").is_empty(), "once");
        assert_eq!(store.unread_notifications().expect("unread"), 4);
        store.mark_read_here(&[Uuid::from_u128(1)]).expect("read");
        // The server's older copy of a read one does not make it unread again.
        pulled(&store, vec![note(1, 60)]);
        assert_eq!(store.unread_notifications().expect("unread"), 3);
    }
}
