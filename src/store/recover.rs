//! Opening the store whatever state the file is in. A damaged file (zeroed, truncated,
//! overwritten, a folder in its place) is moved aside, never deleted; a new store is made and
//! what can still be read from the old one (waiting changes, drafts) is copied into it. When no
//! store can be made at all (a read-only or full disk), the app is told why and refuses to
//! pretend that changes are saved.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};

use super::outbox::SalvagedRow;
use super::{Store, StoreError};

/// A store ready for use, and what happened to get it, to tell the user once.
pub struct Opened {
    pub store: Store,
    pub notice: Option<String>,
}

/// No store could be opened or made: changes cannot be recorded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct Unavailable {
    pub path: PathBuf,
    pub why: String,
}

enum Failure {
    Damaged(String),
    Unavailable(String),
}

fn classify(e: StoreError) -> Failure {
    if e.is_damage() {
        Failure::Damaged(e.to_string())
    } else {
        Failure::Unavailable(e.to_string())
    }
}

/// Opens the store and reads all of it once, so damage shows now rather than mid-session.
fn open_checked(path: &Path) -> Result<Store, Failure> {
    // Followed through a link: a store the user keeps elsewhere is theirs to place.
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            return Err(Failure::Damaged("a folder is in its place".into()));
        }
        if !meta.is_file() {
            return Err(Failure::Damaged("it is not a regular file".into()));
        }
        // SQLite writes its header as the store is made: an empty file was cut to nothing.
        if meta.len() == 0 {
            return Err(Failure::Damaged("it is empty (cut to nothing?)".into()));
        }
    }
    let store = Store::open(path).map_err(classify)?;
    let check: String = store
        .conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| classify(e.into()))?;
    if check != "ok" {
        return Err(Failure::Damaged(format!(
            "SQLite finds it damaged ({check})"
        )));
    }
    store.outbox().map_err(classify)?;
    store.drafts().map_err(classify)?;
    Ok(store)
}

/// What salvaged changes wait for: the user's look, before they are sent. A damaged file may
/// have lost the mark that a change was already confirmed (or a later change that undid it),
/// so none is sent again without the user's say.
pub const RECOVERED: &str =
    "recovered from a damaged store: check it, then Enter sends it or D deletes it";

pub fn open_or_recover(path: &Path) -> Result<Opened, Unavailable> {
    let unavailable = |why: String| Unavailable {
        path: path.to_path_buf(),
        why,
    };
    // Two copies of the app starting at once must not both rebuild the store (the second
    // would move aside the one the first just made): one at a time, and the second looks
    // again once it has the lock.
    let lock_path = sibling(path, ".opening");
    let _opening = crate::private::lock_file(&lock_path).map_err(|e| unavailable(e.to_string()))?;
    let why = match open_checked(path) {
        Ok(store) => {
            return Ok(Opened {
                store,
                notice: None,
            });
        }
        Err(Failure::Unavailable(why)) => return Err(unavailable(why)),
        Err(Failure::Damaged(why)) => why,
    };
    tracing::error!(path = %path.display(), %why, "the local store is damaged; moving it aside");
    let aside = move_aside(path).map_err(|e| {
        unavailable(format!(
            "it is damaged ({why}) and could not be moved aside: {e}"
        ))
    })?;
    let store = Store::open(path).map_err(|e| unavailable(e.to_string()))?;
    let (rows, drafts) = salvage(&aside);
    let mut kept_rows = 0;
    for row in &rows {
        let row = SalvagedRow {
            aside: row.aside.clone().or_else(|| Some(RECOVERED.to_string())),
            ..row.clone()
        };
        match store.restore_row(&row) {
            Ok(()) => kept_rows += 1,
            Err(e) => {
                tracing::error!(id = row.id, error = %e, "a salvaged change could not be copied")
            }
        }
    }
    let mut kept_drafts = 0;
    for (key, payload, at) in &drafts {
        match store.put_draft(key, payload, *at) {
            Ok(()) => kept_drafts += 1,
            Err(e) => tracing::error!(%key, error = %e, "a salvaged draft could not be copied"),
        }
    }
    tracing::info!(kept_rows, kept_drafts, aside = %aside.display(), "salvaged the damaged store");
    let recovered = match (kept_rows, kept_drafts) {
        (0, 0) => "nothing in it could be read".to_string(),
        (0, d) => format!("{} recovered from it", plural(d, "draft was")),
        (r, d) => format!(
            "{} and {} were recovered from it: o lists them, to check before they are sent",
            plural(r, "waiting change"),
            plural(d, "draft")
        ),
    };
    Ok(Opened {
        store,
        notice: Some(format!(
            "The local store {} could not be read ({why}): it was kept as {} and a new one made; {recovered}",
            path.display(),
            aside.display()
        )),
    })
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `<name>.damaged-<UTC time>`, with SQLite's `-wal` and `-shm` files moved alongside so the
/// old file can still be read as it was.
pub(super) fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let mut aside = sibling(path, &format!(".damaged-{stamp}"));
    let mut n = 1;
    while std::fs::symlink_metadata(&aside).is_ok() {
        n += 1;
        aside = sibling(path, &format!(".damaged-{stamp}-{n}"));
    }
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let from = sibling(path, suffix);
        if from.exists() {
            let _ = std::fs::rename(&from, sibling(&aside, suffix));
        }
    }
    Ok(aside)
}

pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// Ids probed one by one when the table cannot be read whole.
const MAX_PROBES: i64 = 100_000;

type SalvagedDraft = (String, String, i64);

/// What can still be read from the damaged file: outbox rows (all of them whole if the table
/// reads, else one id at a time) and drafts.
fn salvage(kept: &Path) -> (Vec<SalvagedRow>, Vec<SalvagedDraft>) {
    if !kept.is_file() {
        return (Vec::new(), Vec::new());
    }
    // Read from a copy: opening the kept file would let SQLite fold its `-wal` into it (or
    // roll it back), and the file kept must stay exactly as it was found.
    let Ok(scratch) = tempfile::tempdir() else {
        return (Vec::new(), Vec::new());
    };
    let from = scratch.path().join("damaged.sqlite3");
    if std::fs::copy(kept, &from).is_err() {
        return (Vec::new(), Vec::new());
    }
    for suffix in ["-wal", "-shm"] {
        let side = sibling(kept, suffix);
        if side.is_file() {
            let _ = std::fs::copy(&side, sibling(&from, suffix));
        }
    }
    let Ok(conn) = Connection::open_with_flags(&from, OpenFlags::SQLITE_OPEN_READ_WRITE) else {
        return (Vec::new(), Vec::new());
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(1));
    // SQLite refuses a file shorter than its header says unless the schema is "writable"; with
    // it, the pages still there can be read. Nothing is written through this connection.
    let _ = conn.pragma_update(None, "writable_schema", true);
    let mut rows = salvage_rows(&conn);
    // The damaged file may have lost the mark that a create was on its way: look on the
    // server before sending any of them again.
    for row in &mut rows {
        if let Ok(op) = serde_json::from_str::<crate::api::WriteOp>(&row.op)
            && op.is_create()
        {
            row.ambiguous = true;
        }
    }
    (rows, salvage_drafts(&conn))
}

fn salvage_rows(conn: &Connection) -> Vec<SalvagedRow> {
    let with_aside =
        "SELECT id, created_ms, op, attempts, ambiguous, last_error, aside FROM outbox";
    let without = "SELECT id, created_ms, op, attempts, ambiguous, last_error, NULL FROM outbox";
    let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<SalvagedRow> {
        Ok(SalvagedRow {
            id: r.get(0)?,
            created_ms: r.get(1)?,
            op: r.get(2)?,
            attempts: r.get(3)?,
            ambiguous: r.get(4)?,
            last_error: r.get(5)?,
            aside: r.get(6)?,
        })
    };
    for sql in [with_aside, without] {
        let whole = conn
            .prepare(&format!("{sql} ORDER BY id"))
            .and_then(|mut s| {
                s.query_map([], read)?
                    .collect::<rusqlite::Result<Vec<SalvagedRow>>>()
            });
        if let Ok(rows) = whole {
            return rows;
        }
    }
    // One id at a time: a damaged page loses the rows on it, not the rest.
    let top: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
            [],
            |r| r.get(0),
        )
        .ok()
        .or_else(|| {
            conn.query_row("SELECT MAX(id) FROM outbox", [], |r| r.get(0))
                .ok()
        });
    let Some(top) = top else { return Vec::new() };
    let mut out = Vec::new();
    for sql in [with_aside, without] {
        let Ok(mut stmt) = conn.prepare(&format!("{sql} WHERE id = ?1")) else {
            continue;
        };
        for id in 1..=top.min(MAX_PROBES) {
            if let Ok(row) = stmt.query_row(params![id], read) {
                out.push(row);
            }
        }
        break;
    }
    out
}

fn salvage_drafts(conn: &Connection) -> Vec<SalvagedDraft> {
    let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<SalvagedDraft> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    };
    let whole = conn
        .prepare("SELECT key, payload, updated_ms FROM drafts")
        .and_then(|mut s| s.query_map([], read)?.collect::<rusqlite::Result<Vec<_>>>());
    if let Ok(drafts) = whole {
        return drafts;
    }
    let Ok(top) = conn.query_row("SELECT MAX(rowid) FROM drafts", [], |r| r.get::<_, i64>(0))
    else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare("SELECT key, payload, updated_ms FROM drafts WHERE rowid = ?1")
    else {
        return Vec::new();
    };
    (1..=top.min(MAX_PROBES))
        .filter_map(|id| stmt.query_row(params![id], read).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{NoteInput, WriteOp};

    fn note(body: &str) -> WriteOp {
        WriteOp::CreateNote {
            contact_id: "c1".into(),
            input: NoteInput {
                body: Some(body.into()),
                ..Default::default()
            },
        }
    }

    fn asides(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.to_string_lossy().contains(".damaged-")
                    && !p.to_string_lossy().ends_with("-wal")
                    && !p.to_string_lossy().ends_with("-shm")
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_empty_file_is_taken_for_one_cut_to_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite3");
        std::fs::write(&path, b"").expect("empty");
        let opened = open_or_recover(&path).expect("opens");
        assert!(opened.notice.expect("said").contains("empty"));
        assert_eq!(asides(dir.path()).len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_store_behind_a_link_is_used_where_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("elsewhere.sqlite3");
        Store::open(&real)
            .expect("open")
            .record(&note("x"))
            .expect("record");
        let link = dir.path().join("s.sqlite3");
        std::os::unix::fs::symlink(&real, &link).expect("link");
        let opened = open_or_recover(&link).expect("opens");
        assert!(opened.notice.is_none());
        assert_eq!(opened.store.pending_count().expect("count"), 1);
    }

    #[test]
    fn a_healthy_store_opens_without_a_word() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite3");
        let opened = open_or_recover(&path).expect("opens");
        assert!(opened.notice.is_none());
        opened.store.record(&note("x")).expect("record");
        drop(opened);
        let again = open_or_recover(&path).expect("opens");
        assert!(again.notice.is_none());
        assert_eq!(again.store.pending_count().expect("count"), 1);
    }

    #[test]
    fn damaged_files_are_moved_aside_and_a_new_store_made() {
        for (what, damage) in [
            (
                "zeroed",
                &(|p: &Path| {
                    let n = std::fs::metadata(p).expect("stat").len() as usize;
                    std::fs::write(p, vec![0u8; n]).expect("zero");
                }) as &dyn Fn(&Path),
            ),
            ("garbage", &|p: &Path| {
                std::fs::write(
                    p,
                    b"this is not a database at all, just some text".repeat(200),
                )
                .expect("garbage")
            }),
            ("a folder", &|p: &Path| {
                std::fs::remove_file(p).expect("rm");
                std::fs::create_dir(p).expect("mkdir");
                std::fs::write(p.join("inside"), b"x").expect("file in it");
            }),
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("s.sqlite3");
            {
                let s = Store::open(&path).expect("open");
                s.record(&note("lost?")).expect("record");
                s.conn
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                    .expect("checkpoint");
            }
            damage(&path);
            let opened = open_or_recover(&path).unwrap_or_else(|e| panic!("{what}: {e}"));
            let notice = opened.notice.expect("said");
            let kept = asides(dir.path());
            assert_eq!(kept.len(), 1, "{what}: the damaged file is kept: {kept:?}");
            assert!(
                notice.contains(&path.display().to_string()),
                "{what}: {notice}"
            );
            assert!(
                notice.contains(&kept[0].display().to_string()),
                "{what}: {notice}"
            );
            opened
                .store
                .record(&note("after"))
                .expect("the new store works");
            assert!(path.is_file(), "{what}");
        }
    }

    #[test]
    fn what_can_be_read_from_a_truncated_file_is_salvaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite3");
        {
            let s = Store::open(&path).expect("open");
            s.record(&note("first, on the first pages"))
                .expect("record");
            s.record(&WriteOp::DeleteNote {
                contact_id: "c1".into(),
                note_id: "n1".into(),
            })
            .expect("record");
            s.save_draft("note:new:c1", &serde_json::json!({"body": "half typed"}))
                .expect("draft");
            // Enough big rows that the table spans many pages, and truncation hits only some.
            for i in 0..60 {
                s.record(&note(&format!("{i} {}", "x".repeat(3000))))
                    .expect("record");
            }
            s.conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .expect("checkpoint");
        }
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).expect("truncate");
        let before = std::fs::read(&path).expect("the damaged file");
        let opened = open_or_recover(&path).expect("recovers");
        let notice = opened.notice.expect("said");
        let outbox = opened.store.outbox().expect("outbox");
        assert!(
            outbox.ready.is_empty(),
            "nothing recovered goes out unchecked"
        );
        assert!(
            !outbox.aside.is_empty() && outbox.aside.len() < 62,
            "some rows, not all: {} ({notice})",
            outbox.aside.len()
        );
        assert!(outbox.aside.iter().all(|a| a.why == RECOVERED));
        assert!(notice.contains("recovered"), "{notice}");
        let kept = asides(dir.path());
        assert_eq!(
            std::fs::read(&kept[0]).expect("kept"),
            before,
            "kept as found"
        );
        // The user looks, and sends it.
        let first = outbox.aside[0].id;
        opened.store.retry_aside(first).expect("send it");
        let ready = opened.store.outbox().expect("outbox").ready;
        assert_eq!(ready[0].op, note("first, on the first pages"));
        assert!(
            ready[0].ambiguous,
            "a salvaged create is looked for before it is sent again"
        );
    }

    #[cfg(unix)]
    #[test]
    fn no_store_where_none_can_be_made_and_the_reason_is_given() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A file where the data folder should be: nothing can be created under it, even as root.
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, b"").expect("file");
        let path = blocker.join("ghl-tui").join("s.sqlite3");
        let Err(e) = open_or_recover(&path) else {
            panic!("a store was made under a file")
        };
        assert_eq!(e.path, path);
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
        assert!(!e.why.is_empty());
        assert!(blocker.is_file(), "nothing was moved");
    }
}
