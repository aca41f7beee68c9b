//! What the app writes to the terminal, counted in a real pseudo-terminal: the release binary
//! on `--demo` at 120x40. Over a 56 kbit/s link (7 KB/s) every byte is felt, so this counts
//! the first screen, one `j` after a pause (the next contact, its details drawn), and `j` held
//! at 30 presses a second for 3 s from the top of the list, past the bottom of the pane, until
//! the screen settles. Goal: the held `j` writes at most 21 KB in all.
//!
//! `cargo bench --bench bytes` (not criterion: it prints the byte counts).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::{Duration, Instant};

use pty::{Tui, list_ready, split, split_matches};

const COLS: u16 = 120;
const ROWS: u16 = 40;

/// Reads until nothing has come for `quiet` (the app has drawn all it will).
fn settle(tui: &mut Tui, quiet: Duration) {
    let mut last = (tui.raw.len(), Instant::now());
    let give_up = Instant::now() + Duration::from_secs(30);
    while last.1.elapsed() < quiet && Instant::now() < give_up {
        tui.pump(Duration::from_millis(10));
        if tui.raw.len() != last.0 {
            last = (tui.raw.len(), Instant::now());
        }
    }
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another bench skips this one.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !args.is_empty() && !args.iter().any(|a| "bytes".contains(a.as_str())) {
        return;
    }
    let mut tui = Tui::demo(COLS, ROWS);
    tui.wait("the contact list", |sc| split_matches(sc, list_ready));
    settle(&mut tui, Duration::from_millis(800));
    let first = tui.raw.len();

    // One `j` after a pause: the next contact and its details.
    let before = tui.raw.len();
    let top = split(tui.screen())
        .and_then(|s| s.selected_row)
        .unwrap_or(2);
    tui.send("j");
    tui.wait("the next contact", |sc| {
        split_matches(sc, |s| {
            s.selected_row == Some(top + 1) && s.right_title.contains(&s.selected_name)
        })
    });
    settle(&mut tui, Duration::from_millis(800));
    let one = tui.raw.len() - before;
    assert!(
        tui.screen().contents().contains("Email") || tui.screen().contents().contains("Phone"),
        "a single j shows the new contact's details:\n{}",
        tui.screen().contents()
    );

    // Back to the top, then `j` held: 30 a second for 3 seconds.
    tui.send("g");
    settle(&mut tui, Duration::from_millis(800));
    let before = tui.raw.len();
    let start = Instant::now();
    let presses = 90;
    for i in 0..presses {
        let at = start + Duration::from_millis(1000 * i / 30);
        while Instant::now() < at {
            tui.pump(Duration::from_millis(1));
        }
        tui.send("j");
    }
    settle(&mut tui, Duration::from_millis(1000));
    let held = tui.raw.len() - before;
    let landed = split(tui.screen())
        .map(|s| s.selected_name)
        .unwrap_or_default();

    println!("bytes written at {COLS}x{ROWS} on --demo:");
    println!("  first screen                 {:>9}", kb(first));
    println!("  one j after a pause          {:>9}", kb(one));
    println!(
        "  j held 3 s at 30/s ({presses} keys) {:>9}  ({} a key, {:.1} KB/s)",
        kb(held),
        kb(held / presses as usize),
        held as f64 / 1000.0 / 3.0
    );
    println!("  landed on {landed:?}");
    // The goal: a 56 kbit/s link (7 KB/s) keeps up with the held key.
    assert!(
        held <= 21_000,
        "held j wrote {} (goal: at most 21 KB)",
        kb(held)
    );
    tui.send("q");
    let _ = tui.wait_exit(pty::DEADLINE);
}
