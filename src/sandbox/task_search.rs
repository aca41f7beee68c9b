//! `POST /locations/{locationId}/tasks/search`: every task of the location's contacts, from the
//! same store `/contacts/{id}/tasks` reads and writes, so a task made or completed there is
//! found here at once. The spec leaves the items untyped; they are shaped as FACTS.md describes
//! the live API: `_id` (and `id`), the task's fields, `contactDetails` and
//! `assignedToUserDetails`.

// Helpers here return the answer to send as their error: it is sent at once, never stored.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::reply;
use super::routes::location_check;
use super::rules::TASKS_SEARCH_DEFAULT_LIMIT;
use super::store::{Object, StoredContact};
use super::{Grant, Shared};

/// The body's filters, checked as `TaskSearchParamsDto` types them.
#[derive(Default)]
struct Filters {
    contacts: Option<Vec<String>>,
    completed: Option<bool>,
    assigned: Option<Vec<String>>,
    query: String,
    business: Option<String>,
    limit: usize,
    skip: usize,
}

fn strings(body: &Object, key: &str, errors: &mut Vec<String>) -> Option<Vec<String>> {
    match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        ),
        Some(Value::Array(_)) => {
            errors.push(format!("each value in {key} must be a string"));
            None
        }
        Some(_) => {
            errors.push(format!("{key} must be an array"));
            None
        }
    }
}

fn whole(body: &Object, key: &str, default: usize, min: u64, errors: &mut Vec<String>) -> usize {
    match body.get(key) {
        None | Some(Value::Null) => default,
        Some(v) => match v.as_u64() {
            Some(n) if n >= min => n as usize,
            _ => {
                errors.push(format!("{key} must not be less than {min}"));
                default
            }
        },
    }
}

fn filters(body: &Object) -> Result<Filters, Response> {
    let mut errors = Vec::new();
    let mut f = Filters {
        contacts: strings(body, "contactId", &mut errors),
        assigned: strings(body, "assignedTo", &mut errors),
        limit: whole(body, "limit", TASKS_SEARCH_DEFAULT_LIMIT, 1, &mut errors),
        skip: whole(body, "skip", 0, 0, &mut errors),
        ..Filters::default()
    };
    match body.get("completed") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => f.completed = Some(*b),
        Some(_) => errors.push("completed must be a boolean value".into()),
    }
    for key in ["query", "businessId"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if key == "query" => f.query = v.trim().to_lowercase(),
            Some(Value::String(v)) => f.business = Some(v.clone()).filter(|b| !b.is_empty()),
            Some(_) => errors.push(format!("{key} must be a string")),
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(reply::unprocessable(errors))
    }
}

fn text<'a>(o: &'a Object, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

impl Filters {
    fn keeps(&self, task: &Object, contact: &StoredContact) -> bool {
        let within = |list: &Option<Vec<String>>, v: Option<&str>| {
            list.as_ref()
                .is_none_or(|l| v.is_some_and(|v| l.iter().any(|x| x == v)))
        };
        let done = task.get("completed").and_then(Value::as_bool) == Some(true);
        within(&self.contacts, Some(contact.id.as_str()))
            && within(&self.assigned, text(task, "assignedTo"))
            && self.completed.is_none_or(|c| c == done)
            && self
                .business
                .as_ref()
                .is_none_or(|b| contact.business_id.as_deref() == Some(b.as_str()))
            && (self.query.is_empty()
                || [text(task, "title"), text(task, "body")]
                    .iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(&self.query)))
    }
}

/// Copies of `keys` that `from` has.
fn pick(from: &Object, keys: &[&str]) -> Value {
    let picked: Map<String, Value> = keys
        .iter()
        .filter_map(|k| Some((k.to_string(), from.get(*k)?.clone())))
        .filter(|(_, v)| !v.is_null())
        .collect();
    Value::Object(picked)
}

/// A task as the search lists it: its own fields under `_id` and `id`, the names a list needs
/// without one more request per contact and per user.
fn item(task: &Object, contact: &StoredContact, users: &[Object]) -> Value {
    let mut o = task.clone();
    if let Some(id) = task.get("id") {
        o.insert("_id".into(), id.clone());
    }
    o.insert(
        "contactDetails".into(),
        pick(
            &contact.json,
            &[
                "id",
                "firstName",
                "lastName",
                "email",
                "phone",
                "companyName",
            ],
        ),
    );
    let user =
        text(task, "assignedTo").and_then(|id| users.iter().find(|u| text(u, "id") == Some(id)));
    if let Some(u) = user {
        o.insert(
            "assignedToUserDetails".into(),
            pick(u, &["id", "firstName", "lastName", "email"]),
        );
    }
    Value::Object(o)
}

pub async fn search(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(location_id): Path<String>,
    body: Bytes,
) -> Response {
    // An empty body searches everything, as an empty JSON body reaches the live API as `{}`.
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Object::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) => o,
            _ => return reply::bad_request("Request body must be a JSON object"),
        }
    };
    let f = match filters(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Err(r) = location_check(&g, &location_id) {
        return r;
    }
    let db = s.db();
    let mut hits: Vec<(&Object, &StoredContact)> = db
        .tasks
        .iter()
        .filter_map(|(cid, tasks)| Some((db.contact(cid)?, tasks)))
        .filter(|(c, _)| c.location_id == location_id)
        .flat_map(|(c, tasks)| tasks.iter().map(move |t| (t, c)))
        .filter(|(t, c)| f.keeps(t, c))
        .collect();
    // The API documents no order. Due date first (those without one last), then id, so pages
    // are stable while the store does not change.
    let due = |t: &Object| {
        text(t, "dueDate")
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.timestamp_millis())
    };
    let key = |t: &Object| {
        (
            due(t).is_none(),
            due(t),
            text(t, "id").unwrap_or("").to_string(),
        )
    };
    hits.sort_by_cached_key(|(t, _)| key(t));
    let total = hits.len();
    let tasks: Vec<Value> = hits
        .into_iter()
        .skip(f.skip)
        .take(f.limit)
        .map(|(t, c)| item(t, c, &s.users))
        .collect();
    reply::ok(json!({ "tasks": tasks, "total": total }))
}
