//! How far an import has come (its checkpoint, `FILE.import-progress`), and the report it
//! ends with.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::text::count;

pub const VERSION: u32 = 1;

/// What an import was asked: a checkpoint resumes only the same import of the same file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub location_id: String,
    pub file_len: u64,
    /// When the file was last changed (ms since 1970): a file edited since is not resumed.
    pub file_modified_ms: i64,
    pub map: Vec<String>,
    pub refused: PathBuf,
}

impl Identity {
    pub fn of(
        file: &Path,
        location_id: &str,
        map: &[String],
        refused: &Path,
    ) -> std::io::Result<Identity> {
        let meta = std::fs::metadata(file)?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64);
        Ok(Identity {
            location_id: location_id.to_string(),
            file_len: meta.len(),
            file_modified_ms: modified,
            map: map.to_vec(),
            refused: refused.to_path_buf(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    pub identity: Identity,
    /// Rows refused before sending (they are in the refused file from the start).
    pub checked_out: u64,
    /// Of the rows to send, those done, in the file's order.
    pub sent: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows the API refused.
    pub refused: u64,
    pub requests: u64,
    /// The refused rows file's length when this was written.
    pub refused_len: u64,
}

impl Progress {
    pub fn new(identity: Identity, checked_out: u64) -> Progress {
        Progress {
            version: VERSION,
            identity,
            checked_out,
            sent: 0,
            created: 0,
            updated: 0,
            refused: 0,
            requests: 0,
            refused_len: 0,
        }
    }

    pub fn all_refused(&self) -> u64 {
        self.checked_out + self.refused
    }

    /// `leads.csv: 5 created, 3 updated, 4 refused (11 requests)`.
    pub fn summary(&self, file: &Path) -> String {
        format!(
            "{}: {} created, {} updated, {} refused ({} requests)",
            file.display(),
            count(self.created),
            count(self.updated),
            count(self.all_refused()),
            count(self.requests)
        )
    }

    /// The report for `--json`.
    pub fn json(
        &self,
        file: &Path,
        refused_file: Option<&Path>,
        dry_run: bool,
    ) -> serde_json::Value {
        serde_json::json!({
            "file": file.display().to_string(),
            "created": self.created,
            "updated": self.updated,
            "refused": self.all_refused(),
            "requests": self.requests,
            "refusedFile": refused_file.map(|p| p.display().to_string()),
            "dryRun": dry_run,
        })
    }
}

/// The reasons shown under the summary; the rest are in the file.
pub const SHOWN: usize = 10;

/// The lines under the summary: the first refusals, then how many more.
pub fn reason_lines(reasons: &[String]) -> Vec<String> {
    let mut out: Vec<String> = reasons
        .iter()
        .take(SHOWN)
        .map(|r| format!("  {r}"))
        .collect();
    if reasons.len() > SHOWN {
        out.push(format!(
            "  … and {} more",
            count((reasons.len() - SHOWN) as u64)
        ));
    }
    out
}
