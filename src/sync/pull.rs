//! Bringing a location's contacts into the replica, in the background lane of the pacer.
//!
//! - A full pass (the first sync, and the reconciliation of ids now and then) pages the whole
//!   location by `POST /contacts/search` at 500 a page, sorted by `dateUpdated` with the id as
//!   tiebreak, always by `searchAfter` (numbered pages skip contacts that move while the pass
//!   runs, and stop at 10,000). Each page and the cursor after it are stored in one
//!   transaction, so a kill resumes after the last page stored. A contact changed while the
//!   pass runs moves behind the cursor and comes again on a later page. When the pass ends,
//!   what it did not see is gone from the server and leaves the replica.
//! - An incremental pass asks for what was updated after the watermark (minus a margin for
//!   clock skew and the search's lag): a quiet location costs one request.
//!
//! The watermark is the time the pass started, on this machine's clock: everything updated
//! before then has been seen.

use std::time::Duration;

use serde_json::{Value, json};

use crate::api::{ApiError, Client, SearchRequest};
use crate::store::replica::FullPass;
use crate::store::{ListEntry, ReplicaHandle, StoreError, StoreGone, SyncMark};

/// The most a search page holds.
pub const PAGE: u32 = 500;

#[derive(Clone, Debug)]
pub struct PullOptions {
    pub page_limit: u32,
    /// How far behind the watermark an incremental pass looks again.
    pub margin: Duration,
    /// A full pass (which finds deleted contacts) runs when the last one is older than this;
    /// `None`: only when asked.
    pub reconcile_every: Option<Duration>,
    /// Run a full pass now (the user asked to reconcile).
    pub force_full: bool,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            page_limit: PAGE,
            margin: Duration::from_secs(120),
            reconcile_every: Some(Duration::from_secs(24 * 3600)),
            force_full: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The first full pass: the replica is not complete yet.
    First,
    /// A full pass over a complete replica, to find deletions.
    Reconcile,
    Incremental,
}

/// What one page did, as it happens (the app updates the list from it).
#[derive(Clone, Debug, PartialEq)]
pub struct PageDone {
    pub phase: Phase,
    /// Contacts this pass has been through so far.
    pub done: u64,
    /// The server's count for this pass, when it says.
    pub total: Option<u64>,
    /// New or changed contacts on this page.
    pub changed: Vec<ListEntry>,
    /// Contacts gone from the server (only when a full pass ends).
    pub removed: Vec<String>,
}

/// A finished pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulled {
    pub phase: Phase,
    pub requests: u32,
    pub changed: usize,
    pub removed: usize,
    pub mark: SyncMark,
}

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("the replica: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gone(#[from] StoreGone),
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn by_updated() -> Vec<Value> {
    vec![json!({"field": "dateUpdated", "direction": "asc"})]
}

/// Which pass is due.
pub fn due(mark: &SyncMark, opts: &PullOptions, now_ms: i64) -> Phase {
    match (mark.watermark_ms, &mark.full) {
        (None, _) => Phase::First,
        (Some(_), Some(_)) => Phase::Reconcile,
        (Some(_), None) if opts.force_full => Phase::Reconcile,
        (Some(_), None) => {
            let stale = opts.reconcile_every.is_some_and(|every| {
                mark.last_full_ms
                    .is_none_or(|at| now_ms.saturating_sub(at) >= every.as_millis() as i64)
            });
            if stale {
                Phase::Reconcile
            } else {
                Phase::Incremental
            }
        }
    }
}

/// Runs the pass that is due. `on_page` hears of every page as it is stored.
pub async fn pull(
    client: &Client,
    replica: &ReplicaHandle,
    opts: &PullOptions,
    on_page: &mut (dyn FnMut(PageDone) + Send),
) -> Result<Pulled, PullError> {
    let mark = replica.call(|r| r.mark()).await??;
    match due(&mark, opts, now_ms()) {
        Phase::Incremental => incremental(client, replica, opts, mark, on_page).await,
        phase => full(client, replica, opts, mark, phase, on_page).await,
    }
}

async fn full(
    client: &Client,
    replica: &ReplicaHandle,
    opts: &PullOptions,
    mut mark: SyncMark,
    phase: Phase,
    on_page: &mut (dyn FnMut(PageDone) + Send),
) -> Result<Pulled, PullError> {
    let mut pass = mark.full.take().unwrap_or_else(|| {
        let now = now_ms();
        FullPass {
            id: now,
            started_ms: now,
            cursor: None,
            done: 0,
        }
    });
    let (mut requests, mut changed) = (0, 0);
    loop {
        let req = SearchRequest {
            location_id: client.location_id().to_string(),
            page_limit: opts.page_limit,
            sort: by_updated(),
            search_after: pass.cursor.as_ref().and_then(|c| c.as_array().cloned()),
            ..Default::default()
        };
        let (contacts, total) = client.search_raw(&req).await?;
        requests += 1;
        let cursor = contacts.last().and_then(|c| c.get("searchAfter")).cloned();
        // A short page, or one whose last contact carries no cursor, is the end.
        let finished = contacts.len() < opts.page_limit as usize || cursor.is_none();
        pass.done += contacts.len() as u64;
        if cursor.is_some() {
            pass.cursor = cursor;
        }
        mark.total = total.or(mark.total);
        if finished {
            mark.full = None;
            mark.watermark_ms = Some(pass.started_ms);
            mark.last_full_ms = Some(pass.started_ms);
            mark.last_sync_ms = Some(now_ms());
        } else {
            mark.full = Some(pass.clone());
        }
        let (page_mark, id) = (mark.clone(), pass.id);
        // The first pass fills an empty replica: every contact is new, not a change to show.
        let record = phase != Phase::First;
        let stored = replica
            .call(move |r| r.store_page(&contacts, Some(id), &page_mark, now_ms(), record))
            .await??;
        changed += stored.changed.len();
        let removed = if finished {
            let started = pass.started_ms;
            replica.call(move |r| r.drop_unseen(id, started)).await??
        } else {
            Vec::new()
        };
        let removed_n = removed.len();
        on_page(PageDone {
            phase,
            done: pass.done,
            total: mark.total,
            changed: stored.changed,
            removed,
        });
        if finished {
            return Ok(Pulled {
                phase,
                requests,
                changed,
                removed: removed_n,
                mark,
            });
        }
    }
}

async fn incremental(
    client: &Client,
    replica: &ReplicaHandle,
    opts: &PullOptions,
    mut mark: SyncMark,
    on_page: &mut (dyn FnMut(PageDone) + Send),
) -> Result<Pulled, PullError> {
    let started = now_ms();
    let since = mark
        .watermark_ms
        .unwrap_or(0)
        .saturating_sub(opts.margin.as_millis() as i64);
    let filters = vec![json!({
        "field": "dateUpdated",
        "operator": "range",
        "value": {"gt": crate::api::time::iso_ms(since)},
    })];
    let (mut requests, mut changed, mut done) = (0, 0, 0u64);
    let mut cursor: Option<Vec<Value>> = None;
    loop {
        let req = SearchRequest {
            location_id: client.location_id().to_string(),
            page_limit: opts.page_limit,
            filters: filters.clone(),
            sort: by_updated(),
            search_after: cursor.clone(),
            ..Default::default()
        };
        let (contacts, total) = client.search_raw(&req).await?;
        requests += 1;
        let next = contacts
            .last()
            .and_then(|c| c.get("searchAfter"))
            .and_then(Value::as_array)
            .cloned();
        let finished = contacts.len() < opts.page_limit as usize || next.is_none();
        done += contacts.len() as u64;
        cursor = next;
        if finished {
            mark.watermark_ms = Some(started);
            mark.last_sync_ms = Some(now_ms());
        }
        let page_mark = mark.clone();
        let stored = replica
            .call(move |r| r.store_page(&contacts, None, &page_mark, now_ms(), true))
            .await??;
        changed += stored.changed.len();
        on_page(PageDone {
            phase: Phase::Incremental,
            done,
            total,
            changed: stored.changed,
            removed: Vec::new(),
        });
        if finished {
            return Ok(Pulled {
                phase: Phase::Incremental,
                requests,
                changed,
                removed: 0,
                mark,
            });
        }
    }
}
