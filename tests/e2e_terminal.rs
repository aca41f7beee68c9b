//! The terminal conventions in the real binary, in a real pseudo-terminal: `y` reaches the
//! terminal as OSC 52 with the right base64, `O` over SSH copies the link, presenter mode
//! leaves no email on screen, `--color never` sends no colour, the window's title names the
//! place, and a bad config line is said with its file and line.

mod common;

use base64::Engine;
use common::pty::*;

/// Every OSC 52 payload the app sent, decoded.
fn copies(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    text.split("\x1b]52;c;")
        .skip(1)
        .filter_map(|rest| rest.split('\x07').next())
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

/// What on the screen shows a contact's email or phone in the clear: a word with an `@`
/// after more than its first letter (a domain cut by a column counts: `kavya.venkat@`), and
/// a run of seven digits or more (a phone, whatever its separators).
fn emails_on(screen: &str) -> Vec<String> {
    let mut out: Vec<String> = screen
        .split(|c: char| c.is_whitespace() || "│┌┐└┘─·,()<>\"'…".contains(c))
        .filter(|w| {
            let Some((local, _)) = w.split_once('@') else {
                return false;
            };
            local.chars().skip(1).any(|c| c.is_ascii_alphanumeric())
        })
        .map(String::from)
        .collect();
    for line in screen.lines() {
        let (mut digits, mut run) = (0, String::new());
        for c in line.chars() {
            if c.is_ascii_digit() {
                digits += 1;
                run.push(c);
            } else if "-. +()".contains(c) {
                run.push(c);
            } else {
                (digits, run) = (0, String::new());
            }
            // A date (1957-07-01) is not a phone.
            let b = run.trim().as_bytes();
            let date = b.len() >= 8 && b[4] == b'-' && b.get(7) == Some(&b'-');
            if digits >= 7 && !date {
                out.push(line.trim().to_string());
                break;
            }
        }
    }
    out
}

#[test]
fn y_copies_the_email_through_osc52_and_o_over_ssh_copies_the_link() {
    let mut tui = Tui::spawn_env(
        &["--demo"],
        120,
        32,
        &[("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")],
    );
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("2");
    tui.wait("the details", |sc| sc.contents().contains("Email"));
    tui.send("y");
    tui.wait("said what was copied", |sc| {
        sc.contents().contains("Copied the email")
    });
    let copied = copies(&tui.raw);
    let email = copied.last().cloned().expect("an OSC 52 sequence");
    assert!(email.contains('@'), "{email:?}");
    assert!(
        tui.screen().contents().contains(&email),
        "the email shown is the one copied"
    );
    // Y: a one-line summary with the name and the email.
    tui.send("Y");
    tui.wait("the summary copied", |sc| {
        sc.contents().contains("Copied a summary")
    });
    let summary = copies(&tui.raw).last().cloned().expect("a second copy");
    assert!(
        summary.contains(&email) && summary.contains(" · "),
        "{summary}"
    );
    // O over SSH: no browser here, so the web app's link is copied, and said.
    tui.send("O");
    tui.wait("the link copied", |sc| {
        sc.contents().contains("Link copied")
    });
    let link = copies(&tui.raw).last().cloned().expect("the link");
    assert!(
        link.starts_with("https://app.gohighlevel.com/v2/location/")
            && link.contains("/contacts/detail/"),
        "{link}"
    );
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
}

#[test]
fn presenter_mode_leaves_no_email_on_screen_and_y_still_copies_the_real_one() {
    let mut tui = Tui::spawn_env(&["--demo", "--mask"], 120, 32, &[]);
    tui.wait("the contact list", |sc| {
        split_matches(sc, list_ready) && sc.contents().contains("presenter")
    });
    for (keys, what) in [
        ("2", "the details"),
        ("/", "the search line"),
        ("?", "the help"),
    ] {
        tui.send(keys);
        tui.wait(what, |sc| !sc.contents().is_empty());
        tui.wait("a frame drawn", |sc| {
            sc.contents().contains('•') || keys == "?"
        });
        let shown = emails_on(&tui.screen().contents());
        assert!(
            shown.is_empty(),
            "{what}: {shown:?}\n{}",
            numbered(tui.screen())
        );
        tui.send("\x1b");
        tui.wait("back to the panes", |sc| {
            !sc.contents().contains("Help") && !sc.contents().contains("Enter asks the server")
        });
    }
    // The editor too: the email field masked, its first letter kept.
    tui.send("2");
    tui.send("e");
    tui.wait("the editor", |sc| {
        sc.contents().contains("Email") && sc.contents().contains("^S save")
    });
    let shown = emails_on(&tui.screen().contents());
    assert!(
        shown.is_empty(),
        "the editor: {shown:?}\n{}",
        numbered(tui.screen())
    );
    tui.send("\x1b");
    // Waited for: an Esc and a key sent together read as Alt and the key.
    tui.wait("the editor closed", |sc| !sc.contents().contains("^S save"));
    tui.send("y");
    tui.wait("copied", |sc| sc.contents().contains("Copied the email"));
    let real = copies(&tui.raw).last().cloned().expect("a copy");
    assert!(
        real.contains('@') && !real.contains('•'),
        "the real value: {real}"
    );
    // P ends it: emails are back.
    tui.send("P");
    tui.wait("emails shown again", |sc| {
        !emails_on(&sc.contents()).is_empty()
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
}

#[test]
fn color_never_sends_no_colour_and_the_title_names_the_place() {
    let mut tui = Tui::spawn(&["--demo", "--color", "never"], 100, 30);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("j");
    tui.wait("moved", |sc| {
        split_matches(sc, |s| s.selected_row == Some(3))
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    for colour in [
        &b"\x1b[38;"[..],
        b"\x1b[48;",
        b"\x1b[31m",
        b"\x1b[36m",
        b"\x1b[90m",
    ] {
        assert!(
            !contains_bytes(&tui.raw, colour),
            "colour sent: {:?}",
            String::from_utf8_lossy(colour)
        );
    }
    let raw = String::from_utf8_lossy(&tui.raw);
    assert!(raw.contains("\x1b]0;ghl-tui · "), "a title was set");
    assert!(
        raw.contains("\x1b[22;0t") && raw.contains("\x1b[23;0t"),
        "the shell's title pushed and popped"
    );
}

#[test]
fn a_bad_config_line_is_said_with_its_file_and_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("config").join("ghl-tui");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, "start_view = \"contacts\"\nmouse = \"no\"\n").expect("write");
    let path = cfg.to_string_lossy().into_owned();
    let mut tui = Tui::spawn_in(home, &["--demo", "--config", &path], 100, 30, &[]);
    let status = tui.wait_exit(DEADLINE);
    assert!(!status.success());
    let said = String::from_utf8_lossy(&tui.raw).into_owned();
    assert!(said.contains("config.toml:2:"), "{said}");
}

#[test]
fn presenter_mode_masks_emails_cut_by_a_narrow_column_and_keeps_it_across_a_switch() {
    let mut tui = Tui::spawn(&["--demo", "--mask"], 80, 24);
    tui.wait("the list, masked", |sc| {
        sc.contents().contains("presenter") && sc.contents().contains('•')
    });
    let shown = emails_on(&tui.screen().contents());
    assert!(
        shown.is_empty(),
        "at 80 columns: {shown:?}\n{}",
        numbered(tui.screen())
    );
    // Another location: still presenting.
    tui.send("L");
    tui.wait("the switcher", |sc| sc.contents().contains("Northside"));
    tui.send("North");
    tui.wait("filtered", |sc| sc.contents().contains("Northside"));
    tui.send("\r");
    tui.wait("switched", |sc| sc.contents().contains("Now in"));
    tui.wait("still masked", |sc| {
        sc.contents().contains("presenter") && sc.contents().contains('•')
    });
    let shown = emails_on(&tui.screen().contents());
    assert!(
        shown.is_empty(),
        "after the switch: {shown:?}\n{}",
        numbered(tui.screen())
    );
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
}

#[test]
fn mouse_false_leaves_the_mouse_to_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = home.path().join("config.toml");
    std::fs::write(&cfg, "start_view = \"contacts\"\nmouse = false\n").expect("write");
    let path = cfg.to_string_lossy().into_owned();
    let mut tui = Tui::spawn_in(home, &["--demo", "--config", &path], 100, 30, &[]);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    // Neither the click reports nor the motion ones are asked of the terminal.
    for mode in [
        &b"\x1b[?1000h"[..],
        b"\x1b[?1002h",
        b"\x1b[?1003h",
        b"\x1b[?1006h",
    ] {
        assert!(
            !contains_bytes(&tui.raw, mode),
            "{:?} sent",
            String::from_utf8_lossy(mode)
        );
    }
    // By default the app does take it (so the check above can fail).
    let mut tui = Tui::demo(100, 30);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    assert!(contains_bytes(&tui.raw, b"\x1b[?1000h"));
}
