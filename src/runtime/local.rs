//! The event loop's side of the local store: every effect on the outbox and the drafts is sent
//! to the store's owner thread (`store::StoreHandle`) and answered as a message, so the loop
//! never waits on SQLite. A change is recorded first; only when the store answers that it is
//! does the replay that sends it start.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::Tx;
use super::pending::pending_views;
use super::replay::Replayer;
use crate::api::{Client, WriteOp};
use crate::app::Msg;
use crate::private::lock;
use crate::session::LocalStore;
use crate::store::{Store, StoreError, StoreHandle};

/// How often the store is checked for commits by another copy of the app.
const STORE_WATCH: Duration = Duration::from_secs(2);

/// What a newly opened store has to say: that there is none, or that it was rebuilt.
fn first_word(local: &LocalStore) -> Option<Msg> {
    match (&local.problem, &local.notice) {
        (Some(problem), _) => Some(Msg::StoreDown(problem.clone())),
        (None, Some(notice)) => Some(Msg::StoreNotice(notice.clone())),
        (None, None) => None,
    }
}

/// One location's outbox and drafts, as the executor uses them.
pub struct Local {
    store: Option<StoreHandle>,
    replayer: Option<Replayer>,
    client: Client,
    tx: Tx,
    /// Where the store lives (to open it again after a failure), and what to say of it once.
    path: Option<std::path::PathBuf>,
    said: Option<Msg>,
    /// Watches the store for what another copy of the app on the same profile does to it.
    watch: Option<JoinHandle<()>>,
    /// A store opened again in the background, waiting to be taken into use.
    reopened: Arc<Mutex<Option<StoreHandle>>>,
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(watch) = self.watch.take() {
            watch.abort();
        }
    }
}

impl Local {
    /// Must be made inside the tokio runtime.
    pub fn new(local: LocalStore, client: Client, tx: Tx) -> Local {
        let said = first_word(&local);
        let replayer = local
            .store
            .clone()
            .map(|s| Replayer::new(client.clone(), s, tx.clone()));
        Local {
            store: local.store,
            replayer,
            client,
            tx,
            path: local.path,
            said,
            watch: None,
            reopened: Arc::default(),
        }
    }

    /// The store, for a location being left (its outbox keeps sending on its own).
    pub fn store(&self) -> Option<StoreHandle> {
        self.store.clone()
    }

    /// What the state must know of the store before anything else: that it was rebuilt, or
    /// that there is none; then the watch on it starts.
    pub fn announce(&mut self) {
        if let Some(msg) = self.said.take() {
            let _ = self.tx.send(msg);
        }
        self.watch_store();
    }

    /// Another copy of the app on this profile sends and records too: when it commits, the
    /// waiting count here is read again, so both windows tell the truth.
    fn watch_store(&mut self) {
        if let Some(old) = self.watch.take() {
            old.abort();
        }
        let Some(store) = self.store.clone() else {
            return;
        };
        let tx = self.tx.clone();
        self.watch = Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(STORE_WATCH);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                every.tick().await;
                let changed = store
                    .try_call(|s| {
                        if s.changed_elsewhere()? {
                            pending_views(s).map(Some)
                        } else {
                            Ok(None)
                        }
                    })
                    .await;
                if let Ok(Some(pending)) = changed {
                    let _ = tx.send(Msg::OutboxChanged(pending));
                }
            }
        }));
    }

    /// Runs `f` on the store's owner; what it returns is said as `Msg::StoreDown` when it
    /// is an error. Without a store, nothing runs.
    fn on_store(&self, f: impl FnOnce(&Store, &Tx) -> Result<(), StoreError> + Send + 'static) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let (tx, named) = (self.tx.clone(), store.clone());
        let sent = store.run(move |s| {
            if let Err(e) = f(s, &tx) {
                let why = named.why(e);
                tracing::error!(error = %why, "local store");
                let _ = tx.send(Msg::StoreDown(why));
            }
        });
        if !sent {
            let _ = self
                .tx
                .send(Msg::StoreDown(store.why(crate::store::StoreGone)));
        }
    }

    /// Sends the outbox as it is now, so the counts are right at once (without touching the
    /// retry schedule, which only an answer from the server moves).
    pub fn report_pending(&self) {
        self.on_store(|s, tx| {
            let _ = tx.send(Msg::OutboxChanged(pending_views(s)?));
            Ok(())
        });
    }

    /// A store opened again in the background, taken into use at the next effect.
    pub fn adopt_reopened(&mut self) {
        let Some(store) = lock(&self.reopened).take() else {
            return;
        };
        self.replayer = Some(Replayer::new(
            self.client.clone(),
            store.clone(),
            self.tx.clone(),
        ));
        self.store = Some(store);
        self.watch_store();
        self.report_pending();
        self.replay();
    }

    /// Tries the store again, off the event loop (opening can mean a check of the whole file,
    /// a salvage, or a wait on a lock): `Msg::StoreUp` or `Msg::StoreDown`.
    pub fn reopen(&self) {
        let (tx, slot, store, path) = (
            self.tx.clone(),
            self.reopened.clone(),
            self.store.clone(),
            self.path.clone(),
        );
        tokio::spawn(async move {
            // A store whose owner is gone is opened afresh from its file.
            let store = store.filter(StoreHandle::alive);
            let answer = match (store, path) {
                (Some(store), _) => store.try_call(Store::probe).await,
                (None, Some(path)) => {
                    let local = tokio::task::spawn_blocking(move || LocalStore::open(path))
                        .await
                        .unwrap_or_else(|_| LocalStore::none());
                    match (local.store, local.problem) {
                        (Some(store), _) => {
                            if let Some(notice) = local.notice {
                                let _ = tx.send(Msg::StoreNotice(notice));
                            }
                            *lock(&slot) = Some(store);
                            Ok(())
                        }
                        (None, problem) => Err(problem.unwrap_or_default()),
                    }
                }
                (None, None) => Err("no local store was opened".into()),
            };
            let _ = tx.send(match answer {
                Ok(()) => Msg::StoreUp,
                Err(why) => Msg::StoreDown(why),
            });
        });
    }

    /// Records writes before anything is sent; from then on they survive a crash, and the
    /// replay that sends them starts. What cannot be recorded goes back to the state (`token`
    /// names the form it came from), which gives the text back.
    pub fn write(&self, ops: Vec<WriteOp>, draft: Option<String>, token: u64) {
        let (Some(store), Some(replayer)) = (self.store.clone(), self.replayer.clone()) else {
            let why = "the local store is not open".to_string();
            let _ = self.tx.send(Msg::NotRecorded { ops, why, token });
            self.reopen();
            return;
        };
        let tx = self.tx.clone();
        // Sent to the store now, in order with everything else the loop sends it (a draft of
        // the same form after this must not be recorded before it).
        let recording = ops.clone();
        let recorded = store.try_call(move |s| {
            s.record_all(&recording, draft.as_deref())?;
            pending_views(s)
        });
        tokio::spawn(async move {
            match recorded.await {
                Ok(pending) => {
                    let _ = tx.send(Msg::Recorded { token });
                    let _ = tx.send(Msg::OutboxChanged(pending));
                    replayer.kick();
                }
                Err(why) => {
                    tracing::error!(error = %why, "a change could not be recorded");
                    let _ = tx.send(Msg::NotRecorded { ops, why, token });
                }
            }
        });
    }

    pub fn replay(&self) {
        if let Some(r) = &self.replayer {
            r.kick();
        }
    }

    /// A row set aside: read again (`retry`), or deleted for good.
    pub fn aside(&self, id: i64, retry: bool) {
        let replayer = self.replayer.clone();
        self.on_store(move |s, tx| {
            if retry {
                s.retry_aside(id)?;
            } else {
                s.discard_aside(id)?;
            }
            let _ = tx.send(Msg::OutboxChanged(pending_views(s)?));
            if let Some(r) = replayer {
                r.kick();
            }
            Ok(())
        });
    }

    /// A change taken back out of the outbox, to edit again.
    pub fn withdraw(&self, id: i64) {
        self.on_store(move |s, tx| {
            let taken = s.withdraw(id)?;
            let _ = tx.send(Msg::OutboxChanged(pending_views(s)?));
            // Sent meanwhile: nothing to take back.
            if let Some((key, payload)) = taken {
                let _ = tx.send(Msg::Withdrawn { key, payload });
            }
            Ok(())
        });
    }

    /// Keeps what a form holds: at once, or once the keys pause.
    pub fn save_draft(&self, key: String, payload: serde_json::Value, now: bool) {
        if now {
            return self.on_store(move |s, _| s.save_draft(&key, &payload));
        }
        let Some(store) = &self.store else {
            return;
        };
        let tx = self.tx.clone();
        let held = store.draft_later(key, payload, move |why| {
            let _ = tx.send(Msg::StoreDown(why));
        });
        if !held {
            let _ = self
                .tx
                .send(Msg::StoreDown(store.why(crate::store::StoreGone)));
        }
    }

    /// Keeps a setting of the app's own (who the user is, for a location).
    pub fn remember(&self, key: String, value: String) {
        self.on_store(move |s, _| s.set_meta(&key, &value));
    }

    pub fn discard_draft(&self, key: String) {
        self.on_store(move |s, _| s.discard_draft(&key));
    }

    pub fn load_drafts(&self) {
        self.on_store(|s, tx| {
            let drafts = s.drafts()?;
            let _ = tx.send(Msg::Drafts(
                drafts.into_iter().map(|d| (d.key, d.payload)).collect(),
            ));
            Ok(())
        });
    }

    /// Waits (at most `wait`) until the store has written everything sent to it, held drafts
    /// included. Only on the way out: the loop is not drawing any more.
    pub fn flush(&self, wait: Duration) {
        if let Some(store) = &self.store
            && !store.flush_blocking(wait)
        {
            tracing::error!("the local store did not finish writing before exit");
        }
    }
}
