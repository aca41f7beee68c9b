//! The read endpoints of the Contacts API, answering in the official shapes.

// Helpers here return the answer to send as their error: it is sent at once, never stored.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::reply;
use super::rules::{
    DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_PAGE_LIMIT, MAX_QUERY_CHARS, PAGE_WINDOW,
};
use super::search_rules;
use super::store::{Db, Object, StoredContact};
use super::{Grant, Shared};

type Params = Query<HashMap<String, String>>;

fn contact_not_found(id: &str) -> Response {
    reply::bad_request(&format!("Contact with id {id} not found"))
}

/// A contact the token may see, or the answer to give instead.
fn visible<'a>(db: &'a Db, grant: &Grant, id: &str) -> Result<&'a StoredContact, Response> {
    match db.contact(id) {
        Some(c) if c.location_id == grant.location_id => Ok(c),
        _ => Err(contact_not_found(id)),
    }
}

pub(super) fn location_check(grant: &Grant, location_id: &str) -> Result<(), Response> {
    if location_id == grant.location_id {
        Ok(())
    } else {
        // The v2 spec documents no 403 on these paths: a token for another location is an
        // unauthorized token there.
        Err(reply::unauthorized(
            "The token does not have access to this location.",
        ))
    }
}

pub async fn get_contact(
    State(s): State<Arc<Shared>>,
    Extension(grant): Extension<Grant>,
    Path(id): Path<String>,
) -> Response {
    let db = s.db();
    match visible(&db, &grant, &id) {
        Ok(c) => reply::ok(json!({ "contact": c.json })),
        Err(r) => r,
    }
}

fn children(
    s: &Shared,
    grant: &Grant,
    contact_id: &str,
    pick: impl Fn(&Db) -> Option<&Vec<Object>>,
    key: &str,
) -> Response {
    let db = s.db();
    if let Err(r) = visible(&db, grant, contact_id) {
        return r;
    }
    let items = pick(&db).cloned().unwrap_or_default();
    reply::ok(json!({ key: items }))
}

fn child(
    s: &Shared,
    grant: &Grant,
    contact_id: &str,
    child_id: &str,
    pick: impl Fn(&Db) -> Option<&Vec<Object>>,
    key: &str,
) -> Response {
    let db = s.db();
    if let Err(r) = visible(&db, grant, contact_id) {
        return r;
    }
    let found = pick(&db).and_then(|items| {
        items
            .iter()
            .find(|i| i.get("id").and_then(Value::as_str) == Some(child_id))
    });
    match found {
        Some(item) => reply::ok(json!({ key: item })),
        // The spec lists 400 (not 404) for these paths.
        None => reply::bad_request(&format!("{} with id {child_id} not found", capitalise(key))),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub async fn tasks(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
) -> Response {
    children(&s, &g, &id, |db| db.tasks.get(&id), "tasks")
}

pub async fn task(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, task_id)): Path<(String, String)>,
) -> Response {
    child(&s, &g, &id, &task_id, |db| db.tasks.get(&id), "task")
}

pub async fn notes(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
) -> Response {
    children(&s, &g, &id, |db| db.notes.get(&id), "notes")
}

pub async fn note(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path((id, note_id)): Path<(String, String)>,
) -> Response {
    child(&s, &g, &id, &note_id, |db| db.notes.get(&id), "note")
}

pub async fn appointments(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(id): Path<String>,
) -> Response {
    children(&s, &g, &id, |db| db.events.get(&id), "events")
}

/// A contact as search results show it (FACTS: `address` for `address1`, `contactName` for
/// `name`, `dateOfBirth` in epoch ms, no `dndSettings`), with its `searchAfter` cursor.
fn search_shape(c: &StoredContact, by: super::store::SortKey) -> Value {
    let mut o = c.json.clone();
    o.remove("dndSettings");
    if let Some(name) = o.remove("name") {
        o.insert("contactName".into(), name);
    }
    if let Some(street) = o.remove("address1") {
        o.insert("address".into(), street);
    }
    if let Some(dob) = o.get("dateOfBirth").and_then(Value::as_str) {
        let ms = crate::api::time::epoch_ms(dob);
        o.insert("dateOfBirth".into(), ms.map_or(Value::Null, |m| json!(m)));
    }
    o.insert("searchAfter".into(), json!([c.key(by), c.id]));
    Value::Object(o)
}

pub async fn search(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    body: Bytes,
) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return reply::bad_request("Request body must be a JSON object");
    };
    let mut errors = Vec::new();
    let location = body.get("locationId").and_then(Value::as_str).unwrap_or("");
    if location.is_empty() {
        errors.push("locationId should not be empty".to_string());
    }
    let page_limit = body.get("pageLimit").and_then(Value::as_u64);
    match page_limit {
        None => {
            errors.push("pageLimit must be a number conforming to the specified constraints".into())
        }
        Some(0) => errors.push("pageLimit must not be less than 1".into()),
        Some(n) if n > u64::from(MAX_PAGE_LIMIT) => errors.push(format!(
            "pageLimit must not be greater than {MAX_PAGE_LIMIT}"
        )),
        _ => {}
    }
    let page = match body.get("page") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(p) if p >= 1 => Some(p),
            _ => {
                errors.push("page must not be less than 1".into());
                None
            }
        },
    };
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        errors.push(format!(
            "query must be shorter than or equal to {MAX_QUERY_CHARS} characters"
        ));
    }
    let cursor = match body.get("searchAfter") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.len() == 2 && a[0].is_number() && a[1].is_string() => Some((
            a[0].as_i64().unwrap_or(0),
            a[1].as_str().unwrap_or("").to_string(),
        )),
        Some(_) => {
            errors.push("searchAfter must be an array of [number, string]".into());
            None
        }
    };
    let order = match search_rules::sort_of(body.get("sort")) {
        Ok(o) => o,
        Err(e) => {
            errors.push(e);
            search_rules::Order::default()
        }
    };
    let ranges = match search_rules::filters_of(body.get("filters")) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    if let (Some(p), Some(l)) = (page, page_limit)
        && cursor.is_none()
        && p.checked_mul(l).is_none_or(|n| n > PAGE_WINDOW)
    {
        errors.push(format!(
            "page * pageLimit must not exceed {PAGE_WINDOW}; use searchAfter to go further"
        ));
    }
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    if let Err(r) = location_check(&g, location) {
        return r;
    }
    let limit = page_limit.unwrap_or(20) as usize;
    let db = s.db();
    let ordered = db.ordered(location, order.by);
    let matching = |c: &StoredContact| {
        (query.is_empty() || c.matches(&query)) && ranges.iter().all(|r| r.holds(c))
    };
    // Ascending by (key, id) as stored; a descending sort reads it backwards.
    let mut hits: Vec<&StoredContact> = ordered
        .iter()
        .map(|&i| &db.contacts[i])
        .filter(|c| matching(c))
        .collect();
    if !order.ascending {
        hits.reverse();
    }
    let total = hits.len();
    let key = |c: &StoredContact| (c.key(order.by), c.id.clone());
    let start = match &cursor {
        Some(after) if order.ascending => hits.partition_point(|c| key(c) <= *after),
        Some(after) => hits.partition_point(|c| key(c) >= *after),
        None => (page.unwrap_or(1) as usize - 1) * limit,
    };
    let contacts: Vec<Value> = hits
        .iter()
        .skip(start)
        .take(limit)
        .map(|c| search_shape(c, order.by))
        .collect();
    reply::ok(json!({ "contacts": contacts, "total": total }))
}

/// Oldest first, the order the deprecated list pages in (by `startAfter` then `startAfterId`).
fn oldest_first(a: &StoredContact, b: &StoredContact) -> std::cmp::Ordering {
    (a.added_ms, &a.id).cmp(&(b.added_ms, &b.id))
}

fn parse_limit(params: &HashMap<String, String>, max: u32, errors: &mut Vec<String>) -> usize {
    match params.get("limit").map(|l| l.parse::<u32>()) {
        None => DEFAULT_LIST_LIMIT,
        Some(Ok(n)) if (1..=max).contains(&n) => n as usize,
        Some(Ok(n)) if n > max => {
            errors.push(format!("limit must not be greater than {max}"));
            0
        }
        _ => {
            errors.push("limit must be a positive number".into());
            0
        }
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    let mut errors = Vec::new();
    let location = params.get("locationId").map(String::as_str).unwrap_or("");
    if location.is_empty() {
        errors.push("locationId should not be empty".into());
    }
    let limit = parse_limit(&params, MAX_LIST_LIMIT, &mut errors);
    let start_after = match params.get("startAfter").map(|v| v.parse::<i64>()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            errors.push("startAfter must be a number".into());
            None
        }
    };
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    if let Err(r) = location_check(&g, location) {
        return r;
    }
    let query = params.get("query").map(|q| q.trim()).unwrap_or("");
    let db = s.db();
    let mut hits: Vec<&StoredContact> = db
        .contacts
        .iter()
        .filter(|c| c.location_id == location && (query.is_empty() || c.matches(query)))
        .collect();
    hits.sort_by(|a, b| oldest_first(a, b));
    let total = hits.len();
    let start = match (start_after, params.get("startAfterId")) {
        (Some(ms), Some(id)) => hits.partition_point(|c| (c.added_ms, &c.id) <= (ms, id)),
        (Some(ms), None) => hits.partition_point(|c| c.added_ms <= ms),
        _ => 0,
    };
    let page: Vec<&StoredContact> = hits.iter().skip(start).take(limit).copied().collect();
    let more = start + page.len() < total;
    let current = start / limit.max(1) + 1;
    let last = page.last();
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let next_url = last.filter(|_| more).map(|c| {
        format!(
            "http://{host}/contacts/?locationId={location}&startAfter={}&startAfterId={}",
            c.added_ms, c.id
        )
    });
    let contacts: Vec<&Object> = page.iter().map(|c| &c.json).collect();
    // Only `prevPage` is nullable in ContactsMetaSchema: the other keys are left out when they
    // have no value.
    let mut meta = serde_json::Map::new();
    meta.insert("total".into(), json!(total));
    if let Some(url) = next_url {
        meta.insert("nextPageUrl".into(), json!(url));
    }
    if let Some(c) = last {
        meta.insert("startAfterId".into(), json!(c.id));
        meta.insert("startAfter".into(), json!(c.added_ms));
    }
    meta.insert("currentPage".into(), json!(current));
    if more {
        meta.insert("nextPage".into(), json!(current + 1));
    }
    meta.insert(
        "prevPage".into(),
        json!((current > 1).then_some(current - 1)),
    );
    reply::ok(json!({ "contacts": contacts, "count": total, "meta": meta }))
}

pub async fn business(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(business_id): Path<String>,
    Query(params): Params,
) -> Response {
    let mut errors = Vec::new();
    let location = params.get("locationId").map(String::as_str).unwrap_or("");
    if location.is_empty() {
        errors.push("locationId should not be empty".into());
    }
    let limit = parse_limit(&params, MAX_LIST_LIMIT, &mut errors);
    let skip = match params.get("skip").map(|v| v.parse::<usize>()) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            errors.push("skip must be a number".into());
            0
        }
    };
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    if let Err(r) = location_check(&g, location) {
        return r;
    }
    let query = params.get("query").map(|q| q.trim()).unwrap_or("");
    let db = s.db();
    let mut hits: Vec<&StoredContact> = db
        .contacts
        .iter()
        .filter(|c| {
            c.location_id == location && c.business_id.as_deref() == Some(business_id.as_str())
        })
        .filter(|c| query.is_empty() || c.matches(query))
        .collect();
    hits.sort_by(|a, b| oldest_first(a, b));
    let contacts: Vec<&Object> = hits
        .iter()
        .skip(skip)
        .take(limit)
        .map(|c| &c.json)
        .collect();
    reply::ok(json!({ "contacts": contacts, "count": hits.len() }))
}

/// `GET /locations/{locationId}/customFields` (Locations API), for field names.
pub async fn custom_fields(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(location_id): Path<String>,
    Query(params): Params,
) -> Response {
    if let Err(r) = location_check(&g, &location_id) {
        return r;
    }
    let model = params.get("model").map(String::as_str).unwrap_or("all");
    let fields: Vec<Value> = s
        .custom_fields
        .get(&location_id)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, f)| {
            let mut f = f.clone();
            if let Some(o) = f.as_object_mut() {
                o.entry("model").or_insert(json!("contact"));
                o.entry("locationId").or_insert(json!(location_id));
                o.entry("position").or_insert(json!(i * 50));
            }
            f
        })
        .filter(|f| model == "all" || f.get("model").and_then(Value::as_str) == Some(model))
        .collect();
    reply::ok(json!({ "customFields": fields }))
}

/// `GET /locations/{locationId}/tags` (Locations API): every tag in use in the location.
pub async fn location_tags(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(location_id): Path<String>,
) -> Response {
    if let Err(r) = location_check(&g, &location_id) {
        return r;
    }
    let db = s.db();
    let mut names: Vec<String> = db
        .contacts
        .iter()
        .filter(|c| c.location_id == location_id)
        .flat_map(|c| {
            c.json
                .get("tags")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|t| t.as_str().map(str::to_lowercase))
        .collect();
    names.sort();
    names.dedup();
    let tags: Vec<Value> = names
        .into_iter()
        .map(|name| {
            // A stable id per name, as the real API gives each tag one.
            let id = format!("{:016x}{:04x}", fnv(&name), name.len());
            json!({"id": id, "name": name, "locationId": location_id})
        })
        .collect();
    reply::ok(json!({ "tags": tags }))
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub async fn fallback(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    reply::not_found(&format!("Cannot {method} {}", uri.path()))
}
