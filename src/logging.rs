//! Logs go to a file (0600, in a 0700 folder), never to the terminal the UI is drawing on, and
//! every line passes through redaction first: a token echoed in an error body is logged as
//! `[redacted]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

pub const LOG_FILE: &str = "ghl-tui.log";

/// A log past this size is set aside at the next start (`ghl-tui.log.1`, older ones shifted).
pub const ROTATE_BYTES: u64 = 5 * 1024 * 1024;
/// How many logs set aside are kept (`.1` to `.3`).
pub const KEPT: usize = 3;

/// Sets the log aside when it has grown past `limit`: `.1` is the last one, `.KEPT` the
/// oldest kept, and older ones go. Renames keep the files' 0600.
pub fn rotate(dir: &Path, limit: u64) -> std::io::Result<bool> {
    let path = dir.join(LOG_FILE);
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if size < limit {
        return Ok(false);
    }
    let aside = |n: usize| dir.join(format!("{LOG_FILE}.{n}"));
    let _ = std::fs::remove_file(aside(KEPT));
    for n in (1..KEPT).rev() {
        if aside(n).exists() {
            std::fs::rename(aside(n), aside(n + 1))?;
        }
    }
    std::fs::rename(&path, aside(1))?;
    Ok(true)
}

/// Starts logging into `dir/ghl-tui.log`; the level comes from `filter` (`GHL_TUI_LOG` or
/// `--log`; default `info`). Keep the guard alive until exit so buffered lines are written.
pub fn init(dir: &Path, filter: Option<&str>) -> Option<(WorkerGuard, PathBuf)> {
    crate::private::create_dir(dir).ok()?;
    if let Err(e) = rotate(dir, ROTATE_BYTES) {
        eprintln!("ghl-tui: could not set the old log aside: {e}");
    }
    let path = dir.join(LOG_FILE);
    let file = crate::private::open_append(&path).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let mut filter = filter
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    // Whatever level is asked for, the keyring's D-Bus traffic (which carries the stored
    // sign-in, encrypted or not) stays out of the file.
    if let Ok(quiet) = "zbus=warn".parse() {
        filter = filter.add_directive(quiet);
    }
    tracing_subscriber::fmt()
        .with_writer(Redacting(writer))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some((guard, path))
}

/// Hands out writers that redact each log line before it goes on.
#[derive(Clone)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.0.make_writer(),
            line: Vec::new(),
        }
    }
}

/// Collects one event's text (the formatter writes it, then drops the writer) and writes it
/// redacted when dropped.
pub struct RedactingWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let _ = self.inner.write_all(crate::redact::text(&text).as_bytes());
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_log_is_set_aside_and_a_few_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join(LOG_FILE);
        let write = |p: &Path, s: &str| std::fs::write(p, s).expect("write");
        write(&log, "small");
        assert!(!rotate(dir.path(), 100).expect("rotate"), "small stays");
        for round in 0..5 {
            write(&log, &format!("round {round} {}", "x".repeat(100)));
            assert!(rotate(dir.path(), 100).expect("rotate"));
            assert!(!log.exists());
        }
        let read = |n: usize| std::fs::read_to_string(dir.path().join(format!("{LOG_FILE}.{n}")));
        assert!(read(1).expect(".1").starts_with("round 4"));
        assert!(read(3).expect(".3").starts_with("round 2"));
        assert!(read(4).is_err(), "no more than {KEPT} kept");
    }

    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            crate::private::lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Sink {
        type Writer = Sink;
        fn make_writer(&'a self) -> Sink {
            self.clone()
        }
    }

    #[test]
    fn log_lines_are_redacted_whole() {
        let secret = crate::api::Secret::new("log-secret-abcdef012345");
        let sink = Sink::default();
        let make = Redacting(sink.clone());
        {
            let mut w = make.make_writer();
            // Written in pieces, as a formatter may: the token straddles two writes.
            w.write_all(b"error=\"echo: log-secret-abc").expect("write");
            w.write_all(b"def012345 and Bearer zzzzzzzzzzzz\"\n")
                .expect("write");
        }
        let out = String::from_utf8(crate::private::lock(&sink.0).clone()).expect("utf8");
        assert_eq!(out, "error=\"echo: [redacted] and Bearer [redacted]\"\n");
        assert!(!out.contains(secret.expose()));
    }
}
