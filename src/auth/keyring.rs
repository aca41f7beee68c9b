//! The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
//! through keyring-core. Every call runs on a thread of its own with a deadline: a session bus
//! that accepts but never answers (a stale address over SSH) would otherwise hang the app.

use std::sync::Arc;
use std::time::Duration;

use keyring_core::CredentialStore;

pub(crate) const SERVICE: &str = "ghl-tui";
/// A keyring that has not answered by then is treated as absent.
const DEADLINE: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Keyring {
    store: Arc<CredentialStore>,
    /// Set once a call has not answered in time: the store may be stuck behind that call, so
    /// later ones would only hang too. The file serves from then on.
    stuck: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring")
    }
}

/// Runs `f` on its own thread; gives up waiting after the deadline (the thread is left to
/// finish or hang on its own, and never holds up the exit).
fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> keyring_core::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| Failure::Error(format!("can't start a thread: {e}")))?;
    match rx.recv_timeout(DEADLINE) {
        Ok(result) => result.map_err(|e| Failure::Error(describe(&e))),
        Err(_) => Err(Failure::Timeout),
    }
}

enum Failure {
    Error(String),
    Timeout,
}

/// What went wrong, in words that never carry the secret (`BadEncoding` holds its bytes).
fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error;
    match e {
        Error::PlatformFailure(e) => format!("the keyring failed: {e}"),
        Error::NoStorageAccess(e) => format!("the keyring is locked or refused access: {e}"),
        Error::NoEntry => "nothing stored".into(),
        Error::BadEncoding(_) | Error::BadDataFormat(..) => {
            "the keyring entry is not what ghl-tui stores".into()
        }
        Error::TooLong(what, max) => format!("too long for the keyring ({what}, max {max})"),
        _ => "the keyring could not be used".into(),
    }
}

impl Keyring {
    /// The platform's keyring, if one answers.
    pub fn os() -> Result<Keyring, String> {
        match off_thread(platform_store) {
            Ok(store) => Ok(Keyring::with_store(store)),
            Err(Failure::Error(why)) => Err(why),
            Err(Failure::Timeout) => Err("the keyring did not answer".into()),
        }
    }

    /// Any keyring-core store (the tests use its in-memory mock).
    pub fn with_store(store: Arc<CredentialStore>) -> Keyring {
        Keyring {
            store,
            stuck: Arc::default(),
        }
    }

    /// Runs `f` on an entry of this keyring, unless an earlier call got stuck.
    fn with_entry<T: Send + 'static>(
        &self,
        user: &str,
        f: impl FnOnce(keyring_core::Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        use std::sync::atomic::Ordering;
        if self.stuck.load(Ordering::SeqCst) {
            return Err("the keyring stopped answering".into());
        }
        let (store, user) = (self.store.clone(), user.to_string());
        match off_thread(move || f(store.build(SERVICE, &user, None)?)) {
            Ok(v) => Ok(v),
            Err(Failure::Error(why)) => Err(why),
            Err(Failure::Timeout) => {
                self.stuck.store(true, Ordering::SeqCst);
                Err("the keyring did not answer".into())
            }
        }
    }

    pub fn get(&self, user: &str) -> Result<Option<String>, String> {
        self.with_entry(user, |entry| match entry.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
    }

    pub fn set(&self, user: &str, secret: &str) -> Result<(), String> {
        let secret = secret.to_string();
        self.with_entry(user, move |entry| entry.set_password(&secret))
    }

    /// Removes the entry; one that is not there is already removed.
    pub fn delete(&self, user: &str) -> Result<(), String> {
        self.with_entry(user, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(windows)]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore(
        "no keyring on this platform".into(),
    ))
}
