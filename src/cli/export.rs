//! `ghl-tui export`: every contact (and with `--deep` their notes, tasks and appointments)
//! to JSON lines, CSV or SQLite. (Being written.)

use super::{Failure, Outcome, exit};
use crate::session::Session;

/// `export`'s command line.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// jsonl, csv or sqlite.
    #[arg(long, default_value = "jsonl")]
    pub format: String,
}

pub async fn export(_session: &Session, _args: &ExportArgs) -> Outcome {
    Err(Failure::new(exit::ERROR, "export is not built yet"))
}
