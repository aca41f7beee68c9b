//! The write endpoints. Retries follow what is safe: PUT, DELETE and tag changes are
//! idempotent and retry like reads; a create is retried only after a 429 (which the server did
//! not act on), since a lost answer may mean it was created. The outbox decides what to do
//! about such an ambiguous create.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::activity::{Note, Task};
use super::client::Client;
use super::contact::Contact;
use super::envelopes::{ContactEnvelope, NoteEnvelope, TaskEnvelope};
use super::error::ApiError;
use super::inputs::{ContactInput, NoteInput, TaskInput};
use super::lenient;

#[derive(Debug, Deserialize)]
struct Succeded {
    #[serde(default, deserialize_with = "lenient::opt_bool", alias = "succeeded")]
    succeded: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct UpdatedContact {
    contact: Contact,
}

#[derive(Debug, Deserialize)]
struct Tags {
    #[serde(default, deserialize_with = "lenient::string_list")]
    tags: Vec<String>,
}

/// The most contacts sent in one bulk tags request.
pub const BULK_TAGS_MAX: usize = 100;

/// What a bulk tags request did, contact by contact.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTags {
    #[serde(default)]
    pub error_count: Option<u64>,
    #[serde(default, deserialize_with = "super::lenient::lenient_list")]
    pub responses: Vec<BulkTagResult>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTagResult {
    #[serde(default, deserialize_with = "super::lenient::string")]
    pub contact_id: String,
    #[serde(default, deserialize_with = "super::lenient::string")]
    pub message: String,
    /// `success` or `error`.
    #[serde(default, rename = "type", deserialize_with = "super::lenient::string")]
    pub kind: String,
    /// The contact's tags before; without them the tags after are not known from the answer.
    #[serde(default, deserialize_with = "super::lenient::opt_string_list")]
    pub old_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::lenient::opt_string_list")]
    pub tags_added: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::lenient::opt_string_list")]
    pub tags_removed: Option<Vec<String>>,
}

impl BulkTagResult {
    pub fn succeeded(&self) -> bool {
        self.kind.eq_ignore_ascii_case("success")
    }

    pub fn failed(&self) -> bool {
        self.kind.eq_ignore_ascii_case("error")
    }

    /// The contact's tags after the change, when the answer says what they were before.
    pub fn tags(&self) -> Option<Vec<String>> {
        let removed = self.tags_removed.clone().unwrap_or_default();
        let mut tags: Vec<String> = self
            .old_tags
            .as_ref()?
            .iter()
            .filter(|t| !removed.iter().any(|r| r.eq_ignore_ascii_case(t)))
            .cloned()
            .collect();
        for t in self.tags_added.iter().flatten() {
            if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                tags.push(t.clone());
            }
        }
        Some(tags)
    }
}

/// `POST /contacts/upsert` answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upserted {
    #[serde(default, rename = "new", deserialize_with = "lenient::opt_bool")]
    pub created: Option<bool>,
    pub contact: Contact,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub trace_id: Option<String>,
}

fn to_body<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn confirmed(s: Succeded) -> Result<(), ApiError> {
    match s.succeded {
        Some(false) => Err(ApiError::Unexpected {
            status: 200,
            message: "the API answered succeded: false".into(),
        }),
        _ => Ok(()),
    }
}

impl Client {
    /// `POST /contacts/`
    pub async fn create_contact(&self, input: &ContactInput) -> Result<Contact, ApiError> {
        let body = input.create_body(self.location_id());
        let env: ContactEnvelope = self
            .call(
                Method::POST,
                self.url(&["contacts", ""]),
                Some(&body),
                false,
            )
            .await?;
        Ok(env.contact)
    }

    /// `POST /contacts/upsert`: follows the location's duplicate setting.
    pub async fn upsert_contact(&self, input: &ContactInput) -> Result<Upserted, ApiError> {
        let body = input.create_body(self.location_id());
        self.call(
            Method::POST,
            self.url(&["contacts", "upsert"]),
            Some(&body),
            false,
        )
        .await
    }

    /// `PUT /contacts/{contactId}`
    pub async fn update_contact(
        &self,
        id: &str,
        input: &ContactInput,
    ) -> Result<Contact, ApiError> {
        let body = input.update_body();
        let env: UpdatedContact = self
            .call(Method::PUT, self.url(&["contacts", id]), Some(&body), true)
            .await?;
        Ok(env.contact)
    }

    /// `DELETE /contacts/{contactId}`
    pub async fn delete_contact(&self, id: &str) -> Result<(), ApiError> {
        confirmed(
            self.call(Method::DELETE, self.url(&["contacts", id]), None, true)
                .await?,
        )
    }

    /// `POST /contacts/{contactId}/tags`: the contact's tags after adding.
    pub async fn add_tags(&self, id: &str, tags: &[String]) -> Result<Vec<String>, ApiError> {
        let body = json!({ "tags": tags });
        let out: Tags = self
            .call(
                Method::POST,
                self.url(&["contacts", id, "tags"]),
                Some(&body),
                true,
            )
            .await?;
        Ok(out.tags)
    }

    /// `POST /contacts/bulk/tags/update/{add|remove}`: the same tags on many contacts in one
    /// request. The answer is per contact: some may fail while the rest succeed.
    pub async fn bulk_tags(
        &self,
        add: bool,
        contacts: &[String],
        tags: &[String],
    ) -> Result<BulkTags, ApiError> {
        let body = json!({
            "contacts": contacts,
            "tags": tags,
            "locationId": self.location_id(),
        });
        let kind = if add { "add" } else { "remove" };
        self.call(
            Method::POST,
            self.url(&["contacts", "bulk", "tags", "update", kind]),
            Some(&body),
            true,
        )
        .await
    }

    /// `DELETE /contacts/{contactId}/tags` (a DELETE with a body): the tags left.
    pub async fn remove_tags(&self, id: &str, tags: &[String]) -> Result<Vec<String>, ApiError> {
        let body = json!({ "tags": tags });
        let out: Tags = self
            .call(
                Method::DELETE,
                self.url(&["contacts", id, "tags"]),
                Some(&body),
                true,
            )
            .await?;
        Ok(out.tags)
    }

    /// `POST /contacts/{contactId}/tasks`
    pub async fn create_task(&self, contact_id: &str, input: &TaskInput) -> Result<Task, ApiError> {
        let url = self.url(&["contacts", contact_id, "tasks"]);
        let env: TaskEnvelope = self
            .call(Method::POST, url, Some(&to_body(input)), false)
            .await?;
        Ok(env.task)
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}`
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        input: &TaskInput,
    ) -> Result<Task, ApiError> {
        let url = self.url(&["contacts", contact_id, "tasks", task_id]);
        let env: TaskEnvelope = self
            .call(Method::PUT, url, Some(&to_body(input)), true)
            .await?;
        Ok(env.task)
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed`
    pub async fn set_task_completed(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<Task, ApiError> {
        let url = self.url(&["contacts", contact_id, "tasks", task_id, "completed"]);
        let env: TaskEnvelope = self
            .call(
                Method::PUT,
                url,
                Some(&json!({ "completed": completed })),
                true,
            )
            .await?;
        Ok(env.task)
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}`
    pub async fn delete_task(&self, contact_id: &str, task_id: &str) -> Result<(), ApiError> {
        let url = self.url(&["contacts", contact_id, "tasks", task_id]);
        confirmed(self.call(Method::DELETE, url, None, true).await?)
    }

    /// `POST /contacts/{contactId}/notes`
    pub async fn create_note(&self, contact_id: &str, input: &NoteInput) -> Result<Note, ApiError> {
        let url = self.url(&["contacts", contact_id, "notes"]);
        let env: NoteEnvelope = self
            .call(Method::POST, url, Some(&to_body(input)), false)
            .await?;
        Ok(env.note)
    }

    /// `PUT /contacts/{contactId}/notes/{id}`
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        input: &NoteInput,
    ) -> Result<Note, ApiError> {
        let url = self.url(&["contacts", contact_id, "notes", note_id]);
        let env: NoteEnvelope = self
            .call(Method::PUT, url, Some(&to_body(input)), true)
            .await?;
        Ok(env.note)
    }

    /// `DELETE /contacts/{contactId}/notes/{id}`
    pub async fn delete_note(&self, contact_id: &str, note_id: &str) -> Result<(), ApiError> {
        let url = self.url(&["contacts", contact_id, "notes", note_id]);
        confirmed(self.call(Method::DELETE, url, None, true).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_answer_is_read_leniently_and_says_only_what_it_knows() {
        // The example's shape: one object per contact.
        let a: BulkTags = serde_json::from_value(json!({
            "succeded": false, "errorCount": 1,
            "responses": [
                {"contactId": "c1", "message": "Tags updated", "type": "success",
                 "oldTags": ["a", "B"], "tagsAdded": ["c"], "tagsRemoved": ["b"]},
                {"contactId": "c2", "type": "success", "oldTags": null},
                {"contactId": "c3", "message": "contact is deleted", "type": "error"}
            ]
        }))
        .expect("reads");
        assert_eq!(
            a.responses[0].tags(),
            Some(vec!["a".to_string(), "c".to_string()])
        );
        assert_eq!(a.responses[1].tags(), None, "before unknown: after unknown");
        assert!(a.responses[2].failed() && !a.responses[2].succeeded());
        // The schema's shape (strings): no line names a contact, so each goes on its own.
        let strings: BulkTags = serde_json::from_value(json!({
            "succeded": true, "errorCount": 0, "responses": ["c1", "c2"]
        }))
        .expect("reads");
        assert!(strings.responses.is_empty());
    }
}
