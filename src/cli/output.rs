//! How a command's records reach stdout: a table on a terminal (tab-separated when piped, for
//! `cut` and `awk`), or `--json` (one document), `--jsonl` (one object a line), `--csv`. JSON
//! is the API's own shape, unknown fields kept; tables and CSV show chosen columns.

use std::io::{self, IsTerminal, Write};

use serde_json::Value;

/// The output format a command was asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Columns for people: aligned on a terminal, tab-separated when piped.
    #[default]
    Table,
    Json,
    Jsonl,
    Csv,
}

/// One column of a table or CSV: its header, and how a record gives its cell.
pub struct Column {
    pub header: &'static str,
    pub cell: fn(&Value) -> String,
}

/// A record's `id`, the last column of most tables.
pub const ID: Column = Column {
    header: "ID",
    cell: |v| text(v, "id"),
};

/// Where records go, and how.
pub struct Out {
    pub format: Format,
    /// Stdout is a terminal: a table is aligned (and may be coloured).
    pub terminal: bool,
    /// Bold headers: a terminal, and colour not turned off.
    pub color: bool,
}

impl Out {
    /// As asked, for the process's own stdout.
    pub fn stdout(format: Format, color: bool) -> Out {
        let terminal = io::stdout().is_terminal();
        Out {
            format,
            terminal,
            color: color && terminal,
        }
    }

    /// A list of records (`list`, `search`): a JSON array with `--json`.
    pub fn records(
        &self,
        w: &mut impl Write,
        items: &[Value],
        columns: &[Column],
    ) -> io::Result<()> {
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, items)?;
                writeln!(w)
            }
            Format::Jsonl => {
                for item in items {
                    serde_json::to_writer(&mut *w, item)?;
                    writeln!(w)?;
                }
                Ok(())
            }
            Format::Csv => write_csv(w, items, columns),
            Format::Table => self.table(w, items, columns),
        }
    }

    /// One record (`show`, the answer to a write): the object itself with `--json`.
    pub fn record(&self, w: &mut impl Write, item: &Value, columns: &[Column]) -> io::Result<()> {
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, item)?;
                writeln!(w)
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut *w, item)?;
                writeln!(w)
            }
            Format::Csv => write_csv(w, std::slice::from_ref(item), columns),
            Format::Table if self.terminal => {
                // One record reads better down the page: a label and its value a line.
                let width = columns.iter().map(|c| c.header.len()).max().unwrap_or(0);
                for c in columns {
                    let v = clean((c.cell)(item));
                    if !v.is_empty() {
                        writeln!(w, "{:<width$}  {v}", self.head(c.header), width = width)?;
                    }
                }
                Ok(())
            }
            Format::Table => self.table(w, std::slice::from_ref(item), columns),
        }
    }

    fn head(&self, h: &str) -> String {
        if self.color {
            format!("\x1b[1m{h}\x1b[0m")
        } else {
            h.to_string()
        }
    }

    fn table(&self, w: &mut impl Write, items: &[Value], columns: &[Column]) -> io::Result<()> {
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| columns.iter().map(|c| clean((c.cell)(item))).collect())
            .collect();
        if !self.terminal {
            // Piped: a header and tab-separated cells, nothing cut.
            let head: Vec<&str> = columns.iter().map(|c| c.header).collect();
            writeln!(w, "{}", head.join("\t"))?;
            for r in &rows {
                writeln!(w, "{}", r.join("\t"))?;
            }
            return Ok(());
        }
        // Each column as wide as its widest cell, up to 40; the last one is not padded.
        let widths: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                rows.iter()
                    .map(|r| crate::text::width(&r[i]))
                    .chain([c.header.len()])
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let line = |cells: Vec<String>| -> String {
            let last = cells.len().saturating_sub(1);
            cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == last {
                        crate::text::fit(&c, 60)
                    } else {
                        let cut = crate::text::fit(&c, widths[i]);
                        let pad = widths[i].saturating_sub(crate::text::width(&cut));
                        format!("{cut}{}", " ".repeat(pad))
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let head = line(columns.iter().map(|c| c.header.to_string()).collect());
        writeln!(w, "{}", self.head(head.trim_end()))?;
        for r in rows {
            writeln!(w, "{}", line(r).trim_end())?;
        }
        Ok(())
    }
}

/// Writes `items` to stdout; a reader that went away (`| head`) is not an error.
pub fn print_records(out: &Out, items: &[Value], columns: &[Column]) -> super::Outcome {
    let mut stdout = io::stdout().lock();
    written(out.records(&mut stdout, items, columns))
}

/// Writes one record to stdout.
pub fn print_record(out: &Out, item: &Value, columns: &[Column]) -> super::Outcome {
    let mut stdout = io::stdout().lock();
    written(out.record(&mut stdout, item, columns))
}

fn written(r: io::Result<()>) -> super::Outcome {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(super::Failure::new(
            super::exit::ERROR,
            format!("could not write the output: {e}"),
        )),
    }
}

/// What a cell may hold on a terminal or in a tab-separated line: one line, no control
/// characters, no tabs.
fn clean(s: String) -> String {
    crate::sanitize::line(&s).replace('\t', " ")
}

fn write_csv(w: &mut impl Write, items: &[Value], columns: &[Column]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(columns.iter().map(|c| c.header))?;
    for item in items {
        csv.write_record(columns.iter().map(|c| csv_cell((c.cell)(item))))?;
    }
    csv.flush()
}

/// A CSV cell keeps its line breaks and tabs (a note's paragraphs are data) but loses other
/// control characters: a file `cat` to a terminal must not drive it.
pub fn csv_cell(s: String) -> String {
    if !s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return s;
    }
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect()
}

/// A string field of a record, or empty.
pub fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A list of strings (tags), joined with `, ` (or `;` in CSV, where commas are the separator
/// already: both read back the same).
pub fn list(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COLS: &[Column] = &[
        Column {
            header: "name",
            cell: |v| text(v, "name"),
        },
        Column {
            header: "tags",
            cell: |v| list(v, "tags"),
        },
    ];

    fn out(format: Format, terminal: bool) -> Out {
        Out {
            format,
            terminal,
            color: false,
        }
    }

    fn written(o: &Out, items: &[Value]) -> String {
        let mut buf = Vec::new();
        o.records(&mut buf, items, COLS).expect("write");
        String::from_utf8(buf).expect("utf-8")
    }

    #[test]
    fn each_format_says_the_same_records() {
        let items = vec![
            json!({"name": "Ann, \"the\" first", "tags": ["a", "b"], "extra": {"kept": 1}}),
            json!({"name": "Bo\tb\u{1b}[31m", "tags": []}),
        ];
        let j: Value = serde_json::from_str(&written(&out(Format::Json, false), &items))
            .expect("one JSON document");
        assert_eq!(j, Value::Array(items.clone()), "the records whole");
        let lines = written(&out(Format::Jsonl, false), &items);
        assert_eq!(lines.lines().count(), 2);
        for (l, item) in lines.lines().zip(&items) {
            assert_eq!(&serde_json::from_str::<Value>(l).expect("a line"), item);
        }
        let csv = written(&out(Format::Csv, false), &items);
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(r.headers().expect("header"), vec!["name", "tags"]);
        let first = r.records().next().expect("a row").expect("parsed");
        assert_eq!(&first[0], "Ann, \"the\" first");
        assert_eq!(&first[1], "a, b");
        assert!(!csv.contains('\u{1b}'), "no escape in CSV: {csv:?}");
        let tsv = written(&out(Format::Table, false), &items);
        assert_eq!(tsv.lines().next(), Some("name\ttags"));
        assert!(!tsv.contains('\u{1b}'), "no control characters: {tsv:?}");
        assert_eq!(tsv.lines().nth(2).map(|l| l.split('\t').count()), Some(2));
        // One record down the page on a terminal: cleaned too.
        let mut buf = Vec::new();
        out(Format::Table, true)
            .record(&mut buf, &items[1], COLS)
            .expect("write");
        assert!(!String::from_utf8_lossy(&buf).contains('\u{1b}'));
    }
}
