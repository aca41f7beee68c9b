//! Durable local data in one SQLite file (mode 0600) in the platform's data directory: the
//! outbox of writes not yet confirmed by the server, and drafts of what the user is typing.
//! Both survive a crash, `kill -9` or a dropped SSH session.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::api::WriteOp;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("local store file: {0}")]
    Io(#[from] std::io::Error),
    #[error("local store holds an unreadable entry: {0}")]
    Corrupt(#[from] serde_json::Error),
}

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

/// A draft of an editor's text, under a key that names what is being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub key: String,
    pub payload: Value,
    pub updated_ms: i64,
}

pub struct Store {
    conn: Connection,
    /// Held while the outbox is being sent, so two copies of the app on one account never
    /// send the same write twice. `None` for an in-memory store.
    send_lock: Option<std::path::PathBuf>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms  INTEGER NOT NULL,
    op          TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    ambiguous   INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE TABLE IF NOT EXISTS drafts (
    key         TEXT PRIMARY KEY,
    payload     TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);
";

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Opens (creating if needed) the store at `path`, readable by the user alone.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        create_private(path)?;
        let conn = Connection::open(path)?;
        // WAL with FULL sync: a write recorded is on disk before it is sent.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        let mut lock = path.as_os_str().to_owned();
        lock.push(".sending");
        Ok(Store {
            conn,
            send_lock: Some(lock.into()),
        })
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn,
            send_lock: None,
        })
    }

    /// The file to lock while sending the outbox.
    pub fn send_lock_path(&self) -> Option<&Path> {
        self.send_lock.as_deref()
    }

    // --- Outbox -------------------------------------------------------------------------

    /// Records a write before it is sent; returns its place in the queue.
    pub fn record(&self, op: &WriteOp) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO outbox (created_ms, op) VALUES (?1, ?2)",
            params![now_ms(), serde_json::to_string(op)?],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every write not yet confirmed, oldest first.
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, created_ms, op, attempts, ambiguous, last_error FROM outbox ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, bool>(4)?,
                r.get(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, created_ms, op, attempts, ambiguous, last_error) = row?;
            out.push(Pending {
                id,
                op: serde_json::from_str(&op)?,
                created_ms,
                attempts,
                ambiguous,
                last_error,
            });
        }
        Ok(out)
    }

    pub fn pending_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        Ok(n as usize)
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

    // --- Drafts -------------------------------------------------------------------------

    pub fn save_draft(&self, key: &str, payload: &Value) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO drafts (key, payload, updated_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, updated_ms = excluded.updated_ms",
            params![key, serde_json::to_string(payload)?, now_ms()],
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

    /// Every draft, newest first.
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
            out.push(Draft {
                key,
                payload: serde_json::from_str(&payload)?,
                updated_ms,
            });
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

/// The draft key of a write the server refused (or the user took back).
pub fn rejected_key(outbox_id: i64) -> String {
    format!("rejected:{outbox_id}")
}

/// Creates the file with mode 0600 if it does not exist, and tightens it if it does.
fn create_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NoteInput;
    use serde_json::json;

    fn note(body: &str) -> WriteOp {
        WriteOp::CreateNote {
            contact_id: "c1".into(),
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
            store.record(&note("one")).expect("record");
            let two = store
                .record(&WriteOp::DeleteNote {
                    contact_id: "c1".into(),
                    note_id: "n9".into(),
                })
                .expect("record");
            store.record(&note("three")).expect("record");
            store.failed(two, false, "Network error").expect("failed");
        }
        let store = Store::open(&path).expect("reopen");
        let pending = store.pending().expect("pending");
        assert_eq!(pending.len(), 3);
        assert_eq!(pending[0].op, note("one"));
        assert_eq!(pending[1].attempts, 1);
        assert_eq!(pending[1].last_error.as_deref(), Some("Network error"));
        assert_eq!(pending[2].op, note("three"));
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
        store.record(&note("secret plans")).expect("record");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn sending_marks_only_creates_ambiguous_and_failures_keep_it() {
        let store = Store::open_in_memory().expect("open");
        let create = store.record(&note("x")).expect("record");
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
