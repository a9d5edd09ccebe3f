//! Fans' pictures through the device. The server names each picture with its version
//! (`/api/v1/users/{id}/avatar?v=…`, a new address per upload), so a kept picture of that version
//! is never stale; the desktop window loads them through the shell's `avatar:` scheme, which asks
//! here, so pictures seen once show with no signal.

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::error::ClientError;
use crate::tiles::Tile;
use crate::{Client, Store};

/// Pictures kept on the device (a 256 px PNG is ~50 KB: about 100 MB at most).
const MAX_AVATARS: i64 = 2000;

/// The fan and picture version an avatar address names (`/api/v1/users/{id}/avatar?v={v}`).
pub fn parse_avatar_url(url: &str) -> Option<(Uuid, i64)> {
    let rest = url.split("/users/").nth(1)?;
    let (id, tail) = rest.split_once("/avatar")?;
    let version = tail.strip_prefix("?v=")?.parse().ok()?;
    Some((id.parse().ok()?, version))
}

impl Store {
    /// The kept picture of `user`, and whether it is `version`.
    fn kept_avatar(
        &self,
        user: Uuid,
        version: i64,
    ) -> Result<Option<(Vec<u8>, bool)>, ClientError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body, version = ?2 FROM avatars WHERE user_id = ?1",
                params![user.to_string(), version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn keep_avatar(&self, user: Uuid, version: i64, body: &[u8]) -> Result<(), ClientError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO avatars (user_id, version, body, fetched_at) VALUES (?1, ?2, ?3, datetime('now'))
             ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, body = excluded.body,
                 fetched_at = excluded.fetched_at",
            params![user.to_string(), version, body],
        )?;
        conn.execute(
            "DELETE FROM avatars WHERE rowid IN (SELECT rowid FROM avatars ORDER BY fetched_at DESC LIMIT -1 OFFSET ?1)",
            [MAX_AVATARS],
        )?;
        Ok(())
    }
}

impl Client {
    /// Tells the core how the window loads pictures (`{id}` and `{v}` in the template), when it
    /// cannot load them from the server itself (the desktop window, served by the app).
    pub fn set_avatar_template(&self, template: Option<String>) {
        if let Ok(mut t) = self.avatar_template.write() {
            *t = template;
        }
    }

    /// An address the server gave relative to itself (`/api/v1/users/…/avatar?v=…`), as the
    /// window can load it: through the shell's scheme where there is one, else whole.
    pub fn absolute(&self, url: &str) -> String {
        let template = self.avatar_template.read().ok().and_then(|t| t.clone());
        if let (Some(template), Some((user, version))) = (template, parse_avatar_url(url)) {
            return template
                .replace("{id}", &user.to_string())
                .replace("{v}", &version.to_string());
        }
        self.api
            .base()
            .join(url.trim_start_matches('/'))
            .map(String::from)
            .unwrap_or_else(|_| url.to_owned())
    }

    /// `user`'s picture at `version`: kept, else from the server (then kept), else an older kept
    /// one (a face from last time beats none at a venue).
    pub async fn avatar(&self, user: Uuid, version: i64) -> Result<Tile, ClientError> {
        let kept = self.store.kept_avatar(user, version)?;
        if let Some((body, true)) = kept {
            return Ok(picture(body));
        }
        let fetched: Result<Vec<u8>, ClientError> =
            self.api.bytes(&format!("/users/{user}/avatar")).await;
        match fetched {
            Ok(body) => {
                self.store.keep_avatar(user, version, &body)?;
                Ok(picture(body))
            }
            Err(e) => match kept {
                Some((body, _)) if e.is_transient() => Ok(picture(body)),
                _ => Err(e),
            },
        }
    }
}

/// Pictures are always PNG: the server re-encodes every upload.
fn picture(body: Vec<u8>) -> Tile {
    Tile {
        body,
        mime: "image/png".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_avatar_url;

    #[test]
    fn avatar_addresses_name_the_fan_and_the_version() {
        let id = uuid::Uuid::from_u128(42);
        assert_eq!(
            parse_avatar_url(&format!("/api/v1/users/{id}/avatar?v=1733000000123")),
            Some((id, 1_733_000_000_123))
        );
        assert_eq!(
            parse_avatar_url(&format!("/api/v1/users/{id}/avatar")),
            None
        );
        assert_eq!(parse_avatar_url("/api/v1/users/nobody/avatar?v=1"), None);
        assert_eq!(parse_avatar_url("https://elsewhere.example/x.png"), None);
    }
}
