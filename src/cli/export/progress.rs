//! How far an export has come, as its checkpoint keeps it: the last contact written (its
//! `searchAfter`, where the next search starts), the counts, and for file outputs the length
//! of each file at that moment, to cut away whatever a kill left after it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::columns::CsvColumn;

/// The checkpoint's shape; a checkpoint of another version is not resumed.
pub const VERSION: u32 = 1;

/// What an export was asked: a checkpoint resumes only the same export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub format: String,
    pub deep: bool,
    pub location_id: String,
}

impl Identity {
    pub fn describe(&self) -> String {
        let deep = if self.deep { " --deep" } else { "" };
        format!(
            "--format {}{deep} of location {}",
            self.format, self.location_id
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    pub identity: Identity,
    /// The `searchAfter` of the last contact written; `None` before the first.
    pub after: Option<Vec<Value>>,
    /// Contacts written.
    pub done: u64,
    /// Contacts the search listed that were deleted before their notes were read.
    #[serde(default)]
    pub gone: u64,
    /// The search's `total` when last seen.
    pub total: Option<u64>,
    #[serde(default)]
    pub notes: u64,
    #[serde(default)]
    pub tasks: u64,
    #[serde(default)]
    pub appointments: u64,
    /// Requests sent, over every run of this export.
    #[serde(default)]
    pub requests: u64,
    /// File outputs: each file's length when this was written (the contacts first).
    #[serde(default)]
    pub lengths: Vec<u64>,
    /// CSV: the contact columns, fixed when the file was started.
    #[serde(default)]
    pub columns: Vec<CsvColumn>,
}

impl Progress {
    pub fn new(identity: Identity) -> Progress {
        Progress {
            version: VERSION,
            identity,
            after: None,
            done: 0,
            gone: 0,
            total: None,
            notes: 0,
            tasks: 0,
            appointments: 0,
            requests: 0,
            lengths: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Contacts still to go, by the last total seen.
    pub fn left(&self) -> Option<u64> {
        self.total.map(|t| t.saturating_sub(self.done + self.gone))
    }
}
