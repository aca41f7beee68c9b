//! Forms rebuilt from a draft (after a crash) or from a write the server refused.

use serde_json::{Value, json};

use super::{ALLOWED, BLOCKED, CONTACT_FIELDS, Form, FormKind, UNSENT, local_from_utc};
use crate::api::{Contact, Note, Task, WriteOp};

impl Form {
    /// An empty form of `kind`, as it opens for a record known only by its ids.
    fn blank(
        kind: &FormKind,
        now: chrono::NaiveDateTime,
        zone: chrono::FixedOffset,
        defs: &[(String, String)],
    ) -> Form {
        let contact = |id: &str| Contact {
            id: Some(id.to_string()),
            ..Default::default()
        };
        let form = match kind {
            FormKind::NewContact => Form::new_contact(now, defs, Vec::new()),
            FormKind::EditContact { id } => Form::edit_contact(&contact(id), now, defs),
            FormKind::NewTask { contact_id } => Form::new_task(contact_id, now),
            FormKind::EditTask {
                contact_id,
                task_id,
            } => {
                let task = Task {
                    id: Some(task_id.clone()),
                    ..Default::default()
                };
                Form::edit_task(contact_id, &task, now, zone)
            }
            FormKind::NewNote { contact_id } => Form::new_note(contact_id, now),
            FormKind::EditNote {
                contact_id,
                note_id,
            } => Form::edit_note(
                contact_id,
                &Note {
                    id: Some(note_id.clone()),
                    ..Default::default()
                },
                now,
            ),
            FormKind::AddTag { contact_id } => Form::add_tag(contact_id, Vec::new(), now),
            FormKind::BulkTags { ids, add } => Form::bulk_tags(ids.clone(), *add, Vec::new(), now),
            FormKind::Disposition { .. } => Form::disposition(kind.clone(), now, &[]),
            FormKind::Snooze { .. } => Form::snooze(kind.clone(), now),
            FormKind::QuickAdd { assign_to } => Form::quick_add(assign_to.clone(), now),
        };
        form.in_zone(zone)
    }

    /// Puts `text` in the field `key`, if the form has it.
    fn set(&mut self, key: &str, text: Option<&str>) {
        if let (Some(text), Some(f)) = (text, self.fields.iter_mut().find(|f| f.key == key)) {
            f.set_text(text);
        }
    }

    /// Rebuilds a form from a draft.
    pub fn from_draft(
        key: &str,
        v: &Value,
        now: chrono::NaiveDateTime,
        zone: chrono::FixedOffset,
    ) -> Option<Form> {
        // A write the server refused, kept with its reason.
        if let Some(op) = v.get("rejected") {
            let op: WriteOp = serde_json::from_value(op.clone()).ok()?;
            let mut form = Form::from_op(&op, now, zone)?;
            form.key_override = Some(key.to_string());
            if let Some(why) = v.get("error").and_then(Value::as_str) {
                form.title = format!("{} — not saved: {why}", form.title);
            }
            return Some(form);
        }
        let kind = kind_from_json(v.get("kind")?)?;
        // Custom fields come back with the names they had when the draft was saved.
        let defs: Vec<(String, String)> = v
            .get("labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, l)| {
                        Some((k.strip_prefix("cf.")?.to_string(), l.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut form = Form::blank(&kind, now, zone, &defs);
        if let Some(title) = v.get("title").and_then(Value::as_str) {
            form.title = title.to_string();
        }
        for (k, text) in v.get("values")?.as_object()? {
            form.set(k, text.as_str());
        }
        // What the form was opened with, so a restored edit sends just what the user changed;
        // an older draft without it counts every field as changed, and closing asks first.
        form.original = v
            .get("original")
            .and_then(Value::as_array)
            .map(|o| {
                o.iter()
                    .map(|x| x.as_str().unwrap_or(UNSENT).to_string())
                    .collect()
            })
            .unwrap_or_default();
        form.key_override = v.get("key").and_then(Value::as_str).map(String::from);
        Some(form)
    }

    /// Reopens the form a refused write came from, with the user's text in it.
    pub fn from_op(
        op: &WriteOp,
        now: chrono::NaiveDateTime,
        zone: chrono::FixedOffset,
    ) -> Option<Form> {
        let kind = match op {
            WriteOp::CreateContact { .. } => FormKind::NewContact,
            WriteOp::UpdateContact { id, .. } => FormKind::EditContact { id: id.clone() },
            WriteOp::CreateTask { contact_id, .. } => FormKind::NewTask {
                contact_id: contact_id.clone(),
            },
            WriteOp::UpdateTask {
                contact_id,
                task_id,
                ..
            } => FormKind::EditTask {
                contact_id: contact_id.clone(),
                task_id: task_id.clone(),
            },
            WriteOp::CreateNote { contact_id, .. } => FormKind::NewNote {
                contact_id: contact_id.clone(),
            },
            WriteOp::UpdateNote {
                contact_id,
                note_id,
                ..
            } => FormKind::EditNote {
                contact_id: contact_id.clone(),
                note_id: note_id.clone(),
            },
            WriteOp::AddTags { id, .. } => FormKind::AddTag {
                contact_id: id.clone(),
            },
            _ => return None,
        };
        // Custom fields of a refused write are known by id only.
        let defs: Vec<(String, String)> = match op {
            WriteOp::CreateContact { input } | WriteOp::UpdateContact { input, .. } => input
                .custom_fields
                .iter()
                .map(|f| (f.id.clone(), f.id.clone()))
                .collect(),
            _ => Vec::new(),
        };
        let mut form = Form::blank(&kind, now, zone, &defs);
        match op {
            WriteOp::CreateNote { input, .. } | WriteOp::UpdateNote { input, .. } => {
                form.set("body", input.body.as_deref());
            }
            WriteOp::CreateTask { input, .. } | WriteOp::UpdateTask { input, .. } => {
                form.set("title", input.title.as_deref());
                let due = input
                    .due_date
                    .as_deref()
                    .and_then(crate::api::time::parse)
                    .map(|d| local_from_utc(d, zone).format("%Y-%m-%d %H:%M").to_string());
                form.set("dueDate", due.as_deref());
                form.set("body", input.body.as_deref());
                form.set(
                    "completed",
                    input.completed.map(|done| if done { "yes" } else { "no" }),
                );
            }
            WriteOp::CreateContact { input } | WriteOp::UpdateContact { input, .. } => {
                for cf in &input.custom_fields {
                    let text = cf
                        .field_value
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| cf.field_value.to_string());
                    form.set(&format!("cf.{}", cf.id), Some(&text));
                }
                for (ch, setting) in input.dnd_settings.iter().flatten() {
                    form.set(
                        &format!("dnd.{ch}"),
                        Some(if setting.blocks() { BLOCKED } else { ALLOWED }),
                    );
                }
                let v = serde_json::to_value(input).unwrap_or_default();
                for key in CONTACT_FIELDS.map(|(k, _)| k) {
                    form.set(key, v.get(key).and_then(Value::as_str));
                }
            }
            WriteOp::AddTags { tags, .. } => form.set("tags", Some(&tags.join(", "))),
            _ => {}
        }
        // The fields the write carried count as changed (so saving again sends them, a
        // cleared one included); the others as untouched.
        let carried = carried_keys(op);
        form.original = form
            .fields
            .iter()
            .map(|f| {
                if carried.contains(&f.key) {
                    UNSENT.to_string()
                } else {
                    f.text()
                }
            })
            .collect();
        Some(form)
    }
}

pub(super) fn kind_json(kind: &FormKind) -> Value {
    match kind {
        FormKind::NewContact => json!({"form": "new_contact"}),
        FormKind::EditContact { id } => json!({"form": "edit_contact", "id": id}),
        FormKind::NewTask { contact_id } => json!({"form": "new_task", "contact": contact_id}),
        FormKind::EditTask {
            contact_id,
            task_id,
        } => json!({"form": "edit_task", "contact": contact_id, "id": task_id}),
        FormKind::NewNote { contact_id } => json!({"form": "new_note", "contact": contact_id}),
        FormKind::EditNote {
            contact_id,
            note_id,
        } => json!({"form": "edit_note", "contact": contact_id, "id": note_id}),
        FormKind::AddTag { contact_id } => json!({"form": "add_tag", "contact": contact_id}),
        FormKind::BulkTags { ids, add } => json!({"form": "bulk_tags", "ids": ids, "add": add}),
        FormKind::QuickAdd { assign_to } => json!({"form": "quick", "assign": assign_to}),
        FormKind::Snooze {
            contact_id,
            task_id,
            task_title,
        } => json!({"form": "snooze", "contact": contact_id, "id": task_id, "title": task_title}),
        FormKind::Disposition {
            contact_id,
            task_id,
            task_title,
            name,
            assign_to,
        } => json!({
            "form": "disposition",
            "contact": contact_id,
            "id": task_id,
            "title": task_title,
            "name": name,
            "assign": assign_to,
        }),
    }
}

fn kind_from_json(v: &Value) -> Option<FormKind> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    Some(match v.get("form")?.as_str()? {
        "new_contact" => FormKind::NewContact,
        "edit_contact" => FormKind::EditContact { id: s("id")? },
        "new_task" => FormKind::NewTask {
            contact_id: s("contact")?,
        },
        "edit_task" => FormKind::EditTask {
            contact_id: s("contact")?,
            task_id: s("id")?,
        },
        "new_note" => FormKind::NewNote {
            contact_id: s("contact")?,
        },
        "edit_note" => FormKind::EditNote {
            contact_id: s("contact")?,
            note_id: s("id")?,
        },
        "add_tag" => FormKind::AddTag {
            contact_id: s("contact")?,
        },
        "bulk_tags" => FormKind::BulkTags {
            ids: v
                .get("ids")?
                .as_array()?
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect(),
            add: v.get("add").and_then(Value::as_bool).unwrap_or(true),
        },
        "quick" => FormKind::QuickAdd {
            assign_to: s("assign"),
        },
        "snooze" => FormKind::Snooze {
            contact_id: s("contact")?,
            task_id: s("id")?,
            task_title: s("title").unwrap_or_default(),
        },
        "disposition" => FormKind::Disposition {
            contact_id: s("contact")?,
            task_id: s("id")?,
            task_title: s("title").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            assign_to: s("assign"),
        },
        _ => return None,
    })
}

fn carried_keys(op: &WriteOp) -> Vec<String> {
    let present = |v: Value| -> Vec<String> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, x)| !x.is_null())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    match op {
        WriteOp::CreateContact { input } | WriteOp::UpdateContact { input, .. } => {
            let mut keys = present(serde_json::to_value(input).unwrap_or_default());
            keys.extend(input.custom_fields.iter().map(|f| format!("cf.{}", f.id)));
            keys.extend(
                input
                    .dnd_settings
                    .iter()
                    .flatten()
                    .map(|(ch, _)| format!("dnd.{ch}")),
            );
            keys
        }
        WriteOp::CreateTask { input, .. } | WriteOp::UpdateTask { input, .. } => {
            present(serde_json::to_value(input).unwrap_or_default())
        }
        WriteOp::CreateNote { input, .. } | WriteOp::UpdateNote { input, .. } => {
            present(serde_json::to_value(input).unwrap_or_default())
        }
        WriteOp::AddTags { .. } => vec!["tags".into()],
        _ => Vec::new(),
    }
}
