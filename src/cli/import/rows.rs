//! The rows of the file to import, read whole before anything is sent: CSV with a header
//! line, or JSON lines (one object a line; an exported `--deep` line gives its contact). A
//! row that cannot be read is kept, broken, with why: it is refused like any other, and its
//! bytes go to the refused rows file as they were.

use std::path::Path;

use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Jsonl,
}

impl Kind {
    /// By the file's extension.
    pub fn of(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Kind::Csv),
            "jsonl" | "ndjson" => Some(Kind::Jsonl),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Kind::Csv => "csv",
            Kind::Jsonl => "jsonl",
        }
    }
}

/// A row as it was in the file.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Csv(csv::ByteRecord),
    Json(Map<String, Value>),
    /// A line that is not a JSON object.
    Line(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Where it starts in the file (1 is the first line; a CSV's header is line 1).
    pub line: u64,
    /// Its cells by column (CSV cells are strings; JSON keeps its values).
    pub cells: Vec<(usize, Value)>,
    pub raw: Raw,
    pub broken: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub kind: Kind,
    /// CSV: the header; JSON lines: every key, as first seen.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

pub fn read(path: &Path, kind: Kind) -> Result<Table, String> {
    match kind {
        Kind::Csv => read_csv(path),
        Kind::Jsonl => read_jsonl(path),
    }
}

fn read_csv(path: &Path) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut lines = Lines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let columns: Vec<String> = reader
        .byte_headers()
        .map_err(|e| format!("its header cannot be read: {e}"))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    if columns.iter().all(String::is_empty) {
        return Err("it has no header line (the first line names the columns)".into());
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("it cannot be read past a point: {e}")),
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut row = Row {
            line,
            cells: Vec::new(),
            raw: Raw::Csv(record.clone()),
            broken: None,
        };
        if record.len() != columns.len() {
            row.broken = Some(format!(
                "{} cells where the header has {}",
                record.len(),
                columns.len()
            ));
        }
        for (i, cell) in record.iter().enumerate().take(columns.len()) {
            match std::str::from_utf8(cell) {
                Ok(text) => row.cells.push((i, Value::String(text.to_string()))),
                Err(_) => {
                    row.broken = Some("not UTF-8 text (save the file as UTF-8)".into());
                    break;
                }
            }
        }
        rows.push(row);
    }
    Ok(Table {
        kind: Kind::Csv,
        columns,
        rows,
    })
}

/// Line numbers by byte offset, counted forward as records come (the reader's own count
/// starts a record at the blank lines before it).
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `byte` that is not a line break.
    fn at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.bytes.len());
        while self
            .bytes
            .get(start)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            start += 1;
        }
        if start < self.offset {
            return self.line;
        }
        let newlines = self.bytes[self.offset..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line += newlines as u64;
        self.offset = start;
        self.line
    }
}

fn read_jsonl(path: &Path) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = n as u64 + 1;
        let text = String::from_utf8_lossy(raw);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            other => {
                let why = match other {
                    Err(e) => format!("not JSON ({e})"),
                    Ok(_) => "not a JSON object".into(),
                };
                rows.push(Row {
                    line,
                    cells: Vec::new(),
                    raw: Raw::Line(text.to_string()),
                    broken: Some(why),
                });
                continue;
            }
        };
        if object.is_empty() {
            continue;
        }
        // A line of `export --deep`: the contact is imported, its activity is not.
        let object = match object.get("contact") {
            Some(Value::Object(c)) if !object.contains_key("email") => c.clone(),
            _ => object,
        };
        let mut cells = Vec::new();
        for (k, v) in &object {
            let i = match columns.iter().position(|c| c == k) {
                Some(i) => i,
                None => {
                    columns.push(k.clone());
                    columns.len() - 1
                }
            };
            cells.push((i, v.clone()));
        }
        rows.push(Row {
            line,
            cells,
            raw: Raw::Json(object),
            broken: None,
        });
    }
    Ok(Table {
        kind: Kind::Jsonl,
        columns,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_and_broken_ones_say_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        std::fs::write(
            &path,
            "\u{feff}email, First Name\na@x.io,Ann\n\n\"b@x.io\",\"Bo\nBo\"\nc@x.io\n",
        )
        .expect("write");
        let t = read(&path, Kind::Csv).expect("read");
        assert_eq!(t.columns, ["email", "First Name"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[1].cells[1].1, Value::String("Bo\nBo".into()));
        assert!(t.rows[2].broken.is_some(), "one cell where there are two");
    }

    #[test]
    fn json_lines_take_any_keys_and_an_exported_deep_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.jsonl");
        std::fs::write(
            &path,
            "{\"email\":\"a@x.io\",\"tags\":[\"vip\"]}\nnot json\n\n{\"contact\":{\"phone\":\"+1 212 555 0199\"},\"notes\":[]}\n",
        )
        .expect("write");
        let t = read(&path, Kind::Jsonl).expect("read");
        assert_eq!(t.columns, ["email", "tags", "phone"]);
        assert_eq!(t.rows.len(), 3);
        assert!(t.rows[1].broken.is_some());
        assert_eq!(t.rows[2].line, 4);
        assert_eq!(
            t.rows[2].cells,
            vec![(2, Value::String("+1 212 555 0199".into()))]
        );
    }
}
