//! The Calendars API's `GET /calendars/events` (Version `2021-04-15`): the appointments of
//! the store `GET /contacts/{id}/appointments` reads, for one user, calendar or group, that
//! overlap a time range given in epoch milliseconds.
//!
//! The store keeps appointments as the contacts API sends them, some in the zone-less
//! `YYYY-MM-DD HH:MM:SS` form. That form is the location's wall-clock time; here every time is
//! sent as ISO 8601 with the location's offset, as `CalendarEventDTO`'s examples show.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::reply;
use super::routes::location_check;
use super::store::Object;
use super::{Grant, Shared};

/// A time of the store in `zone`: ISO times keep their instant, zone-less ones are read as
/// wall-clock time there.
fn instant(raw: &str, zone: Tz) -> Option<DateTime<Tz>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&zone));
    }
    let plain = NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").ok()?;
    zone.from_local_datetime(&plain).earliest()
}

/// The event with its times as ISO 8601 in `zone`.
fn dto(event: &Object, zone: Tz) -> Value {
    let mut o = event.clone();
    for key in ["startTime", "endTime", "dateAdded", "dateUpdated"] {
        let moved = o
            .get(key)
            .and_then(Value::as_str)
            .and_then(|t| instant(t, zone));
        if let Some(t) = moved {
            o.insert(
                key.into(),
                json!(t.to_rfc3339_opts(SecondsFormat::Secs, false)),
            );
        }
    }
    Value::Object(o)
}

fn millis(params: &HashMap<String, String>, key: &str, errors: &mut Vec<String>) -> i64 {
    match params.get(key).map(|v| v.trim()) {
        None | Some("") => {
            errors.push(format!("{key} should not be empty"));
            0
        }
        Some(v) => v.parse::<i64>().unwrap_or_else(|_| {
            errors.push(format!(
                "{key} must be a number string (epoch milliseconds)"
            ));
            0
        }),
    }
}

/// `GET /calendars/events?locationId=&userId=|calendarId=|groupId=&startTime=&endTime=`
pub async fn events(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let given = |k: &str| params.get(k).map(|v| v.as_str()).filter(|v| !v.is_empty());
    let mut errors = Vec::new();
    let location = given("locationId").unwrap_or("");
    if location.is_empty() {
        errors.push("locationId should not be empty".to_string());
    }
    let (user, calendar, group) = (given("userId"), given("calendarId"), given("groupId"));
    if user.is_none() && calendar.is_none() && group.is_none() {
        errors.push("Either of userId, groupId or calendarId is required".into());
    }
    let start = millis(&params, "startTime", &mut errors);
    let end = millis(&params, "endTime", &mut errors);
    if !errors.is_empty() {
        return reply::unprocessable(errors);
    }
    if let Err(r) = location_check(&g, location) {
        return r;
    }
    let zone: Tz = s
        .locations
        .get(location)
        .and_then(|l| l.get("timezone")?.as_str()?.parse().ok())
        .unwrap_or(Tz::UTC);
    let text = |e: &Object, k: &str| e.get(k).and_then(Value::as_str).map(String::from);
    // "userId - Owner of an appointment": the primary owner or one of the secondary ones.
    let owned_by = |e: &Object, u: &str| {
        text(e, "assignedUserId").as_deref() == Some(u)
            || e.get("users")
                .and_then(Value::as_array)
                .is_some_and(|us| us.iter().any(|x| x.as_str() == Some(u)))
    };
    let ms = |e: &Object, k: &str| {
        text(e, k)
            .and_then(|t| instant(&t, zone))
            .map(|t| t.timestamp_millis())
    };
    let db = s.db();
    let mut hits: Vec<(i64, &Object)> = db
        .events
        .iter()
        .filter(|(cid, _)| db.contact(cid).is_some_and(|c| c.location_id == location))
        .flat_map(|(_, events)| events.iter())
        .filter(|e| user.is_none_or(|u| owned_by(e, u)))
        .filter(|e| calendar.is_none_or(|c| text(e, "calendarId").as_deref() == Some(c)))
        .filter(|e| group.is_none_or(|gr| text(e, "groupId").as_deref() == Some(gr)))
        .filter_map(|e| {
            let (from, to) = (ms(e, "startTime")?, ms(e, "endTime")?);
            // Overlapping the range, not only starting in it: an appointment under way at
            // `startTime` is listed.
            (from < end && to > start).then_some((from, e))
        })
        .collect();
    hits.sort_by_key(|a| (a.0, text(a.1, "id")));
    let events: Vec<Value> = hits.into_iter().map(|(_, e)| dto(e, zone)).collect();
    reply::ok(json!({ "events": events }))
}
