//! A job's checkpoint beside its file, replaced atomically (a temporary file renamed over it),
//! so a kill at any moment leaves the old checkpoint or the new one, never half of either.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// `<path><suffix>`: `all.jsonl` → `all.jsonl.export-progress`.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// The checkpoint at `path`, if there is one. One that cannot be read is an error: it is not
/// silently replaced, which would export or import everything again.
pub fn load<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `value` to `path` through a temporary file in the same folder (0600: it names the
/// location), synced before the rename so a power cut does not leave it empty either.
pub fn save<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ghl-tui-progress")
        .tempfile_in(dir)?;
    serde_json::to_writer(&mut tmp, value)?;
    tmp.flush()?;
    tmp.as_file().sync_data()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes the checkpoint of a finished job.
pub fn remove(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_is_loaded_and_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = beside(&dir.path().join("all.jsonl"), ".export-progress");
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some("all.jsonl.export-progress")
        );
        assert_eq!(load::<Vec<u64>>(&path).expect("read"), None);
        save(&path, &vec![1u64, 2]).expect("saved");
        save(&path, &vec![3u64]).expect("replaced");
        assert_eq!(load::<Vec<u64>>(&path).expect("read"), Some(vec![3]));
        std::fs::write(&path, b"{half").expect("write");
        assert!(load::<Vec<u64>>(&path).is_err(), "a damaged one is said");
        remove(&path).expect("removed");
        remove(&path).expect("twice is fine");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(left.is_empty(), "no temporary files left: {left:?}");
    }
}
