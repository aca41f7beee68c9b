//! What an import ends with: the summary, the first refusals (the rest are in the refused
//! rows file), `--json` on stdout, and the exit code (5 when any row was refused).

use std::path::Path;

use super::ImportArgs;
use super::prepare::{Prepared, Refusal};
use super::refused::RefusedFile;
use super::rows::Table;
use super::state::{self, Identity, Progress};
use crate::cli::export::cost::Estimate;
use crate::cli::export::talk::Talk;
use crate::cli::{Failure, Outcome, exit};
use crate::text::count;

#[allow(clippy::too_many_arguments)]
pub fn dry_run(
    talk: &Talk,
    args: &ImportArgs,
    table: &Table,
    ready: &[Prepared],
    refusals: &[Refusal],
    refused_path: &Path,
    unfinished: bool,
    requests: u64,
) -> Outcome {
    let mut progress = Progress::new(
        Identity {
            location_id: String::new(),
            file_len: 0,
            file_modified_ms: 0,
            map: Vec::new(),
            refused: refused_path.to_path_buf(),
        },
        refusals.len() as u64,
    );
    progress.requests = requests;
    // An unfinished import's refused rows are its own: a dry run leaves them be.
    let mut written = false;
    if !refusals.is_empty() && !unfinished {
        let mut out = RefusedFile::open(refused_path, table, None)
            .map_err(|e| super::write_failed(refused_path, e))?;
        for r in refusals {
            out.add(&table.rows[r.index], &r.reason)
                .map_err(|e| super::write_failed(refused_path, e))?;
        }
        written = true;
    }
    talk.say(&format!(
        "{}: {} rows, {} to send, {} refused; nothing sent (--dry-run)",
        args.file.display(),
        count(table.rows.len() as u64),
        count(ready.len() as u64),
        count(refusals.len() as u64)
    ));
    let reasons: Vec<String> = refusals
        .iter()
        .map(|r| format!("line {}: {}", r.line, r.reason))
        .collect();
    for l in state::reason_lines(&reasons) {
        talk.say(&l);
    }
    let estimate = Estimate {
        what: format!("{} rows to send", count(ready.len() as u64)),
        requests: ready.iter().map(Prepared::requests).sum(),
        daily_limit: args
            .day
            .daily_limit
            .unwrap_or(crate::cli::export::GHL_DAILY_LIMIT),
        reserve: args.day.reserve,
    };
    talk.say(&estimate.line());
    if args.json {
        print_json(&progress.json(&args.file, written.then_some(refused_path), true))?;
    }
    if refusals.is_empty() {
        return Ok(());
    }
    let where_ = if written {
        format!(": fix them in {} and import it", refused_path.display())
    } else {
        String::new()
    };
    Err(Failure::new(
        exit::REFUSED,
        format!(
            "{} rows would be refused{where_}",
            count(refusals.len() as u64)
        ),
    ))
}

pub fn report(
    talk: &Talk,
    args: &ImportArgs,
    progress: &Progress,
    reasons: &[String],
    refused_path: &Path,
    dry_run: bool,
) -> Outcome {
    talk.say(&progress.summary(&args.file));
    for l in state::reason_lines(reasons) {
        talk.say(&l);
    }
    let refused = progress.all_refused();
    if args.json {
        print_json(&progress.json(&args.file, (refused > 0).then_some(refused_path), dry_run))?;
    }
    if refused == 0 {
        return Ok(());
    }
    Err(Failure::new(
        exit::REFUSED,
        format!(
            "{} rows refused: fix them in {} (the reason is in its import_error column) and import it",
            count(refused),
            refused_path.display()
        ),
    ))
}

fn print_json(v: &serde_json::Value) -> Outcome {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Ok(()),
            _ => Err(Failure::new(
                exit::ERROR,
                format!("could not write the output: {e}"),
            )),
        })
}
