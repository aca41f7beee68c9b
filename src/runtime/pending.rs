//! The outbox as the state sees it: each waiting change described, with why it waits.

use crate::app::state::PendingView;
use crate::store::{Store, StoreError};

/// The outbox as the pending list shows it.
pub fn pending_views(store: &Store) -> Result<Vec<PendingView>, StoreError> {
    let outbox = store.outbox()?;
    let blocked = outbox.blocked();
    let mut views: Vec<PendingView> = outbox
        .ready
        .into_iter()
        .map(|p| PendingView {
            id: p.id,
            contact_id: p.op.contact_id().map(String::from),
            what: p.op.describe(),
            attempts: p.attempts,
            // Written by any version, or salvaged: redacted before anything shows it.
            error: p.last_error.map(|e| crate::redact::text(&e).into_owned()),
            waits_for: blocked.get(&p.id).copied(),
            aside: None,
            op: Some(p.op),
        })
        .collect();
    views.extend(outbox.aside.into_iter().map(|a| PendingView {
        id: a.id,
        contact_id: None,
        what: format!("A change this version cannot read (#{})", a.id),
        attempts: 0,
        error: None,
        waits_for: None,
        aside: Some(a.why),
        op: None,
    }));
    views.sort_by_key(|v| v.id);
    Ok(views)
}
