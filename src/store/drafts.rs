//! Drafts: what the user is typing, saved as they type, offered back after a crash.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Store, StoreError, now_ms};

/// A draft of an editor's text, under a key that names what is being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub key: String,
    pub payload: Value,
    pub updated_ms: i64,
}

impl Store {
    pub fn save_draft(&self, key: &str, payload: &Value) -> Result<(), StoreError> {
        self.put_draft(key, &serde_json::to_string(payload)?, now_ms())
    }

    pub(super) fn put_draft(&self, key: &str, payload: &str, at: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO drafts (key, payload, updated_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, updated_ms = excluded.updated_ms",
            params![key, payload, at],
        )?;
        Ok(())
    }

    pub fn draft(&self, key: &str) -> Result<Option<Draft>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT key, payload, updated_ms FROM drafts WHERE key = ?1",
                params![key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(key, payload, updated_ms)| {
            Ok(Draft {
                key,
                payload: serde_json::from_str(&payload)?,
                updated_ms,
            })
        })
        .transpose()
    }

    /// Every draft that can be read, newest first (one that cannot is left where it is).
    pub fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, payload, updated_ms FROM drafts ORDER BY updated_ms DESC")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, payload, updated_ms) = row?;
            match serde_json::from_str(&payload) {
                Ok(payload) => out.push(Draft {
                    key,
                    payload,
                    updated_ms,
                }),
                Err(e) => tracing::warn!(%key, error = %e, "a draft cannot be read; left as it is"),
            }
        }
        Ok(out)
    }

    /// Writes the server refused (or the user took back) that wait as drafts for the user.
    pub fn rejected_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM drafts WHERE key LIKE 'rejected:%'",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub fn discard_draft(&self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM drafts WHERE key = ?1", params![key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drafts_are_saved_replaced_and_discarded() {
        let store = Store::open_in_memory().expect("open");
        store
            .save_draft("note:new:c1", &json!({"body": "Hel"}))
            .expect("save");
        store
            .save_draft("note:new:c1", &json!({"body": "Hello"}))
            .expect("save");
        assert_eq!(
            store.draft("note:new:c1").expect("read").map(|d| d.payload),
            Some(json!({"body": "Hello"}))
        );
        assert_eq!(store.drafts().expect("all").len(), 1);
        store.discard_draft("note:new:c1").expect("discard");
        assert!(store.draft("note:new:c1").expect("read").is_none());
    }
}
