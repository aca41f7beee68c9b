//! `ghl-tui import FILE`: contacts from CSV or JSON lines through `POST /contacts/upsert`, as
//! a batch job. Every row is checked first; then the cost is said (and asked on a terminal),
//! the rows go out a few at a time under the burst limit, a checkpoint after each, and the job
//! ends with what became of every row: created, updated, or refused with the reason, the
//! refused rows in a file of their own to fix and import again.

mod fields;
mod prepare;
mod refused;
mod report;
mod rows;
mod run;
mod send;
mod state;

use std::path::{Path, PathBuf};

use super::export::GHL_DAILY_LIMIT;
use super::export::allowance::{self, Allowance};
use super::export::checkpoint;
use super::export::cost::Estimate;
use super::export::talk::Talk;
use super::{Failure, Outcome, code_of, exit};
use crate::api::{ApiError, Client, CustomFieldDef};
use crate::session::Session;
use crate::text::count;
use prepare::{Prepared, Refusal};
use refused::RefusedFile;
use rows::{Kind, Table};
use run::{End, Job};
use state::{Identity, Progress};

/// `import`'s command line.
#[derive(clap::Args, Debug, Clone)]
#[command(
    after_help = "Columns are matched to fields by their headers (First Name, first_name \
and firstName are one field; custom fields by name); tags are added, never replaced. An empty \
cell changes nothing. Exits 5 when any row was refused: the refused rows are written beside \
FILE (FILE.refused.csv) with the reason in an import_error column, to fix and import again. \
After Ctrl-C or a kill, the same command goes on where it stopped."
)]
pub struct ImportArgs {
    /// A .csv file with a header line, or .jsonl (one JSON object a line).
    pub file: PathBuf,
    /// Check every row and say what the import would cost; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// COLUMN=FIELD: the field a column fills (a contact field, tags, or a custom field by
    /// name); COLUMN= passes it over. Repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Where the refused rows go (default: beside FILE, FILE.refused.csv).
    #[arg(long, value_name = "PATH")]
    pub refused: Option<PathBuf>,
    /// Go on without asking on a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Start over, forgetting how far an earlier run of this import came.
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub day: super::export::DayArgs,
    /// The report as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

const PROGRESS: &str = ".import-progress";

fn usage(why: impl Into<String>) -> Failure {
    Failure::new(exit::USAGE, why)
}

pub async fn import(session: &Session, args: &ImportArgs) -> Outcome {
    let talk = Talk::new();
    let file = &args.file;
    let kind = Kind::of(file)
        .ok_or_else(|| usage(format!("{}: name a .csv or a .jsonl file", file.display())))?;
    let maps = args
        .map
        .iter()
        .map(|m| fields::parse_map(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let table = rows::read(file, kind)
        .map_err(|why| Failure::new(exit::ERROR, format!("{}: {why}", file.display())))?;
    let client = &session.client;
    let strict = kind == Kind::Csv;
    let (defs, setup) = match custom_fields(client, &table, &maps, strict).await {
        Ok(Some(defs)) => (defs, 1),
        Ok(None) => (Vec::new(), 0),
        // JSON lines carry the API's own keys: without the names, the others are passed over.
        Err(f) if !strict => {
            talk.say(&f.message);
            (Vec::new(), 1)
        }
        Err(f) => return Err(f),
    };
    let mapping = fields::map_columns(&table.columns, &maps, &defs, strict)
        .map_err(|why| usage(format!("{}: {why}", file.display())))?;
    if !mapping.passed_over.is_empty() {
        talk.say(&format!(
            "passing over what upsert does not set here: {}",
            mapping.passed_over.join(", ")
        ));
    }
    let checked = prepare::prepare(&table.rows, &mapping);
    let (ready, refusals): (Vec<_>, Vec<_>) = checked.into_iter().partition(Result::is_ok);
    let ready: Vec<Prepared> = ready.into_iter().filter_map(Result::ok).collect();
    let refusals: Vec<Refusal> = refusals.into_iter().filter_map(Result::err).collect();

    let refused_path = args
        .refused
        .clone()
        .unwrap_or_else(|| refused::default_path(file, kind));
    if same_file(&refused_path, file) {
        return Err(usage(
            "--refused names the file being imported: name another",
        ));
    }
    let identity = Identity::of(file, client.location_id(), &args.map, &refused_path)
        .map_err(|e| Failure::new(exit::ERROR, format!("{}: {e}", file.display())))?;
    let progress_path = checkpoint::beside(file, PROGRESS);
    if args.dry_run {
        let unfinished = progress_path.exists();
        return report::dry_run(
            &talk,
            args,
            &table,
            &ready,
            &refusals,
            &refused_path,
            unfinished,
            setup,
        );
    }
    let resumed = resumable(&progress_path, &identity, args.restart)?;

    let sent_before = resumed.as_ref().map_or(0, |p| p.sent) as usize;
    let left = ready.get(sent_before..).unwrap_or_default();
    let estimate = Estimate {
        what: format!("{} rows to send", count(left.len() as u64)),
        requests: left.iter().map(Prepared::requests).sum(),
        daily_limit: args
            .day
            .daily_limit
            .or(session.client.budget().daily_max)
            .unwrap_or(GHL_DAILY_LIMIT),
        reserve: args.day.reserve,
    };
    if let Some(p) = &resumed {
        talk.say(&format!(
            "resuming the import of {}: {} of {} rows to send are done (--restart starts over)",
            file.display(),
            count(p.sent),
            count(ready.len() as u64)
        ));
    }
    if !left.is_empty() {
        talk.say(&estimate.line());
        if talk.can_ask && !args.yes && !talk.ask("Go on?") {
            return Err(Failure::new(exit::ERROR, "nothing imported"));
        }
    }

    let refused_len = resumed.as_ref().map(|p| p.refused_len);
    let mut out = RefusedFile::open(&refused_path, &table, refused_len).map_err(|e| {
        Failure::new(
            exit::ERROR,
            format!("{}: {e} (--restart starts over)", refused_path.display()),
        )
    })?;
    let mut progress = match resumed {
        Some(p) => p,
        None => {
            for r in &refusals {
                out.add(&table.rows[r.index], &r.reason)
                    .map_err(|e| write_failed(&out.path, e))?;
            }
            let mut p = Progress::new(identity, refusals.len() as u64);
            p.requests = setup;
            p
        }
    };
    progress.refused_len = out.len;
    checkpoint::save(&progress_path, &progress).map_err(|e| write_failed(&progress_path, e))?;

    let mut allowance = Allowance::new(
        args.day
            .daily_limit
            .or(session.client.budget().daily_max)
            .unwrap_or(GHL_DAILY_LIMIT),
        args.day.reserve,
    );
    allowance.started(setup);
    let bar = talk.bar(ready.len() as u64, progress.sent, "rows");
    let mut job = Job {
        client,
        table: &table,
        out: &mut out,
        progress: &mut progress,
        progress_path: &progress_path,
        allowance: &mut allowance,
        bar: &bar,
    };
    let end = tokio::select! {
        end = job.run(left) => Some(end),
        _ = tokio::signal::ctrl_c() => None,
    };
    bar.finish_and_clear();
    let stopped_at = |p: &Progress| {
        format!(
            "stopped at {} of {} rows to send; run the same command to go on",
            count(p.sent),
            count(ready.len() as u64)
        )
    };
    match end {
        None => return Err(Failure::new(exit::ERROR, stopped_at(&progress))),
        Some(End::Finished) => {}
        Some(End::Paused) => {
            return Err(Failure::new(
                exit::ERROR,
                allowance::paused(args.day.reserve),
            ));
        }
        Some(End::Stopped(ApiError::DailyLimit { resets_at })) => {
            return Err(Failure::new(exit::ERROR, allowance::spent(resets_at)));
        }
        Some(End::Stopped(e)) => {
            return Err(Failure::new(
                code_of(&e),
                format!("{}: {}", stopped_at(&progress), e.one_line()),
            ));
        }
        Some(End::Io(path, e)) => return Err(write_failed(&path, e)),
    }
    checkpoint::remove(&progress_path).map_err(|e| write_failed(&progress_path, e))?;
    let reasons = out.reasons();
    drop(out);
    if progress.all_refused() == 0 {
        let _ = std::fs::remove_file(&refused_path);
    }
    report::report(&talk, args, &progress, &reasons, &refused_path, false)
}

fn write_failed(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::ERROR, format!("{}: {e}", path.display()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The custom fields' definitions, when some column (or `--map` target) is not a contact
/// field and so may name one; `None` when none needs them (no request). Not `strict` (JSON
/// lines), a failure only says the keys are passed over.
async fn custom_fields(
    client: &Client,
    table: &Table,
    maps: &[(String, String)],
    strict: bool,
) -> Result<Option<Vec<CustomFieldDef>>, Failure> {
    let mapped = |col: &String| maps.iter().any(|(c, f)| c == col && f.is_empty());
    let named: Vec<&String> = table
        .columns
        .iter()
        .filter(|c| fields::needs_custom(c) && !mapped(c))
        .chain(
            maps.iter()
                .map(|(_, f)| f)
                .filter(|f| !f.is_empty() && fields::needs_custom(f)),
        )
        .collect();
    if named.is_empty() {
        return Ok(None);
    }
    client.custom_fields().await.map(Some).map_err(|e| {
        let list = named
            .iter()
            .take(5)
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let then = if strict {
            "map them with --map COLUMN=FIELD or pass them over with --map COLUMN="
        } else {
            "they are passed over"
        };
        Failure::new(
            code_of(&e),
            format!(
                "{list} may be custom fields, whose names could not be read ({}): {then}",
                e.one_line()
            ),
        )
    })
}

/// The checkpoint of an unfinished run of this same import, unless `--restart`.
fn resumable(path: &Path, identity: &Identity, restart: bool) -> Result<Option<Progress>, Failure> {
    if restart {
        return Ok(None);
    }
    let found: Option<Progress> = checkpoint::load(path).map_err(|e| {
        Failure::new(
            exit::ERROR,
            format!(
                "{} cannot be read ({e}): --restart starts over",
                path.display()
            ),
        )
    })?;
    match found {
        Some(p) if p.version == state::VERSION && p.identity == *identity => Ok(Some(p)),
        Some(_) => Err(usage(format!(
            "{} is from an unfinished import of another version of the file (or other --map, --refused or location): add --restart to start over",
            path.display()
        ))),
        None => Ok(None),
    }
}
