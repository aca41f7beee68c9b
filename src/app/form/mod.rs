//! Editor overlays as data: a form is a list of fields (ratatui-textarea buffers) plus what
//! saving it means. Validation happens here, before anything is sent, and each problem is
//! shown beside its field.

use ratatui_textarea::TextArea;
use serde_json::{Value, json};

use restore::kind_json;

use super::dates;

mod restore;
mod submit;

use crate::api::{Contact, Note, Task};
pub use submit::{valid_email, valid_phone};

#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    NewContact,
    EditContact {
        id: String,
    },
    NewTask {
        contact_id: String,
    },
    EditTask {
        contact_id: String,
        task_id: String,
    },
    NewNote {
        contact_id: String,
    },
    EditNote {
        contact_id: String,
        note_id: String,
    },
    AddTag {
        contact_id: String,
    },
    /// The same tags added to (or removed from) every marked contact.
    BulkTags {
        ids: Vec<String>,
        add: bool,
    },
    /// One line that becomes a task or a note (`a`); what it says is in `Form::quick`.
    QuickAdd {
        /// Who a task is for (the user, when known).
        assign_to: Option<String>,
    },
    /// A task's due date moved (`s`): its title is sent again with it.
    Snooze {
        contact_id: String,
        task_id: String,
        task_title: String,
    },
    /// A call's outcome on a task: completes it, adds a note, books the next follow-up.
    Disposition {
        contact_id: String,
        task_id: String,
        /// The task's title (the follow-up is named after it) and the contact's name (the
        /// note's template says it).
        task_title: String,
        name: String,
        /// Who the follow-up is for (the user, when known).
        assign_to: Option<String>,
    },
}

/// An outcome `D` offers: its name, the note it starts with (`{outcome}`, `{name}` and
/// `{date}` filled in) and when to follow up (a friendly date; empty: none). Configurable as
/// `[[outcomes]]` in config.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    pub note: String,
    pub follow_up: String,
}

/// The outcomes of a call, in the order `D` offers them, when config.toml names none.
pub fn default_outcomes() -> Vec<Outcome> {
    // Short notes: the note's line is as wide as the form, and the cursor waits at its end.
    [
        ("No answer", "{outcome}: called {name} {date}.", "+2d 10:00"),
        (
            "Left voicemail",
            "{outcome} for {name} {date}.",
            "+3d 10:00",
        ),
        ("Connected", "{outcome} with {name} {date}.", "+7d 10:00"),
        ("Not interested", "{outcome}: {name}, {date}.", ""),
        ("Booked", "{outcome}: {name}, {date}.", ""),
    ]
    .into_iter()
    .map(|(name, note, follow_up)| Outcome {
        name: name.into(),
        note: note.into(),
        follow_up: follow_up.into(),
    })
    .collect()
}

fn outcome<'a>(outcomes: &'a [Outcome], name: &str) -> Option<&'a Outcome> {
    outcomes.iter().find(|o| o.name == name)
}

/// When to follow up after `name`.
fn follow_up_for(outcomes: &[Outcome], name: &str) -> String {
    outcome(outcomes, name).map_or_else(String::new, |o| o.follow_up.clone())
}

/// The note `name` starts with, filled in.
fn note_for(outcomes: &[Outcome], name: &str, who: &str, now: chrono::NaiveDateTime) -> String {
    let template = outcome(outcomes, name).map_or("{outcome}: {name}, {date}.", |o| &o.note);
    template
        .replace("{outcome}", name)
        .replace("{name}", who)
        .replace("{date}", &now.format("%a %d %b %H:%M").to_string())
}

#[derive(Clone, Debug)]
pub struct Field {
    pub key: String,
    pub label: String,
    /// A field that picks one of these values (Space or ←/→ cycles) instead of free text.
    pub choices: Vec<String>,
    pub area: TextArea<'static>,
    pub multiline: bool,
    /// Shown under the field, wrapped: how to fill it, or why it cannot be changed.
    pub note: Option<String>,
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

    /// Replaces the text, cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        self.area = Field::new("", "", text).area;
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
    /// The user's zone: due dates are typed in it and sent in UTC.
    pub zone: chrono::FixedOffset,
    /// Why the last save did not go (the local store is unavailable), shown whole in the form.
    pub alert: Option<String>,
    /// How the user writes numeric dates (`12/01`).
    pub date_order: dates::DateOrder,
    /// Tab in a field that completes goes through what matches what was typed: the text
    /// before the word (tags), the word, and which match is shown.
    pub tag_cycle: Option<(String, String, usize)>,
    /// The location's timezones (empty: any IANA name), for completing and checking.
    pub zones: Vec<String>,
    /// The location's country: phones without a country code are read as from there.
    pub region: Option<String>,
    /// What a quick-add line says, read again as it is typed.
    pub quick: Option<crate::app::quick::Quick>,
    /// The outcomes a disposition form offers.
    pub outcomes: Vec<Outcome>,
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
            alert: None,
            date_order: dates::DateOrder::default(),
            tag_cycle: None,
            zones: Vec::new(),
            region: None,
            zone: utc(),
            quick: None,
            outcomes: Vec::new(),
        }
    }

    /// `defs` are the location's custom fields, `(id, name)`, shown by name.
    pub fn new_contact(
        now: chrono::NaiveDateTime,
        defs: &[(String, String)],
        suggestions: Vec<String>,
    ) -> Form {
        let mut fields: Vec<Field> = CONTACT_FIELDS
            .iter()
            .map(|(k, l)| Field::new(*k, *l, ""))
            .collect();
        let mut tags = Field::new("tags", "Tags", "");
        tags.note = Some("comma-separated; Tab goes through the tags in use".into());
        fields.push(tags);
        fields.extend(dnd_fields(None));
        fields.extend(custom_fields(None, defs));
        let mut form = Form::build(FormKind::NewContact, "New contact".into(), fields, now);
        form.suggestions = suggestions;
        form
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
                    f.note =
                        Some("the API does not change the company of an existing contact".into());
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

    pub fn edit_task(
        contact_id: &str,
        t: &Task,
        now: chrono::NaiveDateTime,
        zone: chrono::FixedOffset,
    ) -> Form {
        let due = t
            .due()
            .map(|d| local_from_utc(d, zone).format("%Y-%m-%d %H:%M").to_string())
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
        Form {
            zone,
            ..Form::build(kind, "Edit task".into(), fields, now)
        }
    }

    /// The same form, reading and showing times in `zone`.
    pub fn in_zone(mut self, zone: chrono::FixedOffset) -> Form {
        self.zone = zone;
        self
    }

    /// The same form, reading numeric dates in `order` (and saying so beside the due date).
    pub fn with_date_order(mut self, order: dates::DateOrder) -> Form {
        self.date_order = order;
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "dueDate") {
            f.note = Some(format!(
                "tomorrow 15:00 · +2d · fri · next mon · dec 3 · {}",
                order.hint()
            ));
        }
        self
    }

    /// `D` on a task: the outcome (Space or ←/→), the note it starts with, the next follow-up.
    /// `now` is on the user's clock; `outcomes` as configured (the defaults when empty).
    pub fn disposition(kind: FormKind, now: chrono::NaiveDateTime, outcomes: &[Outcome]) -> Form {
        let outcomes = if outcomes.is_empty() {
            default_outcomes()
        } else {
            outcomes.to_vec()
        };
        let (title, name) = match &kind {
            FormKind::Disposition {
                task_title, name, ..
            } => (task_title.clone(), name.clone()),
            _ => (String::new(), String::new()),
        };
        let first = outcomes[0].name.clone();
        let mut outcome = Field::new("outcome", "Outcome", &first);
        outcome.choices = outcomes.iter().map(|o| o.name.clone()).collect();
        outcome.note = Some("Space or ←/→ chooses; the note and follow-up follow".into());
        let mut body = Field::new("body", "Note", &note_for(&outcomes, &first, &name, now));
        body.multiline = true;
        let mut due = Field::new("dueDate", "Follow-up", &follow_up_for(&outcomes, &first));
        due.note = Some("empty: none · +2d 10:00 · tomorrow 9:00 · fri · dec 3".into());
        let shown = crate::sanitize::line(&title).into_owned();
        let mut form = Form::build(
            kind,
            format!("Log the call: {shown}"),
            vec![outcome, body, due],
            now,
        );
        form.outcomes = outcomes;
        form
    }

    /// `a`: one line for a task or a note, `@name` for whom.
    pub fn quick_add(assign_to: Option<String>, now: chrono::NaiveDateTime) -> Form {
        let mut line = Field::new("line", "Add", "");
        line.note =
            Some("Call @jane tmrw 3pm about the offer · note @acme Sent the contract".into());
        Form::build(
            FormKind::QuickAdd { assign_to },
            "Quick add".into(),
            vec![line],
            now,
        )
    }

    /// `s` on a task: one line, when it is due now (`Enter` saves).
    pub fn snooze(kind: FormKind, now: chrono::NaiveDateTime) -> Form {
        let title = match &kind {
            FormKind::Snooze { task_title, .. } => crate::sanitize::line(task_title).into_owned(),
            _ => String::new(),
        };
        let mut due = Field::new("dueDate", "Until", "+1h");
        due.note = Some("+1h · +2d · tomorrow 9am · fri 14:00 · dec 3".into());
        Form::build(kind, format!("Snooze: {title}"), vec![due], now)
    }

    /// The outcome was changed from `previous`: the note and the follow-up follow it, unless
    /// the user has written their own.
    pub fn outcome_changed(&mut self, previous: &str) {
        let FormKind::Disposition { name, .. } = &self.kind else {
            return;
        };
        let name = name.clone();
        let now = self.now;
        let Some(outcome) = self.field("outcome").map(Field::text) else {
            return;
        };
        let outcomes = self.outcomes.clone();
        let was_note = note_for(&outcomes, previous, &name, now);
        let was_due = follow_up_for(&outcomes, previous);
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "body")
            && f.text().trim() == was_note.trim()
        {
            f.set_text(&note_for(&outcomes, &outcome, &name, now));
        }
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "dueDate")
            && f.text().trim() == was_due.trim()
        {
            f.set_text(&follow_up_for(&outcomes, &outcome));
        }
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
        f.fields[0].note = Some("comma-separated; Tab goes through the tags in use".into());
        f.suggestions = suggestions;
        f
    }

    /// Tags for every marked contact: added, or removed.
    pub fn bulk_tags(
        ids: Vec<String>,
        add: bool,
        suggestions: Vec<String>,
        now: chrono::NaiveDateTime,
    ) -> Form {
        let n = crate::text::count(ids.len() as u64);
        let title = if add {
            format!("Add tags to {n} marked contacts")
        } else {
            format!("Remove tags from {n} marked contacts")
        };
        let mut f = Form::build(
            FormKind::BulkTags { ids, add },
            title,
            vec![Field::new("tags", "Tags", "")],
            now,
        );
        f.fields[0].note = Some("comma-separated; Tab goes through the tags in use".into());
        f.suggestions = suggestions;
        f
    }

    /// One line to fill, nothing else: `Enter` saves (as in a one-line box anywhere).
    pub fn enter_saves(&self) -> bool {
        let open: Vec<&Field> = self.fields.iter().filter(|f| !f.locked).collect();
        open.len() == 1 && !open[0].multiline && open[0].choices.is_empty()
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
            FormKind::BulkTags { add, .. } => format!("bulk-tags:{add}"),
            FormKind::Disposition { task_id, .. } => format!("disposition:{task_id}"),
            FormKind::Snooze { task_id, .. } => format!("snooze:{task_id}"),
            FormKind::QuickAdd { .. } => "quick:new".into(),
        }
    }

    /// The due date as understood, for showing back beside the field.
    pub fn due_preview(&self) -> Option<Result<chrono::NaiveDateTime, String>> {
        let due = self.field("dueDate")?;
        let text = due.text();
        (!text.trim().is_empty()).then(|| dates::parse_in(&text, self.now, self.date_order))
    }

    /// What the focused field can be completed with, best first: the tags in use for the
    /// word being typed in a tag field, the location's timezones, the countries. Each is what
    /// goes in the field, and how it is shown.
    pub fn candidates(&self) -> Vec<(String, String)> {
        let Some(field) = self.fields.get(self.focus) else {
            return Vec::new();
        };
        let (head, partial) = match &self.tag_cycle {
            // While cycling, the word is what was typed before the first Tab.
            Some((head, partial, _)) => (head.clone(), partial.clone()),
            None if field.key == "tags" => split_tags(&field.text()),
            None => (String::new(), field.text().trim().to_lowercase()),
        };
        if partial.is_empty() {
            return Vec::new();
        }
        match field.key.as_str() {
            "tags" => {
                let taken: Vec<String> = head
                    .split(',')
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect();
                let mut starts: Vec<String> = Vec::new();
                let mut contains: Vec<String> = Vec::new();
                for s in &self.suggestions {
                    let low = s.to_lowercase();
                    if low == partial || taken.contains(&low) {
                        continue;
                    }
                    if low.starts_with(&partial) {
                        starts.push(s.clone());
                    } else if low.contains(&partial) {
                        contains.push(s.clone());
                    }
                }
                starts.extend(contains);
                starts.into_iter().map(|t| (t.clone(), t)).collect()
            }
            "timezone" => super::places::zone_candidates(&partial, &self.zones)
                .into_iter()
                .filter(|z| z.to_lowercase() != partial)
                .map(|z| (z.clone(), z))
                .collect(),
            "country" => super::places::country_candidates(&partial)
                .into_iter()
                .filter(|(c, n)| !c.eq_ignore_ascii_case(&partial) && n.to_lowercase() != partial)
                .map(|(c, n)| (c.to_string(), format!("{c} {n}")))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the focused field already holds a whole value of what it completes.
    fn typed_is_whole(&self) -> bool {
        let Some(field) = self.fields.get(self.focus) else {
            return false;
        };
        let text = field.text();
        match field.key.as_str() {
            "tags" => {
                let (_, word) = split_tags(&text);
                self.suggestions.iter().any(|s| s.to_lowercase() == word)
            }
            "timezone" => super::places::zone(&text, &self.zones).is_some(),
            "country" => super::places::country_code(&text).is_some(),
            _ => false,
        }
    }

    /// The tags in use that match the word being typed in the tag field, best first.
    pub fn tag_candidates(&self) -> Vec<String> {
        self.candidates().into_iter().map(|(t, _)| t).collect()
    }

    /// Tab in a field that completes: the next candidate for what was typed (again and again
    /// through all of them). `false` when nothing matches: Tab moves on.
    pub fn complete(&mut self) -> bool {
        // What is typed is already whole (a tag in use, a zone, a country): Tab moves on.
        if self.tag_cycle.is_none() && self.typed_is_whole() {
            return false;
        }
        let candidates = self.candidates();
        if candidates.is_empty() {
            self.tag_cycle = None;
            return false;
        }
        let key = self.fields.get(self.focus).map(|f| f.key.clone());
        let (head, partial, next) = match self.tag_cycle.take() {
            Some((head, partial, i)) => (head, partial, (i + 1) % candidates.len()),
            None => {
                let text = self
                    .fields
                    .get(self.focus)
                    .map(Field::text)
                    .unwrap_or_default();
                let (head, partial) = if key.as_deref() == Some("tags") {
                    split_tags(&text)
                } else {
                    (String::new(), text.trim().to_lowercase())
                };
                (head, partial, 0)
            }
        };
        let value = candidates[next].0.clone();
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.set_text(&format!("{head}{value}"));
        }
        self.tag_cycle = Some((head, partial, next));
        true
    }

    /// The tag field's Tab (kept for what calls it by that name).
    pub fn complete_tag(&mut self) -> bool {
        self.complete()
    }
}

/// `"vip, co"` -> (`"vip, "`, `"co"`): what is before the word being typed, and the word.
fn split_tags(text: &str) -> (String, String) {
    match text.rsplit_once(',') {
        Some((h, p)) => (format!("{h}, "), p.trim().to_lowercase()),
        None => (String::new(), text.trim().to_lowercase()),
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
                [UNKNOWN, ALLOWED, BLOCKED].map(String::from).to_vec()
            } else {
                [ALLOWED, BLOCKED].map(String::from).to_vec()
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
        let next = self.choices[next].clone();
        self.set_text(&next);
    }
}

fn task_fields(title: &str, due: &str, done: bool, body: &str) -> Vec<Field> {
    let mut due = Field::new("dueDate", "Due", due);
    due.note = Some("tomorrow 15:00 · +2d · fri · next mon · dec 3 · 2026-12-01 09:00".into());
    let mut completed = Field::new("completed", "Done", if done { "yes" } else { "no" });
    completed.choices = vec!["no".into(), "yes".into()];
    let mut body = Field::new("body", "Details", body);
    body.multiline = true;
    vec![Field::new("title", "Title", title), due, completed, body]
}

fn note_fields(body: &str) -> Vec<Field> {
    let mut f = Field::new("body", "Note", body);
    f.multiline = true;
    f.note = Some("Ctrl-E opens $VISUAL/$EDITOR".into());
    vec![f]
}

fn utc() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("0 is a valid offset"))
}

fn utc_from_local(
    local: chrono::NaiveDateTime,
    zone: chrono::FixedOffset,
) -> chrono::NaiveDateTime {
    local - chrono::Duration::seconds(i64::from(zone.local_minus_utc()))
}

fn local_from_utc(utc: chrono::NaiveDateTime, zone: chrono::FixedOffset) -> chrono::NaiveDateTime {
    utc + chrono::Duration::seconds(i64::from(zone.local_minus_utc()))
}
