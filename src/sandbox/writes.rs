//! The write endpoints of the Contacts API with GHL's validation: 422 with a list of messages
//! for malformed bodies, 400 for duplicates and missing records, and the `succeded` spelling.

// Helpers here return the answer to send as their error: it is sent at once, never stored.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::reply;
use super::store::{Object, StoredContact};
use super::{Grant, Shared};

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Now as the API writes times.
pub fn now_iso() -> String {
    now()
}

/// A 20-character id like GHL's.
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..20)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// The JSON object body, or GHL's 400.
fn object(body: &Bytes) -> Result<Object, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(reply::bad_request("Request body must be a JSON object")),
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.starts_with('.')
        && domain.contains('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || "+-(). ".contains(c))
}

const CONTACT_STRINGS: [&str; 16] = [
    "firstName",
    "lastName",
    "name",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "website",
    "timezone",
    "source",
    "country",
    "companyName",
    "assignedTo",
    "gender",
];

/// Checks a contact body as the API's DTO does. `update` forbids what PUT does not take.
fn check_contact(o: &Object, update: bool) -> Vec<String> {
    let mut errors = Vec::new();
    for key in CONTACT_STRINGS {
        if o.get(key).is_some_and(|v| !(v.is_string() || v.is_null())) {
            errors.push(format!("{key} must be a string"));
        }
    }
    if update {
        for key in ["locationId", "companyName", "gender"] {
            if o.contains_key(key) {
                errors.push(format!("property {key} should not exist"));
            }
        }
    }
    let text = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    if text("email").is_some_and(|e| !is_email(e)) {
        errors.push("email must be an email".into());
    }
    if text("phone").is_some_and(|p| !is_phone(p)) {
        errors.push("phone must be a valid phone number".into());
    }
    if o.get("dnd").is_some_and(|d| !d.is_boolean()) {
        errors.push("dnd must be a boolean value".into());
    }
    if o.get("tags")
        .is_some_and(|t| !t.as_array().is_some_and(|t| t.iter().all(Value::is_string)))
    {
        errors.push("tags must be an array of strings".into());
    }
    let no_id = |f: &Value| {
        f.get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    };
    match o.get("customFields") {
        None => {}
        Some(Value::Array(fields)) if fields.iter().any(no_id) => {
            errors.push("customFields.id should not be empty".into());
        }
        Some(Value::Array(_)) => {}
        Some(_) => errors.push("customFields must be an array".into()),
    }
    if let Some(Value::Object(settings)) = o.get("dndSettings") {
        for (channel, s) in settings {
            let status = s.get("status").and_then(Value::as_str);
            if !matches!(status, Some("active" | "inactive" | "permanent")) {
                errors.push(format!(
                    "dndSettings.{channel}.status must be one of active, inactive, permanent"
                ));
            }
        }
    }
    errors
}

/// Writes body fields onto a stored contact: custom fields by id (`field_value`, or `value`),
/// everything else as given.
fn apply_contact(target: &mut Object, body: &Object) {
    for (k, v) in body {
        match k.as_str() {
            "customFields" => {
                let mut fields: Vec<Value> = target
                    .get("customFields")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for f in v.as_array().into_iter().flatten() {
                    let Some(id) = f.get("id").and_then(Value::as_str) else {
                        continue;
                    };
                    let value = f
                        .get("field_value")
                        .or_else(|| f.get("value"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    fields.retain(|e| e.get("id").and_then(Value::as_str) != Some(id));
                    // Reads give values as strings, as the spec's CustomFieldSchema says.
                    let value = match value {
                        Value::String(s) => Value::String(s),
                        Value::Null => continue,
                        Value::Array(items) => Value::String(
                            items
                                .iter()
                                .map(|i| i.as_str().map_or_else(|| i.to_string(), String::from))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        other => Value::String(other.to_string()),
                    };
                    fields.push(json!({"id": id, "value": value}));
                }
                target.insert("customFields".into(), Value::Array(fields));
            }
            "createNewIfDuplicateAllowed" => {}
            "tags" => {
                target.insert(
                    "tags".into(),
                    json!(normalise_tags(
                        v.as_array().map(Vec::as_slice).unwrap_or(&[])
                    )),
                );
            }
            _ if v.is_null() => {
                target.remove(k);
            }
            _ => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    target.insert("dateUpdated".into(), json!(now()));
}

/// GHL stores tags lowercased and trimmed, once each.
fn normalise_tags(tags: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().filter_map(Value::as_str) {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn duplicate(c: &StoredContact, field: &str) -> Response {
    let body = json!({
        "statusCode": 400,
        "message": "This location does not allow duplicated contacts.",
        "meta": {"contactName": c.json.get("name"), "contactId": c.id, "matchingField": field}
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn location_of(o: &Object, g: &Grant) -> Result<String, Response> {
    let location = o.get("locationId").and_then(Value::as_str).unwrap_or("");
    if location.is_empty() {
        return Err(reply::unprocessable(vec![
            "locationId should not be empty".into(),
        ]));
    }
    if location != g.location_id {
        return Err(reply::unauthorized(
            "The token does not have access to this location.",
        ));
    }
    Ok(location.to_string())
}

fn new_contact(body: &Object, location: &str) -> StoredContact {
    let mut json = Map::new();
    let stamp = now();
    json.insert("id".into(), json!(new_id()));
    json.insert("locationId".into(), json!(location));
    json.insert("dateAdded".into(), json!(stamp));
    json.insert("type".into(), json!("lead"));
    json.insert("tags".into(), json!([]));
    json.insert("customFields".into(), json!([]));
    apply_contact(&mut json, body);
    json.insert("dateUpdated".into(), json!(stamp));
    StoredContact::new(json, location).unwrap_or_else(|| unreachable!("the id was just set"))
}

/// `POST /contacts/`
pub async fn create_contact(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    body: Bytes,
) -> Response {
    let body = match object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut errors = check_contact(&body, false);
    let location = match location_of(&body, &g) {
        Ok(l) => Some(l),
        Err(r) if errors.is_empty() => return r,
        Err(_) => {
            errors.insert(0, "locationId should not be empty".into());
            None
        }
    };
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let location = location.unwrap_or_default();
    let mut db = s.db();
    let email = body.get("email").and_then(Value::as_str);
    let phone = body.get("phone").and_then(Value::as_str);
    if let Some((dup, field)) = db.duplicate_of(&location, email, phone, None) {
        return duplicate(dup, field);
    }
    let contact = new_contact(&body, &location);
    let json = contact.json.clone();
    db.insert(contact);
    created(json!({ "contact": json }))
}

/// `POST /contacts/upsert`: updates the contact with the same email or phone, else creates one.
pub async fn upsert_contact(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    body: Bytes,
) -> Response {
    let body = match object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let errors = check_contact(&body, false);
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let location = match location_of(&body, &g) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut db = s.db();
    let email = body.get("email").and_then(Value::as_str);
    let phone = body.get("phone").and_then(Value::as_str);
    let existing = db
        .duplicate_of(&location, email, phone, None)
        .map(|(c, _)| c.id.clone());
    let trace = new_id();
    match existing.and_then(|id| db.contact_mut(&id)) {
        Some(c) => {
            let mut changes = body.clone();
            changes.remove("locationId");
            apply_contact(&mut c.json, &changes);
            c.refresh();
            reply::ok(json!({ "new": false, "contact": c.json, "traceId": trace }))
        }
        None => {
            let contact = new_contact(&body, &location);
            let json = contact.json.clone();
            db.insert(contact);
            reply::ok(json!({ "new": true, "contact": json, "traceId": trace }))
        }
    }
}

fn contact_missing(id: &str) -> Response {
    reply::bad_request(&format!("Contact with id {id} not found"))
}

/// `PUT /contacts/{contactId}`: `tags` here replace all tags, as in GHL.
pub async fn update_contact(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let errors = check_contact(&body, true);
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let mut db = s.db();
    let email = body.get("email").and_then(Value::as_str);
    let phone = body.get("phone").and_then(Value::as_str);
    if let Some((dup, field)) = db.duplicate_of(&g.location_id, email, phone, Some(&id)) {
        return duplicate(dup, field);
    }
    match db
        .contact_mut(&id)
        .filter(|c| c.location_id == g.location_id)
    {
        Some(c) => {
            apply_contact(&mut c.json, &body);
            c.refresh();
            reply::ok(json!({ "succeded": true, "contact": c.json }))
        }
        None => contact_missing(&id),
    }
}

/// `DELETE /contacts/{contactId}`
pub async fn delete_contact(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
) -> Response {
    let mut db = s.db();
    if db
        .contact(&id)
        .is_none_or(|c| c.location_id != g.location_id)
    {
        return contact_missing(&id);
    }
    db.remove(&id);
    reply::ok(json!({ "succeded": true }))
}

/// Tags: `POST` adds, `DELETE` removes; both answer with the contact's tags after the change.
pub async fn add_tags(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change_tags(&s, &g, &id, &body, true, StatusCode::CREATED)
}

pub async fn remove_tags(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change_tags(&s, &g, &id, &body, false, StatusCode::OK)
}

fn change_tags(
    s: &Shared,
    g: &Grant,
    id: &str,
    body: &Bytes,
    add: bool,
    status: StatusCode,
) -> Response {
    let body = match object(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(tags) = body
        .get("tags")
        .and_then(Value::as_array)
        .filter(|t| t.iter().all(Value::is_string))
    else {
        return reply::unprocessable(vec!["tags must be an array of strings".into()]);
    };
    let given = normalise_tags(tags);
    if given.is_empty() {
        return reply::unprocessable(vec!["tags should not be empty".into()]);
    }
    let mut db = s.db();
    let Some(c) = db
        .contact_mut(id)
        .filter(|c| c.location_id == g.location_id)
    else {
        return contact_missing(id);
    };
    let current = retag(c, &given, add).current;
    (status, axum::Json(json!({ "tags": current }))).into_response()
}

/// What changing a contact's tags did.
struct Retagged {
    old: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
    current: Vec<String>,
}

/// Adds (or removes) `given` on `c`, as GHL does: case-insensitively, each tag once.
fn retag(c: &mut StoredContact, given: &[String], add: bool) -> Retagged {
    let old: Vec<String> = c
        .json
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut current = old.clone();
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    if add {
        for t in given {
            if !current.iter().any(|c| c.eq_ignore_ascii_case(t)) {
                current.push(t.clone());
                added.push(t.clone());
            }
        }
    } else {
        current.retain(|c| {
            let gone = given.iter().any(|t| t.eq_ignore_ascii_case(c));
            if gone {
                removed.push(c.clone());
            }
            !gone
        });
    }
    c.json.insert("tags".into(), json!(current));
    c.json.insert("dateUpdated".into(), json!(now()));
    c.refresh();
    Retagged {
        old,
        added,
        removed,
        current,
    }
}

/// `POST /contacts/bulk/tags/update/{type}` (`add` or `remove`): `{contacts, tags, locationId,
/// removeAllTags?}`. Answers 201 with one response per contact, so part of it may fail:
/// `{succeded, errorCount, responses: [{contactId, message, type, oldTags, tagsAdded,
/// tagsRemoved}]}`.
pub async fn bulk_tags(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(kind): Path<String>,
    body: Bytes,
) -> Response {
    let add = match kind.as_str() {
        "add" => true,
        "remove" => false,
        _ => return reply::unprocessable(vec!["type must be one of add, remove".into()]),
    };
    let body = match object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut errors = Vec::new();
    let strings = |key: &str| -> Option<Vec<String>> {
        body.get(key)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect()
    };
    let contacts = strings("contacts").unwrap_or_else(|| {
        errors.push("contacts must be an array of strings".to_string());
        Vec::new()
    });
    let remove_all = body.get("removeAllTags").and_then(Value::as_bool) == Some(true);
    let tags = match body.get("tags").and_then(Value::as_array) {
        Some(t) if t.iter().all(Value::is_string) => normalise_tags(t),
        _ => {
            errors.push("tags must be an array of strings".into());
            Vec::new()
        }
    };
    if tags.is_empty() && !remove_all {
        errors.push("tags should not be empty".into());
    }
    if remove_all && add {
        errors.push("removeAllTags can only be used with remove".into());
    }
    match body.get("locationId").and_then(Value::as_str) {
        Some(l) if l == g.location_id => {}
        Some(_) => return reply::unauthorized("The token does not have access to this location."),
        None => errors.push("locationId should not be empty".into()),
    }
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let mut db = s.db();
    let mut responses = Vec::new();
    for id in &contacts {
        let found = db
            .contact_mut(id)
            .filter(|c| c.location_id == g.location_id);
        let Some(c) = found else {
            responses.push(json!({
                "contactId": id,
                "message": "contact does not belong to location",
                "type": "error",
            }));
            continue;
        };
        let given = if remove_all {
            c.json
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| normalise_tags(t))
                .unwrap_or_default()
        } else {
            tags.clone()
        };
        let r = retag(c, &given, add);
        responses.push(json!({
            "contactId": id,
            "message": "Tags updated",
            "type": "success",
            "oldTags": r.old,
            "tagsAdded": r.added,
            "tagsRemoved": r.removed,
        }));
    }
    let errors = responses.iter().filter(|r| r["type"] == "error").count();
    (
        StatusCode::CREATED,
        axum::Json(json!({
            "succeded": errors == 0,
            "errorCount": errors,
            "responses": responses,
        })),
    )
        .into_response()
}

fn check_task(o: &Object, create: bool) -> Vec<String> {
    let mut errors = Vec::new();
    match o.get("title") {
        Some(Value::String(t)) if !t.trim().is_empty() => {}
        None if !create => {}
        _ => errors.push("title should not be empty".into()),
    }
    match o.get("dueDate") {
        Some(Value::String(d)) if chrono::DateTime::parse_from_rfc3339(d).is_ok() => {}
        None if !create => {}
        _ => errors.push("dueDate must be a valid ISO 8601 date string".into()),
    }
    match o.get("completed") {
        Some(Value::Bool(_)) => {}
        None if !create => {}
        _ => errors.push("completed must be a boolean value".into()),
    }
    for key in ["body", "assignedTo"] {
        if o.get(key).is_some_and(|v| !v.is_string()) {
            errors.push(format!("{key} must be a string"));
        }
    }
    errors
}

fn child_missing(kind: &str, id: &str) -> Response {
    reply::bad_request(&format!("{kind} with id {id} not found"))
}

const TASK_FIELDS: [&str; 5] = ["title", "body", "dueDate", "completed", "assignedTo"];

/// Creates a task or note of a contact from a checked body: `201 {task|note}`.
fn create_child(s: &Shared, g: &Grant, contact_id: String, body: &Bytes, notes: bool) -> Response {
    let body = match object(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let errors = if notes {
        check_note(&body, true)
    } else {
        check_task(&body, true)
    };
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let mut db = s.db();
    if db
        .contact(&contact_id)
        .is_none_or(|c| c.location_id != g.location_id)
    {
        return contact_missing(&contact_id);
    }
    let mut item = Map::new();
    item.insert("id".into(), json!(new_id()));
    let fields: &[&str] = if notes { &NOTE_FIELDS } else { &TASK_FIELDS };
    for key in fields {
        if let Some(v) = body.get(*key) {
            item.insert((*key).into(), v.clone());
        }
    }
    if notes {
        item.insert("dateAdded".into(), json!(now()));
    }
    item.insert("contactId".into(), json!(contact_id));
    let (list, key) = if notes {
        (&mut db.notes, "note")
    } else {
        (&mut db.tasks, "task")
    };
    list.entry(contact_id).or_default().push(item.clone());
    created(json!({ key: item }))
}

/// `POST /contacts/{contactId}/tasks`
pub async fn create_task(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    create_child(&s, &g, id, &body, false)
}

fn edit_child(
    s: &Shared,
    g: &Grant,
    contact_id: &str,
    child_id: &str,
    notes: bool,
    change: impl FnOnce(&mut Object),
) -> Result<Object, Response> {
    let mut db = s.db();
    if db
        .contact(contact_id)
        .is_none_or(|c| c.location_id != g.location_id)
    {
        return Err(contact_missing(contact_id));
    }
    let list = if notes {
        db.notes.get_mut(contact_id)
    } else {
        db.tasks.get_mut(contact_id)
    };
    let kind = if notes { "Note" } else { "Task" };
    let Some(item) = list.and_then(|l| {
        l.iter_mut()
            .find(|t| t.get("id").and_then(Value::as_str) == Some(child_id))
    }) else {
        return Err(child_missing(kind, child_id));
    };
    change(item);
    Ok(item.clone())
}

/// Changes a task or note from a checked body: `200 {task|note}`.
fn update_child(
    s: &Shared,
    g: &Grant,
    contact_id: &str,
    child_id: &str,
    body: &Bytes,
    notes: bool,
) -> Response {
    let body = match object(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let errors = if notes {
        check_note(&body, false)
    } else {
        check_task(&body, false)
    };
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    let fields: &[&str] = if notes { &NOTE_FIELDS } else { &TASK_FIELDS };
    let changed = edit_child(s, g, contact_id, child_id, notes, |item| {
        for key in fields {
            if let Some(v) = body.get(*key) {
                item.insert((*key).into(), v.clone());
            }
        }
    });
    match changed {
        Ok(item) => reply::ok(json!({ if notes { "note" } else { "task" }: item })),
        Err(r) => r,
    }
}

/// `PUT /contacts/{contactId}/tasks/{taskId}`
pub async fn update_task(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    update_child(&s, &g, &id, &task_id, &body, false)
}

/// `PUT /contacts/{contactId}/tasks/{taskId}/completed`
pub async fn complete_task(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body = match object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(done) = body.get("completed").and_then(Value::as_bool) else {
        return reply::unprocessable(vec!["completed must be a boolean value".into()]);
    };
    match edit_child(&s, &g, &id, &task_id, false, |t| {
        t.insert("completed".into(), json!(done));
    }) {
        Ok(task) => reply::ok(json!({ "task": task })),
        Err(r) => r,
    }
}

fn delete_child(s: &Shared, g: &Grant, contact_id: &str, child_id: &str, notes: bool) -> Response {
    let mut db = s.db();
    if db
        .contact(contact_id)
        .is_none_or(|c| c.location_id != g.location_id)
    {
        return contact_missing(contact_id);
    }
    let list = if notes {
        db.notes.get_mut(contact_id)
    } else {
        db.tasks.get_mut(contact_id)
    };
    let Some(list) = list else {
        return child_missing(if notes { "Note" } else { "Task" }, child_id);
    };
    let before = list.len();
    list.retain(|t| t.get("id").and_then(Value::as_str) != Some(child_id));
    if list.len() == before {
        return child_missing(if notes { "Note" } else { "Task" }, child_id);
    }
    reply::ok(json!({ "succeded": true }))
}

/// `DELETE /contacts/{contactId}/tasks/{taskId}`
pub async fn delete_task(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, task_id)): Path<(String, String)>,
) -> Response {
    delete_child(&s, &g, &id, &task_id, false)
}

fn check_note(o: &Object, create: bool) -> Vec<String> {
    let mut errors = Vec::new();
    match o.get("body") {
        Some(Value::String(b)) if !b.trim().is_empty() => {}
        None if !create => {}
        _ => errors.push("body should not be empty".into()),
    }
    for key in ["userId", "title", "color"] {
        if o.get(key).is_some_and(|v| !v.is_string()) {
            errors.push(format!("{key} must be a string"));
        }
    }
    if o.get("pinned").is_some_and(|v| !v.is_boolean()) {
        errors.push("pinned must be a boolean value".into());
    }
    errors
}

const NOTE_FIELDS: [&str; 5] = ["body", "userId", "title", "color", "pinned"];

/// `POST /contacts/{contactId}/notes`
pub async fn create_note(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    create_child(&s, &g, id, &body, true)
}

/// `PUT /contacts/{contactId}/notes/{id}`
pub async fn update_note(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, note_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    update_child(&s, &g, &id, &note_id, &body, true)
}

/// `DELETE /contacts/{contactId}/notes/{id}`
pub async fn delete_note(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, note_id)): Path<(String, String)>,
) -> Response {
    delete_child(&s, &g, &id, &note_id, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_are_checked_like_the_api() {
        assert!(is_email("ana@example.com") && is_email("o'brien+x@mail.test"));
        assert!(
            !is_email("ana@") && !is_email("@x.com") && !is_email("a b@x.com") && !is_email("a@x")
        );
        assert!(is_phone("+1 (555) 010-0100") && is_phone("+4930123456"));
        assert!(!is_phone("12345") && !is_phone("call me") && !is_phone("+1 555 0100 ext 5"));
    }

    #[test]
    fn put_refuses_what_ghl_refuses() {
        let body: Object =
            serde_json::from_value(json!({"companyName": "X", "locationId": "L", "email": "nope"}))
                .expect("obj");
        let errors = check_contact(&body, true);
        assert!(errors.contains(&"property companyName should not exist".to_string()));
        assert!(errors.contains(&"property locationId should not exist".to_string()));
        assert!(errors.contains(&"email must be an email".to_string()));
    }
}
