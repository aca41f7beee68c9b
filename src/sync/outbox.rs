//! Sending the outbox: pending writes go out oldest first, each removed only once the server
//! confirms it. A write that fails for a passing reason (network, 5xx, 429, expired or
//! read-only token) stays, and so does everything after it, so writes are never reordered.

use crate::api::ops::{maybe_delivered, worth_retrying};
use crate::api::{ApiError, Applied, Client, WriteOp};
use crate::store::{Pending, Store, StoreError, StoreGone, StoreHandle};

/// What happened to one pending write.
#[derive(Debug, PartialEq)]
pub enum Sent {
    /// The server has it (perhaps from an earlier attempt that looked lost).
    Confirmed {
        id: i64,
        op: WriteOp,
        applied: Applied,
    },
    /// The server refused it for good (e.g. 422); it left the outbox and goes back to the user.
    Rejected {
        id: i64,
        op: WriteOp,
        error: ApiError,
    },
    /// Not sent this time; it and the writes after it wait for the next replay.
    Held { id: i64, error: ApiError },
    /// This version cannot read it: set aside (kept, listed) and the rest go on.
    SetAside { id: i64, why: String },
    /// About something a row set aside is about (`on`): it waits with that row.
    Waiting { id: i64, on: i64 },
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gone(#[from] StoreGone),
}

/// `f` on the store's owner, waited for here (in a task, never on the event loop).
async fn on<R: Send + 'static>(
    store: &StoreHandle,
    f: impl FnOnce(&Store) -> Result<R, StoreError> + Send + 'static,
) -> Result<R, SyncError> {
    Ok(store.call(f).await??)
}

/// Whether a failure should keep the write queued rather than hand it back.
fn hold(e: &ApiError) -> bool {
    worth_retrying(e) || matches!(e, ApiError::MissingScope { .. })
}

/// Waits for the exclusive lock on the outbox of this account: another copy of the app may be
/// sending it right now, and must finish (and remove what it sent) before this one reads it.
async fn exclusive(path: Option<std::path::PathBuf>) -> Result<Option<std::fs::File>, SyncError> {
    let Some(path) = path else { return Ok(None) };
    let file = tokio::task::spawn_blocking(move || crate::private::lock_file(&path))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
        .map_err(StoreError::Io)?;
    Ok(Some(file))
}

/// Sends every pending write in order, stopping at the first one that has to wait.
pub async fn replay(client: &Client, store: &StoreHandle) -> Result<Vec<Sent>, SyncError> {
    let lock_path = store.send_lock_path().map(std::path::Path::to_path_buf);
    // Released when dropped, at the end of this replay.
    let _sending = exclusive(lock_path).await?;
    let outbox = on(store, |s| s.outbox()).await?;
    let mut out = Vec::new();
    let blocked = outbox.blocked();
    for a in &outbox.aside {
        if a.fresh {
            // Kept aside from now on, and said once; if even that cannot be written (a full
            // disk), it is said again next time, and the other rows still go.
            let (id, why) = (a.id, a.why.clone());
            if let Err(e) = on(store, move |s| s.set_aside(id, &why)).await {
                tracing::error!(id = a.id, error = %e, "could not mark an outbox row set aside");
            }
            out.push(Sent::SetAside {
                id: a.id,
                why: a.why.clone(),
            });
        }
    }
    for p in outbox.ready {
        if let Some(&on) = blocked.get(&p.id) {
            out.push(Sent::Waiting { id: p.id, on });
            continue;
        }
        let sent = send_one(client, store, &p).await?;
        let stop = matches!(sent, Sent::Held { .. });
        out.push(sent);
        if stop {
            break;
        }
    }
    Ok(out)
}

async fn send_one(client: &Client, store: &StoreHandle, p: &Pending) -> Result<Sent, SyncError> {
    let id = p.id;
    if p.ambiguous && p.op.is_create() {
        match client.find_created(&p.op, p.created_ms).await {
            Ok(Some(applied)) => {
                tracing::info!(
                    id = p.id,
                    "an earlier attempt had landed; not sending again"
                );
                on(store, move |s| s.confirm(id)).await?;
                return Ok(Sent::Confirmed {
                    id: p.id,
                    op: p.op.clone(),
                    applied,
                });
            }
            Ok(None) => {}
            Err(error) => {
                let line = error.one_line();
                on(store, move |s| s.failed(id, true, &line)).await?;
                return Ok(Sent::Held { id: p.id, error });
            }
        }
    }
    let sending = p.clone();
    on(store, move |s| s.sending(&sending)).await?;
    match client.apply(&p.op).await {
        Ok(applied) => {
            on(store, move |s| s.confirm(id)).await?;
            Ok(Sent::Confirmed {
                id: p.id,
                op: p.op.clone(),
                applied,
            })
        }
        // Our own earlier attempt created the contact; the server points at it.
        Err(ApiError::Duplicate {
            contact_id: Some(existing),
            ..
        }) if p.ambiguous && matches!(p.op, WriteOp::CreateContact { .. }) => {
            match client.contact(&existing).await {
                Ok(contact) => {
                    on(store, move |s| s.confirm(id)).await?;
                    Ok(Sent::Confirmed {
                        id: p.id,
                        op: p.op.clone(),
                        applied: Applied::Contact(Box::new(contact)),
                    })
                }
                Err(error) => {
                    let line = error.one_line();
                    on(store, move |s| s.failed(id, true, &line)).await?;
                    Ok(Sent::Held { id: p.id, error })
                }
            }
        }
        Err(error) if hold(&error) => {
            let ambiguous = p.op.is_create() && maybe_delivered(&error);
            let line = error.one_line();
            on(store, move |s| s.failed(id, ambiguous, &line)).await?;
            Ok(Sent::Held { id: p.id, error })
        }
        // Deleting what is already gone (an earlier attempt whose answer was lost) is done.
        Err(ApiError::NotFound { .. })
            if matches!(
                p.op,
                WriteOp::DeleteContact { .. }
                    | WriteOp::DeleteTask { .. }
                    | WriteOp::DeleteNote { .. }
            ) =>
        {
            on(store, move |s| s.confirm(id)).await?;
            Ok(Sent::Confirmed {
                id: p.id,
                op: p.op.clone(),
                applied: Applied::Deleted,
            })
        }
        Err(error) => {
            let payload = serde_json::json!({ "rejected": p.op, "error": error.one_line() });
            on(store, move |s| {
                s.reject(id, &crate::store::rejected_key(id), &payload)
            })
            .await?;
            Ok(Sent::Rejected {
                id: p.id,
                op: p.op.clone(),
                error,
            })
        }
    }
}
