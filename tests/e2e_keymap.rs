//! A user's `keymap.toml`, end to end: the real binary in a pseudo-terminal reads it from the
//! config directory and its keys drive the app; a broken one stops the start with one line.

mod common;

use common::pty::*;

const USER_KEYMAP: &str = r#"
# Move with Ctrl-J and Ctrl-K, as in many editors' pickers.
[browse]
prepend_keymap = [
  { on = "ctrl-j", run = "down", desc = "Down (my binding)" },
  { on = "ctrl-k", run = "up", desc = "Up (my binding)" },
]
"#;

/// A home whose config directory (`$XDG_CONFIG_HOME/ghl-tui`) holds `keymap`.
fn home_with(keymap: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("config").join("ghl-tui");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(dir.join("keymap.toml"), keymap).expect("keymap written");
    home
}

#[test]
fn a_users_keymap_rebinds_keys_end_to_end() {
    let mut tui = Tui::spawn_in(home_with(USER_KEYMAP), &["--demo"], 120, 40, &[]);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    let top = split(tui.screen())
        .and_then(|s| s.selected_row)
        .expect("a highlighted row");
    // Ctrl-J is byte 0x0a, Ctrl-K 0x0b.
    tui.send("\x0a\x0a");
    tui.wait("Ctrl-J to move down twice", |sc| {
        split_matches(sc, |s| s.selected_row == Some(top + 2))
    });
    tui.send("\x0b");
    tui.wait("Ctrl-K to move back up", |sc| {
        split_matches(sc, |s| s.selected_row == Some(top + 1))
    });
    // The defaults stay beside them.
    tui.send("j");
    tui.wait("j still moves down", |sc| {
        split_matches(sc, |s| s.selected_row == Some(top + 2))
    });
    tui.send("?");
    tui.wait("the help, with the user's words", |sc| {
        let all = sc.contents();
        all.contains("Down (my binding)") && all.contains("^J")
    });
    tui.send(ESC);
    tui.wait("the help to close", |sc| !sc.contents().contains(" Keys "));
    tui.send("q");
    let status = tui.wait_exit(DEADLINE);
    assert!(status.success(), "exited with {status:?}");
    tui.assert_terminal_restored();
}

#[test]
fn a_broken_keymap_stops_the_start_with_one_line() {
    let broken = "[browse]\nprepend_keymap = [\n  { on = \"ctrl-j\", run = \"fly\" },\n]\n";
    let home = home_with(broken);
    let mut tui = Tui::spawn_in(home, &["--demo"], 100, 30, &[]);
    let status = tui.wait_exit(DEADLINE);
    let out = String::from_utf8_lossy(&tui.raw).into_owned();
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {out:?}");
    assert!(
        lines[0].starts_with("ghl-tui: ")
            && lines[0].contains("ghl-tui/keymap.toml:3: `fly` is not an action"),
        "names the file, the line and what is wrong: {out:?}"
    );
    assert_eq!(status.exit_code(), 1, "{status:?}");
    assert!(!out.contains("panicked"), "{out:?}");
    assert!(
        !contains_bytes(&tui.raw, ENTER_ALT_SCREEN),
        "the terminal was never taken: {out:?}"
    );
}

#[test]
fn a_key_bound_twice_is_named_with_its_line() {
    let twice = "[browse]\nprepend_keymap = [\n  { on = \"z\", run = \"up\" },\n  { on = \"z\", run = \"down\" },\n]\n";
    let mut tui = Tui::spawn_in(home_with(twice), &["--demo"], 100, 30, &[]);
    let status = tui.wait_exit(DEADLINE);
    let out = String::from_utf8_lossy(&tui.raw).into_owned();
    assert!(
        out.contains("keymap.toml:4: `z` is bound twice in [browse]"),
        "{out:?}"
    );
    assert_eq!(status.exit_code(), 1, "{status:?}");
}
