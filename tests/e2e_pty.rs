//! End-to-end tests of the real `ghl-tui` binary in a pseudo-terminal.
//!
//! Each test starts the binary in a pty, feeds everything it writes into a `vt100` terminal
//! emulator and drives it with keystrokes. Synchronisation is always "wait until the screen
//! shows X" with a generous deadline, never a fixed sleep, so a slow machine only makes the
//! tests slower, not flaky.

mod common;

use std::time::Duration;

use common::pty::*;
use ghl_tui::auth::{TokenFile, TokenSet};
use ghl_tui::sandbox::{BRANCH_LOCATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox};

/// A contact from `assets/demo/contacts.json` with a non-Latin name that no other contact
/// shares: `志明 张`.
const KNOWN_FIRST_NAME: &str = "志明";

fn browse(cols: u16, rows: u16) {
    let mut tui = Tui::demo(cols, rows);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    let first = split(tui.screen()).expect("split layout");
    assert!(
        first.status.contains("demo · Northwind Realty (demo)"),
        "status bar: {:?}",
        first.status
    );
    let top = first.selected_row.expect("a highlighted row");
    assert_eq!(top, 2, "the first contact starts selected");

    // Three steps down: the highlight moves three rows and the right pane follows it.
    tui.send("jjj");
    tui.wait("the selection to move down three rows", |sc| {
        split_matches(sc, |s| list_ready(s) && s.selected_row == Some(top + 3))
    });
    let moved = split(tui.screen()).expect("split layout");
    assert_ne!(
        moved.selected_name, first.selected_name,
        "a different contact is selected"
    );
    assert!(
        moved.right_title.contains(&moved.selected_name),
        "{moved:?}"
    );

    tui.send("3");
    tui.wait("the tasks tab", |sc| {
        split_matches(sc, |s| {
            tab_ready(s, '3')
                && (s.right_body.starts_with("No tasks")
                    || ["○ ", "✓ ", "! "]
                        .iter()
                        .any(|m| s.right_body.starts_with(m)))
        })
    });
    tui.send("4");
    tui.wait("the notes tab", |sc| {
        split_matches(sc, |s| tab_ready(s, '4'))
    });
    tui.send("5");
    tui.wait("the appointments tab", |sc| {
        split_matches(sc, |s| tab_ready(s, '5'))
    });
    let shown = split(tui.screen()).expect("split layout");
    assert!(
        shown.right_title.contains(&moved.selected_name),
        "still the same contact: {shown:?}"
    );

    tui.send("?");
    tui.wait("the help overlay", |sc| {
        let all = sc.contents();
        all.contains(" Keys ") && all.contains("Move down")
    });
    // The rest of the help is at its end.
    tui.send("G");
    tui.wait("the rest of the help", |sc| {
        let all = sc.contents();
        all.contains(" Keys ") && all.contains("Quit")
    });
    tui.send(ESC);
    tui.wait("the help overlay to close", |sc| {
        !sc.contents().contains(" Keys ") && split(sc).is_some()
    });

    // `/` filters what is loaded as you type.
    tui.send("/");
    tui.wait("the search line", |sc| {
        split_matches(sc, |s| {
            s.search_line.starts_with('/') && s.search_line.contains("320 of 320")
        })
    });
    tui.send(KNOWN_FIRST_NAME);
    tui.wait("the list to filter to one contact", |sc| {
        split_matches(sc, |s| {
            s.search_line.contains(KNOWN_FIRST_NAME)
                && s.search_line.contains("1 of 320")
                && s.selected_name.contains(KNOWN_FIRST_NAME)
                && s.right_title.contains(KNOWN_FIRST_NAME)
        })
    });

    // Enter asks the server; the list becomes the search's answer.
    tui.send("\r");
    tui.wait("the server search", |sc| {
        split_matches(sc, |s| {
            s.left_title
                .contains(&format!("Search “{KNOWN_FIRST_NAME}” 1"))
                && s.selected_name.contains(KNOWN_FIRST_NAME)
                && s.search_line.contains("server search")
        })
    });

    // Esc goes back to the whole account.
    tui.send(ESC);
    tui.wait("the full list again", |sc| {
        split_matches(sc, |s| {
            list_ready(s) && !s.left_title.contains("Search") && s.search_line.contains("to search")
        })
    });

    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "ghl-tui exited with {status:?}");
    tui.assert_terminal_restored();
    // Logs go to the state directory, never to the terminal.
    let log = tui.home.path().join(LOG);
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("no log at {}: {e}", log.display()));
    assert!(text.contains("sandbox listening"), "log: {text}");
}

#[test]
fn browse_the_demo_at_100x30() {
    browse(100, 30);
}

#[test]
fn browse_the_demo_at_80x24() {
    browse(80, 24);
}

#[test]
fn without_a_token_it_explains_and_exits_3() {
    let mut tui = Tui::spawn(&[], 100, 30);
    let status = tui.wait_exit(DEADLINE);
    let out = String::from_utf8_lossy(&tui.raw).into_owned();
    assert!(out.contains("ghl-tui --demo"), "no demo hint in: {out:?}");
    assert!(out.contains("GHL_TOKEN"), "no token hint in: {out:?}");
    assert!(
        out.contains("GHL_LOCATION_ID"),
        "no location hint in: {out:?}"
    );
    assert!(!out.contains("panicked"), "it panicked: {out:?}");
    // 3 is "not signed in", for every command.
    assert_eq!(
        status.exit_code(),
        3,
        "exit status {status:?}; output: {out:?}"
    );
    assert!(
        !contains_bytes(&tui.raw, ENTER_ALT_SCREEN),
        "entered the alternate screen: {out:?}"
    );
    assert!(
        tui.screen().contents().contains("ghl-tui --demo"),
        "the welcome is on the screen"
    );
    if let Some(termios) = tui.master.get_termios() {
        let flags = format!("{:?}", termios.local_flags);
        assert!(
            flags.contains("ICANON") && flags.contains("ECHO"),
            "raw mode left on: {flags}"
        );
    }
}

#[test]
fn a_tiny_terminal_then_a_resize() {
    let mut tui = Tui::demo(20, 5);
    tui.wait("anything on a 20x5 screen", |sc| {
        !sc.contents().trim().is_empty()
    });
    tui.send("j");
    tui.resize(80, 24);
    tui.wait("the full layout after growing to 80x24", |sc| {
        size(sc) == (80, 24)
            && split_matches(sc, |s| {
                s.left_title.contains("Contacts 320") && s.right_title.contains('┐')
            })
    });
    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "ghl-tui exited with {status:?}");
    tui.assert_terminal_restored();
}

#[test]
fn sigterm_leaves_the_terminal_clean() {
    let mut tui = Tui::demo(100, 30);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.signal("TERM");
    let status = tui.wait_exit(DEADLINE);
    assert!(
        status.success(),
        "ghl-tui exited with {status:?} after SIGTERM"
    );
    tui.assert_terminal_restored();
}

/// A real account's path (token and location from the environment, no `--demo`) against a
/// sandbox whose contacts carry terminal escape sequences: none of them may reach the terminal.
#[test]
fn hostile_contacts_never_reach_the_terminal() {
    use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, Seed};
    use serde_json::json;

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut seed = Seed::demo().expect("demo seed").truncate(5);
    seed.contacts[0].insert("firstName".into(), json!("\x1b]52;c;ZXZpbA==\x07"));
    seed.contacts[0].insert("lastName".into(), json!("Clipboard"));
    seed.contacts[1].insert("companyName".into(), json!("\x1b]0;pwned-title\x07Acme"));
    seed.contacts[2].insert(
        "tags".into(),
        json!(["\x1b[2J\x1b[Hwiped", "\u{9d}8;;http://evil.test\u{9c}link"]),
    );
    // A "tower" of combining marks and zero-width characters: a terminal keeps only so many
    // in one cell (tmux about 20 bytes), the rest take cells of their own and push the row
    // out of line.
    seed.contacts[3].insert(
        "firstName".into(),
        json!(format!(
            "Z{}a{}lgo",
            "\u{301}".repeat(150),
            "\u{200b}".repeat(80)
        )),
    );
    let target = seed.contacts[0]
        .get("id")
        .and_then(|v| v.as_str())
        .expect("id")
        .to_string();
    seed.notes.push(
        serde_json::from_value(json!({
            "id": "hostileNote000000001",
            "contactId": target,
            "body": "line one\x1b]52;c;ZXZpbA==\x07\nline two\x1bP+q544e\x1b\\",
            "dateAdded": "2026-11-20T10:00:00.000Z"
        }))
        .expect("note"),
    );
    let sandbox = rt
        .block_on(Sandbox::demo(&seed, Default::default()))
        .expect("sandbox");
    let base = sandbox.base_url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN", DEMO_TOKEN),
        ("GHL_LOCATION_ID", sandbox.location_id()),
    ];
    let mut tui = Tui::spawn_env(&[], 100, 30, &env);
    tui.wait("the five contacts", |sc| {
        split_matches(sc, |s| s.left_title.contains("Contacts 5"))
    });
    // Walk every contact and every pane so each hostile string is drawn somewhere.
    for _ in 0..5 {
        for pane in ["2", "3", "4", "5", "1"] {
            tui.send(pane);
        }
        tui.send("j");
    }
    // Go to the contact with the hostile note by name.
    tui.send("/");
    tui.send("clipboard");
    tui.send("\t");
    tui.send("4");
    tui.wait("the hostile note, defused", |sc| {
        sc.contents().contains("line two")
    });
    // The filter cleared (no Esc: one right before the next key reads as Alt).
    tui.send("1/\x15\t");
    tui.wait("the tower in the list", |sc| sc.contents().contains("lgo"));
    let (cols, rows) = size(tui.screen());
    for row in 0..rows {
        for col in 0..cols {
            let Some(cell) = tui.screen().cell(row, col) else {
                continue;
            };
            let n = cell.contents().chars().count();
            assert!(
                n <= 4,
                "row {row} col {col} holds {n} characters: a terminal would spill them\n{}",
                numbered(tui.screen())
            );
        }
    }
    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "ghl-tui exited with {status:?}");
    // The app names the window itself (`ghl-tui · place · contact`): those titles are its
    // own, cleaned of anything a name could carry, and taken out before looking for what a
    // hostile contact could have slipped through.
    let mut raw = tui.raw.clone();
    while let Some(at) = find_last(&raw, b"\x1b]0;ghl-tui \xc2\xb7 ") {
        let end = raw[at..]
            .iter()
            .position(|&b| b == 0x07)
            .map(|e| at + e)
            .expect("a title ends with BEL");
        let title = &raw[at + 4..end];
        assert!(
            !title.iter().any(|&b| b < 0x20 || b == 0x7f),
            "control bytes in a title: {:?}",
            String::from_utf8_lossy(title)
        );
        raw.drain(at..=end);
    }
    for needle in [
        &b"ZXZpbA=="[..],
        b"pwned-title",
        b"\x1b]52",
        b"\x1b]0;",
        b"\x1b[2J",
        b"evil.test",
        b"\x1bP+q",
    ] {
        assert!(
            !contains_bytes(&raw, needle),
            "{:?} reached the terminal",
            String::from_utf8_lossy(needle)
        );
    }
    assert!(!raw.contains(&0x07), "a BEL reached the terminal");
    tui.assert_terminal_restored();
    drop(sandbox);
}

/// Issue 3's end-to-end check: in `--demo`, complete a task with one key and add a note, then
/// see both on the sandbox over HTTP.
#[test]
fn complete_a_task_and_add_a_note_in_the_demo() {
    use ghl_tui::api::{Client, ClientConfig, Secret};
    use ghl_tui::sandbox::{DEMO_TOKEN, Seed};

    let seed = Seed::demo().expect("demo seed");
    // A contact with an email (to find it by) and an open task.
    let (contact_id, email, task_id, title) = seed
        .tasks
        .iter()
        .filter(|t| t.get("completed").and_then(|v| v.as_bool()) == Some(false))
        .find_map(|t| {
            let cid = t.get("contactId")?.as_str()?;
            let c = seed
                .contacts
                .iter()
                .find(|c| c.get("id").and_then(|v| v.as_str()) == Some(cid))?;
            let email = c.get("email")?.as_str()?;
            let open_tasks = seed
                .tasks
                .iter()
                .filter(|x| x.get("contactId").and_then(|v| v.as_str()) == Some(cid))
                .count();
            (open_tasks == 1).then(|| {
                (
                    cid.to_string(),
                    email.to_string(),
                    t.get("id")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                    t.get("title")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                )
            })
        })
        .expect("a demo contact with exactly one task, open");

    let mut tui = Tui::demo(110, 32);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("/");
    tui.send(&email);
    tui.wait("the filter down to one contact", |sc| {
        sc.contents().contains(" 1 of 320")
    });
    tui.send("\t");
    tui.send("3");
    let short: String = title.chars().take(12).collect();
    tui.wait("the open task", |sc| {
        sc.contents().contains(&format!("○ {short}"))
            || sc.contents().contains(&format!("! {short}"))
    });
    tui.send("x");
    tui.wait("the task shown done", |sc| {
        sc.contents().contains(&format!("✓ {short}"))
    });

    tui.send("4");
    tui.wait("the notes pane", |sc| {
        split_matches(sc, |s| tab_ready(s, '4'))
    });
    tui.send("n");
    tui.wait("the note editor", |sc| sc.contents().contains("New note"));
    let body = "Called from the pty test: wants a Saturday viewing.";
    tui.send(body);
    tui.send("\x13"); // Ctrl-S
    tui.wait("the note in the pane", |sc| {
        sc.contents().contains("wants a Saturday viewing") && !sc.contents().contains("New note")
    });

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::new(ClientConfig::new(
        demo_sandbox_url(&tui),
        Secret::new(DEMO_TOKEN),
        seed.location_id.clone(),
    ))
    .expect("client");
    eventually("the sandbox has the task completed", || {
        let task = rt.block_on(client.task(&contact_id, &task_id)).ok()?;
        Some(task.is_done())
    });
    eventually("the sandbox has the note", || {
        let notes = rt.block_on(client.notes(&contact_id)).ok()?;
        Some(
            notes
                .iter()
                .filter(|n| n.body.as_deref() == Some(body))
                .count()
                == 1,
        )
    });
    tui.wait("nothing waiting in the outbox", |sc| {
        !sc.contents().contains("waiting")
    });
    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "ghl-tui exited with {status:?}");
    tui.assert_terminal_restored();
}

/// The demo at 100x30 with a new note's editor open on the first contact.
fn note_editor_in_demo() -> Tui {
    let mut tui = Tui::demo(100, 30);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("4");
    tui.wait("the notes pane", |sc| {
        split_matches(sc, |s| tab_ready(s, '4'))
    });
    tui.send("n");
    tui.wait("the note editor", |sc| sc.contents().contains("New note"));
    tui
}

/// What was typed survives `kill -9`: the next start offers the draft back.
#[test]
fn a_draft_survives_kill_9() {
    let mut tui = note_editor_in_demo();
    let text = "Half-written note about the Maple Ave offer";
    tui.send(text);
    tui.wait("the typed text", |sc| {
        sc.contents().contains("Maple Ave offer")
    });
    // Typed and left alone: nothing but the pause after the last key writes the draft (the
    // store holds drafts while keys come), and it is on disk well within a second of it.
    let data = tui.home.path().join("data");
    eventually("the draft on disk after the keys pause", || {
        Some(
            drafts_on_disk(&data)
                .iter()
                .any(|d| d.contains("Maple Ave offer")),
        )
    });
    tui.signal("KILL");
    tui.wait_exit(DEADLINE);

    let home = std::mem::replace(&mut tui.home, tempfile::tempdir().expect("tempdir"));
    drop(tui);
    let mut again = Tui::spawn_in(home, &["--demo"], 100, 30, &[]);
    again.wait("the draft offered back", |sc| {
        sc.contents().contains("Unsaved text from last time")
    });
    again.send("\r");
    again.wait("the editor with the text", |sc| {
        sc.contents().contains("New note") && sc.contents().contains("Maple Ave offer")
    });
    again.send("\x13"); // Ctrl-S
    again.wait("the editor closed", |sc| {
        !sc.contents().contains("New note")
    });
    again.send("4");
    again.wait("the note in the notes pane", |sc| {
        sc.contents().contains("Maple Ave offer")
    });
    again.send("q");
    assert!(again.wait_exit(DEADLINE).success());
    again.assert_terminal_restored();
}

/// A dropped SSH link (SIGHUP) right after typing: the draft the store was holding for a pause
/// in the keys is written on the way out, and offered back at the next start.
#[test]
fn a_draft_typed_just_before_a_hangup_is_kept() {
    let mut tui = note_editor_in_demo();
    tui.send("Call back about the Elm St listing");
    tui.wait("the typed text", |sc| {
        sc.contents().contains("Elm St listing")
    });
    tui.signal("HUP");
    assert!(tui.wait_exit(DEADLINE).success(), "SIGHUP exits cleanly");
    let data = tui.home.path().join("data");
    assert!(
        drafts_on_disk(&data)
            .iter()
            .any(|d| d.contains("Elm St listing")),
        "the draft is on disk when the process has gone"
    );
    let home = std::mem::replace(&mut tui.home, tempfile::tempdir().expect("tempdir"));
    drop(tui);
    let mut again = Tui::spawn_in(home, &["--demo"], 100, 30, &[]);
    again.wait("the draft offered back", |sc| {
        sc.contents().contains("Unsaved text from last time")
    });
    again.send("q");
    again.send("q");
    assert!(again.wait_exit(DEADLINE).success());
}

/// Every draft in the stores under `dir`, as JSON text, read through a connection of its own.
fn drafts_on_disk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sqlite3")
                && let Ok(store) = ghl_tui::store::Store::open(&path)
            {
                out.extend(
                    store
                        .drafts()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|d| d.payload.to_string()),
                );
            }
        }
    }
    out
}

/// Ctrl-E hands the terminal to `$VISUAL` and takes it back: the text written there lands in
/// the note, and the app carries on (it must not wait for the terminal to answer anything).
#[test]
fn a_note_written_in_the_external_editor() {
    let scripts = tempfile::tempdir().expect("tempdir");
    let script = scripts.path().join("fake-editor.sh");
    std::fs::write(
        &script,
        "printf 'Written in the editor\\nsecond line\\n' > \"$1\"\n",
    )
    .expect("script");
    // Run through `sh` rather than executing the fresh file: another test forking at the same
    // moment can hold it open for writing, and exec would fail with "text file busy".
    let editor = format!("sh {}", script.display());
    let mut tui = Tui::spawn_env(&["--demo"], 100, 30, &[("VISUAL", editor.as_str())]);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("4");
    tui.wait("the notes pane", |sc| {
        split_matches(sc, |s| tab_ready(s, '4'))
    });
    tui.send("n");
    tui.wait("the note editor", |sc| sc.contents().contains("New note"));
    tui.send("\x05"); // Ctrl-E
    tui.wait("the editor's text back in the form", |sc| {
        sc.contents().contains("New note") && sc.contents().contains("Written in the editor")
    });
    tui.send("\x13"); // Ctrl-S
    tui.wait("the note saved", |sc| {
        !sc.contents().contains("New note") && sc.contents().contains("second line")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
}

/// A change the server refuses comes back to the user with its text, and that text survives
/// the session being cut (SIGHUP) right then.
#[test]
fn a_refused_contact_survives_a_hangup() {
    use ghl_tui::sandbox::Seed;
    let seed = Seed::demo().expect("demo seed");
    // An email already in use: the sandbox refuses the create as a duplicate.
    let taken = seed
        .contacts
        .iter()
        .find_map(|c| c.get("email")?.as_str())
        .expect("an email")
        .to_string();
    let mut tui = Tui::demo(110, 40);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("n");
    tui.wait("the contact form", |sc| {
        sc.contents().contains("New contact")
    });
    tui.send("Dana");
    tui.send("\t\t"); // last name, then email
    tui.send(&taken);
    tui.wait("the email typed", |sc| sc.contents().contains(&taken));
    tui.send("\x13"); // Ctrl-S
    tui.wait("the refusal, with the form back", |sc| {
        sc.contents().contains("not saved") && sc.contents().contains("Dana")
    });
    tui.signal("HUP");
    assert!(tui.wait_exit(DEADLINE).success(), "SIGHUP exits cleanly");
    tui.assert_terminal_restored();

    let home = std::mem::replace(&mut tui.home, tempfile::tempdir().expect("tempdir"));
    drop(tui);
    let mut again = Tui::spawn_in(home, &["--demo"], 110, 40, &[]);
    again.wait("the refused contact offered back", |sc| {
        sc.contents().contains("Unsaved text from last time") && sc.contents().contains("not saved")
    });
    again.send("\r");
    again.wait("the form with the text", |sc| {
        sc.contents().contains("Dana") && sc.contents().contains(&taken)
    });
    again.send("\x1b"); // Esc: asks first
    again.wait("the discard question", |sc| {
        sc.contents().contains("Discard your changes?")
    });
    again.send("y");
    again.wait("the form closed", |sc| {
        !sc.contents().contains("Discard your changes?") && !sc.contents().contains("New contact")
    });
    again.send("q");
    assert!(again.wait_exit(DEADLINE).success());
}

/// An agency's OAuth sign-in as `login --agency` stores it, made over HTTP against `sb`.
/// A runtime for the test's own calls, and the demo sandbox on it.
fn demo_sandbox() -> (tokio::runtime::Runtime, ghl_tui::sandbox::Seed, Sandbox) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let seed = ghl_tui::sandbox::Seed::demo_today().expect("seed");
    let sb = rt
        .block_on(Sandbox::demo(&seed, Default::default()))
        .expect("sandbox");
    (rt, seed, sb)
}

/// Spends `refresh` at the sandbox's token endpoint, as another copy of the app would.
async fn refresh_with(base: &str, refresh: &ghl_tui::api::Secret) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ])
        .send()
        .await
        .expect("the token endpoint answers")
        .status()
        .as_u16()
}

/// Where `login` keeps the default profile's sign-in, in a test's home.
fn profile_tokens(home: &std::path::Path) -> TokenFile {
    TokenFile::new(home.join("config/ghl-tui/profiles/default.tokens.json"))
}

fn agency_sign_in(rt: &tokio::runtime::Runtime, sb: &Sandbox, location: &str) -> TokenSet {
    oauth_sign_in(rt, sb, "Company", location)
}

/// An OAuth sign-in as `login` stores it (`user_type` Location or Company), with write access.
fn oauth_sign_in(
    rt: &tokio::runtime::Runtime,
    sb: &Sandbox,
    user_type: &str,
    location: &str,
) -> TokenSet {
    let scope = "contacts.readonly contacts.write oauth.readonly oauth.write";
    let mut set = rt.block_on(common::oauth_sign_in(sb, user_type, scope));
    set.location_id = Some(location.to_string());
    set
}

/// The location a request names: in its query, its JSON body or its path.
fn named_location(r: &ghl_tui::sandbox::Recorded) -> Option<String> {
    let from_query = r
        .query
        .split('&')
        .find_map(|kv| kv.strip_prefix("locationId=").map(String::from));
    let from_body = r
        .body
        .as_ref()
        .and_then(|b| b.get("locationId"))
        .and_then(|l| l.as_str())
        .map(String::from);
    let from_path = r
        .path
        .strip_prefix("/locations/")
        .and_then(|p| p.split('/').next())
        .map(String::from);
    from_query.or(from_body).or(from_path)
}

#[test]
fn an_agency_switches_location_and_the_log_keeps_no_token() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let seed = ghl_tui::sandbox::Seed::demo_today().expect("seed");
    let mut cfg = ghl_tui::sandbox::SandboxConfig::for_seed(&seed);
    // Tokens that expire at once: every request of the session needs a refreshed one.
    cfg.oauth.access_ttl = Duration::from_secs(2);
    let sb = rt
        .block_on(Sandbox::start(&seed, cfg, ([127, 0, 0, 1], 0).into()))
        .expect("sandbox");
    let home = tempfile::tempdir().expect("tempdir");
    let set = agency_sign_in(&rt, &sb, sb.location_id());
    let first_refresh = set.refresh_token.clone().expect("refresh token");
    profile_tokens(home.path())
        .save(&set)
        .expect("store the sign-in");
    let base = sb.base_url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        // As talkative as the log gets: even then no token may reach it.
        ("GHL_TUI_LOG", "trace"),
        ("GHL_TOKEN_STORE", "file"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 100, 30, &env);
    // Everything the first location asks for at start has been asked (the list, then the
    // details of the first contact), so what follows the switch is the switch's alone.
    tui.wait("the agency's first location", |sc| {
        split_matches(sc, |s| {
            s.left_title.contains("Contacts 320")
                && s.status.contains("agency")
                && !s.selected_name.is_empty()
                && s.right_title.contains(&s.selected_name)
                && tab_ready(s, '2')
        })
    });
    // And its extras (fields, tags, the location, its zones and users): the users are asked
    // last.
    eventually("the first location's users asked for", || {
        Some(sb.requests().iter().any(|r| r.path.starts_with("/users")))
    });
    // The first contact's record and its three parts, and the background sync's pass (a
    // second search): requests for the first location that come late (behind the sync and
    // the token refreshes it costs) must not be taken for the switch's.
    eventually(
        "the first contact's parts and the first sync asked for",
        || {
            let log = sb.requests();
            let first = |r: &&ghl_tui::sandbox::Recorded| {
                r.method == "GET"
                    && r.path.starts_with("/contacts/")
                    && r.token_location.as_deref() == Some(sb.location_id())
            };
            let parts = log.iter().filter(first).count();
            let searches = log.iter().filter(|r| r.path == "/contacts/search").count();
            Some(parts >= 4 && searches >= 2)
        },
    );
    tui.send("L");
    tui.wait("the switcher with both locations", |sc| {
        let all = sc.contents();
        all.contains("Switch location")
            && all.contains("Northside Branch")
            && all.contains("2 of 2")
    });
    tui.send("side");
    tui.wait("the search narrowing to one", |sc| {
        sc.contents().contains("1 of 2")
    });
    let before_switch = sb.requests().len();
    tui.send("\r");
    tui.wait("the branch's contacts", |sc| {
        split_matches(sc, |s| {
            s.left_title.contains("Contacts 46") && s.status.contains("agency · Northside Branch")
        })
    });
    // Browse a little in the new location: the next contact's details, then its notes.
    tui.send("j");
    tui.wait("the details of the branch's second contact", |sc| {
        split_matches(sc, |s| {
            s.selected_row == Some(3)
                && s.right_title.contains(&s.selected_name)
                && tab_ready(s, '2')
        })
    });
    tui.send("4");
    tui.wait("its notes", |sc| split_matches(sc, |s| tab_ready(s, '4')));
    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "ghl-tui exited with {status:?}");

    let later: Vec<_> = sb.requests().into_iter().skip(before_switch).collect();
    let api: Vec<_> = later
        .iter()
        .filter(|r| !r.path.starts_with("/oauth/"))
        .collect();
    assert!(api.len() >= 3, "the branch was browsed: {api:#?}");

    for r in &api {
        // Answers to requests sent before the switch may still arrive; none may be sent after
        // it for the old location, by parameter or by token.
        assert_eq!(
            r.token_location.as_deref(),
            Some(BRANCH_LOCATION_ID),
            "{} {}?{}",
            r.method,
            r.path,
            r.query
        );
        if let Some(named) = named_location(r) {
            assert_eq!(
                named, BRANCH_LOCATION_ID,
                "{} {}?{}",
                r.method, r.path, r.query
            );
        }
    }
    assert!(sb.refresh_count() >= 1, "the session refreshed its tokens");

    // The last location is remembered for the profile, with the tokens the refreshes left.
    let stored = profile_tokens(tui.home.path())
        .load()
        .expect("read")
        .expect("still signed in");
    assert_eq!(stored.location_id.as_deref(), Some(BRANCH_LOCATION_ID));
    assert_eq!(
        stored.client_id.as_deref(),
        Some(DEMO_CLIENT_ID),
        "refreshes keep the app"
    );
    assert_ne!(stored.refresh_token.as_ref(), Some(&first_refresh));

    // No token, access or refresh, old or new, in the log.
    let log = std::fs::read_to_string(tui.home.path().join(LOG)).expect("log");
    assert!(
        log.contains("access token refreshed"),
        "refreshes are logged"
    );
    for secret in [
        set.access_token.expose(),
        first_refresh.expose(),
        stored.access_token.expose(),
        stored.refresh_token.as_ref().map_or("", |r| r.expose()),
        DEMO_CLIENT_SECRET,
    ] {
        assert!(!secret.is_empty());
        assert!(!log.contains(secret), "a secret reached the log");
    }
    // Nothing shaped like a sandbox token either (they are `oauth-…` and `refresh-…`).
    assert!(
        !log.contains("oauth-") && !log.contains("refresh-"),
        "a token reached the log"
    );
    assert!(
        !contains_bytes(&tui.raw, b"oauth-"),
        "a token reached the screen"
    );
    tui.assert_terminal_restored();
}

/// The refresh token was spent elsewhere and the access token expired: the app says the
/// sign-in ended and how to sign in again, keeps the change made meanwhile, and sends it once
/// `login` (in another terminal) has stored new tokens, without a restart.
#[test]
fn an_ended_sign_in_keeps_changes_until_the_next_login() {
    let (rt, _, sb) = demo_sandbox();
    let mut set = oauth_sign_in(&rt, &sb, "Location", sb.location_id());
    let base = sb.base_url();
    let spent = set.refresh_token.clone().expect("refresh token");
    assert_eq!(
        rt.block_on(refresh_with(&base, &spent)),
        200,
        "refreshed elsewhere"
    );
    set.expires_at = 0;
    let home = tempfile::tempdir().expect("tempdir");
    let file = profile_tokens(home.path());
    file.save(&set).expect("store the sign-in");
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN_STORE", "file"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 140, 32, &env);
    tui.wait("the sign-in ended, and what to do", |sc| {
        let all = sc.contents();
        all.contains("Signed out") && all.contains("ghl-tui login --write")
    });
    // A change made while signed out waits in the outbox.
    new_contact(&mut tui, "Dana", "dana.after-login@example.com");
    tui.wait("the change held, with the reason", |sc| {
        let all = sc.contents();
        all.contains("1 change waiting") && all.contains("Signed out")
    });
    // `ghl-tui login` in another terminal stores new tokens; the running app takes them.
    file.save(&oauth_sign_in(&rt, &sb, "Location", sb.location_id()))
        .expect("login again");
    tui.send("o");
    tui.wait("the waiting changes", |sc| {
        sc.contents().contains("Changes waiting for the server")
    });
    tui.send("\r"); // send now
    let client = rt.block_on(async { common_client(&sb) });
    tui.eventually("the contact saved on the server", || {
        let req = ghl_tui::api::SearchRequest {
            location_id: sb.location_id().into(),
            query: Some("dana.after-login@example.com".into()),
            page_limit: 5,
            page: Some(1),
            ..Default::default()
        };
        rt.block_on(client.search(&req))
            .ok()
            .map(|p| p.contacts.len() == 1)
    });
    // Nothing waiting means no `⇡1 waiting` in the status bar and no message about waiting
    // (`Sending waiting changes…` is said before the answer comes): the server's having the
    // contact is not yet the app's knowing it, and `q` before that rightly asks.
    tui.wait("nothing waiting any more", |sc| {
        !sc.contents().contains("waiting")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
}

/// `n`, a first name and an email in the new-contact form, then Ctrl-S.
fn new_contact(tui: &mut Tui, first: &str, email: &str) {
    tui.send("n");
    tui.wait("the contact form", |sc| {
        sc.contents().contains("New contact")
    });
    tui.send(first);
    tui.send("\t\t");
    tui.send(email);
    tui.wait("the email typed", |sc| sc.contents().contains(email));
    tui.send("\x13"); // Ctrl-S
}

fn common_client(sb: &Sandbox) -> ghl_tui::api::Client {
    ghl_tui::api::Client::new(ghl_tui::api::ClientConfig::new(
        sb.base_url(),
        ghl_tui::api::Secret::new(ghl_tui::sandbox::DEMO_TOKEN),
        sb.location_id(),
    ))
    .expect("client")
}

/// Quitting while a refresh is under way: the server has spent the old refresh token, so the
/// app waits for the new pair and stores it (saying so), and the next start is signed in.
#[test]
fn quitting_mid_refresh_keeps_the_new_pair() {
    let (rt, _, sb) = demo_sandbox();
    let mut set = oauth_sign_in(&rt, &sb, "Location", sb.location_id());
    let spent = set.refresh_token.clone().expect("refresh token");
    set.expires_at = 0; // the first request refreshes
    let home = tempfile::tempdir().expect("tempdir");
    let file = profile_tokens(home.path());
    file.save(&set).expect("store the sign-in");
    // The refresh is done at once; its answer is held until the app has said it is waiting.
    sb.push_faults([ghl_tui::sandbox::Fault::HeldAnswer]);
    let base = sb.base_url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN_STORE", "file"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 100, 30, &env);
    tui.wait("the app on screen", |sc| sc.alternate_screen());
    eventually("the refresh under way", || Some(sb.refresh_count() == 1));
    tui.send("q");
    tui.wait("the wait explained, on the restored screen", |sc| {
        !sc.alternate_screen() && sc.contents().contains("storing the renewed sign-in")
    });
    sb.release_answers();
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
    let stored = file.load().expect("read").expect("still signed in");
    let fresh = stored.refresh_token.expect("a refresh token");
    assert_ne!(fresh, spent, "the new pair was stored");
    assert_eq!(
        rt.block_on(refresh_with(&base, &fresh)),
        200,
        "the stored refresh token is the live one"
    );
}

/// A change that could not be sent before the user switched location is still sent from
/// the location left behind, with its token and its id, and the user sees it waiting, then
/// saved.
#[test]
fn a_change_left_in_another_location_is_still_sent() {
    let (rt, seed, sb) = demo_sandbox();
    let home = tempfile::tempdir().expect("tempdir");
    let set = agency_sign_in(&rt, &sb, sb.location_id());
    profile_tokens(home.path())
        .save(&set)
        .expect("store the sign-in");
    let base = sb.base_url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN_STORE", "file"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 140, 32, &env);
    tui.wait("the agency's first location", |sc| {
        split_matches(sc, |s| s.left_title.contains("Contacts 320"))
    });
    // Every contact create fails until the test says otherwise, however long anything takes.
    sb.fail_always("POST", "/contacts/", ghl_tui::sandbox::Fault::Status(503));
    new_contact(&mut tui, "Lee", "lee.left-behind@example.com");
    tui.wait("the change held", |sc| {
        sc.contents().contains("1 change waiting")
    });
    tui.send("L");
    tui.wait("the switcher", |sc| {
        sc.contents().contains("Northside Branch")
    });
    tui.send("side\r");
    tui.wait("the branch, told of the change left behind", |sc| {
        split_matches(sc, |s| {
            s.left_title.contains("Contacts 46") && s.status.contains("⇡1 in other locations")
        })
    });
    tui.send("L");
    tui.wait("the first location marked in the switcher", |sc| {
        sc.contents().contains("⇡1 waiting")
    });
    tui.send("\x1b");
    sb.stop_failing("POST", "/contacts/");
    let name = seed.location_name.clone();
    // The next pass may be up to a minute away (the wait doubles after each failed pass).
    tui.wait_for("word that it went out", Duration::from_secs(90), |sc| {
        let all = sc.contents();
        all.contains(&format!("Changes in {name} saved")) && !all.contains("in other locations")
    });
    let created: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/")
        .collect();
    let last = created.last().expect("the create was sent");
    assert_eq!(named_location(last).as_deref(), Some(sb.location_id()));
    assert_eq!(last.token_location.as_deref(), Some(sb.location_id()));
    let client = common_client(&sb);
    let found = rt
        .block_on(client.search(&ghl_tui::api::SearchRequest {
            location_id: sb.location_id().into(),
            query: Some("lee.left-behind@example.com".into()),
            page_limit: 5,
            page: Some(1),
            ..Default::default()
        }))
        .expect("search");
    assert_eq!(
        found.contacts.len(),
        1,
        "created once, in the first location"
    );
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    assert!(
        !tui.screen().contents().contains("still waiting"),
        "nothing left to tell at exit"
    );
}

/// `NO_COLOR=1` in a real terminal: no colour is sent at all, and the selected contact still
/// stands out (reverse video, a marker), as does the focused pane (a thick border).
#[test]
fn no_color_sends_no_colour_and_keeps_the_selection_visible() {
    let mut tui = Tui::spawn_env(&["--demo"], 100, 30, &[("NO_COLOR", "1")]);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("jj");
    tui.wait("the selection two rows down", |sc| {
        split_matches(sc, |s| s.selected_row == Some(4))
            && sc.cell(4, 1).is_some_and(|c| c.contents() == "›")
    });
    tui.send("3");
    tui.wait("the tasks pane focused, with a thick border", |sc| {
        sc.contents().contains('┏') && split_matches(sc, |s| tab_ready(s, '3'))
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    for colour in [
        &b"\x1b[38;"[..],
        b"\x1b[48;",
        b"\x1b[30m",
        b"\x1b[31m",
        b"\x1b[32m",
        b"\x1b[33m",
        b"\x1b[34m",
        b"\x1b[36m",
        b"\x1b[37m",
        b"\x1b[90m",
        b"\x1b[96m",
    ] {
        assert!(
            !contains_bytes(&tui.raw, colour),
            "a colour was sent: {:?}",
            String::from_utf8_lossy(colour)
        );
    }
    tui.assert_terminal_restored();
}

/// The file handed to `$EDITOR` ends in a line break: a line a tool appends stays a line.
#[test]
fn the_editor_file_ends_in_a_line_break() {
    let scripts = tempfile::tempdir().expect("tempdir");
    let script = scripts.path().join("append.sh");
    std::fs::write(&script, "echo 'appended by a tool' >> \"$1\"\n").expect("script");
    let editor = format!("sh {}", script.display());
    let mut tui = Tui::spawn_env(&["--demo"], 100, 30, &[("VISUAL", editor.as_str())]);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("4");
    tui.wait("the notes pane", |sc| {
        split_matches(sc, |s| tab_ready(s, '4'))
    });
    tui.send("n");
    tui.wait("the note editor", |sc| sc.contents().contains("New note"));
    tui.send("typed here first");
    tui.wait("the text", |sc| sc.contents().contains("typed here first"));
    tui.send("\x05"); // Ctrl-E
    tui.wait("both lines, apart", |sc| {
        let all = sc.contents();
        all.contains("typed here first")
            && all.contains("appended by a tool")
            && !all.contains("firstappended")
    });
    tui.send("\x1b");
    tui.wait("the question", |sc| {
        sc.contents().contains("Discard your changes?")
    });
    tui.send("y");
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
}
