//! Where an export goes, and whether it starts there or goes on: the output file is locked
//! first, then its checkpoint read. The same export resumes; another export's checkpoint is
//! never overwritten without `--restart`; a file with no checkpoint is replaced, as `>` does.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::files::{self, FileSink, StdoutSink};
use super::progress::{Identity, Progress, VERSION};
use super::sink::{Lines, Sink};
use super::sqlite::{self, SqliteSink};
use super::{ExportFormat, checkpoint};
use crate::cli::{Failure, exit};

/// The checkpoint beside a JSON lines or CSV export.
pub const PROGRESS: &str = ".export-progress";

/// The output, claimed (locked) and read.
pub enum Claimed {
    Stdout,
    File {
        path: PathBuf,
        /// Locked when the file exists; one that does not is made (and locked) only when the
        /// export starts writing, so a question declined or a failed first page leaves none.
        lock: Option<File>,
        /// The unfinished export found there, to go on with.
        resume: Option<Box<Progress>>,
    },
}

fn io_failure(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::ERROR, format!("{}: {e}", path.display()))
}

/// Locks `out` and reads what an earlier run left there.
pub fn claim(
    out: Option<&Path>,
    format: ExportFormat,
    identity: &Identity,
    restart: bool,
) -> Result<Claimed, Failure> {
    let Some(path) = out else {
        return Ok(Claimed::Stdout);
    };
    if path.is_dir() {
        return Err(Failure::new(
            exit::USAGE,
            format!("--out {} is a folder: name a file", path.display()),
        ));
    }
    let lock = match path.exists() {
        true => Some(files::claim(path).map_err(|e| io_failure(path, e))?),
        false => None,
    };
    let found = match format {
        ExportFormat::Sqlite => sqlite::checkpoint(path),
        _ => checkpoint::load::<Progress>(&checkpoint::beside(path, PROGRESS)).map_err(|e| {
            Failure::new(
                exit::ERROR,
                format!(
                    "{}{PROGRESS} cannot be read ({e}): --restart starts the export over",
                    path.display()
                ),
            )
        })?,
    };
    let resume = match found {
        _ if restart => None,
        None => None,
        Some(p) if p.version == VERSION && p.identity == *identity => Some(Box::new(p)),
        Some(p) => {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "{} holds an unfinished export ({}): run that again to go on, or add --restart to replace it",
                    path.display(),
                    p.identity.describe()
                ),
            ));
        }
    };
    Ok(Claimed::File {
        path: path.to_path_buf(),
        lock,
        resume,
    })
}

/// The sink for `claimed`, new or going on from `progress` (which a new file output's first
/// checkpoint fills in).
pub fn open(
    claimed: Claimed,
    lines: Lines,
    format: ExportFormat,
    progress: &mut Progress,
) -> Result<Box<dyn Sink>, Failure> {
    let deep = progress.identity.deep;
    let (path, lock, resuming) = match claimed {
        Claimed::Stdout => {
            let sink = StdoutSink::start(lines).map_err(|e| {
                Failure::new(exit::ERROR, format!("could not write the output: {e}"))
            })?;
            return Ok(Box::new(sink));
        }
        Claimed::File { path, lock, resume } => (path, lock, resume.is_some()),
    };
    let lock = match lock {
        Some(l) => l,
        None => files::claim(&path).map_err(|e| io_failure(&path, e))?,
    };
    let sink: Box<dyn Sink> = match (format, resuming) {
        (ExportFormat::Sqlite, false) => Box::new(
            SqliteSink::fresh(lock, &path, deep, progress).map_err(|e| io_failure(&path, e))?,
        ),
        (ExportFormat::Sqlite, true) => {
            Box::new(SqliteSink::resume(lock, &path, deep).map_err(|e| io_failure(&path, e))?)
        }
        (_, false) => Box::new(
            FileSink::fresh(lock, &path, lines, deep, progress)
                .map_err(|e| io_failure(&path, e))?,
        ),
        (_, true) => Box::new(
            FileSink::resume(lock, &path, lines, deep, progress).map_err(|why| {
                Failure::new(
                    exit::ERROR,
                    format!("{why}: --restart starts the export over"),
                )
            })?,
        ),
    };
    Ok(sink)
}
