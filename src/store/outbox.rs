//! The outbox: writes recorded before they are sent, removed only when the server has them.
//! A row this version cannot read (one written by a newer version, or damaged) is set aside:
//! kept, listed, retried or discarded by the user, and never in the way of the rows after it.

use rusqlite::params;
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use super::{Store, StoreError, now_ms};
use crate::api::WriteOp;

/// A write waiting for the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub op: WriteOp,
    /// Milliseconds since the epoch when the user made the change.
    pub created_ms: i64,
    pub attempts: u32,
    /// An earlier attempt may have reached the server: look before sending again.
    pub ambiguous: bool,
    pub last_error: Option<String>,
}

/// A row of the outbox that this version cannot read.
#[derive(Clone, Debug, PartialEq)]
pub struct Aside {
    pub id: i64,
    pub created_ms: i64,
    /// Why it cannot be read.
    pub why: String,
    /// Ids it names (contacts, tasks, notes, or ids of its own): later changes about them
    /// wait with it.
    pub refs: Vec<String>,
    /// Set aside by this read, not an earlier one: worth telling the user.
    pub fresh: bool,
}

/// Everything in the outbox, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outbox {
    pub ready: Vec<Pending>,
    pub aside: Vec<Aside>,
}

impl Outbox {
    pub fn len(&self) -> usize {
        self.ready.len() + self.aside.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ready rows that wait with a row set aside before them, because they are about
    /// something it is about (a note on a contact whose create this version cannot read):
    /// ready id -> the aside row's id. Waiting spreads: a change about what a waiting change
    /// is about waits too, so nothing arrives before what it builds on.
    pub fn blocked(&self) -> std::collections::HashMap<i64, i64> {
        let mut on: Vec<(i64, &str)> = self
            .aside
            .iter()
            .flat_map(|a| a.refs.iter().map(move |r| (a.id, r.as_str())))
            .collect();
        let mut out = std::collections::HashMap::new();
        for p in &self.ready {
            let refs = refs_of(&p.op);
            if let Some(&(aside, _)) = on.iter().find(|(id, r)| *id < p.id && refs.contains(r)) {
                out.insert(p.id, aside);
                on.extend(refs.into_iter().map(|r| (aside, r)));
            }
        }
        out
    }
}

/// The draft key of a write the server refused (or the user took back).
pub fn rejected_key(outbox_id: i64) -> String {
    format!("rejected:{outbox_id}")
}

/// The ids a write is about, to see whether it depends on a row set aside.
pub fn refs_of(op: &WriteOp) -> Vec<&str> {
    let v = match op {
        WriteOp::UpdateTask {
            contact_id,
            task_id,
            ..
        }
        | WriteOp::CompleteTask {
            contact_id,
            task_id,
            ..
        }
        | WriteOp::DeleteTask {
            contact_id,
            task_id,
        } => vec![contact_id.as_str(), task_id.as_str()],
        WriteOp::UpdateNote {
            contact_id,
            note_id,
            ..
        }
        | WriteOp::DeleteNote {
            contact_id,
            note_id,
        } => vec![contact_id.as_str(), note_id.as_str()],
        other => other.contact_id().into_iter().collect(),
    };
    v.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Every string under a key that names an id (`id`, `contact_id`, `localId`, ...), anywhere in
/// an unreadable row that is still JSON.
fn ids_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let k = k.to_ascii_lowercase();
                match x {
                    Value::String(s)
                        if (k == "id" || k.ends_with("_id") || k.ends_with("id"))
                            && !s.trim().is_empty() =>
                    {
                        out.push(s.clone())
                    }
                    _ => ids_in(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| ids_in(x, out)),
        _ => {}
    }
}

/// The op column as text, whatever type a newer version or a damaged page left in it.
fn op_text(v: SqlValue) -> Result<String, String> {
    match v {
        SqlValue::Text(s) => Ok(s),
        SqlValue::Blob(b) => String::from_utf8(b).map_err(|_| "it is not text".to_string()),
        SqlValue::Null => Err("it is empty".into()),
        SqlValue::Integer(_) | SqlValue::Real(_) => Err("it is a number".into()),
    }
}

fn int(v: &SqlValue) -> i64 {
    match v {
        SqlValue::Integer(i) => *i,
        SqlValue::Real(f) => *f as i64,
        SqlValue::Text(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn text(v: SqlValue) -> Option<String> {
    match v {
        SqlValue::Text(s) => Some(s),
        _ => None,
    }
}

/// What an unreadable op says of itself, for the list.
fn why_unreadable(raw: &str, e: &serde_json::Error) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(v) => match v.get("op").and_then(Value::as_str) {
            Some(kind) => format!(
                "a kind of change this version does not know (“{}”), perhaps from a newer version",
                crate::sanitize::line(kind)
                    .chars()
                    .take(40)
                    .collect::<String>()
            ),
            None => format!("its contents are not a change this version knows ({e})"),
        },
        Err(_) => "its contents are damaged (not JSON)".into(),
    }
}

impl Store {
    /// Records a write before it is sent; returns its place in the queue.
    pub fn record(&self, op: &WriteOp) -> Result<i64, StoreError> {
        Ok(self.record_all(std::slice::from_ref(op), None)?[0])
    }

    /// Records writes together, all or none, and drops the draft they came from in the same
    /// transaction: if they cannot be recorded, the draft is still there.
    pub fn record_all(&self, ops: &[WriteOp], draft: Option<&str>) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut ids = Vec::with_capacity(ops.len());
        for op in ops {
            tx.execute(
                "INSERT INTO outbox (created_ms, op) VALUES (?1, ?2)",
                params![now_ms(), serde_json::to_string(op)?],
            )?;
            ids.push(tx.last_insert_rowid());
        }
        if let Some(key) = draft {
            tx.execute("DELETE FROM drafts WHERE key = ?1", params![key])?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The whole outbox, oldest first. Only reads: a row that cannot be read comes back set
    /// aside with `fresh` set, until `set_aside` records it (the sender does, and says so).
    pub fn outbox(&self) -> Result<Outbox, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, created_ms, op, attempts, ambiguous, last_error, aside FROM outbox ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, SqlValue>(1)?,
                r.get::<_, SqlValue>(2)?,
                r.get::<_, SqlValue>(3)?,
                r.get::<_, SqlValue>(4)?,
                r.get::<_, SqlValue>(5)?,
                r.get::<_, SqlValue>(6)?,
            ))
        })?;
        let mut out = Outbox::default();
        for row in rows {
            let (id, created, op, attempts, ambiguous, last_error, aside) = row?;
            let created_ms = int(&created);
            let raw = op_text(op);
            let parsed = raw.as_ref().map_err(Clone::clone).and_then(|s| {
                serde_json::from_str::<WriteOp>(s).map_err(|e| why_unreadable(s, &e))
            });
            let mut refs = Vec::new();
            if let Ok(v) = raw.as_deref().map(serde_json::from_str::<Value>)
                && let Ok(v) = v
            {
                ids_in(&v, &mut refs);
            }
            match (text(aside), parsed) {
                (None, Ok(op)) => out.ready.push(Pending {
                    id,
                    op,
                    created_ms,
                    attempts: u32::try_from(int(&attempts)).unwrap_or(0),
                    ambiguous: int(&ambiguous) != 0,
                    last_error: text(last_error),
                }),
                (Some(why), _) => out.aside.push(Aside {
                    id,
                    created_ms,
                    why,
                    refs,
                    fresh: false,
                }),
                (None, Err(why)) => out.aside.push(Aside {
                    id,
                    created_ms,
                    why,
                    refs,
                    fresh: true,
                }),
            }
        }
        Ok(out)
    }

    /// Records why a row is set aside, so it is said once (and kept aside after a restart).
    pub fn set_aside(&self, id: i64, why: &str) -> Result<(), StoreError> {
        tracing::warn!(id, %why, "an outbox entry is set aside");
        self.conn.execute(
            "UPDATE outbox SET aside = ?2 WHERE id = ?1",
            params![id, why],
        )?;
        Ok(())
    }

    /// The writes that can go out, oldest first.
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        Ok(self.outbox()?.ready)
    }

    /// Every change not yet on the server, those set aside included.
    pub fn pending_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Reads a row set aside again at the next send (after an upgrade, say).
    pub fn retry_aside(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE outbox SET aside = NULL WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// Deletes a row set aside, for good (the user's choice, after a question).
    pub fn discard_aside(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM outbox WHERE id = ?1 AND aside IS NOT NULL",
            params![id],
        )?;
        Ok(())
    }

    /// Notes a failed attempt. `ambiguous` sticks once set: the first attempt may have landed.
    pub fn failed(&self, id: i64, ambiguous: bool, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, ambiguous = MAX(ambiguous, ?2), last_error = ?3 WHERE id = ?1",
            params![id, ambiguous, error],
        )?;
        Ok(())
    }

    /// Marks that the write is about to be sent. A crash before the answer leaves it ambiguous,
    /// which is what it is: the server may or may not have it.
    pub fn sending(&self, p: &Pending) -> Result<(), StoreError> {
        if p.op.is_create() {
            self.conn.execute(
                "UPDATE outbox SET ambiguous = 1 WHERE id = ?1",
                params![p.id],
            )?;
        }
        Ok(())
    }

    /// The server has it: the write leaves the queue.
    pub fn confirm(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM outbox WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// The server refused the write for good: it leaves the outbox and, in the same
    /// transaction, becomes a draft, so the text survives even a crash right now.
    pub fn reject(&self, id: i64, key: &str, payload: &Value) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", params![id])?;
        tx.execute(
            "INSERT INTO drafts (key, payload, updated_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, updated_ms = excluded.updated_ms",
            params![key, serde_json::to_string(payload)?, now_ms()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Takes a waiting write out of the outbox as a draft to edit (the user's choice).
    pub fn withdraw(&self, id: i64) -> Result<Option<(String, Value)>, StoreError> {
        let Some(p) = self.pending()?.into_iter().find(|p| p.id == id) else {
            return Ok(None);
        };
        let key = rejected_key(id);
        let payload =
            serde_json::json!({ "rejected": p.op, "error": "taken out of the outbox to edit" });
        self.reject(id, &key, &payload)?;
        Ok(Some((key, payload)))
    }

    /// Puts a row back as it was, for salvage: the same id, times and attempts, the op as the
    /// old file had it (read or not; an unreadable one is set aside at the next read).
    pub(super) fn restore_row(&self, row: &SalvagedRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO outbox (id, created_ms, op, attempts, ambiguous, last_error, aside)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.id,
                row.created_ms,
                row.op,
                row.attempts,
                row.ambiguous,
                row.last_error,
                row.aside
            ],
        )?;
        Ok(())
    }
}

/// An outbox row read out of a damaged file.
#[derive(Clone, Debug)]
pub(super) struct SalvagedRow {
    pub id: i64,
    pub created_ms: i64,
    pub op: String,
    pub attempts: i64,
    pub ambiguous: bool,
    pub last_error: Option<String>,
    pub aside: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NoteInput;

    fn note(contact: &str, body: &str) -> WriteOp {
        WriteOp::CreateNote {
            contact_id: contact.into(),
            input: NoteInput {
                body: Some(body.into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_outbox_keeps_order_and_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join("store.sqlite3");
        {
            let store = Store::open(&path).expect("open");
            store.record(&note("c1", "one")).expect("record");
            let two = store
                .record(&WriteOp::DeleteNote {
                    contact_id: "c1".into(),
                    note_id: "n9".into(),
                })
                .expect("record");
            store.record(&note("c1", "three")).expect("record");
            store.failed(two, false, "Network error").expect("failed");
        }
        let store = Store::open(&path).expect("reopen");
        let pending = store.pending().expect("pending");
        assert_eq!(pending.len(), 3);
        assert_eq!(pending[0].op, note("c1", "one"));
        assert_eq!(pending[1].attempts, 1);
        assert_eq!(pending[1].last_error.as_deref(), Some("Network error"));
        assert_eq!(pending[2].op, note("c1", "three"));
        store.confirm(pending[0].id).expect("confirm");
        assert_eq!(store.pending_count().expect("count"), 2);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite3");
        std::fs::write(&path, b"").expect("pre-existing file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let store = Store::open(&path).expect("open");
        store.record(&note("c1", "secret plans")).expect("record");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn sending_marks_only_creates_ambiguous_and_failures_keep_it() {
        let store = Store::open_in_memory().expect("open");
        let create = store.record(&note("c", "x")).expect("record");
        store
            .record(&WriteOp::DeleteNote {
                contact_id: "c".into(),
                note_id: "n".into(),
            })
            .expect("record");
        for p in store.pending().expect("pending") {
            store.sending(&p).expect("sending");
        }
        store
            .failed(create, false, "later failure")
            .expect("failed");
        let p = store.pending().expect("pending");
        assert!(p[0].ambiguous, "a create in flight may have landed");
        assert!(!p[1].ambiguous, "a delete is safe to repeat");
    }

    #[test]
    fn an_unreadable_row_is_set_aside_once_and_the_rest_stay_readable() {
        let store = Store::open_in_memory().expect("open");
        store.record(&note("c1", "before")).expect("record");
        store
            .conn
            .execute(
                "INSERT INTO outbox (created_ms, op) VALUES (1, ?1)",
                [r#"{"op":"log_call","contact_id":"c2","localId":"local-9"}"#],
            )
            .expect("a row from a newer version");
        store
            .conn
            .execute(
                "INSERT INTO outbox (created_ms, op) VALUES (2, x'00ff')",
                [],
            )
            .expect("a damaged row");
        store.record(&note("c3", "after")).expect("record");

        let first = store.outbox().expect("outbox");
        assert_eq!(first.ready.len(), 2, "{first:?}");
        assert_eq!(first.aside.len(), 2);
        assert!(first.aside.iter().all(|a| a.fresh));
        assert!(
            first.aside[0].why.contains("log_call"),
            "{}",
            first.aside[0].why
        );
        assert_eq!(first.aside[0].refs, ["c2", "local-9"]);
        assert!(
            first.aside[1].why.contains("not text"),
            "{}",
            first.aside[1].why
        );
        let again = store.outbox().expect("outbox");
        assert!(
            again.aside.iter().all(|a| a.fresh),
            "reading alone changes nothing"
        );
        for a in &first.aside {
            store.set_aside(a.id, &a.why).expect("set aside");
        }
        let again = store.outbox().expect("outbox");
        assert!(again.aside.iter().all(|a| !a.fresh), "said once");
        assert_eq!(store.pending_count().expect("count"), 4);

        store.retry_aside(first.aside[0].id).expect("retry");
        let retried = store.outbox().expect("outbox");
        assert!(retried.aside[0].fresh, "read again, and still unreadable");
        assert!(!retried.aside[1].fresh);
        store.discard_aside(first.aside[1].id).expect("discard");
        assert_eq!(store.pending_count().expect("count"), 3);
        // A readable row is never discarded this way.
        store.discard_aside(first.ready[0].id).expect("no-op");
        assert_eq!(store.pending_count().expect("count"), 3);
    }

    #[test]
    fn writes_recorded_together_are_all_or_none_and_take_their_draft() {
        let store = Store::open_in_memory().expect("open");
        store
            .save_draft("note:new:c1", &serde_json::json!({"body": "x"}))
            .expect("draft");
        store
            .record_all(&[note("c1", "a"), note("c1", "b")], Some("note:new:c1"))
            .expect("record");
        assert_eq!(store.pending_count().expect("count"), 2);
        assert!(store.draft("note:new:c1").expect("read").is_none());

        store
            .save_draft("note:new:c2", &serde_json::json!({"body": "y"}))
            .expect("draft");
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("pages");
        store.limit_pages(pages as u32).expect("limit");
        let long = "z".repeat(64 * 1024);
        let err = store
            .record_all(&[note("c2", "c"), note("c2", &long)], Some("note:new:c2"))
            .expect_err("a full disk refuses");
        assert!(err.to_string().contains("full"), "{err}");
        assert_eq!(store.pending_count().expect("count"), 2, "none of the two");
        assert!(
            store.draft("note:new:c2").expect("read").is_some(),
            "the draft stays"
        );
    }
}
