//! Files and folders with user data, readable by the user alone: folders 0700, files 0600,
//! whatever the umask says.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed. The app's own folder (the last one) is made, or
/// tightened to, 0700; parents that already exist (`~/.local/share`) are left as they are.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir)?;
    }
    tighten(dir, 0o700)
}

/// Creates the file with mode 0600 if it does not exist, and tightens it if it does.
pub fn touch(path: &Path) -> io::Result<()> {
    open_append(path).map(drop)
}

/// Opens `path` for appending, creating it 0600 (and tightening an existing one).
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    tighten(path, 0o600)?;
    Ok(file)
}

/// Opens `path` to read and write where it stands (created 0600, never truncated): a file a
/// batch job appends to and cuts back on resume.
pub fn open_read_write(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Opens (creating 0600) a lock file and waits for its exclusive lock. Blocking: call it off
/// the event loop.
pub fn lock_file(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    tighten(path, 0o600)?;
    file.lock()?;
    Ok(file)
}

/// Tightens the mode where the file system allows it. Some do not (network shares, WSL's
/// Windows drives, folders governed by ACLs): there the file is still used, and the log says
/// it could not be made private, rather than the app refusing to keep anything.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if now != mode
        && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    {
        tracing::warn!(path = %path.display(), error = %e, "could not make it private");
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

/// A poisoned lock still guards consistent data here: every holder leaves it whole between
/// statements, so a panic elsewhere is no reason to stop everything.
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
    }

    #[test]
    fn folders_are_0700_and_files_0600_even_when_they_existed() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("a").join("ghl-tui");
        create_dir(&dir).expect("dir");
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        create_dir(&dir).expect("again");
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("x.log");
        std::fs::write(&file, b"old").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        touch(&file).expect("touch");
        assert_eq!(mode(&file), 0o600);
        let lock = dir.join("x.sending");
        drop(lock_file(&lock).expect("lock"));
        assert_eq!(mode(&lock), 0o600);
    }
}
