//! The store's tables and their versions (`PRAGMA user_version`). A file made by a newer
//! version is used as it is: its rows that this version cannot read are set aside, not lost.

use rusqlite::Connection;

/// 1: outbox and drafts. 2: outbox rows can be set aside (`aside`), and a `meta` table.
pub const VERSION: i64 = 2;

const TABLES: &str = "
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
CREATE TABLE IF NOT EXISTS meta (
    key         TEXT PRIMARY KEY,
    value       TEXT
);
";

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(TABLES)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    // By what is there, not by the number: a file whose number says more than it holds (a
    // newer version's, or one mended by hand) still gets what this version needs.
    if !has_column(&tx, "outbox", "aside")? {
        // Why the row was set aside; NULL for a row that goes out.
        tx.execute_batch("ALTER TABLE outbox ADD COLUMN aside TEXT")?;
    }
    if version < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()
}

fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let names = stmt.query_map([table], |r| r.get::<_, String>(0))?;
    for name in names {
        if name? == column {
            return Ok(true);
        }
    }
    Ok(false)
}
