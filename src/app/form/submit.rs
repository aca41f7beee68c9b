//! Saving a form: every field checked, problems marked beside their fields, and the writes
//! that carry exactly what changed.

use serde_json::json;

use super::{BLOCKED, Field, Form, FormKind, UNKNOWN, utc_from_local};
use crate::api::{ContactInput, NoteInput, TaskInput, WriteOp};

impl Form {
    /// Validates every field; the write(s) to send, or `None` with the problems marked.
    pub fn submit(&mut self) -> Option<Vec<WriteOp>> {
        for f in self.fields.iter_mut() {
            f.error = None;
        }
        let ops = match self.kind.clone() {
            FormKind::NewContact | FormKind::EditContact { .. } => self.contact_ops(),
            FormKind::NewTask { contact_id } => self
                .task_input(true)
                .map(|input| vec![WriteOp::CreateTask { contact_id, input }]),
            FormKind::EditTask {
                contact_id,
                task_id,
            } => self.task_input(false).map(|input| {
                vec![WriteOp::UpdateTask {
                    contact_id,
                    task_id,
                    input,
                }]
            }),
            FormKind::NewNote { contact_id } => self
                .note_input()
                .map(|input| vec![WriteOp::CreateNote { contact_id, input }]),
            FormKind::EditNote {
                contact_id,
                note_id,
            } => self.note_input().map(|input| {
                vec![WriteOp::UpdateNote {
                    contact_id,
                    note_id,
                    input,
                }]
            }),
            FormKind::Disposition {
                contact_id,
                task_id,
                task_title,
                assign_to,
                ..
            } => self.disposition_ops(contact_id, task_id, &task_title, assign_to),
            FormKind::Snooze {
                contact_id,
                task_id,
                task_title,
            } => self.snooze_ops(contact_id, task_id, task_title),
            FormKind::QuickAdd { assign_to } => self.quick_ops(assign_to),
            FormKind::BulkTags { ids, add } => self.tags().map(|tags| {
                ids.into_iter()
                    .map(|id| {
                        if add {
                            WriteOp::AddTags {
                                id,
                                tags: tags.clone(),
                            }
                        } else {
                            WriteOp::RemoveTags {
                                id,
                                tags: tags.clone(),
                            }
                        }
                    })
                    .collect()
            }),
            FormKind::AddTag { contact_id } => self.tags().map(|tags| {
                vec![WriteOp::AddTags {
                    id: contact_id,
                    tags,
                }]
            }),
        };
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        ops
    }

    fn quick_ops(&mut self, assign_to: Option<String>) -> Option<Vec<WriteOp>> {
        let Some(q) = self.quick.clone() else {
            self.fail("line", "type what to add, with @name for whom");
            return None;
        };
        let Some((contact_id, _)) = q.who.clone() else {
            self.fail("line", q.preview());
            return None;
        };
        if q.text.trim().is_empty() {
            self.fail(
                "line",
                if q.note {
                    "the note says nothing"
                } else {
                    "the task needs a title"
                },
            );
            return None;
        }
        if q.note {
            return Some(vec![WriteOp::CreateNote {
                contact_id,
                input: NoteInput {
                    body: Some(q.text),
                    ..Default::default()
                },
            }]);
        }
        let local = match q.due {
            Some(t) => t,
            None => super::dates::parse_in("tomorrow 9:00", self.now, self.date_order).ok()?,
        };
        let due = utc_from_local(local, self.zone);
        Some(vec![WriteOp::CreateTask {
            contact_id,
            input: TaskInput {
                title: Some(q.text),
                body: None,
                due_date: Some(
                    due.and_utc()
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                ),
                completed: Some(false),
                assigned_to: assign_to,
            },
        }])
    }

    fn snooze_ops(
        &mut self,
        contact_id: String,
        task_id: String,
        task_title: String,
    ) -> Option<Vec<WriteOp>> {
        let due = match self.due_preview() {
            Some(Ok(local)) => utc_from_local(local, self.zone),
            Some(Err(e)) => {
                self.fail("dueDate", e);
                return None;
            }
            None => {
                self.fail("dueDate", "when is it due now?");
                return None;
            }
        };
        Some(vec![WriteOp::UpdateTask {
            contact_id,
            task_id,
            input: TaskInput {
                title: Some(task_title).filter(|t| !t.trim().is_empty()),
                due_date: Some(
                    due.and_utc()
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                ),
                ..Default::default()
            },
        }])
    }

    /// In order: the task completed, the note, the follow-up (when one is asked for).
    fn disposition_ops(
        &mut self,
        contact_id: String,
        task_id: String,
        task_title: &str,
        assign_to: Option<String>,
    ) -> Option<Vec<WriteOp>> {
        let body = self
            .field("body")
            .map(Field::text)
            .map(|b| b.trim().to_string())
            .unwrap_or_default();
        let due = match self.due_preview() {
            None => None,
            Some(Ok(local)) => Some(utc_from_local(local, self.zone)),
            Some(Err(e)) => {
                self.fail("dueDate", e);
                return None;
            }
        };
        let mut ops = vec![WriteOp::CompleteTask {
            contact_id: contact_id.clone(),
            task_id,
            completed: true,
        }];
        if !body.is_empty() {
            ops.push(WriteOp::CreateNote {
                contact_id: contact_id.clone(),
                input: NoteInput {
                    body: Some(body.clone()),
                    ..Default::default()
                },
            });
        }
        if let Some(due) = due {
            let title = if task_title.trim().is_empty() {
                "Follow up".to_string()
            } else {
                format!("Follow up: {}", task_title.trim())
            };
            ops.push(WriteOp::CreateTask {
                contact_id,
                input: TaskInput {
                    title: Some(title),
                    body: Some(body).filter(|b| !b.is_empty()),
                    due_date: Some(
                        due.and_utc()
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ),
                    completed: Some(false),
                    assigned_to: assign_to,
                },
            });
        }
        Some(ops)
    }

    fn fail(&mut self, key: &str, message: impl Into<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.error = Some(message.into());
        }
    }

    fn contact_ops(&mut self) -> Option<Vec<WriteOp>> {
        let get = |k: &str| self.field(k).and_then(Field::trimmed);
        let input = ContactInput {
            first_name: get("firstName"),
            last_name: get("lastName"),
            email: get("email"),
            phone: get("phone"),
            company_name: get("companyName"),
            address1: get("address1"),
            city: get("city"),
            state: get("state"),
            postal_code: get("postalCode"),
            country: get("country"),
            website: get("website"),
            timezone: get("timezone"),
            ..Default::default()
        };
        let creating = self.kind == FormKind::NewContact;
        let mut input = input;
        self.extras_into(&mut input, creating);
        if creating {
            input.tags = self
                .field("tags")
                .map(Field::text)
                .unwrap_or_default()
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
        }
        if let Some(e) = input.email.as_deref().filter(|e| !valid_email(e)) {
            self.fail("email", format!("“{e}” is not an email address"));
        }
        if let Some(tz) = input.timezone.clone() {
            match super::super::places::zone(&tz, &self.zones) {
                Some(known) => input.timezone = Some(known),
                None => self.fail(
                    "timezone",
                    format!(
                        "“{tz}” is not a timezone {} (Tab lists them)",
                        if self.zones.is_empty() {
                            "this app knows"
                        } else {
                            "the location offers"
                        }
                    ),
                ),
            }
        }
        if let Some(c) = input.country.clone() {
            match super::super::places::country_code(&c) {
                Some(code) => input.country = Some(code.to_string()),
                None => self.fail(
                    "country",
                    format!("“{c}” is not a country: a code like US or a name (Tab lists them)"),
                ),
            }
        }
        if let Some(p) = input.phone.clone() {
            if !valid_phone(&p) {
                self.fail(
                    "phone",
                    format!("“{p}” is not a phone number (7 to 15 digits, + allowed)"),
                );
            } else {
                // Stored as E.164 where it reads as a real number from the contact's country
                // (or the location's); kept as typed where it does not.
                let region = input.country.clone().or_else(|| self.region.clone());
                if let Some(e164) = super::super::places::e164(&p, region.as_deref()) {
                    input.phone = Some(e164);
                }
            }
        }
        if let Some(w) = input
            .website
            .as_deref()
            .filter(|w| w.contains(char::is_whitespace))
        {
            self.fail("website", format!("“{w}” has spaces"));
        }
        if creating
            && input.first_name.is_none()
            && input.last_name.is_none()
            && input.email.is_none()
            && input.phone.is_none()
        {
            self.fail("firstName", "a name, email or phone is needed");
        }
        if self.fields.iter().any(|f| f.error.is_some()) {
            return None;
        }
        Some(match &self.kind {
            FormKind::EditContact { id } => {
                // Only what changed, and empty fields as cleared: an edit never resends stale values.
                let mut changed = ContactInput::default();
                for (f, before) in self.fields.iter().zip(
                    self.original
                        .iter()
                        .chain(std::iter::repeat(&String::new())),
                ) {
                    if f.locked || f.text() == *before {
                        continue;
                    }
                    let v = Some(f.text().trim().to_string());
                    // Checked and normalised above (E.164, the zone's spelling, the code); a
                    // cleared field is sent empty.
                    let norm = |n: &Option<String>| n.clone().or_else(|| v.clone());
                    match f.key.as_str() {
                        "firstName" => changed.first_name = v,
                        "lastName" => changed.last_name = v,
                        "email" => changed.email = v,
                        "phone" => changed.phone = norm(&input.phone),
                        "address1" => changed.address1 = v,
                        "city" => changed.city = v,
                        "state" => changed.state = v,
                        "postalCode" => changed.postal_code = v,
                        "country" => changed.country = norm(&input.country),
                        "website" => changed.website = v,
                        "timezone" => changed.timezone = norm(&input.timezone),
                        _ => {}
                    }
                }
                changed.dnd_settings = input.dnd_settings.clone();
                changed.dnd = input.dnd;
                changed.custom_fields = input.custom_fields.clone();
                if changed == ContactInput::default() {
                    return Some(Vec::new());
                }
                vec![WriteOp::UpdateContact {
                    id: id.clone(),
                    input: changed,
                }]
            }
            _ => vec![WriteOp::CreateContact { input }],
        })
    }

    /// DND and custom fields: on create what was set, on edit only what changed.
    fn extras_into(&self, input: &mut ContactInput, creating: bool) {
        let original = |i: usize| self.original.get(i).cloned().unwrap_or_default();
        let mut dnd = std::collections::BTreeMap::new();
        for (i, f) in self.fields.iter().enumerate() {
            let changed = f.text() != original(i);
            if let Some(ch) = f.key.strip_prefix("dnd.") {
                let v = f.text();
                // A new contact says every channel, allowed or not, so its record has them all.
                if v == UNKNOWN || !(changed || creating) {
                    continue;
                }
                let status = if v == BLOCKED { "active" } else { "inactive" };
                dnd.insert(
                    ch.to_string(),
                    crate::api::DndSetting {
                        status: Some(status.into()),
                        ..Default::default()
                    },
                );
            } else if let Some(id) = f.key.strip_prefix("cf.") {
                let v = f.text().trim().to_string();
                if changed && !(creating && v.is_empty()) {
                    input.custom_fields.push(crate::api::CustomFieldInput {
                        id: id.to_string(),
                        field_value: json!(v),
                    });
                }
            }
        }
        if !dnd.is_empty() {
            input.dnd_settings = Some(dnd);
        }
    }

    fn task_input(&mut self, creating: bool) -> Option<TaskInput> {
        let title = self.field("title").and_then(Field::trimmed);
        let body = self
            .field("body")
            .map(Field::text)
            .map(|b| b.trim_end().to_string());
        if title.is_none() {
            self.fail("title", "a title is needed");
        }
        let due = match self.due_preview() {
            Some(Ok(local)) => Some(utc_from_local(local, self.zone)),
            Some(Err(e)) => {
                self.fail("dueDate", e);
                None
            }
            None => {
                self.fail("dueDate", "a due date is needed");
                None
            }
        };
        let (title, due) = (title?, due?);
        Some(TaskInput {
            title: Some(title),
            body: body.filter(|b| !b.is_empty() || !creating),
            due_date: Some(
                due.and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            completed: self
                .field("completed")
                .map(|f| f.text() == "yes")
                .filter(|done| creating || *done != self.was_done()),
            assigned_to: None,
        })
    }

    /// Whether the task was done when the form opened.
    fn was_done(&self) -> bool {
        let i = self.fields.iter().position(|f| f.key == "completed");
        i.and_then(|i| self.original.get(i))
            .is_some_and(|v| v == "yes")
    }

    fn note_input(&mut self) -> Option<NoteInput> {
        let body = self.field("body").map(Field::text).unwrap_or_default();
        if body.trim().is_empty() {
            self.fail("body", "the note is empty");
            return None;
        }
        Some(NoteInput {
            body: Some(body.trim_end().to_string()),
            ..Default::default()
        })
    }

    fn tags(&mut self) -> Option<Vec<String>> {
        let text = self.field("tags").map(Field::text).unwrap_or_default();
        let tags: Vec<String> = text
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.is_empty() {
            self.fail("tags", "type a tag");
            return None;
        }
        Some(tags)
    }
}

pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
}

pub fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || "+-(). ".contains(c))
}
