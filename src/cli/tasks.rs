//! `tasks list [--due today|overdue] [--mine]` and `tasks done ID`, over the location's task
//! search (the work queue's): every open task across contacts, filtered by when it is due on
//! the user's clock. The JSON is the search's own item shape (`_id`, `contactDetails`, ...).

use serde_json::Value;

use super::output::{Column, text};
use super::{Failure, exit};
use crate::api::{QueueTask, TaskFilter, WriteOp};
use crate::app::queue::{Group, group_of};
use crate::session::Session;

/// Which tasks by when they are due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Due {
    #[default]
    Any,
    /// Due today on the user's clock (and not yet past).
    Today,
    Overdue,
}

impl std::str::FromStr for Due {
    type Err = String;
    fn from_str(s: &str) -> Result<Due, String> {
        match s {
            "any" | "all" => Ok(Due::Any),
            "today" => Ok(Due::Today),
            "overdue" => Ok(Due::Overdue),
            other => Err(format!("--due is today, overdue or any, not {other:?}")),
        }
    }
}

/// A task's row: due (on the user's clock), title, contact, assignee, ids. Reads the
/// search's item as `tasks list --json` gives it.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "DUE",
        cell: due_cell,
    },
    Column {
        header: "TITLE",
        cell: |v| text(v, "title"),
    },
    Column {
        header: "CONTACT",
        cell: |v| {
            v.get("contactDetails")
                .map(super::contacts::name)
                .unwrap_or_default()
        },
    },
    Column {
        header: "ASSIGNED",
        // A name where the table was given one (`with_names`), else the id.
        cell: |v| {
            let name = text(v, "assignedToName");
            if name.is_empty() {
                text(v, "assignedTo")
            } else {
                name
            }
        },
    },
    Column {
        header: "ID",
        cell: |v| {
            let id = text(v, "id");
            if id.is_empty() { text(v, "_id") } else { id }
        },
    },
    Column {
        header: "CONTACT_ID",
        cell: |v| text(v, "contactId"),
    },
];

/// When a task is due, on this machine's clock with its offset (`2026-12-02 15:00 -05:00`):
/// readable, and as exact as the API's UTC. Unreadable dates are shown as they came.
fn due_cell(v: &Value) -> String {
    let raw = text(v, "dueDate");
    match chrono::DateTime::parse_from_rfc3339(&raw) {
        Ok(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M %:z")
            .to_string(),
        Err(_) => raw,
    }
}

/// For a table, each task's assignee by name (`assignedToName`), from the location's users;
/// without the scope to read them, the ids stay.
pub async fn with_names(session: &Session, tasks: &mut [Value]) {
    let Ok(users) = session.client.users(None).await else {
        return;
    };
    let names: std::collections::HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.clone(), u.display_name()))
        .collect();
    for t in tasks {
        let name = names.get(&text(t, "assignedTo")).cloned();
        if let (Some(o), Some(name)) = (t.as_object_mut(), name) {
            o.insert("assignedToName".into(), Value::String(name));
        }
    }
}

/// The open tasks, due as asked, the user's when `mine`, earliest first (undated last).
/// Where the tasks come from: the server's task search, or (`--cached`) the queue the app
/// kept in the replica when it last fetched it for the same filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    Server,
    Cached,
}

pub async fn list(
    session: &Session,
    me: Option<&str>,
    due: Due,
    mine: bool,
    from: From,
    now_utc: chrono::NaiveDateTime,
    zone: chrono::FixedOffset,
) -> Result<Vec<Value>, Failure> {
    let assigned_to = match (mine, me) {
        (false, _) => Vec::new(),
        (true, Some(me)) => vec![me.to_string()],
        (true, None) => {
            return Err(Failure::new(
                exit::ERROR,
                "who you are is not known: set user_id in config.toml (or GHL_USER_ID)",
            ));
        }
    };
    let filter = TaskFilter {
        completed: Some(false),
        assigned_to,
    };
    let tasks = match from {
        From::Server => session
            .client
            .location_tasks(&filter)
            .await
            .map_err(|e| Failure::api(&e))?,
        From::Cached => kept_queue(session, &filter).await?,
    };
    let offset = chrono::Duration::seconds(i64::from(zone.local_minus_utc()));
    let local_now = now_utc + offset;
    let mut kept: Vec<(Option<chrono::NaiveDateTime>, QueueTask)> = tasks
        .into_iter()
        .map(|t| (t.task.due().map(|d| d + offset), t))
        .filter(|(due_at, _)| {
            let group = group_of(*due_at, local_now);
            match due {
                Due::Any => true,
                Due::Today => group == Group::Today,
                Due::Overdue => group == Group::Overdue,
            }
        })
        .collect();
    kept.sort_by_key(|(d, t)| (d.is_none(), *d, t.id().to_string()));
    Ok(kept
        .into_iter()
        .map(|(_, t)| {
            // The search's item as sent, with the id and contact it names read into place.
            let mut v = serde_json::to_value(&t.task).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.entry("id").or_insert_with(|| t.id().into());
                o.entry("contactId")
                    .or_insert_with(|| t.contact_id().into());
            }
            v
        })
        .collect())
}

/// The queue as the app kept it for `filter` (the same key the app's queue uses).
async fn kept_queue(session: &Session, filter: &TaskFilter) -> Result<Vec<QueueTask>, Failure> {
    let Some(replica) = session.replica.replica.as_ref() else {
        return Err(Failure::new(
            exit::ERROR,
            "no local copy of this account to answer from (cache = \"off\")",
        ));
    };
    let key = format!("~queue:{}", filter.assigned_to.join(","));
    let kept = replica
        .call(move |r| r.part(&key, "queue_tasks"))
        .await
        .map_err(|e| {
            Failure::new(
                exit::ERROR,
                format!("the local copy could not be read: {e}"),
            )
        })?
        .map_err(|e| {
            Failure::new(
                exit::ERROR,
                format!("the local copy could not be read: {e}"),
            )
        })?;
    let Some((json, fetched_ms)) = kept else {
        return Err(Failure::new(
            exit::NOT_FOUND,
            "no work queue kept for this filter yet: open the queue in the app (0) once, or drop --cached",
        ));
    };
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal()
        && let Some(at) = chrono::DateTime::from_timestamp_millis(fetched_ms)
    {
        let local = at.with_timezone(&chrono::Local);
        eprintln!(
            "(from the local copy, fetched {})",
            local.format("%Y-%m-%d %H:%M")
        );
    }
    serde_json::from_value(json).map_err(|e| {
        Failure::new(
            exit::ERROR,
            format!("the kept queue could not be read: {e}"),
        )
    })
}

/// `tasks done ID`: the contact is the one the location's task search names, unless given.
pub async fn done_op(
    session: &Session,
    task_id: &str,
    contact: Option<String>,
) -> Result<WriteOp, Failure> {
    let contact_id = match contact {
        Some(c) => super::contacts::resolve(session, &c).await?,
        None => {
            let open = TaskFilter {
                completed: Some(false),
                assigned_to: Vec::new(),
            };
            match session.client.location_tasks(&open).await {
                Ok(all) => all
                    .iter()
                    .find(|t| t.id() == task_id)
                    .map(|t| t.contact_id().to_string())
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        Failure::new(
                            exit::NOT_FOUND,
                            format!("no open task {task_id} in this location"),
                        )
                    })?,
                // Out of reach: the local copy may know whose task it is, so the change can
                // still be recorded and sent later.
                Err(e) => {
                    let known = match session.replica.replica.as_ref() {
                        Some(r) => {
                            let id = task_id.to_string();
                            r.call(move |r| r.task_contact(&id))
                                .await
                                .ok()
                                .and_then(Result::ok)
                                .flatten()
                        }
                        None => None,
                    };
                    known.ok_or_else(|| {
                        Failure::new(
                            super::code_of(&e),
                            format!("{}; give --contact to record it anyway", e.one_line()),
                        )
                    })?
                }
            }
        }
    };
    Ok(WriteOp::CompleteTask {
        contact_id,
        task_id: task_id.to_string(),
        completed: true,
    })
}
