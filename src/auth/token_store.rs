//! Where a profile's sign-in is kept: the OS keyring where one answers, else the 0600 file.
//! Reading tries the keyring first, so a sign-in saved there is never shadowed by an old file;
//! a save to the keyring removes the file, so no copy of the tokens is left on disk.

use super::keyring::Keyring;
use super::token_file::{TokenFile, TokenSet};

#[derive(Clone, Debug)]
pub struct TokenStore {
    profile: String,
    file: TokenFile,
    keyring: Option<Keyring>,
}

/// Where a save went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    Keyring,
    /// In the file, and why not in the keyring.
    File(String),
}

impl TokenStore {
    /// `keyring`: `None` keeps the sign-in in the file alone (no keyring answered, or the
    /// user chose `token_store = "file"`).
    pub fn new(profile: &str, file: TokenFile, keyring: Option<Keyring>) -> TokenStore {
        TokenStore {
            profile: profile.to_string(),
            file,
            keyring,
        }
    }

    /// A store in the file alone.
    pub fn file_only(file: TokenFile) -> TokenStore {
        TokenStore::new("default", file, None)
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The lock two sessions of this profile take around a refresh (beside the token file).
    pub fn lock_path(&self) -> std::path::PathBuf {
        self.file.path().with_extension("lock")
    }

    pub fn file(&self) -> &TokenFile {
        &self.file
    }

    fn account(&self) -> String {
        format!("profile:{}", self.profile)
    }

    /// The sign-in, from the keyring or the file; if both hold one (a save fell back to the
    /// file and the keyring could not be cleared), the later one.
    pub fn load(&self) -> std::io::Result<Option<TokenSet>> {
        self.read().map(|(set, _)| set)
    }

    /// Like `load`, but "nothing" only when every store said so: an error when the keyring
    /// did not answer and the file holds nothing, since the sign-in may be in the keyring.
    pub fn load_sure(&self) -> std::io::Result<Option<TokenSet>> {
        match self.read()? {
            (None, Some(why)) => Err(std::io::Error::other(why)),
            (set, _) => Ok(set),
        }
    }

    /// The sign-in, and why the keyring could not be read if it could not.
    fn read(&self) -> std::io::Result<(Option<TokenSet>, Option<String>)> {
        let mut unread = None;
        let from_keyring = match &self.keyring {
            Some(keyring) => match keyring.get(&self.account()) {
                Ok(Some(raw)) => Some(
                    serde_json::from_str::<TokenSet>(&raw)
                        .map_err(|_| std::io::Error::other("the keyring entry is not a sign-in"))?,
                ),
                Ok(None) => None,
                Err(why) => {
                    tracing::warn!(%why, "keyring unavailable; reading the file");
                    unread = Some(why);
                    None
                }
            },
            None => None,
        };
        let from_file = self.file.load()?;
        let set = match (from_keyring, from_file) {
            (Some(k), Some(f)) => Some(if f.expires_at > k.expires_at { f } else { k }),
            (k, f) => k.or(f),
        };
        Ok((set, unread))
    }

    pub fn save(&self, set: &TokenSet) -> std::io::Result<Kept> {
        let why = match &self.keyring {
            Some(keyring) => {
                let raw = serde_json::to_string(set).map_err(std::io::Error::other)?;
                match keyring.set(&self.account(), &raw) {
                    Ok(()) => {
                        // The keyring holds it now: no second copy on disk.
                        if let Err(e) = self.file.remove() {
                            tracing::warn!(error = %e, "could not remove the old token file");
                        }
                        return Ok(Kept::Keyring);
                    }
                    Err(why) => {
                        tracing::warn!(%why, "keyring refused the sign-in; using the file");
                        // The file first: if it cannot be written either, the keyring's
                        // older pair is all there is, and must not be gone too.
                        self.file.save(set)?;
                        // An older sign-in left there must not be read instead of this one.
                        if let Err(e) = keyring.delete(&self.account()) {
                            tracing::warn!(error = %e, "could not clear the keyring entry");
                        }
                        return Ok(Kept::File(why));
                    }
                }
            }
            None => "no keyring in use".to_string(),
        };
        self.file.save(set)?;
        Ok(Kept::File(why))
    }

    /// Forgets the sign-in everywhere it may be.
    pub fn remove(&self) -> std::io::Result<()> {
        let from_keyring = match &self.keyring {
            Some(keyring) => keyring.delete(&self.account()),
            None => Ok(()),
        };
        self.file.remove()?;
        // The refresh lock holds nothing, but nothing of the sign-in should stay behind.
        let _ = std::fs::remove_file(self.lock_path());
        from_keyring.map_err(std::io::Error::other)
    }

    /// Where the sign-in is, for `auth status` and `login` (never what it is).
    pub fn describe(&self) -> String {
        if let Some(keyring) = &self.keyring
            && let Ok(Some(_)) = keyring.get(&self.account())
        {
            return format!("the OS keyring (service ghl-tui, {})", self.account());
        }
        self.file.path().display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::token_file::tests::set;

    fn mock() -> Keyring {
        Keyring::with_store(keyring_core::mock::Store::new().expect("mock store"))
    }

    #[test]
    fn the_keyring_is_used_and_no_copy_stays_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = TokenFile::new(dir.path().join("t.json"));
        // An older sign-in in the file, from before the keyring was there.
        file.save(&set("old")).expect("old file");
        let store = TokenStore::new("work", file.clone(), Some(mock()));
        assert_eq!(store.save(&set("new")).expect("save"), Kept::Keyring);
        assert!(!file.path().exists(), "the file copy is gone");
        assert_eq!(store.load().expect("load"), Some(set("new")));
        assert!(store.describe().contains("keyring"), "{}", store.describe());
        store.remove().expect("remove");
        assert_eq!(store.load().expect("load"), None);
    }

    /// The mock hands every build of an entry the same credential: the next call on the
    /// profile's entry fails.
    fn fail_next_call(mock_store: &std::sync::Arc<keyring_core::mock::Store>, profile: &str) {
        let entry = keyring_core::api::CredentialStoreApi::build(
            mock_store.as_ref(),
            crate::auth::keyring::SERVICE,
            &format!("profile:{profile}"),
            None,
        )
        .expect("entry");
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().expect("mock");
        cred.set_error(keyring_core::Error::PlatformFailure("locked".into()));
    }

    #[test]
    fn a_keyring_that_fails_is_not_taken_for_an_empty_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mock_store = keyring_core::mock::Store::new().expect("mock store");
        let store = TokenStore::new(
            "w",
            TokenFile::new(dir.path().join("t.json")),
            Some(Keyring::with_store(mock_store.clone())),
        );
        assert_eq!(store.load_sure().expect("answered"), None);
        fail_next_call(&mock_store, "w");
        assert!(store.load_sure().is_err(), "unknown is not nothing");
        assert_eq!(store.load().expect("plain load"), None);
    }

    #[test]
    fn a_save_that_fits_nowhere_leaves_the_keyring_copy() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The token file's folder is a file: no token file can be written.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "").expect("blocker");
        let mock_store = keyring_core::mock::Store::new().expect("mock store");
        let keyring = Keyring::with_store(mock_store.clone());
        let store = TokenStore::new(
            "w",
            TokenFile::new(blocker.join("t.json")),
            Some(keyring.clone()),
        );
        assert_eq!(store.save(&set("old")).expect("keyring"), Kept::Keyring);
        fail_next_call(&mock_store, "w");
        assert!(store.save(&set("new")).is_err(), "stored nowhere");
        let kept = keyring
            .get("profile:w")
            .expect("read")
            .expect("still there");
        assert!(
            kept.contains("old"),
            "the last good pair is not thrown away"
        );
    }

    #[test]
    fn of_two_copies_the_later_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = TokenFile::new(dir.path().join("t.json"));
        let store = TokenStore::new("w", file.clone(), Some(mock()));
        store.save(&set("older")).expect("into the keyring");
        // A later save that only reached the file (the keyring refused it then).
        let mut later = set("later");
        later.expires_at += 60;
        file.save(&later).expect("file");
        assert_eq!(store.load().expect("load"), Some(later));
    }

    #[test]
    fn profiles_are_apart_in_the_keyring() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keyring = mock();
        let a = TokenStore::new(
            "a",
            TokenFile::new(dir.path().join("a.json")),
            Some(keyring.clone()),
        );
        let b = TokenStore::new(
            "b",
            TokenFile::new(dir.path().join("b.json")),
            Some(keyring),
        );
        a.save(&set("token-a")).expect("save a");
        assert_eq!(b.load().expect("load b"), None);
        b.save(&set("token-b")).expect("save b");
        assert_eq!(a.load().expect("load a"), Some(set("token-a")));
    }

    #[test]
    fn without_a_keyring_the_file_is_used_and_says_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = TokenFile::new(dir.path().join("t.json"));
        let store = TokenStore::new("x", file.clone(), None);
        assert!(matches!(
            store.save(&set("a")).expect("save"),
            Kept::File(_)
        ));
        assert_eq!(file.load().expect("file"), Some(set("a")));
        assert_eq!(store.describe(), file.path().display().to_string());
        store.remove().expect("remove");
        assert!(!file.path().exists());
    }
}
