//! A real pseudo-terminal running the `ghl-tui` binary, read through a `vt100` emulator.
//!
//! Each test starts the binary in a pty, feeds everything it writes into a `vt100` terminal
//! emulator and drives it with keystrokes. Synchronisation is always "wait until the screen
//! shows X" with a generous deadline, never a fixed sleep, so a slow machine only makes the
//! tests slower, not flaky.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// How long any single wait may take before the test fails. Generous: CI may have two slow
/// cores shared with a compiler.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// How often a wait looks at the screen again.
pub const POLL: Duration = Duration::from_millis(50);

pub const ESC: &str = "\x1b";
pub const ENTER_ALT_SCREEN: &[u8] = b"\x1b[?1049h";
pub const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
pub const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
/// The app wraps every frame in a synchronized update; between these the screen is half drawn.
pub const BEGIN_FRAME: &[u8] = b"\x1b[?2026h";
pub const END_FRAME: &[u8] = b"\x1b[?2026l";

/// HOME and the XDG folders of a test's home: every file the app writes stays in it.
pub fn home_env(home: &std::path::Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut env = vec![("HOME", home.to_path_buf())];
    for (var, dir) in [
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
    ] {
        env.push((var, home.join(dir)));
    }
    env
}

/// Where the log lands under the test's HOME (`$XDG_STATE_HOME/ghl-tui/`).
pub const LOG: &str = "state/ghl-tui/ghl-tui.log";

pub fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

/// The binary running in a pty, and what it has drawn so far.
pub struct Tui {
    pub parser: vt100::Parser,
    /// Everything the binary wrote, byte for byte.
    pub raw: Vec<u8>,
    pub rx: Receiver<Vec<u8>>,
    /// The reader saw the end of the output (the binary and its pty side are gone).
    pub eof: bool,
    /// A frame has begun and not ended yet: the screen is half old, half new.
    pub mid_frame: bool,
    /// Where to look for frame markers in `raw` next.
    pub scanned: usize,
    pub writer: Box<dyn Write + Send>,
    pub master: Box<dyn MasterPty + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub status: Option<ExitStatus>,
    /// HOME, XDG dirs and the working directory; logs land here.
    pub home: tempfile::TempDir,
}

impl Tui {
    pub fn spawn(args: &[&str], cols: u16, rows: u16) -> Tui {
        Tui::spawn_env(args, cols, rows, &[])
    }

    /// As `spawn`, with extra environment variables (set after the GHL ones are cleared).
    pub fn spawn_env(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Tui {
        Tui::spawn_in(tempfile::tempdir().expect("tempdir"), args, cols, rows, env)
    }

    /// As `spawn_env`, in a given home (to start again where a killed run left off).
    pub fn spawn_in(
        home: tempfile::TempDir,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ghl-tui"));
        cmd.args(args);
        cmd.cwd(home.path());
        for (var, dir) in home_env(home.path()) {
            cmd.env(var, dir);
        }
        cmd.env("TERM", "xterm-256color");
        // The list first, as these tests expect; the queue's own tests ask for `auto`.
        cmd.env("GHL_START_VIEW", "contacts");
        for var in [
            "GHL_TOKEN",
            "GHL_LOCATION_ID",
            "GHL_API_BASE_URL",
            "GHL_TUI_LOG",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        for (var, value) in env {
            cmd.env(var, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn ghl-tui");
        // Only the child may hold the terminal side open, so its exit ends our reads.
        drop(pair.slave);

        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf) {
                    // EOF, or EIO once the last holder of the terminal side has gone.
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Tui {
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
            rx,
            eof: false,
            mid_frame: false,
            scanned: 0,
            writer,
            master: pair.master,
            child,
            status: None,
            home,
        }
    }

    pub fn demo(cols: u16, rows: u16) -> Tui {
        Tui::spawn(&["--demo"], cols, rows)
    }

    pub fn take(&mut self, bytes: Vec<u8>) {
        self.parser.process(&bytes);
        self.raw.extend_from_slice(&bytes);
        // A marker may straddle two reads, so look back a little.
        let from = self.scanned.saturating_sub(BEGIN_FRAME.len() - 1);
        let tail = &self.raw[from..];
        match (find_last(tail, BEGIN_FRAME), find_last(tail, END_FRAME)) {
            (Some(begin), Some(end)) => self.mid_frame = begin > end,
            (Some(_), None) => self.mid_frame = true,
            (None, Some(_)) => self.mid_frame = false,
            (None, None) => {}
        }
        self.scanned = self.raw.len();
    }

    /// The screen shows a whole frame (or the app does not mark its frames).
    pub fn settled(&self) -> bool {
        !self.mid_frame
    }

    /// Feeds what has arrived into the emulator, waiting at most `wait` for the first chunk.
    pub fn pump(&mut self, wait: Duration) {
        if self.eof {
            return;
        }
        match self.rx.recv_timeout(wait) {
            Ok(bytes) => self.take(bytes),
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => {
                self.eof = true;
                return;
            }
        }
        loop {
            match self.rx.try_recv() {
                Ok(bytes) => self.take(bytes),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.eof = true;
                    break;
                }
            }
        }
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("try_wait");
        }
        self.status.clone()
    }

    /// Polls the screen until `pred` holds; on timeout (or if the binary dies) fails with the
    /// whole screen.
    pub fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&vt100::Screen) -> bool,
    ) {
        let start = Instant::now();
        loop {
            self.pump(POLL);
            // Only whole frames count: a half-drawn one can mix old and new content.
            if self.settled() && pred(self.screen()) {
                return;
            }
            if let Some(status) = self.exited() {
                // Take whatever it wrote last, then give up: nothing will change any more.
                self.pump(POLL);
                if self.settled() && pred(self.screen()) {
                    return;
                }
                self.fail(&format!(
                    "ghl-tui exited ({status:?}) while waiting for {what}"
                ));
            }
            if start.elapsed() > timeout {
                self.fail(&format!("timed out after {timeout:?} waiting for {what}"));
            }
        }
    }

    /// Like `wait_for` with the standard deadline.
    pub fn wait(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        self.wait_for(what, DEADLINE, pred);
    }

    /// Polls `check` (something outside the terminal: the server, a file) until it holds,
    /// reading the screen meanwhile; on timeout fails with the screen and the log, so a
    /// failure says what the app was showing.
    pub fn eventually(&mut self, what: &str, check: impl Fn() -> Option<bool>) {
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if check() == Some(true) {
                return;
            }
            self.pump(POLL);
        }
        self.fail(&format!("timed out waiting until {what}"));
    }

    pub fn fail(&self, why: &str) -> ! {
        let log = std::fs::read_to_string(self.home.path().join(LOG)).unwrap_or_default();
        let tail: String = log
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        panic!(
            "{why}\n--- screen ({} bytes received) ---\n{}\n--- end of screen ---\n--- log tail ---\n{tail}\n",
            self.raw.len(),
            numbered(self.screen())
        );
    }

    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Waits for the binary to exit and for the last of its output.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let start = Instant::now();
        let status = loop {
            self.pump(POLL);
            if let Some(status) = self.exited() {
                break status;
            }
            if start.elapsed() > timeout {
                self.fail(&format!("ghl-tui did not exit within {timeout:?}"));
            }
        };
        // The reader ends when the terminal side closes, which is right after the exit.
        while !self.eof {
            self.pump(POLL);
            if start.elapsed() > timeout {
                self.fail("the pty output did not end after ghl-tui exited");
            }
        }
        status
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        // The emulator first, so the frame drawn for the new size lands on a screen that big.
        self.parser.screen_mut().set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    /// Sends the binary a signal (`KILL`, `HUP`, `TERM`), as `kill -NAME` does.
    pub fn signal(&self, name: &str) {
        let sent = std::process::Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{name}");
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    /// Asserts the binary put the terminal back: left the alternate screen, showed the cursor
    /// and turned raw mode off.
    pub fn assert_terminal_restored(&self) {
        let entered = find_last(&self.raw, ENTER_ALT_SCREEN);
        let left = find_last(&self.raw, LEAVE_ALT_SCREEN);
        assert!(entered.is_some(), "never entered the alternate screen");
        assert!(
            left > entered,
            "the alternate screen was not left after it was entered (enter at {entered:?}, leave at {left:?})"
        );
        let hidden = find_last(&self.raw, HIDE_CURSOR);
        let shown = find_last(&self.raw, SHOW_CURSOR);
        assert!(
            shown.is_some() && shown > hidden,
            "the cursor was left hidden (hide at {hidden:?}, show at {shown:?})"
        );
        assert!(
            !self.screen().alternate_screen(),
            "the emulator is still on the alternate screen"
        );
        assert!(
            !self.screen().hide_cursor(),
            "the emulator's cursor is still hidden"
        );
        if let Some(termios) = self.master.get_termios() {
            // Raw mode clears ICANON and ECHO; `stty sane` territory if they stay off.
            let flags = format!("{:?}", termios.local_flags);
            assert!(
                flags.contains("ICANON") && flags.contains("ECHO"),
                "raw mode left on: {flags}"
            );
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    find_last(haystack, needle).is_some()
}

/// The screen with row numbers, for failure messages.
pub fn numbered(screen: &vt100::Screen) -> String {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .enumerate()
        .map(|(i, r)| format!("{i:>2}|{r}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of `row` between two columns (end exclusive); wide characters count once.
pub fn text(screen: &vt100::Screen, row: u16, from: u16, to: u16) -> String {
    let mut out = String::new();
    for col in from..to {
        let Some(cell) = screen.cell(row, col) else {
            break;
        };
        if cell.is_wide_continuation() {
            continue;
        }
        if cell.has_contents() {
            out.push_str(cell.contents());
        } else {
            out.push(' ');
        }
    }
    out
}

/// Only the reverse-video cells of a row: what the app highlights.
pub fn inverse_text(screen: &vt100::Screen, row: u16, from: u16, to: u16) -> String {
    let mut out = String::new();
    for col in from..to {
        let Some(cell) = screen.cell(row, col) else {
            break;
        };
        if cell.inverse() && !cell.is_wide_continuation() {
            out.push_str(if cell.has_contents() {
                cell.contents()
            } else {
                " "
            });
        }
    }
    out
}

pub fn size(screen: &vt100::Screen) -> (u16, u16) {
    let (rows, cols) = screen.size();
    (cols.get(), rows.get())
}

pub fn row_text(screen: &vt100::Screen, row: u16) -> String {
    text(screen, row, 0, size(screen).0)
}

/// The column where the right-hand pane's border starts: the second box corner on the top row.
pub fn right_pane_x(screen: &vt100::Screen) -> Option<u16> {
    let cols = size(screen).0;
    // A focused pane without colour has a thick corner.
    (1..cols).find(|&c| {
        screen
            .cell(0, c)
            .is_some_and(|cell| matches!(cell.contents(), "┌" | "┏"))
    })
}

/// What the split layout shows, read off the screen.
#[derive(Debug)]
pub struct Split {
    /// The contacts pane's top line (its title).
    pub left_title: String,
    /// The right pane's top line (the selected contact's name).
    pub right_title: String,
    /// Screen row of the highlighted contact, if any.
    pub selected_row: Option<u16>,
    /// The name cell of the highlighted contact, trimmed.
    pub selected_name: String,
    /// The highlighted tab's label.
    pub tab: String,
    /// The first content line of the right pane.
    pub right_body: String,
    /// The line under the contact list (search input or hint).
    pub search_line: String,
    pub status: String,
}

pub fn split(screen: &vt100::Screen) -> Option<Split> {
    let (cols, rows) = size(screen);
    let rx = right_pane_x(screen)?;
    // Rows: 0 top border, 1 list header, 2.. list, then search line, bottom border, status, hints.
    let search_row = rows.checked_sub(4)?;
    let header = text(screen, 1, 1, rx - 1);
    // The name column ends where the next column's header starts.
    let name_end = header
        .find("Email")
        .map_or(rx - 1, |byte| 1 + header[..byte].chars().count() as u16);
    let selected_row =
        (2..search_row).find(|&r| screen.cell(r, 1).is_some_and(vt100::Cell::inverse));
    // Without colour the selected row starts with a marker, which is not part of the name.
    let selected_name = selected_row
        .map(|r| {
            text(screen, r, 1, name_end)
                .trim()
                .trim_start_matches('›')
                .to_string()
        })
        .unwrap_or_default();
    Some(Split {
        left_title: text(screen, 0, 0, rx),
        right_title: text(screen, 0, rx, cols),
        selected_row,
        selected_name,
        tab: inverse_text(screen, 1, rx + 1, cols - 1).trim().to_string(),
        right_body: text(screen, 2, rx + 1, cols - 1).trim().to_string(),
        search_line: text(screen, search_row, 1, rx - 1).trim().to_string(),
        status: row_text(screen, rows - 2),
    })
}

pub fn split_matches(screen: &vt100::Screen, pred: impl Fn(&Split) -> bool) -> bool {
    split(screen).is_some_and(|s| pred(&s))
}

/// The list shows the whole demo account and the right pane names the highlighted contact.
pub fn list_ready(s: &Split) -> bool {
    s.left_title.contains("Contacts 320")
        && s.status.contains("demo")
        && s.selected_row.is_some()
        && !s.selected_name.is_empty()
        && s.right_title.contains(&s.selected_name)
}

/// The right-hand tab `number` is highlighted and its data has arrived (no placeholder left).
/// Only the number is checked: the labels shorten on narrow screens.
pub fn tab_ready(s: &Split, number: char) -> bool {
    let placeholder = ["load when you stop", "Loading", "Couldn't load"];
    s.tab.starts_with(number)
        && !s.right_body.is_empty()
        && !placeholder.iter().any(|p| s.right_body.contains(p))
}

/// The sandbox address the `--demo` run logged (`sandbox listening addr=127.0.0.1:PORT`).
pub fn demo_sandbox_url(tui: &Tui) -> String {
    let log = std::fs::read_to_string(tui.home.path().join(LOG)).unwrap_or_default();
    let addr = log
        .lines()
        .filter_map(|l| l.split("sandbox listening addr=").nth(1))
        .next_back()
        .unwrap_or_else(|| panic!("no sandbox address in the log:\n{log}"));
    format!("http://{}", addr.trim())
}

/// Polls the sandbox over HTTP until `check` passes (writes go out in the background).
pub fn eventually(what: &str, check: impl Fn() -> Option<bool>) {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        if check() == Some(true) {
            return;
        }
        // A plain sleep: tokio's would need its runtime entered before it is even created.
        std::thread::sleep(POLL);
    }
    panic!("timed out waiting until {what}");
}
