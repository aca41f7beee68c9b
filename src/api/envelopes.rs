//! The JSON envelopes the endpoints wrap their data in, and the search request body.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::activity::{Appointment, Note, Task};
use super::contact::Contact;
use super::lenient;

#[derive(Debug, Deserialize)]
pub struct ContactEnvelope {
    pub contact: Contact,
}

#[derive(Debug, Deserialize)]
pub struct TasksEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub tasks: Vec<Task>,
}

#[derive(Debug, Deserialize)]
pub struct TaskEnvelope {
    pub task: Task,
}

#[derive(Debug, Deserialize)]
pub struct NotesEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub notes: Vec<Note>,
}

#[derive(Debug, Deserialize)]
pub struct NoteEnvelope {
    pub note: Note,
}

#[derive(Debug, Deserialize)]
pub struct EventsEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub events: Vec<Appointment>,
}

/// A custom field's definition (Locations API `CustomFieldSchema`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDef {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub field_key: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub data_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub picklist_options: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldsEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub custom_fields: Vec<CustomFieldDef>,
}

/// `POST /contacts/search` answer: `{contacts, total}`; the contacts as models, or as sent
/// (`Value`, for the replica, which keeps them whole).
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct SearchEnvelope<T = Contact> {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub contacts: Vec<T>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub total: Option<f64>,
}

/// `GET /contacts/` and `GET /contacts/business/{id}` answer: `{contacts, count, meta?}`.
#[derive(Debug, Deserialize)]
pub struct ListEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    pub contacts: Vec<Contact>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_object")]
    pub meta: Option<ListMeta>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub total: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub start_after_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub start_after: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub next_page_url: Option<String>,
}

/// Body of `POST /contacts/search`. `page` and `searchAfter` are alternatives: past 10,000
/// records only `searchAfter` works.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    pub location_id: String,
    pub page_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    /// `[{field, operator, value}]`, e.g. `dateUpdated` `range` `{gt: ISO}` (FACTS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Value>,
    /// `[{field, direction}]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<Value>,
}

/// The most records `page` x `pageLimit` can reach.
pub const PAGE_WINDOW: u64 = 10_000;
/// The largest `pageLimit` the search endpoint takes.
pub const MAX_PAGE_LIMIT: u32 = 500;
/// The largest `limit` of the deprecated list endpoint.
pub const MAX_LIST_LIMIT: u32 = 100;
/// The longest `query` the search endpoint takes.
pub const MAX_QUERY_CHARS: usize = 75;
