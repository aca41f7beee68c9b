//! Editor overlays as data: a form is a list of fields (ratatui-textarea buffers) plus what
//! saving it means. Validation happens here, before anything is sent, and each problem is
//! shown beside its field.

use ratatui_textarea::TextArea;
use serde_json::{Value, json};

use super::dates;
use crate::api::{Contact, ContactInput, Note, NoteInput, Task, TaskInput, WriteOp};

#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    NewContact,
    EditContact { id: String },
    NewTask { contact_id: String },
    EditTask { contact_id: String, task_id: String },
    NewNote { contact_id: String },
    EditNote { contact_id: String, note_id: String },
    AddTag { contact_id: String },
}

#[derive(Clone, Debug)]
pub struct Field {
    pub key: String,
    pub label: String,
    /// A field that picks one of these values (Space or ←/→ cycles) instead of free text.
    pub choices: Vec<&'static str>,
    pub area: TextArea<'static>,
    pub multiline: bool,
    /// Shown under the field, e.g. why it cannot be changed.
    pub note: Option<&'static str>,
    pub locked: bool,
    pub error: Option<String>,
}

impl Field {
    fn new(key: impl Into<String>, label: impl Into<String>, value: &str) -> Field {
        let lines: Vec<String> = value.split('\n').map(String::from).collect();
        let mut area = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Field {
            key: key.into(),
            label: label.into(),
            choices: Vec::new(),
            area,
            multiline: false,
            note: None,
            locked: false,
            error: None,
        }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    fn trimmed(&self) -> Option<String> {
        let t = self.text().trim().to_string();
        (!t.is_empty()).then_some(t)
    }
}

#[derive(Clone, Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The values when the form opened, to know whether closing loses anything.
    original: Vec<String>,
    /// Tags seen in the location, for completion in the tag form.
    pub suggestions: Vec<String>,
    /// Tasks' due date as understood, shown back before saving.
    pub now: chrono::NaiveDateTime,
    /// The draft key when it is not the one the kind gives (a refused write's text).
    pub key_override: Option<String>,
}

/// An "original" value no field can hold: the field counts as changed, so its value is sent.
const UNSENT: &str = "\u{0}";

const CONTACT_FIELDS: [(&str, &str); 12] = [
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("companyName", "Company"),
    ("address1", "Street"),
    ("city", "City"),
    ("state", "State"),
    ("postalCode", "Postal code"),
    ("country", "Country"),
    ("website", "Website"),
    ("timezone", "Timezone"),
];

fn contact_value(c: &Contact, key: &str) -> String {
    let v = match key {
        "firstName" => c.first_name.as_deref(),
        "lastName" => c.last_name.as_deref(),
        "email" => c.email.as_deref(),
        "phone" => c.phone.as_deref(),
        "companyName" => c.company_name.as_deref(),
        "address1" => c.street(),
        "city" => c.city.as_deref(),
        "state" => c.state.as_deref(),
        "postalCode" => c.postal_code.as_deref(),
        "country" => c.country.as_deref(),
        "website" => c.website.as_deref(),
        "timezone" => c.timezone.as_deref(),
        _ => None,
    };
    v.unwrap_or("").to_string()
}

impl Form {
    fn build(
        kind: FormKind,
        title: String,
        fields: Vec<Field>,
        now: chrono::NaiveDateTime,
    ) -> Form {
        let original = fields.iter().map(Field::text).collect();
        Form {
            kind,
            title,
            fields,
            focus: 0,
            original,
            suggestions: Vec::new(),
            now,
            key_override: None,
        }
    }

    /// `defs` are the location's custom fields, `(id, name)`, shown by name.
    pub fn new_contact(now: chrono::NaiveDateTime, defs: &[(String, String)]) -> Form {
        let mut fields: Vec<Field> = CONTACT_FIELDS
            .iter()
            .map(|(k, l)| Field::new(*k, *l, ""))
            .collect();
        fields.extend(dnd_fields(None));
        fields.extend(custom_fields(None, defs));
        Form::build(FormKind::NewContact, "New contact".into(), fields, now)
    }

    pub fn edit_contact(
        c: &Contact,
        now: chrono::NaiveDateTime,
        defs: &[(String, String)],
    ) -> Form {
        let mut fields: Vec<Field> = CONTACT_FIELDS
            .iter()
            .map(|(k, l)| {
                let mut f = Field::new(*k, *l, &contact_value(c, k));
                if *k == "companyName" {
                    // FACTS: PUT /contacts/{id} refuses companyName.
                    f.locked = true;
                    f.note = Some("the API does not change the company of an existing contact");
                }
                f
            })
            .collect();
        fields.extend(dnd_fields(Some(c)));
        fields.extend(custom_fields(Some(c), defs));
        let title = format!("Edit {}", crate::sanitize::line(&c.display_name()));
        Form::build(
            FormKind::EditContact {
                id: c.id().to_string(),
            },
            title,
            fields,
            now,
        )
    }

    pub fn new_task(contact_id: &str, now: chrono::NaiveDateTime) -> Form {
        Form::build(
            FormKind::NewTask {
                contact_id: contact_id.into(),
            },
            "New task".into(),
            task_fields("", "tomorrow 9:00", false, ""),
            now,
        )
    }

    pub fn edit_task(contact_id: &str, t: &Task, now: chrono::NaiveDateTime) -> Form {
        let due = t
            .due()
            .map(|d| local_from_utc(d).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let kind = FormKind::EditTask {
            contact_id: contact_id.into(),
            task_id: t.id.clone().unwrap_or_default(),
        };
        let fields = task_fields(
            t.title.as_deref().unwrap_or(""),
            &due,
            t.is_done(),
            t.body.as_deref().unwrap_or(""),
        );
        Form::build(kind, "Edit task".into(), fields, now)
    }

    pub fn new_note(contact_id: &str, now: chrono::NaiveDateTime) -> Form {
        Form::build(
            FormKind::NewNote {
                contact_id: contact_id.into(),
            },
            "New note".into(),
            note_fields(""),
            now,
        )
    }

    pub fn edit_note(contact_id: &str, n: &Note, now: chrono::NaiveDateTime) -> Form {
        let kind = FormKind::EditNote {
            contact_id: contact_id.into(),
            note_id: n.id.clone().unwrap_or_default(),
        };
        Form::build(
            kind,
            "Edit note".into(),
            note_fields(n.body.as_deref().unwrap_or("")),
            now,
        )
    }

    pub fn add_tag(contact_id: &str, suggestions: Vec<String>, now: chrono::NaiveDateTime) -> Form {
        let mut f = Form::build(
            FormKind::AddTag {
                contact_id: contact_id.into(),
            },
            "Add tags".into(),
            vec![Field::new("tags", "Tags", "")],
            now,
        );
        f.fields[0].note = Some("comma-separated; Tab completes from tags in use");
        f.suggestions = suggestions;
        f
    }

    pub fn changed(&self) -> bool {
        self.fields
            .iter()
            .map(Field::text)
            .ne(self.original.iter().cloned())
    }

    pub fn focused(&mut self) -> &mut Field {
        let i = self.focus.min(self.fields.len().saturating_sub(1));
        &mut self.fields[i]
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Moves focus by `delta`, skipping locked fields.
    pub fn step(&mut self, delta: isize) {
        let n = self.fields.len() as isize;
        if n == 0 {
            return;
        }
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + delta).rem_euclid(n);
            if !self.fields[i as usize].locked {
                break;
            }
        }
        self.focus = i as usize;
    }

    /// The draft of this form: its kind and values, enough to reopen it after a crash.
    pub fn draft(&self) -> Value {
        let values: serde_json::Map<String, Value> = self
            .fields
            .iter()
            .map(|f| (f.key.to_string(), json!(f.text())))
            .collect();
        let labels: serde_json::Map<String, Value> = self
            .fields
            .iter()
            .map(|f| (f.key.clone(), json!(f.label)))
            .collect();
        json!({
            "kind": kind_json(&self.kind),
            "title": self.title,
            "values": values,
            "labels": labels,
            "original": self.original,
            "key": self.key_override,
        })
    }

    /// A key that names what is being edited, so one draft per thing.
    pub fn draft_key(&self) -> String {
        if let Some(key) = &self.key_override {
            return key.clone();
        }
        match &self.kind {
            FormKind::NewContact => "contact:new".into(),
            FormKind::EditContact { id } => format!("contact:{id}"),
            FormKind::NewTask { contact_id } => format!("task:new:{contact_id}"),
            FormKind::EditTask { task_id, .. } => format!("task:{task_id}"),
            FormKind::NewNote { contact_id } => format!("note:new:{contact_id}"),
            FormKind::EditNote { note_id, .. } => format!("note:{note_id}"),
            FormKind::AddTag { contact_id } => format!("tags:{contact_id}"),
        }
    }

    /// Rebuilds a form from a draft.
    pub fn from_draft(key: &str, v: &Value, now: chrono::NaiveDateTime) -> Option<Form> {
        // A write the server refused, kept with its reason.
        if let Some(op) = v.get("rejected") {
            let op: WriteOp = serde_json::from_value(op.clone()).ok()?;
            let mut form = Form::from_op(&op, now)?;
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
        Some(form)
    }

    /// The due date as understood, for showing back beside the field.
    pub fn due_preview(&self) -> Option<Result<chrono::NaiveDateTime, String>> {
        let due = self.field("dueDate")?;
        let text = due.text();
        (!text.trim().is_empty()).then(|| dates::parse(&text, self.now))
    }

    /// Tab in the tag field: completes the word being typed from the tags in use.
    pub fn complete_tag(&mut self) -> bool {
        let Some(field) = self.fields.first_mut() else {
            return false;
        };
        let text = field.text();
        let (head, partial) = match text.rsplit_once(',') {
            Some((h, p)) => (format!("{h}, "), p.trim().to_lowercase()),
            None => (String::new(), text.trim().to_lowercase()),
        };
        if partial.is_empty() {
            return false;
        }
        let Some(hit) = self
            .suggestions
            .iter()
            .find(|s| s.to_lowercase().starts_with(&partial) && s.to_lowercase() != partial)
        else {
            return false;
        };
        *field = Field {
            area: Field::new(
                field.key.clone(),
                field.label.clone(),
                &format!("{head}{hit}"),
            )
            .area,
            ..field.clone()
        };
        true
    }

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
        if let Some(e) = input.email.as_deref().filter(|e| !valid_email(e)) {
            self.fail("email", format!("“{e}” is not an email address"));
        }
        if let Some(p) = input.phone.as_deref().filter(|p| !valid_phone(p)) {
            self.fail(
                "phone",
                format!("“{p}” is not a phone number (7 to 15 digits, + allowed)"),
            );
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
                    match f.key.as_str() {
                        "firstName" => changed.first_name = v,
                        "lastName" => changed.last_name = v,
                        "email" => changed.email = v,
                        "phone" => changed.phone = v,
                        "address1" => changed.address1 = v,
                        "city" => changed.city = v,
                        "state" => changed.state = v,
                        "postalCode" => changed.postal_code = v,
                        "country" => changed.country = v,
                        "website" => changed.website = v,
                        "timezone" => changed.timezone = v,
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
                if v == UNKNOWN || !(changed || (creating && v == BLOCKED)) {
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
            Some(Ok(local)) => Some(utc_from_local(local)),
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

const ALLOWED: &str = "allowed";
const BLOCKED: &str = "blocked";
const UNKNOWN: &str = "not known";

/// Do-not-disturb per channel, as choices. A record without per-channel settings (a search
/// result) shows "not known", which is never sent.
fn dnd_fields(c: Option<&Contact>) -> Vec<Field> {
    crate::api::contact::DND_CHANNELS
        .iter()
        .map(|ch| {
            let value = match c {
                None => ALLOWED,
                Some(c) => match c.dnd_settings.as_ref() {
                    None => UNKNOWN,
                    Some(map) => match map.get(*ch) {
                        Some(s) if s.blocks() => BLOCKED,
                        _ => ALLOWED,
                    },
                },
            };
            let mut f = Field::new(format!("dnd.{ch}"), format!("DND {ch}"), value);
            f.choices = if value == UNKNOWN {
                vec![UNKNOWN, ALLOWED, BLOCKED]
            } else {
                vec![ALLOWED, BLOCKED]
            };
            f
        })
        .collect()
}

/// The location's custom fields by name, with the contact's values.
fn custom_fields(c: Option<&Contact>, defs: &[(String, String)]) -> Vec<Field> {
    defs.iter()
        .map(|(id, name)| {
            let value = c
                .and_then(|c| {
                    c.custom_fields
                        .iter()
                        .find(|f| f.id.as_deref() == Some(id.as_str()))
                })
                .map(|f| f.display())
                .unwrap_or_default();
            Field::new(format!("cf.{id}"), name.clone(), &value)
        })
        .collect()
}

impl Field {
    /// Moves a choice field to its next (or previous) value.
    pub fn cycle(&mut self, forward: bool) {
        if self.choices.is_empty() {
            return;
        }
        let n = self.choices.len();
        let at = self
            .choices
            .iter()
            .position(|c| *c == self.text())
            .unwrap_or(0);
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.area = Field::new("", "", self.choices[next]).area;
    }
}

fn task_fields(title: &str, due: &str, done: bool, body: &str) -> Vec<Field> {
    let mut due = Field::new("dueDate", "Due", due);
    due.note = Some("tomorrow 15:00 · +2d · fri · 2026-12-01 09:00");
    let mut completed = Field::new("completed", "Done", if done { "yes" } else { "no" });
    completed.choices = vec!["no", "yes"];
    let mut body = Field::new("body", "Details", body);
    body.multiline = true;
    vec![Field::new("title", "Title", title), due, completed, body]
}

fn note_fields(body: &str) -> Vec<Field> {
    let mut f = Field::new("body", "Note", body);
    f.multiline = true;
    f.note = Some("Ctrl-E opens $VISUAL/$EDITOR");
    vec![f]
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

/// Due dates are typed in local time and sent in UTC.
fn utc_from_local(local: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    chrono::Local
        .from_local_datetime(&local)
        .earliest()
        .map_or(local, |t| t.naive_utc())
}

fn local_from_utc(utc: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    chrono::Local.from_utc_datetime(&utc).naive_local()
}

use chrono::TimeZone as _;

fn kind_json(kind: &FormKind) -> Value {
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
    pub fn from_op(op: &WriteOp, now: chrono::NaiveDateTime) -> Option<Form> {
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
                    ),
                    _ => Form::new_task(contact_id, now),
                };
                set(&mut f, "title", input.title.as_deref());
                let due = input
                    .due_date
                    .as_deref()
                    .and_then(crate::api::time::parse)
                    .map(|d| local_from_utc(d).format("%Y-%m-%d %H:%M").to_string());
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

/// The form keys a write sets.
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
