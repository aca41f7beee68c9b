//! Changes: the keys that start them, the overlays that collect them, the optimistic update of
//! what is on screen, and what happens when the server confirms or refuses. Still pure: writes
//! leave as `Effect::Write` and come back as `Msg::Synced`.

mod answers;
mod keys;
mod local;

pub use answers::{
    not_recorded, on_drafts, on_outbox, on_synced, on_withdrawn, store_down, store_up,
};
pub use keys::{on_act, on_editor_done, on_paste, on_type};
pub(crate) use local::with_contact;
pub use local::{reapply_pending, reapply_pending_creates};

use local::apply_local;

use super::form::Form;
use super::keymap::Action;
use super::msg::Effect;
use super::state::{Overlay, Pane, State};
use crate::api::{Contact, Note, Task, WriteOp};

const LOCAL: &str = "local-";

/// The task under the cursor of the Tasks pane, in the order the pane shows them.
pub fn selected_task(state: &State) -> Option<(String, Task)> {
    let id = state.selected_id()?.to_string();
    let tasks = state.extras.get(&id)?.tasks.ready()?;
    let task = tasks.get(state.cursor(Pane::Tasks).selected).cloned()?;
    Some((id, task))
}

pub fn selected_note(state: &State) -> Option<(String, Note)> {
    let id = state.selected_id()?.to_string();
    let notes = state.extras.get(&id)?.notes.ready()?;
    let note = notes.get(state.cursor(Pane::Notes).selected).cloned()?;
    Some((id, note))
}

fn first_line(s: Option<&str>, max: usize) -> String {
    let line = crate::sanitize::line(s.unwrap_or("").lines().next().unwrap_or(""))
        .trim()
        .to_string();
    crate::text::fit(&line, max)
}

fn is_local(id: &str) -> bool {
    id.starts_with(LOCAL)
}

fn not_yet_saved(state: &mut State) {
    state.say(
        "That is still on its way to the server; try again once it is saved",
        true,
    );
}

// --- Starting a change ----------------------------------------------------------------------

pub fn on_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    // Forms read and show times on the user's clock.
    let now = state.local_now();
    let contact = state.selected_detail().map(|c| c.into_owned());
    match action {
        Action::New => match state.focus {
            // A note to the selected task's contact: what a call is logged with.
            Pane::Queue => match crate::app::update::queue_selected(state) {
                Some(t) if !t.contact_id().is_empty() => {
                    let cid = t.contact_id().to_string();
                    open(state, Form::new_note(&cid, now))
                }
                _ => state.say("No task selected", true),
            },
            Pane::Tasks | Pane::Notes if contact.is_none() => {
                state.say("Select a contact first", true)
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
            Pane::Appointments => state.say(
                "Appointments are booked in the calendar; this view only reads them",
                true,
            ),
            Pane::Contacts | Pane::Details => {
                let defs = field_defs(state);
                let tags = tag_suggestions(state);
                open(state, Form::new_contact(now, &defs, tags))
            }
        },
        Action::Edit => match state.focus {
            Pane::Queue => {
                let open_key = state.key(Action::Open);
                state.say(
                    format!("{open_key} opens the task's contact, to edit it"),
                    true,
                )
            }
            Pane::Tasks => match selected_task(state) {
                Some((_, t)) if t.id.as_deref().is_some_and(is_local) => not_yet_saved(state),
                Some((cid, t)) => open(state, Form::edit_task(&cid, &t, now, state.zone)),
                None => state.say("No task selected", true),
            },
            Pane::Notes => match selected_note(state) {
                Some((_, n)) if n.id.as_deref().is_some_and(is_local) => not_yet_saved(state),
                Some((cid, n)) => open(state, Form::edit_note(&cid, &n, now)),
                None => state.say("No note selected", true),
            },
            Pane::Appointments => state.say(
                "Appointments are booked in the calendar; this view only reads them",
                true,
            ),
            Pane::Contacts | Pane::Details => match contact {
                Some(c) if is_local(c.id()) => not_yet_saved(state),
                Some(c) => {
                    let defs = field_defs(state);
                    open(state, Form::edit_contact(&c, now, &defs))
                }
                None => state.say("No contact selected", true),
            },
        },
        Action::Delete => delete(state, contact),
        Action::Toggle => toggle_task(state, fx),
        // With contacts marked, tags go to all of them.
        Action::AddTag | Action::RemoveTag if !state.marked.is_empty() => {
            let ids: Vec<String> = state.marked.iter().cloned().collect();
            let seen = tag_suggestions(state);
            open(
                state,
                Form::bulk_tags(ids, action == Action::AddTag, seen, now),
            );
        }
        Action::AddTag => match contact {
            Some(c) if !is_local(c.id()) => {
                let seen = tag_suggestions(state);
                open(state, Form::add_tag(c.id(), seen, now));
            }
            Some(_) => not_yet_saved(state),
            None => state.say("No contact selected", true),
        },
        Action::RemoveTag => match contact {
            Some(c) if c.tags.is_empty() => state.say("This contact has no tags", true),
            Some(c) if !is_local(c.id()) => state.open(Overlay::RemoveTag {
                contact_id: c.id().to_string(),
                tags: c.tags.clone(),
                cursor: 0,
            }),
            Some(_) => not_yet_saved(state),
            None => state.say("No contact selected", true),
        },
        Action::ShowPending => state.open(Overlay::Pending { cursor: 0 }),
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

/// A form as this user reads and types times: their zone, their order of numeric dates.
pub(crate) fn dress(state: &State, form: Form) -> Form {
    let mut form = form.in_zone(state.zone).with_date_order(state.date_order);
    form.zones = state.zones.clone();
    form.region = state.place.as_ref().and_then(|p| p.country.clone());
    reread_quick(state, &mut form);
    form
}

/// A quick-add line read again against the list (as it is typed, pasted or restored).
pub(crate) fn reread_quick(state: &State, form: &mut Form) {
    if let crate::app::form::FormKind::QuickAdd { .. } = form.kind {
        let line = form.field("line").map(|f| f.text()).unwrap_or_default();
        let before = form.quick.take();
        form.quick = (!line.trim().is_empty()).then(|| {
            crate::app::quick::parse(
                &line,
                form.now,
                form.date_order,
                &state.browse,
                before.as_ref(),
            )
        });
    }
}

/// `a`: one line for a task or a note.
pub(crate) fn quick_add(state: &mut State) {
    let now = state.local_now();
    let me = state.me.clone();
    open(state, Form::quick_add(me, now));
}

fn open(state: &mut State, form: Form) {
    let form = dress(state, form);
    state.open(Overlay::Form(Box::new(form)));
}

/// The task under the cursor in the queue or the Tasks pane: (contact, task, title, the
/// contact's name, done), or what to say instead.
fn task_under_cursor(
    state: &State,
    action: Action,
) -> Result<(String, String, String, String), String> {
    let picked = match state.focus {
        Pane::Queue => crate::app::update::queue_selected(state).map(|t| {
            (
                t.contact_id().to_string(),
                t.id().to_string(),
                t.task.title.clone().unwrap_or_default(),
                t.contact_name.clone(),
                t.task.is_done(),
            )
        }),
        Pane::Tasks => selected_task(state).map(|(cid, t)| {
            let name = state
                .selected_detail()
                .map(|c| c.display_name())
                .unwrap_or_default();
            (
                cid,
                t.id.clone().unwrap_or_default(),
                t.title.clone().unwrap_or_default(),
                name,
                t.is_done(),
            )
        }),
        _ => {
            let (k, queue) = (state.key(action), state.key(Action::Focus(0)));
            return Err(format!(
                "{k} works on a task: in the queue ({queue}) or the Tasks pane"
            ));
        }
    };
    match picked {
        None => Err("No task selected".into()),
        Some((_, tid, ..)) if is_local(&tid) => {
            Err("Not saved yet: wait until the server has it".into())
        }
        Some((.., true)) => Err("That task is done already".into()),
        Some((cid, ..)) if cid.is_empty() => Err("This task names no contact".into()),
        Some((cid, tid, title, name, _)) => Ok((cid, tid, title, name)),
    }
}

/// `D`: the call's outcome on the task under the cursor (in the queue or the Tasks pane).
pub(crate) fn disposition(state: &mut State) {
    match task_under_cursor(state, Action::Disposition) {
        Err(why) => state.say(why, true),
        Ok((contact_id, task_id, task_title, name)) => {
            let (now, me) = (state.local_now(), state.me.clone());
            let kind = crate::app::form::FormKind::Disposition {
                contact_id,
                task_id,
                task_title,
                name,
                assign_to: me,
            };
            let outcomes = state.outcomes.clone();
            open(state, Form::disposition(kind, now, &outcomes))
        }
    }
}

/// `s`: the task under the cursor due later.
pub(crate) fn snooze(state: &mut State) {
    match task_under_cursor(state, Action::Snooze) {
        Err(why) => state.say(why, true),
        Ok((contact_id, task_id, task_title, _)) => {
            let now = state.local_now();
            let kind = crate::app::form::FormKind::Snooze {
                contact_id,
                task_id,
                task_title,
            };
            open(state, Form::snooze(kind, now))
        }
    }
}

/// The location's tags (when the token may list them) and those on loaded contacts.
fn tag_suggestions(state: &State) -> Vec<String> {
    let mut seen: Vec<String> = state.location_tags.clone();
    let ix = &state.browse.index;
    let on_contacts: std::collections::HashSet<&str> =
        (0..ix.len()).flat_map(|i| ix.tags(i)).collect();
    seen.extend(on_contacts.into_iter().map(String::from));
    seen.sort();
    seen.dedup();
    seen
}

fn delete(state: &mut State, contact: Option<Contact>) {
    let (prompt, op) = match state.focus {
        Pane::Queue => {
            let open_key = state.key(Action::Open);
            return state.say(
                format!("{open_key} opens the task's contact, to delete it"),
                true,
            );
        }
        Pane::Tasks => match selected_task(state) {
            Some((_, t)) if t.id.as_deref().is_some_and(is_local) => return not_yet_saved(state),
            Some((cid, t)) => (
                format!("Delete the task “{}”?", first_line(t.title.as_deref(), 50)),
                WriteOp::DeleteTask {
                    contact_id: cid,
                    task_id: t.id.unwrap_or_default(),
                },
            ),
            None => return state.say("No task selected", true),
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
            None => return state.say("No note selected", true),
        },
        Pane::Appointments => {
            return state.say(
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
            None => return state.say("No contact selected", true),
        },
    };
    state.open(Overlay::Confirm {
        prompt,
        ops: vec![op],
        form: None,
    });
}

/// `x`: completes or reopens the task at once; the server is told in the background.
fn toggle_task(state: &mut State, fx: &mut Vec<Effect>) {
    if state.focus != Pane::Tasks {
        let (x, tasks) = (
            state.key(Action::Toggle),
            state.key(Action::Focus(Pane::Tasks.number())),
        );
        return state.say(
            format!("{x} completes a task: open the Tasks pane ({tasks}) first"),
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
            let _ = send(state, vec![op], None, None, fx);
        }
        None => state.say("No task selected", true),
    }
}

/// `send` of writes made outside a form (the queue's `x`).
pub(crate) fn send_ops(
    state: &mut State,
    ops: Vec<WriteOp>,
    fx: &mut Vec<Effect>,
) -> Result<(), String> {
    send(state, ops, None, None, fx)
}

/// Shows the writes at once and hands them to the outbox (with the draft they came from, which
/// goes when they are recorded). Refused, with the reason, while the local store cannot record
/// anything: nothing is sent that is not recorded first. Returns whether it went.
fn send(
    state: &mut State,
    ops: Vec<WriteOp>,
    draft: Option<String>,
    form: Option<Box<Form>>,
    fx: &mut Vec<Effect>,
) -> Result<(), String> {
    if let Some(why) = &state.store_down {
        let text = format!("Not saved: the local store is unavailable: {why}");
        state.say(text.clone(), true);
        // The disk may have room again: the next try finds out.
        fx.push(Effect::ReopenStore);
        return Err(text);
    }
    for op in &ops {
        apply_local(state, op);
        if let Some(id) = op.contact_id() {
            crate::app::order::keep(state, id);
        }
    }
    state.write_seq += 1;
    let token = state.write_seq;
    if let Some(form) = form {
        state.saving.insert(token, form);
    }
    fx.push(Effect::Write { ops, draft, token });
    Ok(())
}
