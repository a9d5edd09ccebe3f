//! Keyset pagination: `limit` + an opaque `cursor`.
//!
//! A cursor is base64url(JSON) of the sort it belongs to, the last row's sort key and its id.
//! Keyset (not offset) pagination keeps pages stable while rows are inserted and costs the same on
//! page 1,000 as on page 1. A cursor from another sort order is refused rather than misread.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use theset_shared::api::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Page};
use uuid::Uuid;

use crate::error::AppError;

/// Longest cursor accepted; real ones are far shorter.
const MAX_CURSOR_LEN: usize = 512;

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    s: String,
    k: K,
    id: Uuid,
}

/// Validated `limit`.
pub fn limit(raw: Option<u32>) -> Result<i64, AppError> {
    match raw.unwrap_or(DEFAULT_PAGE_LIMIT) {
        n @ 1..=MAX_PAGE_LIMIT => Ok(i64::from(n)),
        n => Err(AppError::invalid_parameter(format!(
            "limit must be between 1 and {MAX_PAGE_LIMIT}, got {n}"
        ))),
    }
}

pub fn encode<K: Serialize>(sort: &str, key: &K, id: Uuid) -> String {
    let env = Envelope {
        s: sort.to_owned(),
        k: key,
        id,
    };
    // Serialising plain keys cannot fail; an empty cursor would just end paging.
    let json = serde_json::to_vec(&env).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor made by [`encode`] for the same `sort`.
pub fn decode<K: DeserializeOwned>(
    sort: &str,
    cursor: Option<&str>,
) -> Result<Option<(K, Uuid)>, AppError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    if cursor.is_empty() || cursor.len() > MAX_CURSOR_LEN {
        return Err(AppError::invalid_cursor());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| AppError::invalid_cursor())?;
    let env: Envelope<K> =
        serde_json::from_slice(&bytes).map_err(|_| AppError::invalid_cursor())?;
    if env.s != sort {
        return Err(AppError::invalid_cursor());
    }
    Ok(Some((env.k, env.id)))
}

/// Builds a page from `limit + 1` fetched rows: the extra row only says whether there is more.
pub fn page<R, T, K: Serialize>(
    mut rows: Vec<R>,
    limit: i64,
    sort: &str,
    key: impl Fn(&R) -> (K, Uuid),
    to_dto: impl FnMut(R) -> T,
) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (k, id) = key(r);
            encode(sort, &k, id)
        })
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sort_check() {
        let id = Uuid::new_v4();
        let c = encode("name", &"Coldplay", id);
        let (k, got) = decode::<String>("name", Some(&c))
            .expect("valid")
            .expect("some");
        assert_eq!((k.as_str(), got), ("Coldplay", id));
        assert!(decode::<String>("trending", Some(&c)).is_err());
        assert!(decode::<f64>("name", Some(&c)).is_err());
        assert!(decode::<String>("name", Some("!!!")).is_err());
        assert!(decode::<String>("name", Some("")).is_err());
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(limit(None).expect("default"), i64::from(DEFAULT_PAGE_LIMIT));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(MAX_PAGE_LIMIT + 1)).is_err());
        assert_eq!(
            limit(Some(MAX_PAGE_LIMIT)).expect("max"),
            i64::from(MAX_PAGE_LIMIT)
        );
    }
}
