//! The contact model. One type serves both the single-contact answer and search results, which
//! differ (FACTS: search has `address` not `address1`, `contactName` not `name`, `dateOfBirth`
//! as epoch ms, no `dndSettings`); accessors hide the difference. Unknown fields are kept in
//! `extra` and written back, so a later PUT never drops what we did not understand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// The DND channels in the order GHL shows them.
pub const DND_CHANNELS: [&str; 6] = ["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"];

/// First and last name joined as a person's whole name, either one missing or blank.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub dnd: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub dnd_settings: Option<BTreeMap<String, DndSetting>>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub assigned_to: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub address1: Option<String>,
    /// Search results name the street `address`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub country: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub website: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// `YYYY-MM-DD` on a single contact, epoch ms in search results.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_added: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_updated: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_activity: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::lenient_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub business_id: Option<String>,
    /// The cursor search results carry for `searchAfter` paging.
    #[serde(
        default,
        deserialize_with = "lenient::opt_pair",
        skip_serializing_if = "Option::is_none"
    )]
    pub search_after: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DndSetting {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DndSetting {
    /// `active` and `permanent` both mean the channel must not be used.
    pub fn blocks(&self) -> bool {
        matches!(self.status.as_deref(), Some("active" | "permanent"))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    /// Reads come as `value` (string, number or list); writes use `field_value`.
    #[serde(default, alias = "field_value", skip_serializing_if = "Value::is_null")]
    pub value: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CustomFieldValue {
    /// The value as one line of text.
    pub fn display(&self) -> String {
        value_text(&self.value)
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

impl Contact {
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or("")
    }

    /// The best name to show: the API's full name, else first + last, else email or phone.
    pub fn display_name(&self) -> String {
        let joined = full_name(self.first_name.as_deref(), self.last_name.as_deref());
        for candidate in [
            self.name.as_deref(),
            self.contact_name.as_deref(),
            Some(joined.as_str()),
        ] {
            if let Some(s) = candidate.map(str::trim).filter(|s| !s.is_empty()) {
                return s.to_string();
            }
        }
        self.email
            .clone()
            .or_else(|| self.phone.clone())
            .unwrap_or_else(|| "(no name)".to_string())
    }

    pub fn street(&self) -> Option<&str> {
        self.address1.as_deref().or(self.address.as_deref())
    }

    /// Email, else phone: the second thing a rep needs to see in a list.
    pub fn reach(&self) -> Option<&str> {
        self.email
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(self.phone.as_deref().filter(|s| !s.is_empty()))
    }

    /// Date of birth as `YYYY-MM-DD`, whichever form it came in.
    pub fn birthday(&self) -> Option<String> {
        let raw = self.date_of_birth.as_deref()?;
        super::time::parse(raw).map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// DND per channel in GHL's order, then any channel we do not know yet.
    pub fn dnd_channels(&self) -> Vec<(&str, &DndSetting)> {
        let Some(map) = &self.dnd_settings else {
            return Vec::new();
        };
        let mut out: Vec<(&str, &DndSetting)> = DND_CHANNELS
            .iter()
            .filter_map(|ch| map.get_key_value(*ch).map(|(k, v)| (k.as_str(), v)))
            .collect();
        out.extend(
            map.iter()
                .filter(|(k, _)| !DND_CHANNELS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v)),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nulls_wrong_types_and_unknown_fields_are_tolerated() {
        let raw = json!({
            "id": "c1", "email": null, "phone": 14155550100_u64, "tags": "solo",
            "dnd": "false", "dndSettings": null, "customFields": [{"id": "f", "value": 3}, "junk"],
            "dateOfBirth": 631152000000_u64, "brandNew": {"a": 1}
        });
        let c: Contact = serde_json::from_value(raw).expect("lenient");
        assert_eq!(c.email, None);
        assert_eq!(c.phone.as_deref(), Some("14155550100"));
        assert_eq!(c.tags, vec!["solo".to_string()]);
        assert_eq!(c.dnd, Some(false));
        assert_eq!(c.custom_fields.len(), 1);
        assert_eq!(c.custom_fields[0].display(), "3");
        assert_eq!(c.birthday().as_deref(), Some("1990-01-01"));
        assert_eq!(
            serde_json::to_value(&c).expect("ser")["brandNew"],
            json!({"a": 1})
        );
    }

    #[test]
    fn display_name_falls_back_sensibly() {
        let c = Contact {
            first_name: Some(" Ana ".into()),
            last_name: Some("".into()),
            ..Default::default()
        };
        assert_eq!(c.display_name(), "Ana");
        let c = Contact {
            contact_name: Some("From Search".into()),
            ..Default::default()
        };
        assert_eq!(c.display_name(), "From Search");
        let c = Contact {
            phone: Some("+1555".into()),
            ..Default::default()
        };
        assert_eq!(c.display_name(), "+1555");
    }
}
