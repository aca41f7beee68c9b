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
    let ready = outbox.ready;
    let mut i = 0;
    while i < ready.len() {
        let p = &ready[i];
        if let Some(&on) = blocked.get(&p.id) {
            out.push(Sent::Waiting { id: p.id, on });
            i += 1;
            continue;
        }
        // The same tags on several contacts in a row (`v` marks, then `t`): one request.
        let run = tag_run(&ready[i..], &blocked);
        let sent = if run >= 2 {
            send_tags_together(client, store, &ready[i..i + run]).await?
        } else {
            vec![send_one(client, store, p).await?]
        };
        i += sent.len().max(1);
        let stop = sent.iter().any(|s| matches!(s, Sent::Held { .. }));
        out.extend(sent);
        if stop {
            break;
        }
    }
    Ok(out)
}

/// The tags a write adds (`true`) or removes, when it is a tag change.
fn tag_change(op: &WriteOp) -> Option<(bool, &str, &[String])> {
    match op {
        WriteOp::AddTags { id, tags } => Some((true, id, tags)),
        WriteOp::RemoveTags { id, tags } => Some((false, id, tags)),
        _ => None,
    }
}

/// How many rows from the first make one bulk request: the same change of the same tags, each
/// to another contact, none held back behind a row set aside.
fn tag_run(rows: &[Pending], blocked: &std::collections::HashMap<i64, i64>) -> usize {
    let Some((add, _, tags)) = rows.first().and_then(|p| tag_change(&p.op)) else {
        return 0;
    };
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .take(crate::api::BULK_TAGS_MAX)
        .take_while(|p| {
            !blocked.contains_key(&p.id)
                && tag_change(&p.op)
                    .is_some_and(|(a, id, t)| a == add && t == tags && seen.insert(id.to_string()))
        })
        .count()
}

/// A run of tag changes as one bulk request, each row confirmed or refused by the answer's
/// line for its contact. Where the sign-in may not use the bulk endpoint, each goes alone.
async fn send_tags_together(
    client: &Client,
    store: &StoreHandle,
    rows: &[Pending],
) -> Result<Vec<Sent>, SyncError> {
    let Some((add, _, tags)) = rows.first().and_then(|p| tag_change(&p.op)) else {
        return Ok(Vec::new());
    };
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|p| tag_change(&p.op).map(|(_, id, _)| id.to_string()))
        .collect();
    for p in rows {
        let sending = p.clone();
        on(store, move |s| s.sending(&sending)).await?;
    }
    let answer = match client.bulk_tags(add, &ids, tags).await {
        Ok(answer) => answer,
        // A passing trouble (the network, a 5xx, a limit): the run waits, first row first.
        // Tag changes are safe to send again, so nothing is lost if part of it had landed.
        Err(error) if hold(&error) && !matches!(error, ApiError::MissingScope { .. }) => {
            let line = error.one_line();
            let first = rows[0].id;
            on(store, move |s| s.failed(first, false, &line)).await?;
            return Ok(vec![Sent::Held { id: first, error }]);
        }
        // Anything else (not for this sign-in, a refusal of the request as a whole, an answer
        // that cannot be read): each contact on its own, where each gets its own answer.
        Err(_) => return one_by_one(client, store, rows).await,
    };
    let mut out = Vec::new();
    for p in rows {
        let Some((_, contact, _)) = tag_change(&p.op) else {
            continue;
        };
        let line = answer.responses.iter().find(|r| r.contact_id == contact);
        let id = p.id;
        match line {
            Some(r) if r.succeeded() && r.tags().is_some() => {
                on(store, move |s| s.confirm(id)).await?;
                out.push(Sent::Confirmed {
                    id,
                    op: p.op.clone(),
                    applied: Applied::Tags {
                        contact_id: contact.to_string(),
                        tags: r.tags().unwrap_or_default(),
                    },
                });
            }
            Some(r) if r.failed() => {
                let error = ApiError::Validation {
                    status: 422,
                    messages: vec![r.message.clone()],
                };
                let payload = serde_json::json!({ "rejected": p.op, "error": error.one_line() });
                on(store, move |s| {
                    s.reject(id, &crate::store::rejected_key(id), &payload)
                })
                .await?;
                out.push(Sent::Rejected {
                    id,
                    op: p.op.clone(),
                    error,
                });
            }
            // The answer did not name it, or not so its tags are known: sent on its own (again,
            // which a tag change takes), so it is neither left unsaid nor shown wrong.
            _ => {
                let sent = send_one(client, store, p).await?;
                let stop = matches!(sent, Sent::Held { .. });
                out.push(sent);
                if stop {
                    break;
                }
            }
        }
    }
    Ok(out)
}

async fn one_by_one(
    client: &Client,
    store: &StoreHandle,
    rows: &[Pending],
) -> Result<Vec<Sent>, SyncError> {
    let mut out = Vec::new();
    for p in rows {
        let sent = send_one(client, store, p).await?;
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
