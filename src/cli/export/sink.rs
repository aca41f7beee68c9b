//! Where exported records go. Every sink writes records and then the checkpoint that counts
//! them, so whatever moment a kill comes, a resume finds each contact exactly once: a file
//! output is cut back to the lengths its checkpoint names, and SQLite commits both in one
//! transaction.

use std::io;

use super::columns::{self, CsvColumn, Record};
use super::progress::Progress;

pub trait Sink {
    /// Writes `records`, then `progress` (with the files' new lengths) as the checkpoint.
    fn commit(&mut self, records: &[Record], progress: &mut Progress) -> io::Result<()>;
    /// The export is whole: its checkpoint goes.
    fn finish(&mut self) -> io::Result<()>;
}

/// The format of a file (or of stdout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lines {
    Jsonl,
    /// The contact columns; with `--deep` the notes, tasks and appointments go to files of
    /// their own beside the contacts' (see `files::sidecars`).
    Csv {
        contacts: Vec<CsvColumn>,
    },
}

/// Which records a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Contacts,
    Notes,
    Tasks,
    Appointments,
}

impl Table {
    pub const ACTIVITY: [Table; 3] = [Table::Notes, Table::Tasks, Table::Appointments];

    pub fn name(self) -> &'static str {
        match self {
            Table::Contacts => "contacts",
            Table::Notes => "notes",
            Table::Tasks => "tasks",
            Table::Appointments => "appointments",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Table::Contacts => &[],
            Table::Notes => columns::NOTE_FIELDS,
            Table::Tasks => columns::TASK_FIELDS,
            Table::Appointments => columns::APPOINTMENT_FIELDS,
        }
    }
}

impl Lines {
    fn columns(&self, table: Table) -> Vec<CsvColumn> {
        match (self, table) {
            (Lines::Csv { contacts }, Table::Contacts) => contacts.clone(),
            _ => columns::plain_columns(table.fields()),
        }
    }

    /// The header line a new CSV file starts with (none for JSON lines).
    pub fn header(&self, table: Table) -> io::Result<Vec<u8>> {
        match self {
            Lines::Jsonl => Ok(Vec::new()),
            Lines::Csv { .. } => {
                let cols = self.columns(table);
                csv_bytes(std::iter::once(
                    cols.iter().map(|c| c.header.clone()).collect(),
                ))
            }
        }
    }

    /// The bytes `records` add to the file of `table`.
    pub fn encode(&self, table: Table, records: &[Record]) -> io::Result<Vec<u8>> {
        match self {
            Lines::Jsonl => {
                let mut out = Vec::new();
                for r in records {
                    serde_json::to_writer(&mut out, &r.json())?;
                    out.push(b'\n');
                }
                Ok(out)
            }
            Lines::Csv { .. } => {
                let cols = self.columns(table);
                let rows = records.iter().flat_map(|r| rows_of(r, table));
                csv_bytes(rows.map(|item| cols.iter().map(|c| columns::cell(&item, c)).collect()))
            }
        }
    }
}

/// The records of `table` in one exported contact; an activity record without its contact's
/// id gets it, as the CSV row is all that links them.
fn rows_of(r: &Record, table: Table) -> Vec<serde_json::Value> {
    let items = match (&r.deep, table) {
        (_, Table::Contacts) => return vec![r.contact.clone()],
        (None, _) => return Vec::new(),
        (Some(a), Table::Notes) => &a.notes,
        (Some(a), Table::Tasks) => &a.tasks,
        (Some(a), Table::Appointments) => &a.appointments,
    };
    items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            if let Some(o) = item.as_object_mut()
                && !o.get("contactId").is_some_and(serde_json::Value::is_string)
            {
                o.insert("contactId".into(), r.id().into());
            }
            item
        })
        .collect()
}

fn csv_bytes(rows: impl Iterator<Item = Vec<String>>) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}
