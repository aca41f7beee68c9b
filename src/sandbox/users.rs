//! The Users API: `GET /users/search` (`{users, count}`), the deprecated
//! `GET /users/?locationId=` (`{users}`) and `GET /users/{userId}` (the user itself, as
//! `UserSuccessfulResponseDto` has it: no envelope).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::reply;
use super::routes::location_check;
use super::rules::USERS_SEARCH_DEFAULT_LIMIT;
use super::store::Object;
use super::{Grant, Shared};

type Params = Query<HashMap<String, String>>;

fn text<'a>(u: &'a Object, key: &str) -> &'a str {
    u.get(key).and_then(Value::as_str).unwrap_or("")
}

fn works_in(u: &Object, location_id: &str) -> bool {
    u.get("roles")
        .and_then(|r| r.get("locationIds"))
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(location_id)))
}

fn role(u: &Object, key: &str) -> String {
    u.get("roles")
        .and_then(|r| r.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The users a token may see: a location token those who work in its location, an agency
/// token all of its company's (the seed's users all belong to the seed's company).
fn visible<'a>(s: &'a Shared, g: &'a Grant) -> impl Iterator<Item = &'a Object> + 'a {
    let company = s.config.oauth.company_id == g.company_id;
    s.users
        .iter()
        .filter(move |u| company && (g.location_id.is_empty() || works_in(u, &g.location_id)))
}

/// The search's `query`: "matched based on the user full name, email or phone" (the spec).
fn matches(u: &Object, query: &str) -> bool {
    let q = query.to_lowercase();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone: String = text(u, "phone")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    [text(u, "name"), text(u, "email"), text(u, "phone")]
        .iter()
        .any(|f| f.to_lowercase().contains(&q))
        || (digits.len() >= 3 && phone.contains(&digits))
}

/// The `role` and `type` filters, on the user's `roles.role` and `roles.type`.
fn role_matches(params: &HashMap<String, String>, u: &Object) -> bool {
    ["role", "type"].iter().all(|key| {
        params
            .get(*key)
            .filter(|v| !v.is_empty())
            .is_none_or(|v| role(u, key).eq_ignore_ascii_case(v))
    })
}

/// The order the spec gives as the default: by first, then last name.
fn by_name(a: &&Object, b: &&Object) -> std::cmp::Ordering {
    let key = |u: &Object| {
        (
            text(u, "firstName").to_lowercase(),
            text(u, "lastName").to_lowercase(),
            text(u, "id").to_string(),
        )
    };
    key(a).cmp(&key(b))
}

/// A whole number from a query parameter (the spec types `skip` and `limit` as strings).
fn number(
    params: &HashMap<String, String>,
    key: &str,
    default: usize,
    errors: &mut Vec<String>,
) -> usize {
    match params.get(key).map(|v| v.trim().parse::<usize>()) {
        None => default,
        Some(Ok(n)) if key != "limit" || n >= 1 => n,
        _ => {
            errors.push(format!("{key} must be a positive number"));
            default
        }
    }
}

/// `GET /users/search?companyId=&locationId=&query=&skip=&limit=` (also `ids`, `role`, `type`).
pub async fn search(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Query(params): Params,
) -> Response {
    let mut errors = Vec::new();
    let company = params.get("companyId").map(String::as_str).unwrap_or("");
    if company.is_empty() {
        errors.push("companyId should not be empty".to_string());
    }
    let skip = number(&params, "skip", 0, &mut errors);
    let limit = number(&params, "limit", USERS_SEARCH_DEFAULT_LIMIT, &mut errors);
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    if company != g.company_id {
        return reply::unauthorized("The token does not have access to this company.");
    }
    let location = params.get("locationId").filter(|l| !l.is_empty());
    if let Some(l) = location
        && !g.location_id.is_empty()
        && let Err(r) = location_check(&g, l)
    {
        return r;
    }
    let query = params.get("query").map(|q| q.trim()).unwrap_or("");
    let ids: Vec<&str> = params
        .get("ids")
        .map(|ids| {
            ids.split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut hits: Vec<&Object> = visible(&s, &g)
        .filter(|u| location.is_none_or(|l| works_in(u, l)))
        .filter(|u| query.is_empty() || matches(u, query))
        .filter(|u| ids.is_empty() || ids.contains(&text(u, "id")))
        .filter(|u| role_matches(&params, u))
        .collect();
    hits.sort_by(by_name);
    let count = hits.len();
    let users: Vec<&Object> = hits.into_iter().skip(skip).take(limit).collect();
    reply::ok(json!({ "users": users, "count": count }))
}

/// `GET /users/?locationId=`: deprecated in the spec for the search, still served. Location
/// tokens only (the spec lists Location-Access alone).
pub async fn by_location(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Query(params): Params,
) -> Response {
    let location = params.get("locationId").map(String::as_str).unwrap_or("");
    if location.is_empty() {
        return reply::unprocessable(vec!["locationId should not be empty".into()]);
    }
    if let Err(r) = location_check(&g, location) {
        return r;
    }
    let mut users: Vec<&Object> = visible(&s, &g).collect();
    users.sort_by(by_name);
    reply::ok(json!({ "users": users }))
}

/// `GET /users/{userId}`. A user the token may not see answers as one that does not exist:
/// the spec documents 400 for this path, not 404.
pub async fn user(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(user_id): Path<String>,
) -> Response {
    match visible(&s, &g).find(|u| text(u, "id") == user_id) {
        Some(u) => reply::ok(Value::Object(u.clone())),
        None => reply::bad_request(&format!("User with id {user_id} not found")),
    }
}
