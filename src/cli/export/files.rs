//! JSON lines and CSV, to files (resumable) or to stdout (not). A file is only ever appended
//! whole records, synced, and then counted in the checkpoint `<out>.export-progress`; a
//! resume cuts each file back to the length counted, so a record a kill left after the last
//! checkpoint (or half written) is written once more, never twice.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::checkpoint;
use super::columns::Record;
use super::progress::Progress;
use super::sink::{Lines, Sink, Table};

/// `all.csv` → `all.notes.csv`; `dump` → `dump.notes.csv`.
pub fn sidecar(out: &Path, table: Table) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".csv")
        .or_else(|| name.strip_suffix(".CSV"))
        .unwrap_or(&name);
    out.with_file_name(format!("{stem}.{}.csv", table.name()))
}

/// The files an export writes: the contacts', then with `--deep` in CSV one per activity.
pub fn paths(out: &Path, lines: &Lines, deep: bool) -> Vec<(Table, PathBuf)> {
    let mut all = vec![(Table::Contacts, out.to_path_buf())];
    if deep && matches!(lines, Lines::Csv { .. }) {
        all.extend(Table::ACTIVITY.map(|t| (t, sidecar(out, t))));
    }
    all
}

struct OutFile {
    table: Table,
    file: File,
}

pub struct FileSink {
    lines: Lines,
    files: Vec<OutFile>,
    checkpoint: PathBuf,
}

/// Opens (creating) the contacts file and takes its lock: two exports into one file would
/// interleave their records.
pub fn claim(out: &Path) -> io::Result<File> {
    let file = crate::private::open_read_write(out)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "another ghl-tui export is writing it",
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

impl FileSink {
    /// Empties the files (the contacts file is `claimed`, locked) and starts them: CSV
    /// headers, then a first checkpoint.
    pub fn fresh(
        claimed: File,
        out: &Path,
        lines: Lines,
        deep: bool,
        progress: &mut Progress,
    ) -> io::Result<FileSink> {
        let mut files = Vec::new();
        for (table, path) in paths(out, &lines, deep) {
            let file = if table == Table::Contacts {
                claimed.try_clone()?
            } else {
                crate::private::open_read_write(&path)?
            };
            file.set_len(0)?;
            files.push(OutFile { table, file });
        }
        let mut sink = FileSink {
            lines,
            files,
            checkpoint: checkpoint::beside(out, super::target::PROGRESS),
        };
        progress.lengths = vec![0; sink.files.len()];
        for (i, f) in sink.files.iter_mut().enumerate() {
            let header = sink.lines.header(f.table)?;
            f.file.seek(SeekFrom::Start(0))?;
            f.file.write_all(&header)?;
            f.file.sync_data()?;
            progress.lengths[i] = header.len() as u64;
        }
        checkpoint::save(&sink.checkpoint, progress)?;
        Ok(sink)
    }

    /// Cuts each file back to what `progress` counted, to go on after it.
    pub fn resume(
        claimed: File,
        out: &Path,
        lines: Lines,
        deep: bool,
        progress: &Progress,
    ) -> Result<FileSink, String> {
        let all = paths(out, &lines, deep);
        if all.len() != progress.lengths.len() {
            return Err("its checkpoint does not name its files".into());
        }
        let mut files = Vec::new();
        for ((table, path), &len) in all.into_iter().zip(&progress.lengths) {
            let file = if table == Table::Contacts {
                claimed.try_clone()
            } else {
                crate::private::open_read_write(&path)
            }
            .map_err(|e| format!("{}: {e}", path.display()))?;
            let now = file
                .metadata()
                .map_err(|e| format!("{}: {e}", path.display()))?
                .len();
            if now < len {
                return Err(format!(
                    "{} is shorter than its checkpoint says (changed since?)",
                    path.display()
                ));
            }
            file.set_len(len)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            files.push(OutFile { table, file });
        }
        Ok(FileSink {
            lines,
            files,
            checkpoint: checkpoint::beside(out, super::target::PROGRESS),
        })
    }
}

impl Sink for FileSink {
    fn commit(&mut self, records: &[Record], progress: &mut Progress) -> io::Result<()> {
        progress.lengths.resize(self.files.len(), 0);
        for (i, f) in self.files.iter_mut().enumerate() {
            let bytes = self.lines.encode(f.table, records)?;
            if bytes.is_empty() {
                continue;
            }
            // Appended at the counted length: never after bytes a failed write left.
            f.file.seek(SeekFrom::Start(progress.lengths[i]))?;
            f.file.write_all(&bytes)?;
            f.file.sync_data()?;
            progress.lengths[i] += bytes.len() as u64;
        }
        checkpoint::save(&self.checkpoint, progress)
    }

    fn finish(&mut self) -> io::Result<()> {
        for f in &self.files {
            f.file.sync_all()?;
        }
        checkpoint::remove(&self.checkpoint)
    }
}

/// Stdout: the same lines, nothing to resume from.
pub struct StdoutSink {
    lines: Lines,
}

impl StdoutSink {
    pub fn start(lines: Lines) -> io::Result<StdoutSink> {
        let header = lines.header(Table::Contacts)?;
        let mut out = io::stdout().lock();
        out.write_all(&header)?;
        out.flush()?;
        Ok(StdoutSink { lines })
    }
}

impl Sink for StdoutSink {
    fn commit(&mut self, records: &[Record], _: &mut Progress) -> io::Result<()> {
        let bytes = self.lines.encode(Table::Contacts, records)?;
        let mut out = io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        io::stdout().lock().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::export::progress::Identity;
    use serde_json::json;

    fn record(i: u32) -> Record {
        Record {
            contact: json!({"id": format!("c{i}"), "firstName": "Ann\nMarie"}),
            deep: None,
        }
    }

    fn identity() -> Identity {
        Identity {
            format: "jsonl".into(),
            deep: false,
            location_id: "L".into(),
        }
    }

    #[test]
    fn a_resume_cuts_what_the_checkpoint_did_not_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("all.jsonl");
        let mut progress = Progress::new(identity());
        let mut sink = FileSink::fresh(
            claim(&out).expect("claim"),
            &out,
            Lines::Jsonl,
            false,
            &mut progress,
        )
        .expect("fresh");
        sink.commit(&[record(1), record(2)], &mut progress)
            .expect("commit");
        drop(sink);
        // A kill after a write, before its checkpoint: half a line and a whole one.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&out)
            .expect("open");
        f.write_all(b"{\"id\":\"c3\"}\n{\"id\":").expect("write");
        drop(f);
        let saved: Progress = checkpoint::load(&checkpoint::beside(&out, ".export-progress"))
            .expect("read")
            .expect("a checkpoint");
        let mut sink = FileSink::resume(
            claim(&out).expect("claim"),
            &out,
            Lines::Jsonl,
            false,
            &saved,
        )
        .expect("resume");
        let mut progress = saved;
        sink.commit(&[record(3)], &mut progress).expect("commit");
        sink.finish().expect("finish");
        let text = std::fs::read_to_string(&out).expect("read");
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("a whole line")["id"]
                    .to_string()
            })
            .collect();
        assert_eq!(ids, ["\"c1\"", "\"c2\"", "\"c3\""]);
        assert!(!checkpoint::beside(&out, ".export-progress").exists());
    }

    #[test]
    fn one_export_at_a_time_per_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("all.jsonl");
        let _held = claim(&out).expect("first");
        let second = claim(&out).expect_err("second");
        assert_eq!(second.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn sidecars_sit_beside_the_contacts() {
        assert_eq!(
            sidecar(Path::new("/x/all.csv"), Table::Notes),
            Path::new("/x/all.notes.csv")
        );
        assert_eq!(
            sidecar(Path::new("dump"), Table::Tasks),
            Path::new("dump.tasks.csv")
        );
    }
}
