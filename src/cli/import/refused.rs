//! The refused rows, to fix and import again: the same columns (or keys) as the file, the
//! cells as they were, and an `import_error` column saying which line and why. Importing this
//! file passes over that column. Appended whole rows only, and synced, so a resume cuts it
//! back to the length its checkpoint counted.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fields::ERROR_COLUMN;
use super::rows::{Kind, Raw, Row, Table};

/// `leads.csv` → `leads.refused.csv`.
pub fn default_path(input: &Path, kind: Kind) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    input.with_file_name(format!("{stem}.refused.{}", kind.extension()))
}

pub struct RefusedFile {
    pub path: PathBuf,
    file: File,
    kind: Kind,
    columns: usize,
    /// The file's own `import_error` column, when it is a refused file being imported again.
    error_at: Option<usize>,
    pub len: u64,
}

impl RefusedFile {
    /// Starts the file afresh (a CSV header), or goes on after `len` bytes of it.
    pub fn open(path: &Path, table: &Table, len: Option<u64>) -> io::Result<RefusedFile> {
        let file = crate::private::open_read_write(path)?;
        // Held while the import runs: two imports of one file would send its rows twice.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "another ghl-tui import of this file is running",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        let error_at = table.columns.iter().position(|c| c == ERROR_COLUMN);
        let mut out = RefusedFile {
            path: path.to_path_buf(),
            file,
            kind: table.kind,
            columns: table.columns.len(),
            error_at,
            len: 0,
        };
        match len {
            Some(len) => {
                if out.file.metadata()?.len() < len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "it is shorter than the checkpoint says (changed since?)",
                    ));
                }
                out.file.set_len(len)?;
                out.len = len;
            }
            None => {
                out.file.set_len(0)?;
                if table.kind == Kind::Csv {
                    let mut header: Vec<String> = table.columns.clone();
                    if error_at.is_none() {
                        header.push(ERROR_COLUMN.into());
                    }
                    let bytes = csv_line(header.iter().map(|h| h.as_bytes().to_vec()).collect())?;
                    out.write(&bytes)?;
                }
            }
        }
        Ok(out)
    }

    /// Appends `row` with `why` it was refused.
    pub fn add(&mut self, row: &Row, why: &str) -> io::Result<()> {
        let reason = format!("line {}: {why}", row.line);
        let bytes = match (&row.raw, self.kind) {
            (Raw::Csv(record), _) => {
                let mut cells: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
                let at = self.error_at.unwrap_or(self.columns);
                if cells.len() <= at {
                    cells.resize(at + 1, Vec::new());
                }
                cells[at] = reason.into_bytes();
                csv_line(cells)?
            }
            (Raw::Json(object), _) => {
                let mut o = object.clone();
                o.insert(ERROR_COLUMN.into(), Value::String(reason));
                json_line(&Value::Object(o))?
            }
            (Raw::Line(text), _) => json_line(&serde_json::json!({
                ERROR_COLUMN: reason,
                "unreadable": text,
            }))?,
        };
        self.write(&bytes)
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(self.len))?;
        self.file.write_all(bytes)?;
        self.file.sync_data()?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// The `import_error` cells written so far (for the report).
    pub fn reasons(&self) -> Vec<String> {
        match self.kind {
            Kind::Csv => {
                let Ok(mut r) = csv::ReaderBuilder::new()
                    .flexible(true)
                    .from_path(&self.path)
                else {
                    return Vec::new();
                };
                let at = r
                    .headers()
                    .ok()
                    .and_then(|h| h.iter().position(|c| c == ERROR_COLUMN));
                let Some(at) = at else {
                    return Vec::new();
                };
                r.records()
                    .filter_map(|rec| rec.ok()?.get(at).map(String::from))
                    .collect()
            }
            Kind::Jsonl => std::fs::read_to_string(&self.path)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let v: Value = serde_json::from_str(l).ok()?;
                    v.get(ERROR_COLUMN)?.as_str().map(String::from)
                })
                .collect(),
        }
    }
}

fn csv_line(cells: Vec<Vec<u8>>) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(&cells)?;
    w.into_inner().map_err(|e| e.into_error())
}

fn json_line(v: &Value) -> io::Result<Vec<u8>> {
    let mut out = serde_json::to_vec(v)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::rows;
    use super::*;

    #[test]
    fn refused_rows_keep_their_cells_and_say_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("leads.csv");
        std::fs::write(&input, "email,note\nbad,\"a, b\"\nok@x.io,\n").expect("write");
        let table = rows::read(&input, Kind::Csv).expect("read");
        let path = default_path(&input, Kind::Csv);
        assert!(path.ends_with("leads.refused.csv"));
        let mut out = RefusedFile::open(&path, &table, None).expect("open");
        out.add(&table.rows[0], "not an email").expect("add");
        let written = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            written,
            "email,note,import_error\nbad,\"a, b\",line 2: not an email\n"
        );
        assert_eq!(out.reasons(), ["line 2: not an email"]);
        // Imported again, its own import_error column is the one filled.
        let again = rows::read(&path, Kind::Csv).expect("read");
        let second = dir.path().join("second.csv");
        let mut out = RefusedFile::open(&second, &again, None).expect("open");
        out.add(&again.rows[0], "still not").expect("add");
        let written = std::fs::read_to_string(&second).expect("read");
        assert_eq!(
            written,
            "email,note,import_error\nbad,\"a, b\",line 2: still not\n"
        );
    }
}
