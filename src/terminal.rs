//! Entering and leaving the terminal's raw, alternate-screen mode, on every exit path.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal the app draws on: crossterm's, with text of uncertain width kept in line.
pub type Tui = Terminal<crate::clusters::Clusters<CrosstermBackend<Stdout>>>;

/// The app takes the mouse (config `mouse = false` leaves it to the terminal's own selection).
static MOUSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

pub fn set_mouse(on: bool) {
    MOUSE.store(on, std::sync::atomic::Ordering::SeqCst);
}

fn mouse() -> bool {
    MOUSE.load(std::sync::atomic::Ordering::SeqCst)
}

/// xterm's title stack: the shell's title is pushed on entry and popped on the way out, so the
/// window is named as it was (terminals without the stack ignore both).
const PUSH_TITLE: &str = "\x1b[22;0t";
const POP_TITLE: &str = "\x1b[23;0t";

/// The window's title for `text`, cleaned (a contact's name could carry control codes).
pub fn title_sequence(text: &str) -> String {
    let clean: String = crate::sanitize::line(text)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    format!("\x1b]0;{clean}\x07")
}

/// A title was pushed and not popped yet: each push gets exactly one pop, however often the
/// terminal is restored (a panic's hook, then the guard).
static TITLE_PUSHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Puts the terminal back as we found it. Safe to call more than once.
pub fn restore() -> io::Result<()> {
    let mut out = io::stdout();
    let pop = if TITLE_PUSHED.swap(false, std::sync::atomic::Ordering::SeqCst) {
        POP_TITLE
    } else {
        ""
    };
    let modes = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show,
        crossterm::style::Print(pop)
    );
    let raw = disable_raw_mode();
    out.flush()?;
    modes.and(raw)
}

/// Takes the terminal back after `restore` (e.g. when an external editor exits).
pub fn resume() -> io::Result<()> {
    enable_raw_mode()?;
    enter_modes(&mut io::stdout())
}

fn enter_modes(out: &mut impl Write) -> io::Result<()> {
    let push = if TITLE_PUSHED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        ""
    } else {
        PUSH_TITLE
    };
    execute!(
        out,
        crossterm::style::Print(push),
        EnterAlternateScreen,
        EnableBracketedPaste
    )?;
    if mouse() {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Restores the terminal before saying what went wrong, so the message is readable and the
/// shell is usable; the message is redacted like every other text (a panic's payload can hold
/// an answer's text). Installed once, however often called.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(move |info| {
            let what = crate::redact::text(&info.to_string()).into_owned();
            // The UI runs on the main thread: a panic there ends the app. A panic in a
            // background task ends only that task (tokio catches it); printing it would
            // scribble over the screen, so it goes to the log and the app carries on.
            if std::thread::current().name() == Some("main") {
                let _ = restore();
                tracing::error!(panic = %what, "the app panicked");
                eprintln!("ghl-tui stopped on a bug: {what}");
                eprintln!("Changes already saved stay in the outbox and go out at the next start.");
            } else {
                tracing::error!(panic = %what, "a background task panicked");
            }
        }));
    });
}

/// Raw mode, alternate screen, mouse and bracketed paste; restored when the guard drops.
pub struct Guard {
    pub terminal: Tui,
}

impl Guard {
    pub fn enter() -> io::Result<Guard> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = enter_modes(&mut out) {
            let _ = restore();
            return Err(e);
        }
        let backend = crate::clusters::Clusters(CrosstermBackend::new(out));
        let terminal = Terminal::new(backend).inspect_err(|_| {
            let _ = restore();
        })?;
        Ok(Guard { terminal })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Call after dropping crossterm's `EventStream`. Dropping it wakes crossterm's shared input
/// reader. If no reader thread was waiting, that wake-up stays pending, and crossterm 0.29
/// reports it in the same batch as the next key, then drops the key's readiness: the key sits
/// unread until another one comes. Taking the wake-up here, before the editor runs, keeps the
/// first key after the editor from being held back. A key typed at this moment stays queued
/// for the app, or unread for the editor.
pub fn settle_input() {
    let _ = crossterm::event::poll(std::time::Duration::from_millis(10));
}

/// Raw mode alone, for a prompt on the normal screen (a hidden token); left however the
/// prompt ends, an error or a panic included.
pub struct RawMode(());

impl RawMode {
    pub fn enter() -> io::Result<RawMode> {
        enable_raw_mode()?;
        Ok(RawMode(()))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The OSC 52 sequence that sets the clipboard to `text` (`c`: the clipboard selection).
/// Terminals that understand it (most, and tmux with `set -g set-clipboard on`) take it even
/// over SSH; the others ignore it.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod osc52_tests {
    #[test]
    fn the_clipboard_sequence_carries_the_text_in_base64() {
        assert_eq!(
            super::osc52("jane@acme.com"),
            "\x1b]52;c;amFuZUBhY21lLmNvbQ==\x07"
        );
        assert_eq!(super::osc52(""), "\x1b]52;c;\x07");
    }
}
