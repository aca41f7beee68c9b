//! Across contacts: the location's tasks (`POST /locations/{locationId}/tasks/search`, scope
//! `locations/tasks.readonly`) and a user's appointments in a span of time
//! (`GET /calendars/events`, scope `calendars/events.readonly`, Version `2021-04-15`).
//!
//! The task search has no due-date filter or sort: it is paged by `skip` until a short page and
//! grouped by the caller. Its items are untyped in the spec; the live API sends `_id` (not
//! always `id`), the task's fields, and `contactDetails` / `assignedToUserDetails` objects,
//! read here so a queue needs no request per contact.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::activity::{Appointment, Task};
use super::client::Client;
use super::envelopes::EventsEnvelope;
use super::error::ApiError;

/// Tasks asked for in one page (the API's default is 25).
pub const TASK_PAGE: usize = 100;
/// At most this many pages: 10,000 tasks.
const MAX_TASK_PAGES: usize = 100;

/// What the location's task search is asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    /// `Some(false)`: open tasks only.
    pub completed: Option<bool>,
    /// Assigned to one of these users; everyone's when empty.
    pub assigned_to: Vec<String>,
}

#[derive(Deserialize)]
struct TaskPage {
    #[serde(default, deserialize_with = "super::lenient::lenient_list")]
    tasks: Vec<Task>,
}

/// A task found across the location, with who it is for as the search named them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueTask {
    pub task: Task,
    /// The contact's name as `contactDetails` gave it (empty when it gave none).
    pub contact_name: String,
    pub company: String,
    /// The contact's timezone, from the replica's whole record where it has one: the search
    /// names none.
    #[serde(default)]
    pub timezone: Option<String>,
    /// DND blocks calls or texts for the contact (known only from a whole record, like the
    /// timezone).
    #[serde(default)]
    pub dnd: bool,
}

fn text(v: Option<&Value>, key: &str) -> String {
    v.and_then(|o| o.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
        .to_string()
}

impl QueueTask {
    /// Reads the search's shape: the id from `_id` when `id` is missing, the contact from
    /// `contactDetails` (its id too, when the task lacks `contactId`).
    pub fn from_search(mut task: Task) -> QueueTask {
        if task.id.as_deref().is_none_or(str::is_empty)
            && let Some(id) = task.extra.get("_id").and_then(Value::as_str)
        {
            task.id = Some(id.to_string());
        }
        let details = task.extra.get("contactDetails");
        if task.contact_id.as_deref().is_none_or(str::is_empty) {
            let id = text(details, "id");
            if !id.is_empty() {
                task.contact_id = Some(id);
            }
        }
        let contact_name = crate::api::contact::full_name(
            Some(&text(details, "firstName")),
            Some(&text(details, "lastName")),
        );
        let company = text(details, "companyName");
        QueueTask {
            task,
            contact_name,
            company,
            timezone: None,
            dnd: false,
        }
    }

    pub fn id(&self) -> &str {
        self.task.id.as_deref().unwrap_or("")
    }

    pub fn contact_id(&self) -> &str {
        self.task.contact_id.as_deref().unwrap_or("")
    }

    /// Who the task is for: `name · company`, either alone, or empty.
    pub fn who(&self) -> String {
        match (self.contact_name.as_str(), self.company.as_str()) {
            ("", "") => String::new(),
            (n, "") => n.to_string(),
            ("", c) => c.to_string(),
            (n, c) => format!("{n} · {c}"),
        }
    }
}

impl Client {
    /// `POST /locations/{locationId}/tasks/search`, every page.
    pub async fn location_tasks(&self, f: &TaskFilter) -> Result<Vec<QueueTask>, ApiError> {
        let url = self.url(&["locations", self.location_id(), "tasks", "search"]);
        let mut all: Vec<QueueTask> = Vec::new();
        for page in 0..MAX_TASK_PAGES {
            let mut body = json!({ "limit": TASK_PAGE, "skip": page * TASK_PAGE });
            if let Some(done) = f.completed {
                body["completed"] = json!(done);
            }
            if !f.assigned_to.is_empty() {
                body["assignedTo"] = json!(f.assigned_to);
            }
            let got: TaskPage = self
                .call(Method::POST, url.clone(), Some(&body), true)
                .await?;
            let n = got.tasks.len();
            let before = all.len();
            for t in got.tasks {
                let q = QueueTask::from_search(t);
                if !q.id().is_empty() && !all.iter().any(|x| x.id() == q.id()) {
                    all.push(q);
                }
            }
            // A short page ends it; so does a page with nothing new (a server repeating
            // itself), rather than loop.
            if n < TASK_PAGE || all.len() == before {
                break;
            }
        }
        Ok(all)
    }

    /// `GET /calendars/events` of `user_id` from `from_ms` to `to_ms`.
    pub async fn user_events(
        &self,
        user_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Appointment>, ApiError> {
        let mut url = self.url(&["calendars", "events"]);
        url.query_pairs_mut()
            .append_pair("locationId", self.location_id())
            .append_pair("userId", user_id)
            .append_pair("startTime", &from_ms.to_string())
            .append_pair("endTime", &to_ms.to_string());
        let env: EventsEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(env.events)
    }
}
