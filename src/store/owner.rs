//! The store's one owner: a thread that holds the SQLite connection and does, in order, what
//! it is sent. Nobody else touches the file, so the event loop never waits on SQLite or on a
//! disk: it sends work and gets the answers back as messages, or awaits them from a task.
//!
//! Drafts typed key by key are kept for a moment (`DRAFT_PAUSE` after the last key) and written
//! once, replacing each other; anything else sent meanwhile writes them first, so the file
//! always sees what happened in the order it happened (a draft saved and then discarded stays
//! discarded). Dropping the last handle, or `flush`, writes what is held.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Store, StoreError};

/// How long a draft waits for the next key before it is written.
pub const DRAFT_PAUSE: Duration = Duration::from_millis(300);

type Work = Box<dyn FnOnce(&Store) + Send>;
/// Told why a held draft could not be written.
type Report = Box<dyn FnOnce(String) + Send>;

enum Job {
    Run(Work),
    Draft {
        key: String,
        payload: Value,
        report: Report,
    },
    Flush(mpsc::Sender<()>),
}

/// The owner thread went away (it panicked, or the store was closed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the local store stopped working")]
pub struct StoreGone;

/// Sends work to the store's owner. Cheap to clone; the thread ends when the last is dropped.
#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Job>,
    path: Option<PathBuf>,
    send_lock: Option<PathBuf>,
}

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreHandle")
            .field("path", &self.path)
            .finish()
    }
}

/// Runs before each piece of work: nothing in the app, a stand-in for a slow disk when
/// measuring (`StoreHandle::stalled`), a gate in tests.
type Hook = Box<dyn Fn() + Send>;

impl StoreHandle {
    /// Gives `store` to a thread of its own.
    pub fn spawn(store: Store) -> StoreHandle {
        StoreHandle::with_hook(store, Box::new(|| {}))
    }

    /// A store whose every write (and read) first waits `stall`: the stand-in for a slow or
    /// stuck disk that the latency bench measures the event loop against.
    pub fn stalled(store: Store, stall: Duration) -> StoreHandle {
        StoreHandle::with_hook(store, Box::new(move || std::thread::sleep(stall)))
    }

    /// A store that runs `hook` before each piece of work (tests hold it shut with one).
    pub fn with_hook(store: Store, hook: Hook) -> StoreHandle {
        let (tx, rx) = mpsc::channel();
        let path = store.path().map(Path::to_path_buf);
        let send_lock = store.send_lock_path().map(Path::to_path_buf);
        let spawned = std::thread::Builder::new()
            .name("ghl-tui-store".into())
            .spawn(move || own(store, rx, hook));
        if let Err(e) = spawned {
            // Without a thread every call answers `StoreGone`, which the app says and keeps
            // the text for; nothing pretends to be saved.
            tracing::error!(error = %e, "could not start the store's thread");
        }
        StoreHandle {
            tx,
            path,
            send_lock,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The lock file taken while the outbox is sent (see `Store::send_lock_path`).
    pub fn send_lock_path(&self) -> Option<&Path> {
        self.send_lock.as_deref()
    }

    /// A store error as the user reads it: which file, and why.
    pub fn why(&self, e: impl std::fmt::Display) -> String {
        match &self.path {
            Some(p) => format!("{}: {e}", p.display()),
            None => e.to_string(),
        }
    }

    /// Runs `f` on the owner, after everything sent before it; the answer comes back on the
    /// future. The work is sent now, not when the future is first polled, so it keeps its
    /// place in the order even when awaited from a task that starts later.
    pub fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, StoreGone>> + Send + 'static {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.run(move |s| {
            let _ = done.send(f(s));
        });
        async move { answer.await.map_err(|_| StoreGone) }
    }

    /// As `call`, blocking this thread until the answer comes: for tools and tests, never the
    /// event loop.
    pub fn call_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> R + Send + 'static,
    ) -> Result<R, StoreGone> {
        let (done, answer) = mpsc::channel();
        self.run(move |s| {
            let _ = done.send(f(s));
        });
        answer.recv().map_err(|_| StoreGone)
    }

    /// As `call`, flattening the store's own error into the same one line.
    pub fn try_call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<R, StoreError> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, String>> + Send + 'static {
        let answer = self.call(f);
        let me = self.clone();
        async move {
            match answer.await {
                Ok(Ok(r)) => Ok(r),
                Ok(Err(e)) => Err(me.why(e)),
                Err(gone) => Err(me.why(gone)),
            }
        }
    }

    /// Runs `f` on the owner without waiting for it: `f` says what happened itself. Returns
    /// false when the owner is gone (and `f` never runs).
    pub fn run(&self, f: impl FnOnce(&Store) + Send + 'static) -> bool {
        self.tx.send(Job::Run(Box::new(f))).is_ok()
    }

    /// Whether the owner still takes work.
    pub fn alive(&self) -> bool {
        self.run(|_| {})
    }

    /// Keeps a draft of what is being typed: written once the keys pause, replaced by a newer
    /// one of the same key meanwhile. `report` hears why, if it could not be written.
    pub fn draft_later(
        &self,
        key: String,
        payload: Value,
        report: impl FnOnce(String) + Send + 'static,
    ) -> bool {
        self.tx
            .send(Job::Draft {
                key,
                payload,
                report: Box::new(report),
            })
            .is_ok()
    }

    /// Waits (blocking, at most `wait`) until everything sent before, held drafts included,
    /// is written. For the way out: quitting, a hangup, a terminal given to an editor.
    pub fn flush_blocking(&self, wait: Duration) -> bool {
        let (done, finished) = mpsc::channel();
        if self.tx.send(Job::Flush(done)).is_err() {
            return false;
        }
        finished.recv_timeout(wait).is_ok()
    }
}

/// A draft held until the keys pause.
struct Held {
    payload: Value,
    due: Instant,
    report: Report,
}

fn write_held(store: &Store, held: &mut HashMap<String, Held>, only_due: bool) {
    let now = Instant::now();
    let keys: Vec<String> = held
        .iter()
        .filter(|(_, h)| !only_due || h.due <= now)
        .map(|(k, _)| k.clone())
        .collect();
    for key in keys {
        if let Some(h) = held.remove(&key)
            && let Err(e) = store.save_draft(&key, &h.payload)
        {
            let why = match store.path() {
                Some(p) => format!("{}: {e}", p.display()),
                None => e.to_string(),
            };
            tracing::error!(error = %why, "a draft could not be kept");
            (h.report)(why);
        }
    }
}

/// Runs `f`; a panic in it is logged and stops only this piece of work (its caller hears
/// `StoreGone`), not the owner: every later piece still runs, in order.
fn guarded(what: &str, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        tracing::error!("the store's {what} failed on a bug; the store carries on");
    }
}

/// The owner's loop: one job at a time, in the order sent.
fn own(store: Store, rx: mpsc::Receiver<Job>, hook: Hook) {
    let mut held: HashMap<String, Held> = HashMap::new();
    loop {
        let next = match held.values().map(|h| h.due).min() {
            Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(Job::Draft {
                key,
                payload,
                report,
            }) => {
                held.insert(
                    key,
                    Held {
                        payload,
                        due: Instant::now() + DRAFT_PAUSE,
                        report,
                    },
                );
            }
            Ok(Job::Run(work)) => {
                guarded("wait", &hook);
                guarded("drafts", || write_held(&store, &mut held, false));
                guarded("work", || work(&store));
            }
            Ok(Job::Flush(done)) => {
                if !held.is_empty() {
                    guarded("wait", &hook);
                }
                guarded("drafts", || write_held(&store, &mut held, false));
                let _ = done.send(());
            }
            Err(RecvTimeoutError::Timeout) => {
                guarded("wait", &hook);
                guarded("drafts", || write_held(&store, &mut held, true));
            }
            Err(RecvTimeoutError::Disconnected) => {
                guarded("drafts", || write_held(&store, &mut held, false));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> StoreHandle {
        StoreHandle::spawn(Store::open_in_memory().expect("store"))
    }

    fn draft(h: &StoreHandle, key: &str) -> Option<Value> {
        let key = key.to_string();
        let (tx, rx) = mpsc::channel();
        h.run(move |s| {
            let _ = tx.send(s.draft(&key).expect("read").map(|d| d.payload));
        });
        rx.recv().expect("answer")
    }

    #[test]
    fn a_held_draft_is_written_once_flushed_and_the_newest_wins() {
        let h = store();
        h.draft_later("note:new:c1".into(), json!({"body": "Hel"}), |_| {});
        h.draft_later("note:new:c1".into(), json!({"body": "Hello"}), |_| {});
        assert!(h.flush_blocking(Duration::from_secs(10)));
        assert_eq!(draft(&h, "note:new:c1"), Some(json!({"body": "Hello"})));
    }

    #[test]
    fn work_sent_after_a_draft_sees_it_first() {
        let h = store();
        h.draft_later("note:new:c1".into(), json!({"body": "x"}), |_| {});
        // Discarded after it was typed: it must not come back when the pause ends.
        h.run(|s| s.discard_draft("note:new:c1").expect("discard"));
        assert!(h.flush_blocking(Duration::from_secs(10)));
        assert_eq!(draft(&h, "note:new:c1"), None);
    }

    #[test]
    fn a_held_draft_is_written_when_the_keys_pause() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s.sqlite3");
        let h = StoreHandle::spawn(Store::open(&path).expect("store"));
        h.draft_later("note:new:c1".into(), json!({"body": "paused"}), |_| {});
        // Read through a connection of its own: anything sent to the owner would write the
        // draft first, and nothing but the pause may. Waited for, not slept on.
        let reader = Store::open(&path).expect("second connection");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reader.draft("note:new:c1").expect("read").is_none() {
            assert!(Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(h);
    }

    #[test]
    fn dropping_the_last_handle_writes_what_is_held() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s.sqlite3");
        let h = StoreHandle::spawn(Store::open(&path).expect("store"));
        h.draft_later("note:new:c1".into(), json!({"body": "kept"}), |_| {});
        let (tx, rx) = mpsc::channel::<()>();
        // The thread ends after writing; its end is seen when this sender is dropped with it.
        h.run(move |_| drop(tx));
        drop(h);
        let _ = rx.recv();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let again = Store::open(&path).expect("reopen");
            if again.draft("note:new:c1").expect("read").is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "the held draft was lost");
            std::thread::yield_now();
        }
    }

    #[tokio::test]
    async fn a_call_keeps_its_place_before_it_is_awaited() {
        let h = store();
        // Sent before the discard, awaited after it: it must still run first.
        let saved = h.call(|s| s.save_draft("k", &json!(1)));
        h.run(|s| s.discard_draft("k").expect("discard"));
        saved.await.expect("answer").expect("saved");
        assert_eq!(draft(&h, "k"), None, "the discard came after the save");
    }

    #[tokio::test]
    async fn calls_answer_in_order_and_a_bug_stops_only_its_own_work() {
        let h = store();
        let id = h
            .try_call(|s| {
                s.save_draft("k", &json!(1))?;
                s.draft("k")
            })
            .await
            .expect("answer");
        assert!(id.is_some());
        // A piece of work that panics: its caller hears so, and the owner carries on.
        assert_eq!(h.call(|_| -> i32 { panic!("a bug") }).await, Err(StoreGone));
        assert_eq!(h.call(|_| 2).await, Ok(2));
        assert!(h.alive());
        // A store whose every wait panics still answers (the wait is skipped, not the work).
        let shaky = StoreHandle::with_hook(
            Store::open_in_memory().expect("store"),
            Box::new(|| panic!("the disk caught fire")),
        );
        assert_eq!(shaky.call(|_| 1).await, Ok(1));
        assert!(shaky.flush_blocking(Duration::from_secs(30)));
    }
}
