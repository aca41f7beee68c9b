//! Drafts: what the user is typing, saved as they type, offered back after a crash.

use rusqlite::types::Value as SqlValue;
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
                read_row,
            )
            .optional()?;
        Ok(row.and_then(readable))
    }

    /// Every draft that can be read, newest first. One that cannot (written by a newer
    /// version, or damaged) is left where it is and logged: it never stops the others.
    pub fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, payload, updated_ms FROM drafts ORDER BY updated_ms DESC")?;
        let rows = stmt.query_map([], read_row)?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(d) = readable(row?) {
                out.push(d);
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

type RawDraft = (SqlValue, SqlValue, SqlValue);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDraft> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn as_text(v: SqlValue) -> Option<String> {
    match v {
        SqlValue::Text(s) => Some(s),
        SqlValue::Blob(b) => String::from_utf8(b).ok(),
        _ => None,
    }
}

fn readable((key, payload, at): RawDraft) -> Option<Draft> {
    let key = as_text(key)?;
    let parsed = as_text(payload).and_then(|p| serde_json::from_str(&p).ok());
    let Some(payload) = parsed else {
        tracing::warn!(%key, "a draft cannot be read; left as it is");
        return None;
    };
    let updated_ms = match at {
        SqlValue::Integer(i) => i,
        SqlValue::Real(f) => f as i64,
        SqlValue::Text(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    };
    Some(Draft {
        key,
        payload,
        updated_ms,
    })
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

    #[test]
    fn an_unreadable_draft_does_not_hide_the_others() {
        let store = Store::open_in_memory().expect("open");
        store
            .save_draft("note:new:c1", &json!({"body": "kept"}))
            .expect("save");
        store
            .conn
            .execute(
                "INSERT INTO drafts (key, payload, updated_ms) VALUES ('x', x'00ff', 'soon')",
                [],
            )
            .expect("a damaged draft");
        let all = store.drafts().expect("drafts");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].payload, json!({"body": "kept"}));
    }
}
