//! Writes from a script go the way the app's do: recorded in the outbox first, then sent in
//! order with whatever else waits there. By default the command waits for the server's
//! answer (a script expects a write to be done); `--no-wait` returns once it is recorded, so a
//! write made during an outage is not lost either way. The exit code says which happened.

use crate::api::{Applied, WriteOp};
use crate::session::Session;
use crate::sync::Sent;

use super::{Failure, code_of, exit};

/// Records `ops` and, when `wait`, sends the outbox and gives back what the server made of
/// each. Not waiting, or the server out of reach, is `exit::WAITING` with what waits.
pub async fn send(
    session: &Session,
    ops: Vec<WriteOp>,
    wait: bool,
) -> Result<Vec<Applied>, Failure> {
    let Some(store) = session.store.store.clone() else {
        let why = session
            .store
            .problem
            .clone()
            .unwrap_or_else(|| "there is no local store".into());
        return Err(Failure::new(
            exit::ERROR,
            format!("not recorded, so not sent: {why}"),
        ));
    };
    let what: Vec<String> = ops.iter().map(WriteOp::describe).collect();
    let recorded = store
        .call(move |s| s.record_all(&ops, None))
        .await
        .map_err(|e| Failure::new(exit::ERROR, format!("not recorded, so not sent: {e}")))?
        .map_err(|e| Failure::new(exit::ERROR, format!("not recorded, so not sent: {e}")))?;
    if !wait {
        return Err(Failure::new(
            exit::WAITING,
            format!(
                "recorded, not sent yet: {} (the next ghl-tui run sends it)",
                what.join("; ")
            ),
        ));
    }
    let sent = crate::sync::replay(&session.client, &store)
        .await
        .map_err(|e| Failure::new(exit::ERROR, format!("the outbox could not be sent: {e}")))?;
    let mut applied = Vec::new();
    for id in &recorded {
        match sent.iter().find(|s| sent_id(s) == Some(*id)) {
            Some(Sent::Confirmed { applied: a, .. }) => applied.push(a.clone()),
            Some(Sent::Rejected { id, error, .. }) => {
                // Said to the script, which has it: not offered again by the app as a draft.
                let key = crate::store::rejected_key(*id);
                let _ = store.call(move |s| s.discard_draft(&key)).await;
                let code = match code_of(error) {
                    exit::NOT_FOUND => exit::NOT_FOUND,
                    _ => exit::REFUSED,
                };
                return Err(Failure::new(code, format!("refused: {}", error.one_line())));
            }
            Some(Sent::Held { error, .. }) => {
                // A scope the sign-in lacks holds the write (it goes once the scope is
                // granted), but to a script it is a refusal; a refused sign-in is "not signed
                // in". Either way the change is recorded and waits.
                use crate::api::ApiError;
                let code = match error {
                    ApiError::MissingScope { .. } | ApiError::Forbidden { .. } => exit::REFUSED,
                    ApiError::Unauthorized { .. } | ApiError::SignedOut { .. } => {
                        exit::NOT_SIGNED_IN
                    }
                    _ => exit::WAITING,
                };
                return Err(Failure::new(
                    code,
                    format!(
                        "not sent: {}; it waits in the outbox (the next ghl-tui run sends it)",
                        error.one_line()
                    ),
                ));
            }
            // Behind a write sent earlier that must go first.
            _ => {
                return Err(Failure::new(
                    exit::WAITING,
                    "not sent yet: an earlier change waits first (ghl-tui, then o, lists them)",
                ));
            }
        }
    }
    Ok(applied)
}

fn sent_id(s: &Sent) -> Option<i64> {
    match s {
        Sent::Confirmed { id, .. }
        | Sent::Rejected { id, .. }
        | Sent::Held { id, .. }
        | Sent::SetAside { id, .. }
        | Sent::Waiting { id, .. } => Some(*id),
    }
}

/// What the server made, as JSON (the API's shape of the note, task or contact).
pub fn applied_json(a: &Applied) -> serde_json::Value {
    match a {
        Applied::Contact(c) => serde_json::to_value(c).unwrap_or_default(),
        Applied::Task(t) => serde_json::to_value(t).unwrap_or_default(),
        Applied::Note(n) => serde_json::to_value(n).unwrap_or_default(),
        Applied::Tags { contact_id, tags } => {
            serde_json::json!({ "id": contact_id, "tags": tags })
        }
        Applied::Deleted => serde_json::json!({ "deleted": true }),
    }
}
