//! Changes: the keys that start them, the overlays that collect them, the optimistic update of
//! what is on screen, and what happens when the server confirms or refuses. Still pure: writes
//! leave as `Effect::Write` and come back as `Msg::Synced`.

use crossterm::event::KeyEvent;
use ratatui_textarea::Input;
use serde_json::Value;

use super::form::{Form, FormKind};
use super::keymap::{self, Action, Scope};
use super::msg::Effect;
use super::rows::{ContactRow, Haystack};
use super::state::{ContactSet, Load, Overlay, Pane, PendingView, State, Status};
use crate::api::{ApiError, Applied, Contact, Note, Task, WriteOp};
use crate::sync::Sent;
use crate::ui::panes;

const LOCAL: &str = "local-";

fn say(state: &mut State, text: impl Into<String>, error: bool) {
    state.status = Some(Status {
        text: text.into(),
        error,
    });
}

/// The task under the cursor of the Tasks pane, in the order the pane shows them.
pub fn selected_task(state: &State) -> Option<(String, Task)> {
    let id = state.selected_id()?.to_string();
    let tasks = state.extras.get(&id)?.tasks.ready()?;
    let task = panes::tasks::ordered(tasks)
        .get(state.cursor(Pane::Tasks).selected)
        .map(|t| (*t).clone())?;
    Some((id, task))
}

pub fn selected_note(state: &State) -> Option<(String, Note)> {
    let id = state.selected_id()?.to_string();
    let notes = state.extras.get(&id)?.notes.ready()?;
    let note = panes::notes::ordered(notes)
        .get(state.cursor(Pane::Notes).selected)
        .map(|n| (*n).clone())?;
    Some((id, note))
}

fn first_line(s: Option<&str>, max: usize) -> String {
    let line = crate::sanitize::line(s.unwrap_or("").lines().next().unwrap_or(""))
        .trim()
        .to_string();
    crate::ui::text::fit(&line, max)
}

fn is_local(id: &str) -> bool {
    id.starts_with(LOCAL)
}

fn not_yet_saved(state: &mut State) {
    say(
        state,
        "That is still on its way to the server; try again once it is saved",
        true,
    );
}

// --- Starting a change ----------------------------------------------------------------------

pub fn on_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let now = state.now;
    let contact = state.selected_detail().cloned();
    match action {
        Action::New => match state.focus {
            Pane::Tasks | Pane::Notes if contact.is_none() => {
                say(state, "Select a contact first", true)
            }
            // Its tasks and notes would name an id the server has not given yet.
            Pane::Tasks | Pane::Notes if contact.as_ref().is_some_and(|c| is_local(c.id())) => {
                not_yet_saved(state)
            }
            Pane::Tasks => open(
                state,
                Form::new_task(
                    contact
                        .map(|c| c.id().to_string())
                        .unwrap_or_default()
                        .as_str(),
                    now,
                ),
            ),
            Pane::Notes => open(
                state,
                Form::new_note(
                    contact
                        .map(|c| c.id().to_string())
                        .unwrap_or_default()
                        .as_str(),
                    now,
                ),
            ),
            Pane::Appointments => say(
                state,
                "Appointments are booked in the calendar; this view only reads them",
                true,
            ),
            Pane::Contacts | Pane::Details => {
                let defs = field_defs(state);
                open(state, Form::new_contact(now, &defs))
            }
        },
        Action::Edit => match state.focus {
            Pane::Tasks => match selected_task(state) {
                Some((_, t)) if t.id.as_deref().is_some_and(is_local) => not_yet_saved(state),
                Some((cid, t)) => open(state, Form::edit_task(&cid, &t, now)),
                None => say(state, "No task selected", true),
            },
            Pane::Notes => match selected_note(state) {
                Some((_, n)) if n.id.as_deref().is_some_and(is_local) => not_yet_saved(state),
                Some((cid, n)) => open(state, Form::edit_note(&cid, &n, now)),
                None => say(state, "No note selected", true),
            },
            Pane::Appointments => say(
                state,
                "Appointments are booked in the calendar; this view only reads them",
                true,
            ),
            Pane::Contacts | Pane::Details => match contact {
                Some(c) if is_local(c.id()) => not_yet_saved(state),
                Some(c) => {
                    let defs = field_defs(state);
                    open(state, Form::edit_contact(&c, now, &defs))
                }
                None => say(state, "No contact selected", true),
            },
        },
        Action::Delete => delete(state, contact),
        Action::Toggle => toggle_task(state, fx),
        Action::AddTag => match contact {
            Some(c) if !is_local(c.id()) => {
                // The location's tags (when the token may list them) and those on loaded contacts.
                let mut seen: Vec<String> = state.location_tags.clone();
                seen.extend(
                    state
                        .browse
                        .contacts
                        .iter()
                        .flat_map(|c| c.tags.iter().cloned()),
                );
                seen.sort();
                seen.dedup();
                open(state, Form::add_tag(c.id(), seen, now));
            }
            Some(_) => not_yet_saved(state),
            None => say(state, "No contact selected", true),
        },
        Action::RemoveTag => match contact {
            Some(c) if c.tags.is_empty() => say(state, "This contact has no tags", true),
            Some(c) if !is_local(c.id()) => {
                state.overlay = Some(Overlay::RemoveTag {
                    contact_id: c.id().to_string(),
                    tags: c.tags.clone(),
                    cursor: 0,
                })
            }
            Some(_) => not_yet_saved(state),
            None => say(state, "No contact selected", true),
        },
        Action::ShowPending => state.overlay = Some(Overlay::Pending { cursor: 0 }),
        _ => {}
    }
}

/// The location's custom fields as `(id, name)`, by name.
fn field_defs(state: &State) -> Vec<(String, String)> {
    let mut defs: Vec<(String, String)> = state
        .field_names
        .iter()
        .map(|(id, n)| (id.clone(), n.clone()))
        .collect();
    defs.sort_by(|a, b| a.1.cmp(&b.1));
    defs
}

fn open(state: &mut State, form: Form) {
    state.overlay = Some(Overlay::Form(Box::new(form)));
}

fn delete(state: &mut State, contact: Option<Contact>) {
    let (prompt, op) = match state.focus {
        Pane::Tasks => match selected_task(state) {
            Some((_, t)) if t.id.as_deref().is_some_and(is_local) => return not_yet_saved(state),
            Some((cid, t)) => (
                format!("Delete the task “{}”?", first_line(t.title.as_deref(), 50)),
                WriteOp::DeleteTask {
                    contact_id: cid,
                    task_id: t.id.unwrap_or_default(),
                },
            ),
            None => return say(state, "No task selected", true),
        },
        Pane::Notes => match selected_note(state) {
            Some((_, n)) if n.id.as_deref().is_some_and(is_local) => return not_yet_saved(state),
            Some((cid, n)) => (
                format!("Delete the note “{}”?", first_line(n.body.as_deref(), 50)),
                WriteOp::DeleteNote {
                    contact_id: cid,
                    note_id: n.id.unwrap_or_default(),
                },
            ),
            None => return say(state, "No note selected", true),
        },
        Pane::Appointments => {
            return say(
                state,
                "Appointments are booked in the calendar; this view only reads them",
                true,
            );
        }
        Pane::Contacts | Pane::Details => match contact {
            Some(c) if is_local(c.id()) => return not_yet_saved(state),
            Some(c) => (
                format!(
                    "Delete the contact {} with all their tasks and notes?",
                    first_line(Some(&c.display_name()), 40)
                ),
                WriteOp::DeleteContact {
                    id: c.id().to_string(),
                },
            ),
            None => return say(state, "No contact selected", true),
        },
    };
    state.overlay = Some(Overlay::Confirm {
        prompt,
        ops: vec![op],
    });
}

/// `x`: completes or reopens the task at once; the server is told in the background.
fn toggle_task(state: &mut State, fx: &mut Vec<Effect>) {
    if state.focus != Pane::Tasks {
        return say(
            state,
            "x completes a task: open the Tasks pane (3) first",
            true,
        );
    }
    match selected_task(state) {
        Some((_, t)) if t.id.as_deref().is_some_and(is_local) => not_yet_saved(state),
        Some((cid, t)) => {
            let completed = !t.is_done();
            let op = WriteOp::CompleteTask {
                contact_id: cid,
                task_id: t.id.unwrap_or_default(),
                completed,
            };
            send(state, vec![op], fx);
        }
        None => say(state, "No task selected", true),
    }
}

/// Shows the writes at once and hands them to the outbox.
fn send(state: &mut State, ops: Vec<WriteOp>, fx: &mut Vec<Effect>) {
    for op in &ops {
        apply_local(state, op);
    }
    fx.push(Effect::Write(ops));
}

// --- Overlay keys ---------------------------------------------------------------------------

/// Keys while an overlay is open. Returns false when there is no overlay.
pub fn on_key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    let Some(overlay) = state.overlay.take() else {
        return false;
    };
    state.overlay = match overlay {
        Overlay::Form(form) => form_key(state, form, ev, fx),
        Overlay::Discard(form) => match keymap::lookup(Scope::Confirm, &ev) {
            Some(Action::Yes) => {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                None
            }
            Some(Action::No) => Some(Overlay::Form(form)),
            _ => Some(Overlay::Discard(form)),
        },
        Overlay::Confirm { prompt, ops } => match keymap::lookup(Scope::Confirm, &ev) {
            Some(Action::Yes) => {
                send(state, ops, fx);
                None
            }
            Some(Action::No) => None,
            _ => Some(Overlay::Confirm { prompt, ops }),
        },
        Overlay::RemoveTag {
            contact_id,
            tags,
            cursor,
        } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::RemoveTag {
                cursor: (cursor + 1).min(tags.len().saturating_sub(1)),
                contact_id,
                tags,
            }),
            Some(Action::Up) => Some(Overlay::RemoveTag {
                cursor: cursor.saturating_sub(1),
                contact_id,
                tags,
            }),
            Some(Action::Pick) => {
                if let Some(tag) = tags.get(cursor) {
                    send(
                        state,
                        vec![WriteOp::RemoveTags {
                            id: contact_id,
                            tags: vec![tag.clone()],
                        }],
                        fx,
                    );
                }
                None
            }
            Some(Action::Back) => None,
            _ => Some(Overlay::RemoveTag {
                contact_id,
                tags,
                cursor,
            }),
        },
        Overlay::Pending { cursor } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::Pending {
                cursor: (cursor + 1).min(state.pending.len().saturating_sub(1)),
            }),
            Some(Action::Up) => Some(Overlay::Pending {
                cursor: cursor.saturating_sub(1),
            }),
            Some(Action::Pick) => {
                // Enter on the list: try sending now.
                fx.push(Effect::Replay);
                say(state, "Sending waiting changes…", false);
                None
            }
            Some(Action::Discard) => {
                // Take the change back out of the outbox, as an editable draft.
                if let Some(p) = state.pending.get(cursor) {
                    fx.push(Effect::Withdraw { id: p.id });
                }
                None
            }
            Some(Action::Back) => None,
            _ => Some(Overlay::Pending { cursor }),
        },
        Overlay::Drafts { mut drafts, cursor } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::Drafts {
                cursor: (cursor + 1).min(drafts.len().saturating_sub(1)),
                drafts,
            }),
            Some(Action::Up) => Some(Overlay::Drafts {
                cursor: cursor.saturating_sub(1),
                drafts,
            }),
            Some(Action::Pick) => drafts
                .get(cursor)
                .and_then(|(k, v)| Form::from_draft(k, v, state.now))
                .map(|f| Overlay::Form(Box::new(f))),
            Some(Action::Discard) if cursor < drafts.len() => {
                let (key, _) = drafts.remove(cursor);
                fx.push(Effect::DiscardDraft { key });
                (!drafts.is_empty()).then(|| Overlay::Drafts {
                    cursor: cursor.min(drafts.len() - 1),
                    drafts,
                })
            }
            // Closing keeps the drafts for next time.
            Some(Action::Back) => None,
            _ => Some(Overlay::Drafts { drafts, cursor }),
        },
    };
    true
}

fn form_key(
    state: &mut State,
    mut form: Box<Form>,
    ev: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<Overlay> {
    match keymap::lookup(Scope::Form, &ev) {
        Some(Action::Save) => match form.submit() {
            Some(ops) => {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                if ops.is_empty() {
                    say(state, "Nothing changed", false);
                } else {
                    send(state, ops, fx);
                }
                None
            }
            None => {
                say(state, "Fix the marked fields, then save again", true);
                Some(Overlay::Form(form))
            }
        },
        Some(Action::Cancel) => {
            if form.changed() {
                Some(Overlay::Discard(form))
            } else {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                None
            }
        }
        Some(Action::NextField) => {
            if !(matches!(form.kind, FormKind::AddTag { .. }) && form.complete_tag()) {
                form.step(1);
            }
            save_draft(&form, fx);
            Some(Overlay::Form(form))
        }
        Some(Action::PrevField) => {
            form.step(-1);
            Some(Overlay::Form(form))
        }
        Some(Action::ExternalEditor) => {
            fx.push(Effect::OpenEditor {
                text: form.focused().text(),
            });
            Some(Overlay::Form(form))
        }
        _ => {
            let field = form.focused();
            if field.locked {
                return Some(Overlay::Form(form));
            }
            if !field.choices.is_empty() {
                // A choice changes with Space or the arrows; typing does nothing to it.
                let forward = match ev.code {
                    crossterm::event::KeyCode::Char(' ') | crossterm::event::KeyCode::Right => {
                        Some(true)
                    }
                    crossterm::event::KeyCode::Left => Some(false),
                    crossterm::event::KeyCode::Enter => {
                        form.step(1);
                        return Some(Overlay::Form(form));
                    }
                    _ => None,
                };
                if let Some(forward) = forward {
                    field.cycle(forward);
                    save_draft(&form, fx);
                }
                return Some(Overlay::Form(form));
            }
            let input = Input::from(ev);
            // Enter in a one-line field moves on instead of breaking the line.
            if !field.multiline && input.key == ratatui_textarea::Key::Enter {
                form.step(1);
                return Some(Overlay::Form(form));
            }
            if field.area.input(input) {
                field.error = None;
                save_draft(&form, fx);
            }
            Some(Overlay::Form(form))
        }
    }
}

fn save_draft(form: &Form, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveDraft {
        key: form.draft_key(),
        payload: form.draft(),
    });
}

/// Text pasted into a form goes into the focused field.
pub fn on_paste(state: &mut State, text: &str, fx: &mut Vec<Effect>) -> bool {
    let Some(Overlay::Form(form)) = state.overlay.as_mut() else {
        return false;
    };
    let field = form.focused();
    if field.locked || !field.choices.is_empty() {
        return true;
    }
    let clean = crate::sanitize::clean(
        text,
        if field.multiline {
            crate::sanitize::Lines::Multi
        } else {
            crate::sanitize::Lines::Single
        },
    );
    field.area.insert_str(clean);
    let form = form.clone();
    save_draft(&form, fx);
    true
}

/// The external editor closed.
pub fn on_editor_done(state: &mut State, result: Result<String, String>, fx: &mut Vec<Effect>) {
    match (state.overlay.as_mut(), result) {
        (Some(Overlay::Form(form)), Ok(text)) => {
            let field = form.focused();
            let clean =
                crate::sanitize::clean(text.trim_end_matches('\n'), crate::sanitize::Lines::Multi)
                    .into_owned();
            let lines: Vec<String> = if field.multiline {
                clean.split('\n').map(String::from).collect()
            } else {
                vec![clean.replace('\n', " ")]
            };
            field.area = ratatui_textarea::TextArea::new(lines);
            field.area.move_cursor(ratatui_textarea::CursorMove::Bottom);
            field.area.move_cursor(ratatui_textarea::CursorMove::End);
            let form = form.clone();
            save_draft(&form, fx);
        }
        (_, Err(e)) => say(state, format!("Couldn't run the editor: {e}"), true),
        _ => {}
    }
}

// --- Optimistic changes ----------------------------------------------------------------------

fn next_local(state: &mut State) -> String {
    state.local_seq += 1;
    format!("{LOCAL}{}", state.local_seq)
}

fn now_iso(state: &State) -> String {
    state
        .now
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn tasks_mut<'a>(state: &'a mut State, contact_id: &str) -> Option<&'a mut Vec<Task>> {
    match &mut state.extras.get_mut(contact_id)?.tasks {
        Load::Ready(t) => Some(t),
        _ => None,
    }
}

fn notes_mut<'a>(state: &'a mut State, contact_id: &str) -> Option<&'a mut Vec<Note>> {
    match &mut state.extras.get_mut(contact_id)?.notes {
        Load::Ready(n) => Some(n),
        _ => None,
    }
}

/// Every copy of a contact the app holds: the list rows of both sets and the full record.
pub(super) fn with_contact(state: &mut State, id: &str, f: impl Fn(&mut Contact)) {
    for set in [Some(&mut state.browse), state.search.as_mut()]
        .into_iter()
        .flatten()
    {
        if let Some(i) = set.contacts.iter().position(|c| c.id() == id) {
            f(&mut set.contacts[i]);
            set.rows[i] = ContactRow::from_contact(&set.contacts[i]);
            rebuild_hay(set);
        }
    }
    if let Some(Load::Ready(c)) = state.extras.get_mut(id).map(|e| &mut e.detail) {
        f(c);
    }
}

fn rebuild_hay(set: &mut ContactSet) {
    let mut hay = Haystack::default();
    for (c, r) in set.contacts.iter().zip(&set.rows) {
        hay.push(c, r);
    }
    set.hay = hay;
}

fn apply_input(c: &mut Contact, input: &crate::api::ContactInput) {
    let v = serde_json::to_value(input).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let put = |slot: &mut Option<String>, k: &str| {
        if let Some(x) = s(k) {
            *slot = (!x.is_empty()).then_some(x);
        }
    };
    put(&mut c.first_name, "firstName");
    put(&mut c.last_name, "lastName");
    put(&mut c.email, "email");
    put(&mut c.phone, "phone");
    put(&mut c.address1, "address1");
    put(&mut c.city, "city");
    put(&mut c.state, "state");
    put(&mut c.postal_code, "postalCode");
    put(&mut c.country, "country");
    put(&mut c.website, "website");
    put(&mut c.timezone, "timezone");
    if c.first_name.is_some() || c.last_name.is_some() {
        // The API's `name` follows first and last name; drop the stale one until it answers.
        c.name = None;
        c.contact_name = None;
    }
}

/// Data for a contact came fresh from the server: changes still waiting for it are shown on
/// top again (they would otherwise seem lost until they are sent).
/// Only the writes about the part that arrived are applied, so none is shown twice.
pub fn reapply_pending(state: &mut State, contact_id: &str, part: Pane) {
    let about = |op: &WriteOp| match op {
        WriteOp::CreateTask { .. }
        | WriteOp::UpdateTask { .. }
        | WriteOp::CompleteTask { .. }
        | WriteOp::DeleteTask { .. } => part == Pane::Tasks,
        WriteOp::CreateNote { .. } | WriteOp::UpdateNote { .. } | WriteOp::DeleteNote { .. } => {
            part == Pane::Notes
        }
        WriteOp::AddTags { .. } | WriteOp::RemoveTags { .. } | WriteOp::UpdateContact { .. } => {
            part == Pane::Details
        }
        WriteOp::CreateContact { .. } | WriteOp::DeleteContact { .. } => false,
    };
    let ops: Vec<WriteOp> = state
        .pending
        .iter()
        .filter_map(|p| p.op.clone())
        .filter(|op| op.contact_id() == Some(contact_id) && about(op))
        .collect();
    for op in ops {
        apply_local(state, &op);
    }
}

/// After the list was (re)loaded: contacts created here and not yet saved come back on top.
pub fn reapply_pending_creates(state: &mut State) {
    let creates: Vec<WriteOp> = state
        .pending
        .iter()
        .filter_map(|p| p.op.clone())
        .filter(|op| matches!(op, WriteOp::CreateContact { .. }))
        .collect();
    for op in creates {
        apply_local(state, &op);
    }
}

fn apply_local(state: &mut State, op: &WriteOp) {
    match op {
        WriteOp::CompleteTask {
            contact_id,
            task_id,
            completed,
        } => {
            if let Some(t) = tasks_mut(state, contact_id)
                .and_then(|ts| ts.iter_mut().find(|t| t.id.as_deref() == Some(task_id)))
            {
                t.completed = Some(*completed);
            }
            state.marks.insert(task_id.clone());
        }
        WriteOp::CreateTask { contact_id, input } => {
            let id = next_local(state);
            let task = Task {
                id: Some(id.clone()),
                title: input.title.clone(),
                body: input.body.clone(),
                due_date: input.due_date.clone(),
                completed: Some(false),
                contact_id: Some(contact_id.clone()),
                ..Default::default()
            };
            if let Some(ts) = tasks_mut(state, contact_id) {
                ts.push(task);
            }
            state.marks.insert(id);
        }
        WriteOp::UpdateTask {
            contact_id,
            task_id,
            input,
        } => {
            if let Some(t) = tasks_mut(state, contact_id)
                .and_then(|ts| ts.iter_mut().find(|t| t.id.as_deref() == Some(task_id)))
            {
                if input.title.is_some() {
                    t.title = input.title.clone();
                }
                if input.body.is_some() {
                    t.body = input.body.clone();
                }
                if input.due_date.is_some() {
                    t.due_date = input.due_date.clone();
                }
            }
            state.marks.insert(task_id.clone());
        }
        WriteOp::DeleteTask {
            contact_id,
            task_id,
        } => {
            if let Some(ts) = tasks_mut(state, contact_id) {
                ts.retain(|t| t.id.as_deref() != Some(task_id));
            }
        }
        WriteOp::CreateNote { contact_id, input } => {
            let id = next_local(state);
            let note = Note {
                id: Some(id.clone()),
                body: input.body.clone(),
                date_added: Some(now_iso(state)),
                contact_id: Some(contact_id.clone()),
                ..Default::default()
            };
            if let Some(ns) = notes_mut(state, contact_id) {
                ns.push(note);
            }
            state.marks.insert(id);
        }
        WriteOp::UpdateNote {
            contact_id,
            note_id,
            input,
        } => {
            if let Some(n) = notes_mut(state, contact_id)
                .and_then(|ns| ns.iter_mut().find(|n| n.id.as_deref() == Some(note_id)))
            {
                n.body = input.body.clone();
            }
            state.marks.insert(note_id.clone());
        }
        WriteOp::DeleteNote {
            contact_id,
            note_id,
        } => {
            if let Some(ns) = notes_mut(state, contact_id) {
                ns.retain(|n| n.id.as_deref() != Some(note_id));
            }
        }
        WriteOp::AddTags { id, tags } => {
            let tags: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
            with_contact(state, id, |c| {
                for t in &tags {
                    if !c.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                        c.tags.push(t.clone());
                    }
                }
            });
            state.marks.insert(id.clone());
        }
        WriteOp::RemoveTags { id, tags } => {
            with_contact(state, id, |c| {
                c.tags
                    .retain(|x| !tags.iter().any(|t| t.eq_ignore_ascii_case(x)))
            });
            state.marks.insert(id.clone());
        }
        WriteOp::UpdateContact { id, input } => {
            with_contact(state, id, |c| apply_input(c, input));
            state.marks.insert(id.clone());
        }
        WriteOp::CreateContact { input } => {
            let id = next_local(state);
            let mut c = Contact {
                id: Some(id.clone()),
                company_name: input.company_name.clone(),
                ..Default::default()
            };
            apply_input(&mut c, input);
            let set = &mut state.browse;
            set.contacts.insert(0, c);
            set.rows
                .insert(0, ContactRow::from_contact(&set.contacts[0]));
            rebuild_hay(set);
            if state.search.is_none() {
                state.visible = None;
                state.input.clear();
                state.list.select(0, state.browse.rows.len(), 1);
            }
            state.marks.insert(id);
        }
        WriteOp::DeleteContact { id } => {
            for set in [Some(&mut state.browse), state.search.as_mut()]
                .into_iter()
                .flatten()
            {
                if let Some(i) = set.contacts.iter().position(|c| c.id() == id) {
                    set.contacts.remove(i);
                    set.rows.remove(i);
                    rebuild_hay(set);
                }
            }
            state.extras.remove(id);
            state.visible = None;
            state.input.clear();
            let len = state.visible_len();
            state.list.select(state.list.selected, len, 1);
        }
    }
}

// --- The server's answer ---------------------------------------------------------------------

pub fn on_synced(
    state: &mut State,
    sent: Vec<Sent>,
    pending: Vec<PendingView>,
    fx: &mut Vec<Effect>,
) {
    let mut held = None;
    for s in sent {
        match s {
            Sent::Confirmed { op, applied, .. } => confirmed(state, &op, applied),
            Sent::Rejected { id, op, error } => rejected(state, id, op, &error, fx),
            Sent::Held { error, .. } => held = Some(error),
        }
    }
    state.pending = pending;
    match held {
        Some(error) => {
            state.retry_secs = (state.retry_secs * 2).clamp(2, 60);
            let n = state.pending.len();
            let why = match &error {
                ApiError::MissingScope { .. } => {
                    "the token is read-only; sign in with write access".to_string()
                }
                e => e.one_line(),
            };
            say(
                state,
                format!(
                    "{n} change{} waiting ({why}); retrying in {}s — o lists them",
                    if n == 1 { "" } else { "s" },
                    state.retry_secs
                ),
                true,
            );
            if !state.retry_scheduled {
                state.retry_scheduled = true;
                fx.push(Effect::ReplayAfter(std::time::Duration::from_secs(
                    state.retry_secs,
                )));
            }
        }
        None => {
            if state.retry_secs > 0 && state.pending.is_empty() {
                say(state, "All changes saved", false);
            }
            state.retry_secs = 0;
        }
    }
}

fn confirmed(state: &mut State, op: &WriteOp, applied: Applied) {
    match (op, applied) {
        (
            WriteOp::CreateTask { contact_id, input }
            | WriteOp::UpdateTask {
                contact_id, input, ..
            },
            Applied::Task(t),
        ) => {
            let target = match op {
                WriteOp::UpdateTask { task_id, .. } => Some(task_id.clone()),
                _ => local_match(
                    state.extras.get(contact_id).and_then(|e| e.tasks.ready()),
                    |x: &Task| x.id.as_deref().is_some_and(is_local) && x.title == input.title,
                ),
            };
            replace_task(state, contact_id, target, t);
        }
        (
            WriteOp::CompleteTask {
                contact_id,
                task_id,
                ..
            },
            Applied::Task(t),
        ) => replace_task(state, contact_id, Some(task_id.clone()), t),
        (
            WriteOp::CreateNote { contact_id, input }
            | WriteOp::UpdateNote {
                contact_id, input, ..
            },
            Applied::Note(n),
        ) => {
            let target = match op {
                WriteOp::UpdateNote { note_id, .. } => Some(note_id.clone()),
                _ => local_match(
                    state.extras.get(contact_id).and_then(|e| e.notes.ready()),
                    |x: &Note| x.id.as_deref().is_some_and(is_local) && x.body == input.body,
                ),
            };
            if let Some(target) = target {
                state.marks.remove(&target);
                if let Some(slot) = notes_mut(state, contact_id).and_then(|ns| {
                    ns.iter_mut()
                        .find(|x| x.id.as_deref() == Some(target.as_str()))
                }) {
                    *slot = n;
                }
            }
        }
        (_, Applied::Tags { contact_id, tags }) => {
            with_contact(state, &contact_id, |c| c.tags = tags.clone());
            state.marks.remove(&contact_id);
        }
        (WriteOp::UpdateContact { id, .. }, Applied::Contact(c)) => {
            let server = *c;
            with_contact(state, id, |x| {
                // The list keeps its search shape; the fields a PUT can change come from the answer.
                let keep = std::mem::take(&mut x.search_after);
                *x = Contact {
                    search_after: keep,
                    ..server.clone()
                };
            });
            state.marks.remove(id);
        }
        (WriteOp::CreateContact { input }, Applied::Contact(c)) => {
            let local = state
                .browse
                .contacts
                .iter()
                .find(|x| {
                    is_local(x.id()) && x.email == input.email && x.first_name == input.first_name
                })
                .map(|x| x.id().to_string());
            if let Some(local) = local {
                let server = *c;
                with_contact(state, &local, |x| *x = server.clone());
                let id = server.id().to_string();
                state.browse.seen.insert(id);
                if let Some(row) = state.browse.rows.iter_mut().find(|r| r.id == local) {
                    row.id = server.id().to_string();
                }
                state.marks.remove(&local);
            }
        }
        (op, _) => {
            if let Some(id) = op.contact_id() {
                state.marks.remove(id);
            }
        }
    }
}

fn local_match<T>(items: Option<&Vec<T>>, pred: impl Fn(&T) -> bool) -> Option<String>
where
    T: HasId,
{
    items?
        .iter()
        .find(|x| pred(x))
        .and_then(|x| x.id().map(String::from))
}

trait HasId {
    fn id(&self) -> Option<&str>;
}

impl HasId for Task {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl HasId for Note {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

fn replace_task(state: &mut State, contact_id: &str, target: Option<String>, t: Task) {
    let Some(target) = target else { return };
    state.marks.remove(&target);
    if let Some(slot) = tasks_mut(state, contact_id).and_then(|ts| {
        ts.iter_mut()
            .find(|x| x.id.as_deref() == Some(target.as_str()))
    }) {
        *slot = t;
    }
}

/// The server refused: undo what was shown, and give the user their text back.
fn rejected(
    state: &mut State,
    outbox_id: i64,
    op: WriteOp,
    error: &ApiError,
    fx: &mut Vec<Effect>,
) {
    // The reason first: it is what the user needs, and the line may be cut.
    say(
        state,
        format!("Not saved ({}): {}", error.one_line(), op.describe()),
        true,
    );
    // Undo what was shown: marks go, placeholders of this write go, and the server's version
    // of the contact is fetched again.
    match &op {
        WriteOp::CompleteTask { task_id, .. } | WriteOp::UpdateTask { task_id, .. } => {
            state.marks.remove(task_id);
        }
        WriteOp::UpdateNote { note_id, .. } => {
            state.marks.remove(note_id);
        }
        WriteOp::CreateTask { contact_id, input } => {
            let local = local_match(
                state.extras.get(contact_id).and_then(|e| e.tasks.ready()),
                |x: &Task| x.id.as_deref().is_some_and(is_local) && x.title == input.title,
            );
            if let (Some(local), Some(ts)) = (local, tasks_mut(state, contact_id)) {
                ts.retain(|t| t.id.as_deref() != Some(local.as_str()));
                state.marks.remove(&local);
            }
        }
        WriteOp::CreateNote { contact_id, input } => {
            let local = local_match(
                state.extras.get(contact_id).and_then(|e| e.notes.ready()),
                |x: &Note| x.id.as_deref().is_some_and(is_local) && x.body == input.body,
            );
            if let (Some(local), Some(ns)) = (local, notes_mut(state, contact_id)) {
                ns.retain(|n| n.id.as_deref() != Some(local.as_str()));
                state.marks.remove(&local);
            }
        }
        WriteOp::CreateContact { input } => {
            let local = state
                .browse
                .contacts
                .iter()
                .find(|x| {
                    is_local(x.id()) && x.email == input.email && x.first_name == input.first_name
                })
                .map(|x| x.id().to_string());
            if let Some(local) = local {
                state.marks.remove(&local);
                apply_local(state, &WriteOp::DeleteContact { id: local });
            }
        }
        _ => {}
    }
    if let Some(id) = op.contact_id() {
        state.marks.remove(id);
        if matches!(op, WriteOp::DeleteContact { .. }) {
            // The row was removed at once; the list comes back from the server.
            super::update::refresh(state, fx);
        } else if state.selected_id() == Some(id) {
            super::update::load_selected(state, true, fx);
        } else {
            state.extras.remove(id);
            fx.push(Effect::ReloadContact { id: id.to_string() });
        }
    }
    // The text is already a draft (stored with the refusal); open it now unless busy, in
    // which case it is offered at the next start.
    let key = crate::store::rejected_key(outbox_id);
    match Form::from_op(&op, state.now) {
        Some(mut form) if state.overlay.is_none() => {
            form.key_override = Some(key);
            form.title = format!("{} — not saved: {}", form.title, error.one_line());
            state.overlay = Some(Overlay::Form(Box::new(form)));
        }
        _ => {}
    }
}

pub fn on_drafts(state: &mut State, drafts: Vec<(String, Value)>) {
    if !drafts.is_empty() && state.overlay.is_none() {
        state.overlay = Some(Overlay::Drafts { drafts, cursor: 0 });
    }
}
