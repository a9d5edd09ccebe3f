//! Server pages with a copy on the device: every page the app shows is kept in `page_cache`, so
//! it opens again with no network (the copy is marked stale). Pages fetched with the user's
//! token are private and go with the sign-out.

use std::time::Duration;

use reqwest::Method;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use theset_shared::ipc::Fetched;

use crate::error::ClientError;
use crate::{Client, Store};

/// How long a page waits for the server before the kept copy is shown instead. Short: a page
/// that is on the device should not wait on a venue's dead network.
const PAGE_BUDGET: Duration = Duration::from_secs(4);

fn cache_key(path: &str, query: &[(&str, String)]) -> String {
    let mut key = path.to_owned();
    for (i, (k, v)) in query.iter().enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.push_str(k);
        key.push('=');
        key.push_str(v);
    }
    key
}

impl Store {
    fn keep_page(&self, key: &str, body: &str, private: bool) -> Result<(), ClientError> {
        self.conn().execute(
            "INSERT INTO page_cache (key, body, private, fetched_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body, private = excluded.private,
                 fetched_at = excluded.fetched_at",
            params![key, body, private, chrono::Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// The kept answers whose key starts with `prefix` (a path), most recent first.
    pub(crate) fn kept_pages_under(&self, prefix: &str) -> Result<Vec<String>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT body FROM page_cache WHERE substr(key, 1, length(?1)) = ?1 \
             ORDER BY fetched_at DESC LIMIT 500",
        )?;
        let rows = stmt.query_map([prefix], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the answer at `key` was kept, if it was.
    pub(crate) fn kept_at(
        &self,
        key: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ClientError> {
        Ok(self
            .kept_page(key)?
            .and_then(|(_, at)| chrono::DateTime::parse_from_rfc3339(&at).ok())
            .map(|t| t.with_timezone(&chrono::Utc)))
    }

    /// The kept answer at `key`, decoded, if there is one.
    pub(crate) fn kept<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ClientError> {
        match self.kept_page(key)? {
            Some((body, _)) => Ok(serde_json::from_str(&body).ok()),
            None => Ok(None),
        }
    }

    fn kept_page(&self, key: &str) -> Result<Option<(String, String)>, ClientError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body, fetched_at FROM page_cache WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

impl Client {
    /// GETs `path` (with the user's token when signed in) and keeps the answer; when the server
    /// cannot be reached in time, answers the kept copy, or the network error when there is none.
    /// Refusals (404, 403, …) are errors, never hidden behind an old copy.
    pub(crate) async fn page<T: DeserializeOwned + Serialize>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Fetched<T>, ClientError> {
        let key = cache_key(path, query);
        let signed_in = self.session.signed_in().await;
        let call = async {
            if signed_in {
                match self.authed::<T>(Method::GET, path, query, None).await {
                    // The session ended on the server: public pages still answer.
                    Err(ClientError::SignedOut) => self
                        .api
                        .call(Method::GET, path, query, None, None)
                        .await
                        .map(|t| (t, false)),
                    other => other.map(|t| (t, true)),
                }
            } else {
                self.api
                    .call(Method::GET, path, query, None, None)
                    .await
                    .map(|t| (t, false))
            }
        };
        let answer = match crate::rt::timeout(PAGE_BUDGET, call).await {
            Ok(answer) => answer,
            Err(_) => Err(ClientError::Timeout),
        };
        match answer {
            Ok((data, private)) => {
                let body =
                    serde_json::to_string(&data).map_err(|e| ClientError::Decode(e.to_string()))?;
                self.store.keep_page(&key, &body, private)?;
                Ok(Fetched {
                    data,
                    stale: false,
                    fetched_at: chrono::Utc::now(),
                })
            }
            Err(e) if e.is_transient() => match self.store.kept_page(&key)? {
                Some((body, at)) => Ok(Fetched {
                    data: serde_json::from_str(&body)
                        .map_err(|e| ClientError::Decode(e.to_string()))?,
                    stale: true,
                    fetched_at: chrono::DateTime::parse_from_rfc3339(&at)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .unwrap_or_else(|_| chrono::Utc::now()),
                }),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cache_key;

    #[test]
    fn cache_keys_keep_the_query_in_order() {
        assert_eq!(cache_key("/home", &[]), "/home");
        assert_eq!(
            cache_key(
                "/search/artists",
                &[("q", "a b".into()), ("sort", "name".into())]
            ),
            "/search/artists?q=a b&sort=name"
        );
    }
}
