//! The Sub-Account (location) API: `GET /locations/{locationId}` (`GetLocationByIdSchema`) and
//! `GET /locations/{locationId}/timezones`.

// Helpers here return the answer to send as their error: it is sent at once, never stored.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::oauth::OAuthConfig;
use super::reply;
use super::routes::location_check;
use super::seed::Seed;
use super::store::Object;
use super::{Grant, Shared};

/// Every location the agency has, by id: the seed's, and a bare `{id, name, companyId}` for an
/// OAuth location the seed has no record of (a seed without the demo's branch).
pub fn directory(seed: &Seed, oauth: &OAuthConfig) -> HashMap<String, Object> {
    let mut all: HashMap<String, Object> = seed
        .locations
        .iter()
        .filter_map(|l| Some((l.get("id")?.as_str()?.to_string(), l.clone())))
        .collect();
    for (id, name) in &oauth.locations {
        all.entry(id.clone()).or_insert_with(|| {
            Object::from_iter([
                ("id".to_string(), json!(id)),
                ("companyId".to_string(), json!(oauth.company_id)),
                ("name".to_string(), json!(name)),
            ])
        });
    }
    all
}

/// The location, if the token may read it: a location token its own location only (the 401
/// the other location routes give), an agency token every location of its company (the spec
/// lists Agency-Access for these paths).
pub fn readable<'a>(s: &'a Shared, g: &Grant, location_id: &str) -> Result<&'a Object, Response> {
    let found = s.locations.get(location_id);
    if !g.location_id.is_empty() {
        location_check(g, location_id)?;
    } else if found
        .is_some_and(|l| l.get("companyId").and_then(Value::as_str) != Some(g.company_id.as_str()))
    {
        return Err(reply::unauthorized(
            "The token does not have access to this location.",
        ));
    }
    found.ok_or_else(|| reply::bad_request(&format!("Location with id {location_id} not found")))
}

/// `GET /locations/{locationId}`: `{location: {...}}`.
pub async fn location(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(location_id): Path<String>,
) -> Response {
    match readable(&s, &g, &location_id) {
        Ok(l) => reply::ok(json!({ "location": l })),
        Err(r) => r,
    }
}

/// `GET /locations/{locationId}/timezones`: the spec leaves the answer untyped; this is a list
/// of IANA names under `timeZones`.
pub async fn time_zones(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Path(location_id): Path<String>,
) -> Response {
    match readable(&s, &g, &location_id) {
        Ok(_) => reply::ok(json!({ "timeZones": s.time_zones })),
        Err(r) => r,
    }
}
