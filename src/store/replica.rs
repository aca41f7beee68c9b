//! The local replica of a location: every contact as the API sent it (unknown fields kept),
//! the columns the list and search need, the parts of a contact (tasks, notes, appointments)
//! as last fetched, what sync has reached, and what changed. One SQLite file per location
//! beside the outbox's (`<outbox>.replica.sqlite3`, 0600, WAL).
//!
//! It is a cache: everything in it can be fetched again, so a file that cannot be read, or was
//! made by a newer version, is moved aside and a fresh one made (said once). The outbox, which
//! holds what cannot be fetched again, lives in another file and is never touched here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::StoreError;
use crate::api::Contact;

/// 1: contacts, parts, notes' text for search, sync state, changes.
pub const REPLICA_VERSION: i64 = 1;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS contacts (
    id          TEXT PRIMARY KEY,
    json        TEXT    NOT NULL,
    first_name  TEXT    NOT NULL DEFAULT '',
    last_name   TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    company     TEXT    NOT NULL DEFAULT '',
    tags        TEXT    NOT NULL DEFAULT '',
    fields      TEXT    NOT NULL DEFAULT '',
    added_ms    INTEGER NOT NULL DEFAULT 0,
    updated_ms  INTEGER NOT NULL DEFAULT 0,
    -- The full pass that last saw it (a reconciliation removes the ones it did not see).
    seen_pass   INTEGER NOT NULL DEFAULT 0,
    -- When this copy was written here.
    stored_ms   INTEGER NOT NULL DEFAULT 0
);
-- The list as it is drawn, read from this index alone (never from the rows, whose JSON makes
-- them a hundred times larger): a start from 100,000 contacts reads a few MB in order.
CREATE INDEX IF NOT EXISTS contacts_list ON contacts (
    added_ms DESC, id, first_name, last_name, name, email, phone, company, tags, fields,
    updated_ms
);
CREATE TABLE IF NOT EXISTS parts (
    contact_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    json        TEXT    NOT NULL,
    fetched_ms  INTEGER NOT NULL,
    PRIMARY KEY (contact_id, kind)
);
CREATE VIRTUAL TABLE IF NOT EXISTS notes_text USING fts5 (
    contact_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS sync (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id  TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    what        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_time ON changes (at_ms);
";

/// What sync has reached, kept in the `sync` table.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncMark {
    /// Everything updated before this (server time, ms) is here. `None` before the first
    /// full pass has finished.
    pub watermark_ms: Option<i64>,
    /// A full pass under way: resumed from its cursor after a restart or a kill.
    pub full: Option<FullPass>,
    /// When the last full pass (the first sync, or a reconciliation of ids) finished.
    pub last_full_ms: Option<i64>,
    /// When any pass last finished.
    pub last_sync_ms: Option<i64>,
    /// When the user's previous session in this location started ("changed since").
    pub last_session_ms: Option<i64>,
    /// The server's count at the last pass, for the progress line.
    pub total: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FullPass {
    pub id: i64,
    pub started_ms: i64,
    /// `searchAfter` of the last contact stored.
    pub cursor: Option<Value>,
    /// Contacts stored by this pass so far.
    pub done: u64,
}

/// One contact as the list and search need it, read from the columns (never the JSON).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListEntry {
    pub contact: Contact,
    /// Custom field values, as text.
    pub fields: Vec<String>,
    pub updated_ms: i64,
}

/// What storing a page did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    /// Contacts that are new here or changed since the copy here.
    pub changed: Vec<ListEntry>,
    pub unchanged: usize,
}

pub struct Replica {
    conn: Connection,
    path: Option<PathBuf>,
}

/// The replica was unreadable or from a newer version: where it went.
#[derive(Clone, Debug, PartialEq)]
pub struct SetAside {
    pub from: PathBuf,
    pub to: PathBuf,
    pub why: String,
}

/// Deletes every replica in `dir` (with its WAL, and any set aside as damaged); how many.
/// Outboxes are other files and stay.
pub fn purge(dir: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut n = 0;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some((_, tail)) = name.split_once(".replica.sqlite3") else {
            continue;
        };
        std::fs::remove_file(&path)?;
        if tail.is_empty() {
            n += 1;
        }
    }
    Ok(n)
}

/// The replica's path for the outbox at `store`.
pub fn replica_path(store: &Path) -> PathBuf {
    let mut s = store.as_os_str().to_owned();
    s.push(".replica.sqlite3");
    s.into()
}

fn text<'a>(o: &'a Value, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

fn field_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(field_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// Custom field values of a contact as the API sends them (`[{id, value}]`).
fn fields_of(c: &Value) -> Vec<String> {
    c.get("customFields")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f.get("value").and_then(field_text))
                .collect()
        })
        .unwrap_or_default()
}

fn tags_of(c: &Value) -> Vec<String> {
    c.get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Times come as ISO strings or epoch ms.
fn ms_of(c: &Value, key: &str) -> i64 {
    match c.get(key) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => crate::api::time::epoch_ms(s).unwrap_or(0),
        _ => 0,
    }
}

const FIELD_SEP: char = '\u{1f}';

/// What differs between the copy here and the new one, in the words the changes view shows.
fn what_changed(old: &Value, new: &Value) -> String {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return "changed".into();
    };
    // Bookkeeping the server changes on every write, not something a person changed.
    const QUIET: [&str; 4] = ["dateUpdated", "searchAfter", "lastActivity", "contactName"];
    let mut keys: Vec<&str> = new
        .iter()
        .filter(|(k, v)| !QUIET.contains(&k.as_str()) && old.get(*k) != Some(*v))
        .map(|(k, _)| k.as_str())
        .chain(
            old.keys()
                .filter(|k| !new.contains_key(*k) && !QUIET.contains(&k.as_str()))
                .map(String::as_str),
        )
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        "updated".into()
    } else {
        keys.join(", ")
    }
}

impl Replica {
    /// Opens (or makes) the replica at `path`. A file that cannot be read, or that a newer
    /// version made, is moved aside and a fresh one made; `SetAside` says where it went.
    pub fn open(path: &Path) -> Result<(Replica, Option<SetAside>), StoreError> {
        match Replica::open_checked(path) {
            Ok(r) => Ok((r, None)),
            Err(Failure::Unavailable(e)) => Err(e),
            Err(Failure::SetAside(why)) => {
                tracing::warn!(path = %path.display(), %why, "the replica is set aside and rebuilt");
                let to = super::recover::move_aside(path)?;
                let r = Replica::open_checked(path).map_err(|f| match f {
                    Failure::Unavailable(e) => e,
                    Failure::SetAside(why) => StoreError::Io(std::io::Error::other(why)),
                })?;
                Ok((
                    r,
                    Some(SetAside {
                        from: path.to_path_buf(),
                        to,
                        why,
                    }),
                ))
            }
        }
    }

    fn open_checked(path: &Path) -> Result<Replica, Failure> {
        let unavailable = |e: StoreError| {
            if e.is_damage() {
                Failure::SetAside(e.to_string())
            } else {
                Failure::Unavailable(e)
            }
        };
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir).map_err(|e| Failure::Unavailable(e.into()))?;
        }
        crate::private::touch(path).map_err(|e| Failure::Unavailable(e.into()))?;
        let conn = Connection::open(path).map_err(|e| unavailable(e.into()))?;
        let setup = || -> Result<(), rusqlite::Error> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // A cache: a crash may lose the last page, which the next sync fetches again.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.busy_timeout(Duration::from_secs(5))?;
            Ok(())
        };
        setup().map_err(|e| unavailable(e.into()))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| unavailable(e.into()))?;
        if version > REPLICA_VERSION {
            return Err(Failure::SetAside(format!(
                "it was made by a newer version of ghl-tui (schema {version}, this one knows {REPLICA_VERSION})"
            )));
        }
        // No integrity check here: it reads the whole file (80 ms at 100,000 contacts) before
        // the first frame. A file damaged inside fails when it is read, and is set aside then
        // (`rebuild`).
        let r = Replica {
            conn,
            path: Some(path.to_path_buf()),
        };
        r.migrate().map_err(|e| unavailable(e.into()))?;
        Ok(r)
    }

    /// The file turned out damaged when read: it is moved aside and a fresh one made in its
    /// place. Where it went.
    pub fn rebuild(&mut self, why: &str) -> Result<SetAside, StoreError> {
        let Some(path) = self.path.clone() else {
            self.conn = Connection::open_in_memory()?;
            self.migrate()?;
            return Err(StoreError::Io(std::io::Error::other(why.to_string())));
        };
        // Closed first: the file is renamed, with its WAL beside it.
        self.conn = Connection::open_in_memory()?;
        let to = super::recover::move_aside(&path)?;
        let (fresh, _) = Replica::open(&path)?;
        *self = fresh;
        Ok(SetAside {
            from: path,
            to,
            why: why.to_string(),
        })
    }

    pub fn in_memory() -> Result<Replica, StoreError> {
        let r = Replica {
            conn: Connection::open_in_memory()?,
            path: None,
        };
        r.migrate()?;
        Ok(r)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn migrate(&self) -> rusqlite::Result<()> {
        // A file already at this version is not written to: a second copy of the app (or a
        // reader) opening it while the first writes a page must not wait on, or fail at, a
        // write lock it does not need.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == REPLICA_VERSION {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        tx.execute_batch(TABLES)?;
        tx.pragma_update(None, "user_version", REPLICA_VERSION)?;
        tx.commit()
    }

    pub fn mark(&self) -> Result<SyncMark, StoreError> {
        let raw: Option<String> = self
            .conn
            .query_row("SELECT value FROM sync WHERE key = 'mark'", [], |r| {
                r.get(0)
            })
            .optional()?;
        // A mark this version cannot read starts sync over; the contacts stay.
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    pub fn set_mark(&self, mark: &SyncMark) -> Result<(), StoreError> {
        put_mark(&self.conn, mark)
    }

    /// Stores a page of contacts as the search sent them, and the sync mark that follows from
    /// it, in one transaction: a kill between two pages resumes after the last one stored.
    /// `pass` marks them seen by a full pass.
    pub fn store_page(
        &mut self,
        contacts: &[Value],
        pass: Option<i64>,
        mark: &SyncMark,
        now_ms: i64,
        record_changes: bool,
    ) -> Result<Stored, StoreError> {
        let tx = self.conn.transaction()?;
        let mut stored = Stored::default();
        {
            let mut old_stmt = tx.prepare_cached("SELECT json FROM contacts WHERE id = ?1")?;
            let mut seen_stmt =
                tx.prepare_cached("UPDATE contacts SET seen_pass = ?2 WHERE id = ?1")?;
            let mut change_stmt = tx.prepare_cached(
                "INSERT INTO changes (contact_id, at_ms, what) VALUES (?1, ?2, ?3)",
            )?;
            for c in contacts {
                let id = text(c, "id");
                if id.is_empty() {
                    continue;
                }
                let old: Option<String> = old_stmt.query_row([id], |r| r.get(0)).optional()?;
                // Written by the same serialiser, so the same contact is the same text: a pass
                // over 100,000 unchanged contacts parses none of them.
                let json = c.to_string();
                if old.as_deref() == Some(json.as_str()) {
                    if let Some(p) = pass {
                        seen_stmt.execute(params![id, p])?;
                    }
                    stored.unchanged += 1;
                    continue;
                }
                let entry = upsert(&tx, c, &json, pass, now_ms)?;
                if record_changes {
                    let what = match old.and_then(|o| serde_json::from_str::<Value>(&o).ok()) {
                        None => "new".to_string(),
                        Some(o) => what_changed(&o, c),
                    };
                    change_stmt.execute(params![id, now_ms, what])?;
                }
                stored.changed.push(entry);
            }
        }
        put_mark(&tx, mark)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Writes one contact (a single contact fetched, or one the server confirmed a write for).
    /// The JSON of `GET /contacts/{id}` and of search differ (FACTS); either is kept as sent.
    pub fn put_contact(&self, c: &Value, now_ms: i64) -> Result<ListEntry, StoreError> {
        let pass: Option<i64> = self
            .conn
            .query_row(
                "SELECT seen_pass FROM contacts WHERE id = ?1",
                [text(c, "id")],
                |r| r.get(0),
            )
            .optional()?;
        upsert(&self.conn, c, &c.to_string(), pass, now_ms)
    }

    /// Removes a contact and what belongs to it. Whether it was here.
    pub fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute("DELETE FROM contacts WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM parts WHERE contact_id = ?1", [id])?;
        tx.execute("DELETE FROM notes_text WHERE contact_id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// After a full pass `pass` that began at `started_ms`: the contacts it did not see are
    /// gone from the server (those stored after it began, by a write here, are kept).
    pub fn drop_unseen(&self, pass: i64, started_ms: i64) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let ids: Vec<String> = {
            let mut stmt =
                tx.prepare("SELECT id FROM contacts WHERE seen_pass != ?1 AND stored_ms < ?2")?;
            stmt.query_map(params![pass, started_ms], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute("DELETE FROM contacts WHERE id = ?1", [id])?;
            tx.execute("DELETE FROM parts WHERE contact_id = ?1", [id])?;
            tx.execute("DELETE FROM notes_text WHERE contact_id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM contacts", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// The list, newest first (the order the search endpoint uses), at most `limit` rows.
    pub fn entries(&self, limit: Option<usize>) -> Result<Vec<ListEntry>, StoreError> {
        let mut out = Vec::new();
        self.each_entry(limit, |e| out.push(e))?;
        Ok(out)
    }

    /// As `entries`, one at a time: a list of a million is never held twice.
    pub fn each_entry(
        &self,
        limit: Option<usize>,
        mut f: impl FnMut(ListEntry),
    ) -> Result<(), StoreError> {
        let limit = limit.map_or(-1, |l| l as i64);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, first_name, last_name, name, email, phone, company, tags, fields,
                    added_ms, updated_ms
             FROM contacts ORDER BY added_ms DESC, id LIMIT ?1",
        )?;
        let mut rows = stmt.query([limit])?;
        while let Some(r) = rows.next()? {
            let tags: String = r.get(7)?;
            let fields: String = r.get(8)?;
            let added: i64 = r.get(9)?;
            let updated: i64 = r.get(10)?;
            let opt = |s: String| (!s.is_empty()).then_some(s);
            let split = |s: &str| -> Vec<String> {
                if s.is_empty() {
                    Vec::new()
                } else {
                    s.split(FIELD_SEP).map(String::from).collect()
                }
            };
            let (first, last, name): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
            // The search's `contactName` mostly repeats first and last: not kept twice in a
            // list of a hundred thousand.
            let joined = crate::api::contact::full_name(Some(&first), Some(&last));
            let name = (name.trim() != joined).then_some(name);
            f(ListEntry {
                contact: Contact {
                    id: Some(r.get(0)?),
                    first_name: opt(first),
                    last_name: opt(last),
                    contact_name: name.and_then(opt),
                    email: opt(r.get(4)?),
                    phone: opt(r.get(5)?),
                    company_name: opt(r.get(6)?),
                    tags: split(&tags),
                    date_added: (added > 0).then(|| crate::api::time::iso_ms(added)),
                    date_updated: (updated > 0).then(|| crate::api::time::iso_ms(updated)),
                    ..Contact::default()
                },
                fields: split(&fields),
                updated_ms: updated,
            });
        }
        Ok(())
    }

    /// The contact a task belongs to, from what is kept of tasks (a contact's own, or the
    /// work queue's), for a write made while the server is out of reach.
    pub fn task_contact(&self, task_id: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT contact_id, kind, json FROM parts WHERE kind IN ('tasks', 'queue_tasks')",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (contact, kind, json): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&json) else {
                continue;
            };
            for item in items {
                let task = if kind == "queue_tasks" {
                    &item["task"]
                } else {
                    &item
                };
                let id = task
                    .get("id")
                    .or_else(|| task.get("_id"))
                    .and_then(Value::as_str);
                if id == Some(task_id) {
                    let named = task.get("contactId").and_then(Value::as_str);
                    let owner = named.map(str::to_string).unwrap_or_else(|| contact.clone());
                    if !owner.is_empty() && !owner.starts_with('~') {
                        return Ok(Some(owner));
                    }
                }
            }
        }
        Ok(None)
    }

    /// The contact with this email, when exactly one has it, from the local copy.
    pub fn contact_by_email(&self, email: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM contacts WHERE lower(email) = lower(?1)")?;
        let ids = stmt
            .query_map([email.trim()], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Every contact as last stored, whole, newest first (the list's order), at most `limit`.
    pub fn each_json(
        &self,
        limit: Option<usize>,
        mut f: impl FnMut(Value),
    ) -> Result<(), StoreError> {
        let limit = limit.map_or(-1, |l| l as i64);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT json FROM contacts ORDER BY added_ms DESC, id LIMIT ?1")?;
        let mut rows = stmt.query([limit])?;
        while let Some(r) = rows.next()? {
            let json: String = r.get(0)?;
            if let Ok(v) = serde_json::from_str(&json) {
                f(v);
            }
        }
        Ok(())
    }

    /// A contact as last stored, whole, and when.
    pub fn contact(&self, id: &str) -> Result<Option<(Value, i64)>, StoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT json, stored_ms FROM contacts WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(j, at)| serde_json::from_str(&j).ok().map(|v| (v, at))))
    }

    /// Keeps a contact's tasks, notes or appointments as fetched. Notes' text also goes to the
    /// full-text index, which `/` searches.
    pub fn put_part(
        &self,
        contact_id: &str,
        kind: &str,
        json: &Value,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO parts (contact_id, kind, json, fetched_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (contact_id, kind) DO UPDATE SET json = ?3, fetched_ms = ?4",
            params![contact_id, kind, json.to_string(), now_ms],
        )?;
        if kind == "notes" {
            tx.execute("DELETE FROM notes_text WHERE contact_id = ?1", [contact_id])?;
            for note in json.as_array().into_iter().flatten() {
                let body = text(note, "body");
                if !body.is_empty() {
                    tx.execute(
                        "INSERT INTO notes_text (contact_id, body) VALUES (?1, ?2)",
                        params![contact_id, body],
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn part(&self, contact_id: &str, kind: &str) -> Result<Option<(Value, i64)>, StoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT json, fetched_ms FROM parts WHERE contact_id = ?1 AND kind = ?2",
                [contact_id, kind],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(j, at)| serde_json::from_str(&j).ok().map(|v| (v, at))))
    }

    /// Contacts whose cached notes hold every word of `query` (prefixes, accents folded).
    pub fn notes_matching(&self, query: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        // Each word quoted as an FTS5 string and made a prefix: nothing the user types is
        // read as FTS5 syntax.
        let expr: Vec<String> = query
            .split_whitespace()
            .filter(|w| !w.contains(':'))
            .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
            .collect();
        if expr.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT contact_id FROM notes_text WHERE notes_text MATCH ?1 LIMIT ?2",
        )?;
        let ids = stmt
            .query_map(params![expr.join(" AND "), limit as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Forgets changes seen before `ms`: once a session has begun, those before the previous
    /// one are never asked for again, and the log must not grow for ever.
    pub fn forget_changes_before(&self, ms: i64) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM changes WHERE at_ms < ?1", [ms])?)
    }

    /// Changes seen by sync since `since_ms`, newest first: (contact id, when, what).
    pub fn changes_since(&self, since_ms: i64) -> Result<Vec<(String, i64, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT contact_id, MAX(at_ms), group_concat(what, '; ') FROM changes
             WHERE at_ms >= ?1 GROUP BY contact_id ORDER BY MAX(at_ms) DESC",
        )?;
        let rows = stmt
            .query_map([since_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

enum Failure {
    Unavailable(StoreError),
    SetAside(String),
}

fn put_mark(conn: &Connection, mark: &SyncMark) -> Result<(), StoreError> {
    let raw = serde_json::to_string(mark)?;
    conn.execute(
        "INSERT INTO sync (key, value) VALUES ('mark', ?1)
         ON CONFLICT (key) DO UPDATE SET value = ?1",
        [raw],
    )?;
    Ok(())
}

fn upsert(
    conn: &Connection,
    c: &Value,
    json: &str,
    pass: Option<i64>,
    now_ms: i64,
) -> Result<ListEntry, StoreError> {
    let id = text(c, "id");
    let name = match text(c, "contactName") {
        "" => text(c, "name"),
        n => n,
    };
    let tags = tags_of(c);
    let fields = fields_of(c);
    let fields_joined = fields.join(&FIELD_SEP.to_string());
    let added = ms_of(c, "dateAdded");
    let updated = match ms_of(c, "dateUpdated") {
        0 => added,
        u => u,
    };
    conn.prepare_cached(
        "INSERT INTO contacts (id, json, first_name, last_name, name, email, phone, company,
                               tags, fields, added_ms, updated_ms, seen_pass, stored_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET json = ?2, first_name = ?3, last_name = ?4, name = ?5,
             email = ?6, phone = ?7, company = ?8, tags = ?9, fields = ?10, added_ms = ?11,
             updated_ms = ?12, seen_pass = ?13, stored_ms = ?14",
    )?
    .execute(params![
        id,
        json,
        text(c, "firstName"),
        text(c, "lastName"),
        name,
        text(c, "email"),
        text(c, "phone"),
        text(c, "companyName"),
        tags.join(&FIELD_SEP.to_string()),
        fields_joined,
        added,
        updated,
        pass.unwrap_or(0),
        now_ms,
    ])?;
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(ListEntry {
        contact: Contact {
            id: Some(id.to_string()),
            first_name: opt(text(c, "firstName")),
            last_name: opt(text(c, "lastName")),
            contact_name: opt(name),
            email: opt(text(c, "email")),
            phone: opt(text(c, "phone")),
            company_name: opt(text(c, "companyName")),
            tags,
            date_added: (added > 0).then(|| crate::api::time::iso_ms(added)),
            date_updated: (updated > 0).then(|| crate::api::time::iso_ms(updated)),
            ..Contact::default()
        },
        fields,
        updated_ms: updated,
    })
}
