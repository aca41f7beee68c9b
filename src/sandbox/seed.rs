//! Demo data for the sandbox, read from `assets/demo/` (compiled in, so `--demo` works from any
//! directory). Dates in the files are written relative to an anchor day and can be moved to
//! today, so overdue tasks and upcoming appointments stay believable whenever the demo runs.

use chrono::{DateTime, Duration as Days, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

type Object = Map<String, Value>;

#[derive(Clone, Debug)]
pub struct Seed {
    pub location_id: String,
    pub location_name: String,
    pub company_id: String,
    pub anchor: NaiveDate,
    /// What `GET /locations/{id}` answers: the seed's own location first, then the agency's
    /// other ones (the branch).
    pub locations: Vec<Object>,
    /// The users of the company (`UserSchema`), each with the locations it works in
    /// (`roles.locationIds`).
    pub users: Vec<Value>,
    /// What `GET /locations/{id}/timezones` lists.
    pub time_zones: Vec<String>,
    pub custom_fields: Vec<Value>,
    pub businesses: Vec<Value>,
    pub contacts: Vec<Object>,
    pub tasks: Vec<Object>,
    pub notes: Vec<Object>,
    pub events: Vec<Object>,
}

const LOCATION: &str = include_str!("../../assets/demo/location.json");
const CONTACTS: &str = include_str!("../../assets/demo/contacts.json");
const TASKS: &str = include_str!("../../assets/demo/tasks.json");
const NOTES: &str = include_str!("../../assets/demo/notes.json");
const EVENTS: &str = include_str!("../../assets/demo/appointments.json");
const TIME_ZONES: &str = include_str!("../../assets/demo/timezones.json");

fn objects(raw: &str, key: &str) -> Result<Vec<Object>, String> {
    let v: Value = serde_json::from_str(raw).map_err(|e| format!("demo data {key}: {e}"))?;
    let items = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("demo data: no `{key}` list"))?;
    Ok(items
        .iter()
        .filter_map(|i| i.as_object().cloned())
        .collect())
}

/// The IANA zone names of `assets/demo/timezones.json`.
fn time_zones() -> Vec<String> {
    serde_json::from_str::<Value>(TIME_ZONES)
        .ok()
        .and_then(|v| v.get("timeZones").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

impl Seed {
    /// The shipped demo account, with dates as written in the files.
    pub fn demo() -> Result<Seed, String> {
        let loc: Value =
            serde_json::from_str(LOCATION).map_err(|e| format!("demo location: {e}"))?;
        let list = |k: &str| {
            loc.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let anchor = str_at(&loc, &["anchorDate"])
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or("demo location: bad anchorDate")?;
        Ok(Seed {
            location_id: str_at(&loc, &["location", "id"])
                .ok_or("demo location: no id")?
                .to_string(),
            location_name: str_at(&loc, &["location", "name"])
                .unwrap_or("Demo")
                .to_string(),
            company_id: str_at(&loc, &["location", "companyId"])
                .unwrap_or_default()
                .to_string(),
            anchor,
            locations: ["location", "branchLocation"]
                .iter()
                .filter_map(|k| loc.get(*k)?.as_object().cloned())
                .collect(),
            users: list("users"),
            time_zones: time_zones(),
            custom_fields: list("customFields"),
            businesses: list("businesses"),
            contacts: objects(CONTACTS, "contacts")?,
            tasks: objects(TASKS, "tasks")?,
            notes: objects(NOTES, "notes")?,
            events: objects(EVENTS, "events")?,
        })
    }

    /// Moves every date by whole days so the anchor day becomes `today`.
    pub fn shift_to(&mut self, today: NaiveDate) {
        let days = (today - self.anchor).num_days();
        if days == 0 {
            return;
        }
        let shift = |items: &mut Vec<Object>, keys: &[&str]| {
            for item in items.iter_mut() {
                for key in keys {
                    if let Some(Value::String(s)) = item.get_mut(*key)
                        && let Some(moved) = shift_date(s, days)
                    {
                        *s = moved;
                    }
                }
            }
        };
        shift(
            &mut self.contacts,
            &["dateAdded", "dateUpdated", "lastActivity"],
        );
        shift(&mut self.tasks, &["dueDate"]);
        shift(&mut self.notes, &["dateAdded"]);
        shift(
            &mut self.events,
            &["startTime", "endTime", "dateAdded", "dateUpdated"],
        );
        self.anchor = today;
    }

    /// The demo moved to today's date: what `--demo` shows.
    pub fn demo_today() -> Result<Seed, String> {
        let mut seed = Seed::demo()?;
        seed.shift_to(Utc::now().date_naive());
        Ok(seed)
    }

    /// Keeps the first `n` contacts and what belongs to them.
    pub fn truncate(mut self, n: usize) -> Seed {
        self.contacts.truncate(n);
        let ids: std::collections::HashSet<String> = self
            .contacts
            .iter()
            .filter_map(|c| c.get("id")?.as_str().map(String::from))
            .collect();
        let keep = |o: &Object| {
            o.get("contactId")
                .and_then(Value::as_str)
                .is_some_and(|id| ids.contains(id))
        };
        self.tasks.retain(keep);
        self.notes.retain(keep);
        self.events.retain(keep);
        self
    }

    /// `n` generated contacts, for load tests and benchmarks: the demo's location, users and
    /// fields with a synthetic account of that size (see `synthetic`). The same `n` always
    /// gives the same account.
    pub fn synthetic(n: usize) -> Seed {
        Seed::synthetic_slice(0, n)
    }

    /// Contacts `from..from + n` of a synthetic account (for building a large one in slices).
    pub fn synthetic_slice(from: usize, n: usize) -> Seed {
        let mut seed = Seed::demo().unwrap_or_else(|_| Seed::empty());
        let field_ids: Vec<String> = seed
            .custom_fields
            .iter()
            .filter_map(|f| f.get("id")?.as_str().map(String::from))
            .collect();
        let mut rng = fastrand::Rng::with_seed(0x6a17_u64 ^ (from + n) as u64);
        seed.contacts = (from..from + n)
            .map(|i| super::synthetic::contact(&mut rng, i, &seed.location_id, &field_ids))
            .collect();
        seed.notes = super::synthetic::notes(&mut rng, &seed.contacts);
        seed.tasks.clear();
        seed.events.clear();
        seed
    }

    pub fn empty() -> Seed {
        Seed {
            location_id: "EmptyLoc000000000000".into(),
            location_name: "Empty".into(),
            company_id: String::new(),
            anchor: NaiveDate::default(),
            locations: vec![Object::from_iter([
                ("id".to_string(), json!("EmptyLoc000000000000")),
                ("name".to_string(), json!("Empty")),
            ])],
            users: Vec::new(),
            time_zones: time_zones(),
            custom_fields: Vec::new(),
            businesses: Vec::new(),
            contacts: Vec::new(),
            tasks: Vec::new(),
            notes: Vec::new(),
            events: Vec::new(),
        }
    }
}

/// Shifts an ISO or `YYYY-MM-DD HH:MM:SS` time by whole days, keeping its form.
fn shift_date(s: &str, days: i64) -> Option<String> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        let moved = dt.with_timezone(&Utc) + Days::days(days);
        return Some(moved.to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    let plain = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(
        (plain + Days::days(days))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_parses_and_is_big_enough() {
        let seed = Seed::demo().expect("demo seed");
        assert!(
            seed.contacts.len() >= 300,
            "{} contacts",
            seed.contacts.len()
        );
        assert!(!seed.tasks.is_empty() && !seed.notes.is_empty() && !seed.events.is_empty());
    }

    #[test]
    fn shifting_keeps_each_form() {
        assert_eq!(
            shift_date("2026-11-22T10:00:00.000Z", 3).as_deref(),
            Some("2026-11-25T10:00:00.000Z")
        );
        assert_eq!(
            shift_date("2026-11-22 10:00:00", -1).as_deref(),
            Some("2026-11-21 10:00:00")
        );
        assert_eq!(shift_date("soon", 1), None);
    }
}
