//! The scripting commands' command lines (clap), and running one: each does its one thing
//! with a signed-in session and says how it went as an [`Outcome`](super::Outcome).

use crate::session::Session;

/// How a data command prints.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct OutputArgs {
    /// One JSON document, the API's own shape (unknown fields kept).
    #[arg(long, group = "format")]
    pub json: bool,
    /// One JSON object a line.
    #[arg(long, group = "format")]
    pub jsonl: bool,
    /// CSV with a header line.
    #[arg(long, group = "format")]
    pub csv: bool,
}

impl OutputArgs {
    pub fn format(self) -> super::Format {
        use super::Format;
        if self.json {
            Format::Json
        } else if self.jsonl {
            Format::Jsonl
        } else if self.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum ContactsCommand {
    /// The contacts, newest first.
    List {
        /// At most this many (0: all).
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// From the local copy, without a request.
        #[arg(long)]
        cached: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Contacts matching QUERY (the server's search; with --cached, the app's own).
    Search {
        query: String,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        cached: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// One contact, whole (the single contact's shape).
    Show {
        id: String,
        #[arg(long)]
        cached: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum TasksCommand {
    /// Open tasks across the location, earliest due first.
    List {
        /// today, overdue or any.
        #[arg(long, default_value = "any")]
        due: super::tasks::Due,
        /// Only yours (user_id, or the OAuth sign-in's user).
        #[arg(long)]
        mine: bool,
        /// From the work queue the app kept, without a request.
        #[arg(long)]
        cached: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Complete a task.
    Done {
        id: String,
        /// Its contact (id or email); found by the task search when not given.
        #[arg(long)]
        contact: Option<String>,
        /// Return once recorded (exit 6 while it waits).
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum NotesCommand {
    /// Add a note to CONTACT (an id or an email), from --body or stdin.
    Add {
        contact: String,
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum TagsCommand {
    /// Add tags to CONTACT (an id or an email).
    Add {
        contact: String,
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Remove tags from CONTACT.
    Remove {
        contact: String,
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

/// A scripting command, as `main` hands it over.
#[derive(Debug)]
pub enum Script {
    Contacts(ContactsCommand),
    Tasks(TasksCommand),
    Notes(NotesCommand),
    Tags(TagsCommand),
    Export(super::export::ExportArgs),
    Import(super::import::ImportArgs),
}

/// Runs `cmd` with the signed-in `session`; `me` is who the user is, when known.
pub async fn run(cmd: Script, session: &Session, me: Option<&str>, colour: bool) -> super::Outcome {
    use super::{Failure, Out, contacts, exit, output, tasks, writes};
    use crate::api::WriteOp;
    let out = |o: OutputArgs| Out::stdout(o.format(), colour);
    // A write's answer: the record the server made, as JSON or a table.
    let answered = |o: OutputArgs, applied: Vec<crate::api::Applied>, columns| {
        let items: Vec<serde_json::Value> = applied.iter().map(writes::applied_json).collect();
        match items.as_slice() {
            [one] => output::print_record(&out(o), one, columns),
            _ => output::print_records(&out(o), &items, columns),
        }
    };
    const NOTE: &[output::Column] = &[
        output::ID,
        output::Column {
            header: "BODY",
            cell: |v| output::text(v, "body"),
        },
    ];
    const TAGS: &[output::Column] = &[
        output::ID,
        output::Column {
            header: "TAGS",
            cell: |v| output::list(v, "tags"),
        },
    ];
    match cmd {
        Script::Contacts(what) => match what {
            ContactsCommand::List {
                limit,
                cached,
                out: o,
            } => {
                let from = contacts::Source::of(session, cached)?;
                contacts::say_cached(&from).await;
                output::print_records(
                    &out(o),
                    &contacts::list(&from, limit).await?,
                    contacts::COLUMNS,
                )
            }
            ContactsCommand::Search {
                query,
                limit,
                cached,
                out: o,
            } => {
                let from = contacts::Source::of(session, cached)?;
                contacts::say_cached(&from).await;
                let found = contacts::search(&from, &query, limit).await?;
                output::print_records(&out(o), &found, contacts::COLUMNS)
            }
            ContactsCommand::Show { id, cached, out: o } => {
                let from = contacts::Source::of(session, cached)?;
                contacts::say_cached(&from).await;
                output::print_record(
                    &out(o),
                    &contacts::show(&from, &id).await?,
                    contacts::COLUMNS,
                )
            }
        },
        Script::Tasks(what) => match what {
            TasksCommand::List {
                due,
                mine,
                cached,
                out: o,
            } => {
                let from = if cached {
                    tasks::From::Cached
                } else {
                    tasks::From::Server
                };
                let zone = chrono::Offset::fix(chrono::Local::now().offset());
                let now = chrono::Utc::now().naive_utc();
                let mut found = tasks::list(session, me, due, mine, from, now, zone).await?;
                // People by name in a table (one request more); JSON stays the API's shape.
                if o.format() == super::Format::Table && from == tasks::From::Server {
                    tasks::with_names(session, &mut found).await;
                }
                output::print_records(&out(o), &found, tasks::COLUMNS)
            }
            TasksCommand::Done {
                id,
                contact,
                no_wait,
                out: o,
            } => {
                let op = tasks::done_op(session, &id, contact).await?;
                let applied = writes::send(session, vec![op], !no_wait).await?;
                answered(o, applied, tasks::COLUMNS)
            }
        },
        Script::Notes(NotesCommand::Add {
            contact,
            body,
            no_wait,
            out: o,
        }) => {
            let body = match body {
                Some(b) => b,
                None => {
                    let mut text = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(
                        |e| {
                            Failure::new(
                                exit::ERROR,
                                format!("could not read the note from stdin: {e}"),
                            )
                        },
                    )?;
                    text
                }
            };
            let body = body.trim_end().to_string();
            if body.trim().is_empty() {
                return Err(Failure::new(
                    exit::USAGE,
                    "the note is empty: give --body TEXT or pipe it in",
                ));
            }
            let contact_id = contacts::resolve(session, &contact).await?;
            let op = WriteOp::CreateNote {
                contact_id,
                input: crate::api::NoteInput {
                    body: Some(body),
                    user_id: me.map(str::to_string),
                    ..Default::default()
                },
            };
            let applied = writes::send(session, vec![op], !no_wait).await?;
            answered(o, applied, NOTE)
        }
        Script::Tags(what) => {
            let (contact, tags, no_wait, o, add) = match what {
                TagsCommand::Add {
                    contact,
                    tags,
                    no_wait,
                    out,
                } => (contact, tags, no_wait, out, true),
                TagsCommand::Remove {
                    contact,
                    tags,
                    no_wait,
                    out,
                } => (contact, tags, no_wait, out, false),
            };
            let tags: Vec<String> = tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            if tags.is_empty() {
                return Err(Failure::new(exit::USAGE, "name at least one tag"));
            }
            let id = contacts::resolve(session, &contact).await?;
            let op = if add {
                WriteOp::AddTags { id, tags }
            } else {
                WriteOp::RemoveTags { id, tags }
            };
            let applied = writes::send(session, vec![op], !no_wait).await?;
            answered(o, applied, TAGS)
        }
        Script::Export(args) => super::export::export(session, &args).await,
        Script::Import(args) => super::import::import(session, &args).await,
    }
}
