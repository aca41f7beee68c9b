//! What the app sends: request bodies shaped as the official DTOs and FACTS.md say. Only a
//! create carries `tags` (a new contact's first tags); updates never do (PUT would replace
//! them all; the tag endpoints exist for that), nor `locationId`, `companyName` or `gender`,
//! which PUT refuses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::contact::DndSetting;

/// A custom field as written: `{id, field_value}` (reads say `value`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldInput {
    pub id: String,
    pub field_value: Value,
}

/// The fields of a contact the app edits. `None` leaves a field as it is on update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Create only: the API does not take it on update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<BTreeMap<String, DndSetting>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub custom_fields: Vec<CustomFieldInput>,
    /// Create only: a new contact's first tags.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<String>,
}

impl ContactInput {
    /// The body of `POST /contacts/` and `POST /contacts/upsert`.
    pub fn create_body(&self, location_id: &str) -> Value {
        let mut body = self.to_map();
        body.insert("locationId".into(), Value::String(location_id.to_string()));
        Value::Object(body)
    }

    /// The body of `PUT /contacts/{id}`.
    pub fn update_body(&self) -> Value {
        let mut body = self.to_map();
        for refused in ["locationId", "companyName", "gender", "tags"] {
            body.remove(refused);
        }
        Value::Object(body)
    }

    fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

/// `CreateTaskParams` / `UpdateTaskBody`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// ISO 8601, e.g. `2026-12-01T09:00:00.000Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// `NotesDTO` / `UpdateNoteDTO`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_bodies_leave_out_what_put_refuses() {
        let input = ContactInput {
            first_name: Some("Ana".into()),
            company_name: Some("Acme".into()),
            custom_fields: vec![CustomFieldInput {
                id: "f1".into(),
                field_value: json!("x"),
            }],
            ..Default::default()
        };
        assert_eq!(
            input.update_body(),
            json!({"firstName": "Ana", "customFields": [{"id": "f1", "field_value": "x"}]})
        );
        let create = input.create_body("L1");
        assert_eq!(create["locationId"], "L1");
        assert_eq!(create["companyName"], "Acme");
        assert!(create.get("tags").is_none());
    }
}
