//! Forms rebuilt from a draft (after a crash) or from a write the server refused.

use serde_json::{Value, json};

use super::{ALLOWED, BLOCKED, CONTACT_FIELDS, Field, Form, FormKind, UNSENT, local_from_utc};
use crate::api::{Contact, Note, Task, WriteOp};

impl Form {
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
        let mut form = match &kind {
            FormKind::NewContact => Form::new_contact(now, &defs),
            FormKind::EditContact { id } => {
                let mut f = Form::edit_contact(
                    &Contact {
                        id: Some(id.clone()),
                        ..Default::default()
                    },
                    now,
                    &defs,
                );
                f.title = v
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or("Edit contact")
                    .to_string();
                f
            }
            FormKind::NewTask { contact_id } => Form::new_task(contact_id, now),
            FormKind::EditTask {
                contact_id,
                task_id,
            } => Form::edit_task(
                contact_id,
                &Task {
                    id: Some(task_id.clone()),
                    ..Default::default()
                },
                now,
                zone,
            ),
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
        };
        let values = v.get("values")?.as_object()?;
        for f in form.fields.iter_mut() {
            if let Some(text) = values.get(f.key.as_str()).and_then(Value::as_str) {
                let locked = f.locked;
                *f = Field {
                    area: Field::new(f.key.clone(), f.label.clone(), text).area,
                    locked,
                    ..f.clone()
                };
            }
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
        form.zone = zone;
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
        _ => return None,
    })
}

impl Form {
    /// Reopens the form a refused write came from, with the user's text in it.
    pub fn from_op(
        op: &WriteOp,
        now: chrono::NaiveDateTime,
        zone: chrono::FixedOffset,
    ) -> Option<Form> {
        let set = |form: &mut Form, key: &str, value: Option<&str>| {
            if let (Some(v), Some(f)) = (value, form.fields.iter_mut().find(|f| f.key == key)) {
                *f = Field {
                    area: Field::new(f.key.clone(), f.label.clone(), v).area,
                    ..f.clone()
                };
            }
        };
        let mut form = match op {
            WriteOp::CreateNote { contact_id, input }
            | WriteOp::UpdateNote {
                contact_id, input, ..
            } => {
                let mut f = match op {
                    WriteOp::UpdateNote { note_id, .. } => Form::edit_note(
                        contact_id,
                        &Note {
                            id: Some(note_id.clone()),
                            ..Default::default()
                        },
                        now,
                    ),
                    _ => Form::new_note(contact_id, now),
                };
                set(&mut f, "body", input.body.as_deref());
                f
            }
            WriteOp::CreateTask { contact_id, input }
            | WriteOp::UpdateTask {
                contact_id, input, ..
            } => {
                let mut f = match op {
                    WriteOp::UpdateTask { task_id, .. } => Form::edit_task(
                        contact_id,
                        &Task {
                            id: Some(task_id.clone()),
                            ..Default::default()
                        },
                        now,
                        zone,
                    ),
                    _ => Form::new_task(contact_id, now),
                };
                set(&mut f, "title", input.title.as_deref());
                let due = input
                    .due_date
                    .as_deref()
                    .and_then(crate::api::time::parse)
                    .map(|d| local_from_utc(d, zone).format("%Y-%m-%d %H:%M").to_string());
                set(&mut f, "dueDate", due.as_deref());
                set(&mut f, "body", input.body.as_deref());
                if let Some(done) = input.completed {
                    set(&mut f, "completed", Some(if done { "yes" } else { "no" }));
                }
                f
            }
            WriteOp::CreateContact { input } | WriteOp::UpdateContact { input, .. } => {
                let defs: Vec<(String, String)> = input
                    .custom_fields
                    .iter()
                    .map(|f| (f.id.clone(), f.id.clone()))
                    .collect();
                let mut f = match op {
                    WriteOp::UpdateContact { id, .. } => Form::edit_contact(
                        &Contact {
                            id: Some(id.clone()),
                            ..Default::default()
                        },
                        now,
                        &defs,
                    ),
                    _ => Form::new_contact(now, &defs),
                };
                for cf in &input.custom_fields {
                    let text = cf
                        .field_value
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| cf.field_value.to_string());
                    set(&mut f, &format!("cf.{}", cf.id), Some(&text));
                }
                for (ch, setting) in input.dnd_settings.iter().flatten() {
                    set(
                        &mut f,
                        &format!("dnd.{ch}"),
                        Some(if setting.blocks() { BLOCKED } else { ALLOWED }),
                    );
                }
                let v = serde_json::to_value(input).unwrap_or_default();
                for key in CONTACT_FIELDS.map(|(k, _)| k) {
                    set(&mut f, key, v.get(key).and_then(Value::as_str));
                }
                f
            }
            WriteOp::AddTags { id, tags } => {
                let mut f = Form::add_tag(id, Vec::new(), now);
                set(&mut f, "tags", Some(&tags.join(", ")));
                f
            }
            _ => return None,
        };
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
