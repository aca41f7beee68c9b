//! What the client is waiting for, so the status bar can say it: requests held back by a limit,
//! answers slow to come, failures waiting to be tried again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;

use super::pacer::Hold;

#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Waiting for a slot (the pacer knows why).
    Queued,
    /// Sent, no answer yet: since then.
    Sent(Instant),
    /// Failed, to be tried again then.
    Backoff(Instant),
}

/// Every request under way and where it is.
#[derive(Debug, Default)]
pub struct Calls {
    next: AtomicU64,
    phases: Mutex<HashMap<u64, Phase>>,
}

/// One request under way; it leaves the list when dropped, however it ends.
pub struct Call<'a> {
    calls: &'a Calls,
    id: u64,
}

impl Calls {
    pub fn start(&self) -> Call<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        crate::private::lock(&self.phases).insert(id, Phase::Queued);
        Call { calls: self, id }
    }

    /// The oldest answer awaited, and the latest retry planned.
    fn summary(&self) -> (Option<Instant>, Option<Instant>) {
        let phases = crate::private::lock(&self.phases);
        let mut sent: Option<Instant> = None;
        let mut retry: Option<Instant> = None;
        for p in phases.values() {
            match *p {
                Phase::Sent(t) => sent = Some(sent.map_or(t, |s| s.min(t))),
                Phase::Backoff(t) => retry = Some(retry.map_or(t, |r| r.max(t))),
                Phase::Queued => {}
            }
        }
        (sent, retry)
    }
}

impl Call<'_> {
    fn set(&self, phase: Phase) {
        crate::private::lock(&self.calls.phases).insert(self.id, phase);
    }

    pub fn queued(&self) {
        self.set(Phase::Queued);
    }

    pub fn sent(&self) {
        self.set(Phase::Sent(Instant::now()));
    }

    pub fn backoff(&self, until: Instant) {
        self.set(Phase::Backoff(until));
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        crate::private::lock(&self.calls.phases).remove(&self.id);
    }
}

/// What the client waits for right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Requests held back by a limit: which, and until when.
    pub held: Option<(Hold, Instant)>,
    /// The oldest request sent and not yet answered: since when.
    pub answer_since: Option<Instant>,
    /// A failed request will be tried again then.
    pub retry_at: Option<Instant>,
    /// The day's allowance is spent until then.
    pub daily_resets: Option<chrono::DateTime<chrono::Utc>>,
}

impl Waiting {
    pub fn is_idle(&self) -> bool {
        *self == Waiting::default()
    }
}

pub fn waiting(calls: &Calls, pacer: &super::pacer::Pacer) -> Waiting {
    let (answer_since, retry_at) = calls.summary();
    Waiting {
        held: pacer.holding(),
        answer_since,
        retry_at,
        daily_resets: pacer.daily_spent(),
    }
}
