//! `ghl-tui export`: every contact (and with `--deep` their notes, whole, tasks and
//! appointments) to JSON lines, CSV or SQLite. Into a file it is resumable: after `Ctrl-C`,
//! `kill -9` or a paused day the same command goes on where it stopped. It never crosses the
//! burst limit (the client's pacer), and stops while the team's share of the day's allowance
//! is whole. Before a deep export it says what it costs and asks.

pub mod allowance;
pub mod checkpoint;
pub mod columns;
pub mod cost;
mod files;
pub mod progress;
mod run;
mod sink;
mod sqlite;
pub mod talk;
mod target;

use std::path::PathBuf;
use std::time::Instant;

use super::{Failure, Outcome, code_of, exit};
use crate::api::{ApiError, Client};
use crate::session::Session;
use crate::text::count;
use allowance::Allowance;
use cost::{Estimate, duration_words};
use progress::{Identity, Progress};
use run::{End, Job, PAGE, PER_CONTACT};
use sink::Lines;
use talk::Talk;
use target::Claimed;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object a line: the contact as the API sends it (with --deep,
    /// {contact, notes, tasks, appointments}).
    Jsonl,
    /// A header, then a contact a row (API field names, custom fields by name); with --deep,
    /// notes, tasks and appointments in NAME.notes.csv, NAME.tasks.csv, NAME.appointments.csv.
    Csv,
    /// Tables contacts, notes, tasks, appointments, each row with its JSON whole.
    Sqlite,
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Sqlite => "sqlite",
        }
    }
}

/// Same defaults for import: GHL's documented daily allowance.
pub const GHL_DAILY_LIMIT: u64 = 200_000;

/// `export`'s command line.
#[derive(clap::Args, Debug, Clone)]
#[command(
    after_help = "Into a file, an export resumes: run the same command again after Ctrl-C, \
a kill or a pause (--restart starts over). Progress goes to stderr on a terminal; stdout \
carries only data."
)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Also each contact's notes (whole), tasks and appointments: three requests a contact.
    #[arg(long)]
    pub deep: bool,
    /// The file to write; stdout when not given (--deep and sqlite need a file).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Go on without asking what a deep export costs (needed with no terminal to ask).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Start over, replacing an unfinished export in the file.
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub day: DayArgs,
}

/// How much of the location's daily allowance a batch job may use (export and import).
#[derive(clap::Args, Debug, Clone)]
pub struct DayArgs {
    /// Percent of the day's API allowance left for the rest of the team: the job pauses
    /// (resumably) when only that much is left.
    #[arg(long, value_name = "PERCENT", default_value_t = 25,
          value_parser = clap::value_parser!(u8).range(0..=90))]
    pub reserve: u8,
    /// The location's daily API allowance; by default what the server's headers say, else
    /// GHL's 200,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub daily_limit: Option<u64>,
}

pub async fn export(session: &Session, args: &ExportArgs) -> Outcome {
    let talk = Talk::new();
    if args.out.is_none() && (args.deep || args.format == ExportFormat::Sqlite) {
        let why = if args.deep {
            "--deep takes hours and resumes from its file"
        } else {
            "SQLite cannot go to stdout"
        };
        return Err(Failure::new(
            exit::USAGE,
            format!("{why}: name the file with --out PATH"),
        ));
    }
    let client = &session.client;
    let identity = Identity {
        format: args.format.name().into(),
        deep: args.deep,
        location_id: client.location_id().into(),
    };
    let claimed = target::claim(args.out.as_deref(), args.format, &identity, args.restart)?;
    let resumable = matches!(claimed, Claimed::File { .. });
    let mut progress = match &claimed {
        Claimed::File {
            resume: Some(p),
            path,
            ..
        } => {
            talk.say(&format!(
                "resuming the export into {}: {} contacts done (--restart starts over)",
                path.display(),
                count(p.done)
            ));
            (**p).clone()
        }
        _ => Progress::new(identity),
    };
    let mut allowance = Allowance::new(
        args.day.daily_limit.unwrap_or(GHL_DAILY_LIMIT),
        args.day.reserve,
    );
    let started = Instant::now();
    let first = prepare(
        client,
        &talk,
        args,
        &mut allowance,
        &mut progress,
        resumable,
    )
    .await?;
    // The first answer's headers say the day's allowance, unless it was given.
    if args.day.daily_limit.is_none()
        && let Some(max) = client.budget().daily_max
    {
        allowance.daily_limit = max;
    }
    let lines = match args.format {
        ExportFormat::Csv => Lines::Csv {
            contacts: progress.columns.clone(),
        },
        _ => Lines::Jsonl,
    };
    let mut sink = target::open(claimed, lines, args.format, &mut progress)?;

    let bar = talk.bar(progress.total.unwrap_or(0), progress.done, "contacts");
    let job = Job {
        client,
        sink: sink.as_mut(),
        progress: &mut progress,
        allowance: &mut allowance,
        bar: &bar,
    };
    let end = tokio::select! {
        end = job.run(first) => Some(end),
        _ = tokio::signal::ctrl_c() => None,
    };
    bar.finish_and_clear();
    let Some(end) = end else {
        return Err(Failure::new(exit::ERROR, stopped_at(&progress, resumable)));
    };
    match end {
        End::Finished => {
            sink.finish().map_err(|e| {
                Failure::new(exit::ERROR, format!("could not finish the output: {e}"))
            })?;
            if talk.terminal {
                talk.say(&summary(&progress, args.out.as_deref(), started));
            }
            Ok(())
        }
        End::Paused => Err(Failure::new(
            exit::ERROR,
            allowance::paused(args.day.reserve),
        )),
        End::Failed(e) => Err(stopped(&e, &progress, resumable)),
        // `| head`: the reader has what it wanted.
        End::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        End::Io(e) => Err(Failure::new(
            exit::ERROR,
            format!("could not write the output: {e}"),
        )),
    }
}

/// Everything before the first record is written: the first page (its total says what is
/// left), the question, and a new CSV's columns.
async fn prepare(
    client: &Client,
    talk: &Talk,
    args: &ExportArgs,
    allowance: &mut Allowance,
    progress: &mut Progress,
    resumable: bool,
) -> Result<run::Page, Failure> {
    allowance.started(1);
    let first = run::page(client, progress.after.as_ref())
        .await
        .map_err(|e| stopped(&e, progress, resumable))?;
    progress.requests += 1;
    progress.total = first.total.or(progress.total);
    let fresh_csv = args.format == ExportFormat::Csv && progress.columns.is_empty();
    if args.deep {
        let estimate = estimate(progress, allowance, first.contacts.len() as u64, fresh_csv);
        confirm(talk, &estimate, args.yes)?;
    }
    if fresh_csv {
        allowance.started(1);
        progress.columns = csv_columns(client, talk).await;
        progress.requests += 1;
    }
    Ok(first)
}

/// What the rest of the export costs: the pages, and three requests a contact when deep. A
/// search that gives no total is known to hold at least its first page.
fn estimate(progress: &Progress, allowance: &Allowance, first: u64, fresh_csv: bool) -> Estimate {
    let left = progress.left().unwrap_or(first);
    let pages = left.div_ceil(u64::from(PAGE)).max(1);
    let per = if progress.identity.deep {
        PER_CONTACT
    } else {
        0
    };
    let what = match (progress.total, progress.done) {
        (None, _) => format!("at least {} contacts", count(left)),
        (_, 0) => format!("{} contacts", count(left)),
        _ => format!("{} contacts left", count(left)),
    };
    Estimate {
        what,
        requests: left * per + pages + u64::from(fresh_csv),
        daily_limit: allowance.daily_limit,
        reserve: allowance.reserve,
    }
}

/// Asks before a deep export, or needs `--yes` where nobody can answer.
fn confirm(talk: &Talk, estimate: &Estimate, yes: bool) -> Outcome {
    let line = estimate.line();
    if yes {
        talk.say(&line);
        return Ok(());
    }
    if !talk.can_ask {
        return Err(Failure::new(
            exit::USAGE,
            format!("{line}; with no terminal to ask, add --yes to go on"),
        ));
    }
    if talk.ask(&format!("{line}. Go on?")) {
        Ok(())
    } else {
        Err(Failure::new(exit::ERROR, "nothing exported"))
    }
}

/// The CSV's contact columns: one per custom field, by name, where the token can read the
/// names; else one JSON column of them all (said once).
async fn csv_columns(client: &Client, talk: &Talk) -> Vec<columns::CsvColumn> {
    match client.custom_fields().await {
        Ok(defs) => columns::contact_columns(Some(&defs)),
        Err(e) => {
            talk.say(&format!(
                "custom fields go in one JSON column (their names could not be read: {})",
                e.one_line()
            ));
            columns::contact_columns(None)
        }
    }
}

fn stopped_at(progress: &Progress, resumable: bool) -> String {
    let of = progress
        .total
        .map(|t| format!(" of {}", count(t)))
        .unwrap_or_default();
    let again = if resumable {
        "; run the same command to go on"
    } else {
        ""
    };
    format!("stopped at {}{of} contacts{again}", count(progress.done))
}

fn stopped(e: &ApiError, progress: &Progress, resumable: bool) -> Failure {
    if let ApiError::DailyLimit { resets_at } = e {
        return Failure::new(exit::ERROR, allowance::spent(*resets_at));
    }
    Failure::new(
        code_of(e),
        format!("{}: {}", stopped_at(progress, resumable), e.one_line()),
    )
}

/// `exported 320 contacts to all.jsonl (412 notes, 98 tasks, 60 appointments) in 1 min 36 s,
/// 961 requests`.
fn summary(progress: &Progress, out: Option<&std::path::Path>, started: Instant) -> String {
    let to = out
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    let deep = if progress.identity.deep {
        format!(
            " ({} notes, {} tasks, {} appointments)",
            count(progress.notes),
            count(progress.tasks),
            count(progress.appointments)
        )
    } else {
        String::new()
    };
    format!(
        "exported {} contacts{to}{deep} in {}, {} requests",
        count(progress.done),
        duration_words(started.elapsed()),
        count(progress.requests)
    )
}
