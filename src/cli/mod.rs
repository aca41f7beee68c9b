//! The scripting commands (`contacts`, `tasks`, `notes`, `tags`, `export`, `import`): stdout
//! is data, stderr is talk, and the exit code says what happened, as gh does.
//!
//! Each command gets a signed-in session (or answers from the replica with `--cached`), does
//! its one thing and returns an [`Outcome`]; `main` prints nothing of its own but the error.

pub mod contacts;
pub mod doctor;
pub mod export;
pub mod import;
pub mod output;
pub mod script;
pub mod tasks;
pub mod writes;

pub use output::{Format, Out};

use crate::api::ApiError;

/// The exit codes, as the README and `--help` document them.
pub mod exit {
    pub const OK: u8 = 0;
    /// Anything else that went wrong.
    pub const ERROR: u8 = 1;
    /// The command line was wrong (clap's own code).
    pub const USAGE: u8 = 2;
    pub const NOT_SIGNED_IN: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    /// The API refused it: validation, or a scope the sign-in lacks.
    pub const REFUSED: u8 = 5;
    /// The server could not be reached; changes are recorded and still waiting.
    pub const WAITING: u8 = 6;
}

/// The help's words for the exit codes (kept beside the codes).
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  ok
  1  error
  2  usage (a wrong command line)
  3  not signed in
  4  not found
  5  refused by the API (validation, or a scope the sign-in lacks)
  6  offline: changes are recorded and still waiting to be sent";

/// Why a command did not do what it was asked: one line for stderr, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// An API error as a script should see it: its one line, and the code for its kind.
    pub fn api(e: &ApiError) -> Failure {
        Failure::new(code_of(e), e.one_line())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code of an API error.
pub fn code_of(e: &ApiError) -> u8 {
    match e {
        ApiError::NotFound { .. } => exit::NOT_FOUND,
        ApiError::SignedOut { .. } | ApiError::Unauthorized { .. } => exit::NOT_SIGNED_IN,
        ApiError::MissingScope { .. }
        | ApiError::Forbidden { .. }
        | ApiError::Validation { .. }
        | ApiError::Duplicate { .. } => exit::REFUSED,
        // A read that cannot reach the server is an error; a write that cannot is recorded and
        // waits, which the write path says with `WAITING` itself.
        _ => exit::ERROR,
    }
}

pub type Outcome = Result<(), Failure>;
