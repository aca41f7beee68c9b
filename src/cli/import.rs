//! `ghl-tui import FILE`: contacts from CSV or JSON lines through `POST /contacts/upsert`.
//! (Being written.)

use super::{Failure, Outcome, exit};
use crate::session::Session;

/// `import`'s command line.
#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// A .csv or .jsonl file.
    pub file: std::path::PathBuf,
}

pub async fn import(_session: &Session, _args: &ImportArgs) -> Outcome {
    Err(Failure::new(exit::ERROR, "import is not built yet"))
}
