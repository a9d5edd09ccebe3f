//! Search over cached artists and songs (SQLite FTS5, prefix queries, diacritics folded).

use rusqlite::{Transaction, params};

use super::Store;
use crate::error::ClientError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// `artist` or `song`.
    pub kind: String,
    /// An artist id, or `artist_id:song_id`.
    pub reference: String,
    pub name: String,
}

pub(super) fn index(
    tx: &Transaction<'_>,
    kind: &str,
    reference: &str,
    name: &str,
) -> Result<(), ClientError> {
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO search_keys (kind, ref) VALUES (?1, ?2) \
             ON CONFLICT (kind, ref) DO UPDATE SET kind = excluded.kind RETURNING id",
        )?
        .query_row(params![kind, reference], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([id])?;
    tx.prepare_cached("INSERT INTO search (rowid, name, kind, ref) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, name, kind, reference])?;
    Ok(())
}

/// Drops entries of `kind` whose reference is LIKE `pattern` (`%` for all).
pub(super) fn unindex(tx: &Transaction<'_>, kind: &str, pattern: &str) -> Result<(), ClientError> {
    tx.execute(
        "DELETE FROM search WHERE rowid IN (SELECT id FROM search_keys WHERE kind = ?1 AND ref LIKE ?2)",
        params![kind, pattern],
    )?;
    tx.execute(
        "DELETE FROM search_keys WHERE kind = ?1 AND ref LIKE ?2",
        params![kind, pattern],
    )?;
    Ok(())
}

/// Each word of `q` as a quoted prefix term: user input never reaches FTS5's query syntax.
fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Store {
    /// Cached artists and songs matching every word of `q` (as prefixes), best first.
    pub fn search(&self, q: &str, limit: usize) -> Result<Vec<Hit>, ClientError> {
        let Some(query) = fts_query(q) else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT kind, ref, name FROM search WHERE search MATCH ?1 ORDER BY kind = 'song', rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![query, i64::try_from(limit).unwrap_or(50)], |r| {
            Ok(Hit {
                kind: r.get(0)?,
                reference: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Indexes artists cached outside a sync (the browse list), so search finds them too.
    pub fn index_artists(&self, artists: &[(String, String)]) -> Result<(), ClientError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (id, name) in artists {
            index(&tx, "artist", id, name)?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_are_quoted_prefixes() {
        assert_eq!(
            super::fts_query("Phoebe brid").as_deref(),
            Some("\"Phoebe\"* \"brid\"*")
        );
        assert_eq!(super::fts_query("\" OR *").as_deref(), Some("\"OR\"*"));
        assert_eq!(super::fts_query("  ").as_deref(), None);
    }
}
