//! A write as data: what the outbox stores and replays, and how to send one. A create that
//! failed ambiguously (the request may have reached the server) is looked for on the server
//! before it is sent again, so one note typed is one note on the server.

use serde::{Deserialize, Serialize};

use super::activity::{Note, Task};
use super::client::Client;
use super::contact::Contact;
use super::envelopes::SearchRequest;
use super::error::ApiError;
use super::inputs::{ContactInput, NoteInput, TaskInput};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WriteOp {
    CreateContact {
        input: ContactInput,
    },
    UpdateContact {
        id: String,
        input: ContactInput,
    },
    DeleteContact {
        id: String,
    },
    AddTags {
        id: String,
        tags: Vec<String>,
    },
    RemoveTags {
        id: String,
        tags: Vec<String>,
    },
    CreateTask {
        contact_id: String,
        input: TaskInput,
    },
    UpdateTask {
        contact_id: String,
        task_id: String,
        input: TaskInput,
    },
    CompleteTask {
        contact_id: String,
        task_id: String,
        completed: bool,
    },
    DeleteTask {
        contact_id: String,
        task_id: String,
    },
    CreateNote {
        contact_id: String,
        input: NoteInput,
    },
    UpdateNote {
        contact_id: String,
        note_id: String,
        input: NoteInput,
    },
    DeleteNote {
        contact_id: String,
        note_id: String,
    },
}

/// What the server answered to a write.
#[derive(Clone, Debug, PartialEq)]
pub enum Applied {
    Contact(Box<Contact>),
    Task(Task),
    Note(Note),
    Tags {
        contact_id: String,
        tags: Vec<String>,
    },
    Deleted,
}

impl WriteOp {
    /// Creates are the only writes that are not safe to repeat blindly.
    pub fn is_create(&self) -> bool {
        matches!(
            self,
            WriteOp::CreateContact { .. } | WriteOp::CreateTask { .. } | WriteOp::CreateNote { .. }
        )
    }

    /// The contact a write is about (none for a contact not created yet).
    pub fn contact_id(&self) -> Option<&str> {
        match self {
            WriteOp::CreateContact { .. } => None,
            WriteOp::UpdateContact { id, .. }
            | WriteOp::DeleteContact { id }
            | WriteOp::AddTags { id, .. }
            | WriteOp::RemoveTags { id, .. } => Some(id),
            WriteOp::CreateTask { contact_id, .. }
            | WriteOp::UpdateTask { contact_id, .. }
            | WriteOp::CompleteTask { contact_id, .. }
            | WriteOp::DeleteTask { contact_id, .. }
            | WriteOp::CreateNote { contact_id, .. }
            | WriteOp::UpdateNote { contact_id, .. }
            | WriteOp::DeleteNote { contact_id, .. } => Some(contact_id),
        }
    }

    /// One line for the pending-writes list and the status bar.
    pub fn describe(&self) -> String {
        let short = |s: &Option<String>| {
            let s = s
                .as_deref()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
                .trim();
            let cut: String = s.chars().take(40).collect();
            if cut.len() < s.len() {
                format!("{cut}…")
            } else {
                cut
            }
        };
        match self {
            WriteOp::CreateContact { input } => {
                let name = [input.first_name.as_deref(), input.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                format!(
                    "new contact {}",
                    if name.is_empty() {
                        short(&input.email)
                    } else {
                        name
                    }
                )
            }
            WriteOp::UpdateContact { .. } => "contact changes".into(),
            WriteOp::DeleteContact { .. } => "delete contact".into(),
            WriteOp::AddTags { tags, .. } => format!("add tags {}", tags.join(", ")),
            WriteOp::RemoveTags { tags, .. } => format!("remove tags {}", tags.join(", ")),
            WriteOp::CreateTask { input, .. } => format!("new task “{}”", short(&input.title)),
            WriteOp::UpdateTask { input, .. } => format!("edit task “{}”", short(&input.title)),
            WriteOp::CompleteTask {
                completed: true, ..
            } => "complete task".into(),
            WriteOp::CompleteTask {
                completed: false, ..
            } => "reopen task".into(),
            WriteOp::DeleteTask { .. } => "delete task".into(),
            WriteOp::CreateNote { input, .. } => format!("new note “{}”", short(&input.body)),
            WriteOp::UpdateNote { input, .. } => format!("edit note “{}”", short(&input.body)),
            WriteOp::DeleteNote { .. } => "delete note".into(),
        }
    }
}

/// Whether a failed request may still have been carried out by the server.
pub fn maybe_delivered(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Network { .. }
            | ApiError::Timeout
            | ApiError::Server { .. }
            | ApiError::Decode { .. }
            | ApiError::TooLarge { .. }
            // A 302/303 after a POST often means "created, see there".
            | ApiError::Redirected { .. }
    )
}

/// Whether a failure is worth sending the same write again later (as opposed to a refusal the
/// user has to act on).
pub fn worth_retrying(e: &ApiError) -> bool {
    e.is_transient()
        || matches!(
            e,
            ApiError::Unauthorized { .. }
                | ApiError::SignedOut { .. }
                | ApiError::Decode { .. }
                | ApiError::DailyLimit { .. }
                | ApiError::Redirected { .. }
                | ApiError::TooLarge { .. }
        )
}

impl Client {
    /// Sends one write.
    pub async fn apply(&self, op: &WriteOp) -> Result<Applied, ApiError> {
        Ok(match op {
            WriteOp::CreateContact { input } => {
                Applied::Contact(Box::new(self.create_contact(input).await?))
            }
            WriteOp::UpdateContact { id, input } => {
                Applied::Contact(Box::new(self.update_contact(id, input).await?))
            }
            WriteOp::DeleteContact { id } => {
                self.delete_contact(id).await?;
                Applied::Deleted
            }
            WriteOp::AddTags { id, tags } => Applied::Tags {
                contact_id: id.clone(),
                tags: self.add_tags(id, tags).await?,
            },
            WriteOp::RemoveTags { id, tags } => Applied::Tags {
                contact_id: id.clone(),
                tags: self.remove_tags(id, tags).await?,
            },
            WriteOp::CreateTask { contact_id, input } => {
                Applied::Task(self.create_task(contact_id, input).await?)
            }
            WriteOp::UpdateTask {
                contact_id,
                task_id,
                input,
            } => Applied::Task(self.update_task(contact_id, task_id, input).await?),
            WriteOp::CompleteTask {
                contact_id,
                task_id,
                completed,
            } => Applied::Task(
                self.set_task_completed(contact_id, task_id, *completed)
                    .await?,
            ),
            WriteOp::DeleteTask {
                contact_id,
                task_id,
            } => {
                self.delete_task(contact_id, task_id).await?;
                Applied::Deleted
            }
            WriteOp::CreateNote { contact_id, input } => {
                Applied::Note(self.create_note(contact_id, input).await?)
            }
            WriteOp::UpdateNote {
                contact_id,
                note_id,
                input,
            } => Applied::Note(self.update_note(contact_id, note_id, input).await?),
            WriteOp::DeleteNote {
                contact_id,
                note_id,
            } => {
                self.delete_note(contact_id, note_id).await?;
                Applied::Deleted
            }
        })
    }

    /// For a create whose earlier attempt may have reached the server: what it created, if it
    /// did. `since_ms` is when the write was first recorded.
    pub async fn find_created(
        &self,
        op: &WriteOp,
        since_ms: i64,
    ) -> Result<Option<Applied>, ApiError> {
        let recent = |raw: Option<&str>| {
            // A minute of slack for clocks that disagree.
            raw.and_then(super::time::epoch_ms)
                .is_none_or(|t| t >= since_ms - 60_000)
        };
        match op {
            WriteOp::CreateNote { contact_id, input } => {
                // A note without a date cannot be told apart from an old one with the same text.
                let recent = |raw: Option<&str>| raw.is_some() && recent(raw);
                let notes = self.notes(contact_id).await?;
                Ok(notes
                    .into_iter()
                    .find(|n| n.body == input.body && recent(n.date_added.as_deref()))
                    .map(Applied::Note))
            }
            WriteOp::CreateTask { contact_id, input } => {
                let tasks = self.tasks(contact_id).await?;
                let same_due = |t: &Task| match (
                    t.due(),
                    input.due_date.as_deref().and_then(super::time::parse),
                ) {
                    (Some(a), Some(b)) => a == b,
                    (a, b) => a.is_none() && b.is_none(),
                };
                Ok(tasks
                    .into_iter()
                    .find(|t| t.title == input.title && t.body == input.body && same_due(t))
                    .map(Applied::Task))
            }
            WriteOp::CreateContact { input } => {
                let key = input
                    .email
                    .clone()
                    .or_else(|| input.phone.clone())
                    .or_else(|| {
                        let name = [input.first_name.as_deref(), input.last_name.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ");
                        (!name.is_empty()).then_some(name)
                    });
                let Some(query) = key else { return Ok(None) };
                let req = SearchRequest {
                    location_id: self.location_id().to_string(),
                    page_limit: 20,
                    page: Some(1),
                    query: Some(
                        query
                            .chars()
                            .take(super::envelopes::MAX_QUERY_CHARS)
                            .collect(),
                    ),
                    search_after: None,
                    ..Default::default()
                };
                let page = self.search(&req).await?;
                let same = |c: &Contact| {
                    let eq = |a: &Option<String>, b: &Option<String>| {
                        a.as_deref().map(str::to_lowercase) == b.as_deref().map(str::to_lowercase)
                    };
                    eq(&c.email, &input.email)
                        && eq(&c.first_name, &input.first_name)
                        && eq(&c.last_name, &input.last_name)
                };
                Ok(page
                    .contacts
                    .into_iter()
                    .find(|c| same(c) && recent(c.date_added.as_deref()))
                    .map(|c| Applied::Contact(Box::new(c))))
            }
            _ => Ok(None),
        }
    }
}
