//! SQLite: a table per kind of record, each row with its JSON whole and a few columns to query
//! by, and the checkpoint in a table of its own, written in the same transaction as the rows
//! it counts. A kill rolls back to the last commit; a finished export drops the checkpoint.

use std::fs::File;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::columns::Record;
use super::progress::Progress;
use super::sink::Sink;

const PROGRESS_TABLE: &str = "ghl_export_progress";

const CONTACTS: &str = "CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    first_name TEXT, last_name TEXT, email TEXT, phone TEXT, company_name TEXT,
    tags TEXT, date_added TEXT, date_updated TEXT,
    json TEXT NOT NULL)";

const ACTIVITY: &str = "
CREATE TABLE IF NOT EXISTS notes (
    id TEXT, contact_id TEXT NOT NULL, body TEXT, user_id TEXT, date_added TEXT,
    json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notes_by_contact ON notes (contact_id);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT, contact_id TEXT NOT NULL, title TEXT, due_date TEXT, completed INTEGER,
    assigned_to TEXT, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_contact ON tasks (contact_id);
CREATE TABLE IF NOT EXISTS appointments (
    id TEXT, contact_id TEXT NOT NULL, title TEXT, start_time TEXT, end_time TEXT,
    status TEXT, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_by_contact ON appointments (contact_id);";

pub struct SqliteSink {
    // Closed before the lock (declaration order): SQLite's own locks belong to its handle.
    conn: Connection,
    _lock: File,
    deep: bool,
}

fn failed(e: rusqlite::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// The unfinished export's checkpoint in the file at `path`, if it is one.
pub fn checkpoint(path: &Path) -> Option<Progress> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return None;
    }
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE).ok()?;
    let raw: Option<String> = conn
        .query_row(
            &format!("SELECT checkpoint FROM {PROGRESS_TABLE} WHERE id = 1"),
            [],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten();
    raw.and_then(|r| serde_json::from_str(&r).ok())
}

impl SqliteSink {
    /// Empties the file (`lock` is its claimed handle) and makes the tables.
    pub fn fresh(
        lock: File,
        path: &Path,
        deep: bool,
        progress: &mut Progress,
    ) -> std::io::Result<SqliteSink> {
        lock.set_len(0)?;
        // A journal left by a killed export of the old file must not be played into the new.
        for suffix in ["-journal", "-wal", "-shm"] {
            super::checkpoint::remove(&super::checkpoint::beside(path, suffix))?;
        }
        let conn = Connection::open(path).map_err(failed)?;
        conn.execute_batch(CONTACTS).map_err(failed)?;
        if deep {
            conn.execute_batch(ACTIVITY).map_err(failed)?;
        }
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), checkpoint TEXT NOT NULL)"
        ))
        .map_err(failed)?;
        let mut sink = SqliteSink {
            conn,
            _lock: lock,
            deep,
        };
        sink.commit(&[], progress)?;
        Ok(sink)
    }

    /// Opens the file to go on (SQLite rolls back what a kill left unfinished).
    pub fn resume(lock: File, path: &Path, deep: bool) -> std::io::Result<SqliteSink> {
        let conn = Connection::open(path).map_err(failed)?;
        Ok(SqliteSink {
            conn,
            _lock: lock,
            deep,
        })
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl Sink for SqliteSink {
    fn commit(&mut self, records: &[Record], progress: &mut Progress) -> std::io::Result<()> {
        let tx = self.conn.transaction().map_err(failed)?;
        for r in records {
            let c = &r.contact;
            tx.execute(
                "INSERT OR REPLACE INTO contacts (id, first_name, last_name, email, phone, company_name, tags, date_added, date_updated, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.id(),
                    text(c, "firstName"),
                    text(c, "lastName"),
                    text(c, "email"),
                    text(c, "phone"),
                    text(c, "companyName"),
                    c.get("tags").map(Value::to_string),
                    text(c, "dateAdded"),
                    text(c, "dateUpdated"),
                    c.to_string(),
                ],
            )
            .map_err(failed)?;
            let Some(a) = r.deep.as_ref().filter(|_| self.deep) else {
                continue;
            };
            for table in ["notes", "tasks", "appointments"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE contact_id = ?1"),
                    [r.id()],
                )
                .map_err(failed)?;
            }
            for n in &a.notes {
                tx.execute(
                    "INSERT INTO notes (id, contact_id, body, user_id, date_added, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![text(n, "id"), r.id(), text(n, "body"), text(n, "userId"), text(n, "dateAdded"), n.to_string()],
                )
                .map_err(failed)?;
            }
            for t in &a.tasks {
                tx.execute(
                    "INSERT INTO tasks (id, contact_id, title, due_date, completed, assigned_to, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        text(t, "id"),
                        r.id(),
                        text(t, "title"),
                        text(t, "dueDate"),
                        t.get("completed").and_then(Value::as_bool),
                        text(t, "assignedTo"),
                        t.to_string()
                    ],
                )
                .map_err(failed)?;
            }
            for e in &a.appointments {
                let status = text(e, "appointmentStatus").or_else(|| text(e, "status"));
                tx.execute(
                    "INSERT INTO appointments (id, contact_id, title, start_time, end_time, status, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        text(e, "id"),
                        r.id(),
                        text(e, "title"),
                        text(e, "startTime"),
                        text(e, "endTime"),
                        status,
                        e.to_string()
                    ],
                )
                .map_err(failed)?;
            }
        }
        let saved = serde_json::to_string(progress)?;
        tx.execute(
            &format!("INSERT OR REPLACE INTO {PROGRESS_TABLE} (id, checkpoint) VALUES (1, ?1)"),
            [saved],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.conn
            .execute_batch(&format!("DROP TABLE IF EXISTS {PROGRESS_TABLE}"))
            .map_err(failed)
    }
}
