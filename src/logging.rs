//! Logs go to a file, never to the terminal the UI is drawing on.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub const LOG_FILE: &str = "ghl-tui.log";

/// Starts logging into `dir/ghl-tui.log`; the level comes from `GHL_TUI_LOG` (default `info`).
/// Keep the guard alive until exit so buffered lines are written.
pub fn init(dir: &Path) -> Option<(WorkerGuard, PathBuf)> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, LOG_FILE);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let mut filter =
        EnvFilter::try_from_env("GHL_TUI_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Whatever level is asked for, the keyring's D-Bus traffic (which carries the stored
    // sign-in, encrypted or not) stays out of the file.
    if let Ok(quiet) = "zbus=warn".parse() {
        filter = filter.add_directive(quiet);
    }
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some((guard, dir.join(LOG_FILE)))
}
