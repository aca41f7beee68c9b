//! What an export writes for each contact, and the CSV columns of each kind of record. CSV
//! headers are the API's own field names and the custom fields' names, so `ghl-tui import`
//! reads an exported CSV back as it is. JSON lines and SQLite keep every field as sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::CustomFieldDef;

/// A contact as exported: the search's record, and with `--deep` what belongs to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub contact: Value,
    pub deep: Option<Activity>,
}

/// A contact's notes (whole), tasks and appointments, in the API's shapes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    pub notes: Vec<Value>,
    pub tasks: Vec<Value>,
    pub appointments: Vec<Value>,
}

impl Record {
    pub fn id(&self) -> &str {
        self.contact.get("id").and_then(Value::as_str).unwrap_or("")
    }

    /// One JSON line: the contact itself, or with `--deep`
    /// `{"contact": …, "notes": […], "tasks": […], "appointments": […]}`.
    pub fn json(&self) -> Value {
        match &self.deep {
            None => self.contact.clone(),
            Some(a) => serde_json::json!({
                "contact": self.contact,
                "notes": a.notes,
                "tasks": a.tasks,
                "appointments": a.appointments,
            }),
        }
    }
}

/// Where a CSV column's cell comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// A field of the record.
    Field(String),
    /// The value of the custom field with this id.
    Custom(String),
    /// Every custom field as JSON (`[{id, value}]`), when their names cannot be read.
    AllCustom,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvColumn {
    pub header: String,
    pub source: Source,
}

/// A contact's fields in CSV, in this order. `address1` is `address` in search results.
const CONTACT_FIELDS: &[&str] = &[
    "id",
    "firstName",
    "lastName",
    "email",
    "phone",
    "companyName",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
    "type",
    "assignedTo",
    "dnd",
    "tags",
    "dateOfBirth",
    "dateAdded",
    "dateUpdated",
];

pub const NOTE_FIELDS: &[&str] = &["contactId", "id", "body", "userId", "dateAdded"];
pub const TASK_FIELDS: &[&str] = &[
    "contactId",
    "id",
    "title",
    "body",
    "dueDate",
    "completed",
    "assignedTo",
];
pub const APPOINTMENT_FIELDS: &[&str] = &[
    "contactId",
    "id",
    "calendarId",
    "title",
    "startTime",
    "endTime",
    "appointmentStatus",
    "assignedUserId",
    "address",
    "notes",
];

/// The contact columns: the fields, then a column for each custom field by its name (or one
/// JSON column of them all when the names cannot be read).
pub fn contact_columns(custom: Option<&[CustomFieldDef]>) -> Vec<CsvColumn> {
    let mut cols: Vec<CsvColumn> = CONTACT_FIELDS
        .iter()
        .map(|f| CsvColumn {
            header: f.to_string(),
            source: Source::Field(f.to_string()),
        })
        .collect();
    match custom {
        None => cols.push(CsvColumn {
            header: "customFields".into(),
            source: Source::AllCustom,
        }),
        Some(defs) => {
            for d in defs {
                let Some(id) = d.id.clone().filter(|i| !i.is_empty()) else {
                    continue;
                };
                let name = d.name.clone().filter(|n| !n.trim().is_empty());
                let mut header = name.unwrap_or_else(|| id.clone());
                // A field named like a column (or like another field) keeps both readable.
                while cols.iter().any(|c| c.header == header) {
                    header.push_str(" (custom)");
                }
                cols.push(CsvColumn {
                    header,
                    source: Source::Custom(id),
                });
            }
        }
    }
    cols
}

/// Columns named like the fields they hold (notes, tasks, appointments).
pub fn plain_columns(fields: &[&str]) -> Vec<CsvColumn> {
    fields
        .iter()
        .map(|f| CsvColumn {
            header: f.to_string(),
            source: Source::Field(f.to_string()),
        })
        .collect()
}

/// The cell of `column` for `record`: text as it is, numbers and booleans written out, a list
/// of strings joined with `, ` (tags), anything else as JSON.
pub fn cell(record: &Value, column: &CsvColumn) -> String {
    match &column.source {
        Source::Field(f) if f == "address1" => {
            text(record.get("address1").or_else(|| record.get("address")))
        }
        Source::Field(f) if f == "appointmentStatus" => text(
            record
                .get("appointmentStatus")
                .or_else(|| record.get("status")),
        ),
        Source::Field(f) => text(record.get(f)),
        Source::Custom(id) => text(
            record
                .get("customFields")
                .and_then(Value::as_array)
                .and_then(|all| {
                    all.iter()
                        .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
                })
                .and_then(|c| {
                    c.get("value")
                        .or_else(|| c.get("fieldValue"))
                        .or_else(|| c.get("field_value"))
                }),
        ),
        Source::AllCustom => match record.get("customFields") {
            Some(v @ Value::Array(a)) if !a.is_empty() => v.to_string(),
            _ => String::new(),
        },
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_keep_the_data_as_it_is() {
        let defs = vec![CustomFieldDef {
            id: Some("f1".into()),
            name: Some("Lead score".into()),
            ..Default::default()
        }];
        let cols = contact_columns(Some(&defs));
        let contact = json!({
            "id": "c1",
            "firstName": "Ana\u{1b}[31m",
            "address": "1 Main St",
            "dnd": false,
            "tags": ["vip", "a, b"],
            "dateOfBirth": 396_230_400_000_i64,
            "customFields": [{"id": "f1", "value": 7}],
        });
        let by = |h: &str| {
            let c = cols.iter().find(|c| c.header == h).expect("a column");
            cell(&contact, c)
        };
        assert_eq!(by("firstName"), "Ana\u{1b}[31m", "data is not sanitised");
        assert_eq!(by("address1"), "1 Main St");
        assert_eq!(by("dnd"), "false");
        assert_eq!(by("tags"), "vip, a, b");
        assert_eq!(by("dateOfBirth"), "396230400000");
        assert_eq!(by("Lead score"), "7");
        assert_eq!(by("email"), "");
        let fallback = contact_columns(None);
        let all = fallback.last().expect("a column");
        assert_eq!(cell(&contact, all), r#"[{"id":"f1","value":7}]"#);
    }

    #[test]
    fn a_custom_field_named_like_a_column_keeps_both() {
        let defs = vec![CustomFieldDef {
            id: Some("f1".into()),
            name: Some("email".into()),
            ..Default::default()
        }];
        let cols = contact_columns(Some(&defs));
        assert!(cols.iter().any(|c| c.header == "email (custom)"));
    }
}
