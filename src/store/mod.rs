//! Durable local data in one SQLite file (mode 0600) in the platform's data directory: the
//! outbox of writes not yet confirmed by the server, and drafts of what the user is typing.
//! Both survive a crash, `kill -9` or a dropped SSH session. A file that cannot be read is
//! moved aside and salvaged (`recover`), never deleted.

mod drafts;
mod outbox;
mod owner;
mod recover;
pub mod replica;
mod schema;
mod worker;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

pub use drafts::Draft;
pub use outbox::{Aside, Outbox, Pending, refs_of, rejected_key};
pub use owner::{DRAFT_PAUSE, StoreGone, StoreHandle};
pub use recover::{Opened, Unavailable, open_or_recover};
pub use replica::{ListEntry, Replica, SetAside, SyncMark, replica_path};
pub use worker::Worker;

/// The replica on its own thread.
pub type ReplicaHandle = Worker<Replica>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", describe_sqlite(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("an entry cannot be read: {0}")]
    Corrupt(#[from] serde_json::Error),
}

impl StoreError {
    /// The file itself is damaged (not a database, or a malformed one): worth moving aside.
    /// Anything else (a read-only disk, a full disk, a lock held elsewhere) is about where the
    /// file lives, and moving it would not help.
    pub fn is_damage(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, msg)) => {
                matches!(e.code, DatabaseCorrupt | NotADatabase)
                    // Tables or columns the app needs are missing or of another shape.
                    || (e.code == rusqlite::ErrorCode::Unknown
                        && msg.as_deref().is_some_and(|m| m.starts_with("no such")))
            }
            StoreError::Sqlite(rusqlite::Error::SqlInputError { msg, .. }) => {
                msg.starts_with("no such")
            }
            _ => false,
        }
    }
}

/// SQLite's own words, without rusqlite's wrapping ("Error code 13: ...").
fn describe_sqlite(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqliteFailure(code, None) => {
            let text = code.to_string();
            // "Error code 13: Insertion failed because database is full" -> the words.
            match text.split_once(": ") {
                Some((head, words)) if head.starts_with("Error code") => words.to_string(),
                _ => text,
            }
        }
        other => other.to_string(),
    }
}

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Held while the outbox is being sent, so two copies of the app on one account never
    /// send the same write twice. `None` for an in-memory store.
    send_lock: Option<PathBuf>,
    /// The last `PRAGMA data_version` seen: it changes when another connection (another copy
    /// of the app) commits.
    seen_version: std::cell::Cell<i64>,
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Opens (creating if needed) the store at `path`, readable by the user alone. Fails on a
    /// damaged file; `open_or_recover` is what the app uses.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir)?;
        }
        crate::private::touch(path)?;
        let conn = Connection::open(path)?;
        // WAL with FULL sync: a write recorded is on disk before it is sent.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        schema::migrate(&conn)?;
        let mut lock = path.as_os_str().to_owned();
        lock.push(".sending");
        Ok(Store::with(
            conn,
            Some(path.to_path_buf()),
            Some(lock.into()),
        ))
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        schema::migrate(&conn)?;
        Ok(Store::with(conn, None, None))
    }

    fn with(conn: Connection, path: Option<PathBuf>, send_lock: Option<PathBuf>) -> Store {
        let store = Store {
            conn,
            path,
            send_lock,
            seen_version: std::cell::Cell::new(0),
        };
        let _ = store.changed_elsewhere();
        store
    }

    /// The file, for messages.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The file to lock while sending the outbox.
    pub fn send_lock_path(&self) -> Option<&Path> {
        self.send_lock.as_deref()
    }

    /// How long a write waits for a lock another process holds before it fails.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(wait)?;
        Ok(())
    }

    /// Caps the file at `pages` pages: past that every write fails as on a full disk (SQLite's
    /// own `max_page_count`). For tests of what a full disk does to the app.
    pub fn limit_pages(&self, pages: u32) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "max_page_count", i64::from(pages))?;
        Ok(())
    }

    /// A setting this app keeps for itself (`key` names what, and for which location).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Fails if the store cannot take a write right now (a full or read-only disk).
    pub fn probe(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('probe', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [now_ms().to_string()],
        )?;
        Ok(())
    }

    /// Whether another connection has committed since the last call: another copy of the app
    /// sent or recorded something.
    pub fn changed_elsewhere(&self) -> Result<bool, StoreError> {
        let v: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(self.seen_version.replace(v) != v)
    }
}
