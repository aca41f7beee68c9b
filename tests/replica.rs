//! The replica on disk: what it keeps, how it changes, and what happens to a damaged one.

use ghl_tui::store::replica::FullPass;
use ghl_tui::store::{Replica, SyncMark, replica_path};
use serde_json::json;

fn contact(id: &str, first: &str, updated: i64) -> serde_json::Value {
    json!({
        "id": id,
        "firstName": first,
        "lastName": "Araújo",
        "email": format!("{id}@example.com"),
        "phone": "+1 617-555-0106",
        "companyName": "Acme",
        "tags": ["vip", "lead"],
        "customFields": [{"id": "f1", "value": "Gold plan"}, {"id": "f2", "value": 42}],
        "dateAdded": "2025-01-01T00:00:00.000Z",
        "dateUpdated": ghl_tui::api::time::iso_ms(updated),
        "someFieldWeDoNotKnow": {"kept": true},
        "searchAfter": [updated, id],
    })
}

#[test]
fn pages_are_kept_whole_with_their_cursor_and_what_changed() {
    let mut r = Replica::in_memory().expect("replica");
    let mark = SyncMark {
        full: Some(FullPass {
            id: 7,
            started_ms: 1000,
            cursor: Some(json!([5, "b"])),
            done: 2,
        }),
        ..Default::default()
    };
    let page = [contact("a", "Ana", 5), contact("b", "Bo", 5)];
    let stored = r
        .store_page(&page, Some(7), &mark, 2000, false)
        .expect("store");
    assert_eq!(stored.changed.len(), 2);
    assert_eq!(
        r.mark().expect("mark"),
        mark,
        "the cursor is stored with the page"
    );
    // Unknown fields are kept as the API sent them.
    let (json, _) = r.contact("a").expect("read").expect("there");
    assert_eq!(json["someFieldWeDoNotKnow"]["kept"], json!(true));
    let entries = r.entries(None).expect("entries");
    assert_eq!(entries.len(), 2);
    let a = entries.iter().find(|e| e.contact.id() == "a").expect("a");
    assert_eq!(a.contact.company_name.as_deref(), Some("Acme"));
    assert_eq!(a.contact.tags, vec!["vip", "lead"]);
    assert_eq!(a.fields, vec!["Gold plan", "42"]);

    // The same page again changes nothing; a changed contact is recorded with what changed.
    let again = r
        .store_page(&page, Some(8), &mark, 3000, true)
        .expect("again");
    assert_eq!((again.changed.len(), again.unchanged), (0, 2));
    let mut changed = contact("b", "Bob", 9);
    changed["companyName"] = json!("Globex");
    let stored = r
        .store_page(&[changed], None, &mark, 4000, true)
        .expect("change");
    assert_eq!(stored.changed.len(), 1);
    let changes = r.changes_since(3500).expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].0, "b");
    assert!(
        changes[0].2.contains("companyName") && changes[0].2.contains("firstName"),
        "{changes:?}"
    );
    // What came before the previous session is forgotten.
    assert_eq!(r.forget_changes_before(4001).expect("forget"), 1);
    assert!(r.changes_since(0).expect("changes").is_empty());
}

#[test]
fn a_full_pass_drops_what_it_did_not_see_but_keeps_what_was_written_since() {
    let mut r = Replica::in_memory().expect("replica");
    let mark = SyncMark::default();
    r.store_page(
        &[
            contact("a", "A", 1),
            contact("b", "B", 1),
            contact("c", "C", 1),
        ],
        Some(1),
        &mark,
        100,
        false,
    )
    .expect("first pass");
    // The second pass starts at 1000 and sees only `a`; `d` is written at 1500 by the app.
    r.store_page(&[contact("a", "A", 1)], Some(2), &mark, 1100, true)
        .expect("second pass");
    r.put_contact(&contact("d", "D", 2), 1500).expect("put");
    let mut gone = r.drop_unseen(2, 1000).expect("drop");
    gone.sort();
    assert_eq!(gone, vec!["b", "c"]);
    let mut left: Vec<String> = r
        .entries(None)
        .expect("entries")
        .into_iter()
        .map(|e| e.contact.id().to_string())
        .collect();
    left.sort();
    assert_eq!(left, vec!["a", "d"]);
}

#[test]
fn note_text_is_searchable_without_accents_or_case() {
    let r = Replica::in_memory().expect("replica");
    r.put_part(
        "a",
        "notes",
        &json!([{"id": "n1", "body": "Called about the Müller account, wants a São Paulo demo"}]),
        1,
    )
    .expect("notes");
    r.put_part("b", "notes", &json!([{"id": "n2", "body": "no answer"}]), 1)
        .expect("notes");
    assert_eq!(r.notes_matching("muller", 10).expect("q"), vec!["a"]);
    assert_eq!(r.notes_matching("SAO pau", 10).expect("q"), vec!["a"]);
    assert_eq!(r.notes_matching("answer", 10).expect("q"), vec!["b"]);
    // FTS5 syntax typed by the user is only text.
    assert!(r.notes_matching("\"a OR b*", 10).expect("q").is_empty());
    // New notes replace the old text.
    r.put_part("a", "notes", &json!([]), 2).expect("notes");
    assert!(r.notes_matching("muller", 10).expect("q").is_empty());
}

#[test]
fn a_damaged_replica_is_set_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("dir");
    let path = replica_path(&dir.path().join("acct.sqlite3"));
    std::fs::write(
        &path,
        b"this is not a database, just garbage bytes............",
    )
    .expect("w");
    let (r, aside) = Replica::open(&path).expect("opens anyway");
    let aside = aside.expect("said where the old one went");
    assert!(aside.to.exists(), "the damaged file is kept");
    assert_eq!(
        std::fs::read(&aside.to).expect("kept"),
        b"this is not a database, just garbage bytes............"
    );
    assert_eq!(r.count().expect("count"), 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    drop(r);
    // Opened again, the fresh one is fine and nothing more is set aside.
    let (_, again) = Replica::open(&path).expect("opens");
    assert!(again.is_none());
}

#[test]
fn a_replica_from_a_newer_version_is_set_aside_not_misread() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("acct.sqlite3.replica.sqlite3");
    {
        let (mut r, _) = Replica::open(&path).expect("open");
        r.store_page(
            &[contact("a", "A", 1)],
            None,
            &SyncMark::default(),
            1,
            false,
        )
        .expect("store");
    }
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", 99).expect("bump");
    }
    let (r, aside) = Replica::open(&path).expect("open");
    let aside = aside.expect("set aside");
    assert!(aside.why.contains("newer version"), "{}", aside.why);
    assert_eq!(r.count().expect("count"), 0);
}
