//! The replica of the location in use and the background sync that keeps it fresh: a pass at
//! start, then one every `sync_interval`, or at once when the user asks (`r`). Sync's requests
//! go in the pacer's background lane, so the user's never wait behind a page of it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::Tx;
use crate::api::{ApiError, Client};
use crate::app::Msg;
use crate::app::msg::SyncFailed;
use crate::session::{CacheMode, OpenedReplica, SyncSettings};
use crate::store::{Replica, ReplicaHandle, StoreError};
use crate::sync::pull::{self, PullError, PullOptions};

pub struct Syncer {
    replica: Option<ReplicaHandle>,
    settings: SyncSettings,
    poke: Arc<Notify>,
    full: Arc<AtomicBool>,
    job: Option<JoinHandle<()>>,
}

impl Drop for Syncer {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            job.abort();
        }
    }
}

/// The server could not be reached (rather than refused): the app works from the replica.
fn offline(e: &PullError) -> bool {
    matches!(
        e,
        PullError::Api(
            ApiError::Network { .. }
                | ApiError::Timeout
                | ApiError::Server { .. }
                | ApiError::RateLimited { .. }
                | ApiError::DailyLimit { .. }
        )
    )
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The rows the first frame needs (a screen, with room to move): read before it, the rest
/// right after.
pub const FIRST_SCREEN: usize = 300;

/// Reads the list and the mark, on the replica's thread. At the start of a session it reads
/// only the first screen (the rest follows with `reload`), notes the session's start (for the
/// next one's "changed since") and reads what changed since the previous one. The list comes
/// ready to show (rows drawn, search index built), so update only swaps it in.
pub fn load(r: &mut Replica, starting: bool) -> Result<Msg, StoreError> {
    let mut mark = r.mark()?;
    let changes = match (starting, mark.last_session_ms) {
        (true, Some(prev)) => {
            r.forget_changes_before(prev)?;
            r.changes_since(prev)?
        }
        _ => Vec::new(),
    };
    let total = r.count()? as usize;
    let limit = starting.then_some(FIRST_SCREEN);
    let mut list = crate::app::rows::SetBuilder::with_capacity(limit.unwrap_or(total).min(total));
    match r.each_entry(limit, |e| list.push(e)) {
        Err(e) if e.is_damage() => {
            let why = e.to_string();
            let aside = r.rebuild(&why)?;
            return Ok(Msg::ReplicaNotice(format!(
                "The local copy of the account was damaged ({why}); it was moved to {} and is \
                 being fetched again",
                aside.to.display()
            )));
        }
        other => other?,
    };
    let shown = mark.clone();
    if starting {
        mark.last_session_ms = Some(now_ms());
        r.set_mark(&mark)?;
    }
    Ok(Msg::ReplicaLoaded {
        list: Box::new(list.finish(total)),
        mark: shown,
        changes,
        total,
    })
}

/// The first screen of the list, read and changing nothing (the session has not started: the
/// sign-in is still being read): what is drawn before anything else.
pub fn peek(r: &mut Replica) -> Result<Option<Msg>, StoreError> {
    let mark = r.mark()?;
    let total = r.count()? as usize;
    if mark.watermark_ms.is_none() || total == 0 {
        return Ok(None);
    }
    let mut list = crate::app::rows::SetBuilder::with_capacity(FIRST_SCREEN.min(total));
    r.each_entry(Some(FIRST_SCREEN), |e| list.push(e))?;
    Ok(Some(Msg::ReplicaLoaded {
        list: Box::new(list.finish(total)),
        mark,
        changes: Vec::new(),
        total,
    }))
}

/// `load` on the replica's thread; a replica that cannot be read is said, not fatal.
pub async fn read(replica: &ReplicaHandle, starting: bool) -> Option<Msg> {
    let read = replica.call(move |r| load(r, starting)).await;
    match read {
        Ok(Ok(msg)) => Some(msg),
        Ok(Err(e)) => Some(Msg::ReplicaNotice(format!(
            "The local copy of the account cannot be read: {e}"
        ))),
        Err(e) => Some(Msg::ReplicaNotice(format!(
            "The local copy of the account: {e}"
        ))),
    }
}

impl Syncer {
    pub fn new(opened: OpenedReplica, settings: SyncSettings) -> Syncer {
        Syncer {
            replica: opened.replica,
            settings,
            poke: Arc::new(Notify::new()),
            full: Arc::new(AtomicBool::new(false)),
            job: None,
        }
    }

    pub fn replica(&self) -> Option<&ReplicaHandle> {
        self.replica.as_ref()
    }

    /// Whether background sync runs for this location.
    pub fn syncing(&self) -> bool {
        self.replica.is_some() && self.settings.cache == CacheMode::Full
    }

    /// Starts the background passes (the first at once).
    pub fn start(&mut self, client: &Client, tx: Tx) {
        let Some(replica) = self.replica.clone().filter(|_| self.syncing()) else {
            return;
        };
        let client = client.background();
        let (poke, full, settings) = (self.poke.clone(), self.full.clone(), self.settings.clone());
        self.job = Some(tokio::spawn(async move {
            loop {
                let opts = PullOptions {
                    reconcile_every: settings.reconcile_every,
                    force_full: full.swap(false, Ordering::SeqCst),
                    ..Default::default()
                };
                if let Ok(Ok(mark)) = replica.call(|r| r.mark()).await {
                    let _ = tx.send(Msg::SyncStarted(pull::due(&mark, &opts, now_ms())));
                }
                let page_tx = tx.clone();
                let mut on_page = move |p| {
                    let _ = page_tx.send(Msg::SyncPage(p));
                };
                let result = pull::pull(&client, &replica, &opts, &mut on_page).await;
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "sync pass stopped");
                }
                let _ = tx.send(Msg::Budget(client.budget()));
                let _ = tx.send(Msg::SyncDone(result.map_err(|e| SyncFailed {
                    offline: offline(&e),
                    why: match &e {
                        PullError::Api(api) => api.one_line(),
                        other => other.to_string(),
                    },
                })));
                tokio::select! {
                    () = tokio::time::sleep(settings.interval) => {}
                    () = poke.notified() => {}
                }
            }
        }));
    }

    /// `r`: a pass now (a reconciliation of ids when `full`).
    pub fn now(&self, full: bool) {
        if full {
            self.full.store(true, Ordering::SeqCst);
        }
        // `notify_one` keeps the wake for a pass still running: it starts the next one at
        // once when it ends.
        self.poke.notify_one();
    }

    /// Reads the list again and sends it.
    pub fn reload(&self, tx: Tx) {
        let Some(replica) = self.replica.clone() else {
            return;
        };
        tokio::spawn(async move {
            if let Some(msg) = read(&replica, false).await {
                let _ = tx.send(msg);
            }
        });
    }
}
