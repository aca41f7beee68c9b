//! A thread that owns one value (a SQLite connection) and runs, in order, what it is sent:
//! the event loop never waits on a disk. A panic in one piece of work ends only that piece;
//! its caller is told the owner is gone for that call, and the thread goes on.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use super::StoreGone;

type Job<T> = Box<dyn FnOnce(&mut T) + Send>;

pub struct Worker<T> {
    tx: mpsc::Sender<Job<T>>,
}

impl<T> Clone for Worker<T> {
    fn clone(&self) -> Self {
        Worker {
            tx: self.tx.clone(),
        }
    }
}

impl<T: Send + 'static> Worker<T> {
    /// Gives `value` to a thread named `name`; it ends when the last handle is dropped.
    pub fn spawn(name: &str, mut value: T) -> Worker<T> {
        let (tx, rx) = mpsc::channel::<Job<T>>();
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for job in rx {
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut value))).is_err() {
                        tracing::error!("a piece of local work failed; the rest goes on");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a worker thread");
        }
        Worker { tx }
    }

    /// Runs `f` after everything sent before; the answer comes back on the future. Sent now,
    /// so it keeps its place in the order whenever it is awaited.
    pub fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut T) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, StoreGone>> + Send + 'static {
        let (done, answer) = tokio::sync::oneshot::channel();
        let sent = self.tx.send(Box::new(move |v: &mut T| {
            let _ = done.send(f(v));
        }));
        async move {
            sent.map_err(|_| StoreGone)?;
            answer.await.map_err(|_| StoreGone)
        }
    }

    /// Runs `f` after everything sent before, with no answer wanted.
    pub fn run(&self, f: impl FnOnce(&mut T) + Send + 'static) {
        if self.tx.send(Box::new(f)).is_err() {
            tracing::error!("a worker thread is gone; the work was not done");
        }
    }

    /// As `call`, waited for on this thread (for threads that are not the event loop).
    pub fn call_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut T) -> R + Send + 'static,
    ) -> Result<R, StoreGone> {
        let (done, answer) = mpsc::channel();
        self.tx
            .send(Box::new(move |v: &mut T| {
                let _ = done.send(f(v));
            }))
            .map_err(|_| StoreGone)?;
        answer.recv().map_err(|_| StoreGone)
    }

    pub fn alive(&self) -> bool {
        self.tx.send(Box::new(|_| {})).is_ok()
    }
}
