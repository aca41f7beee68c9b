//! Optimistic changes: what a write looks like on screen before the server answers.

use serde_json::Value;

use super::LOCAL;
use crate::api::{Contact, Note, Task, WriteOp};
use crate::app::state::{ContactSet, Load, Pane, State};

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

pub(super) fn tasks_mut<'a>(state: &'a mut State, contact_id: &str) -> Option<&'a mut Vec<Task>> {
    match &mut state.extras.get_mut(contact_id)?.tasks {
        Load::Ready(t) => Some(t),
        _ => None,
    }
}

pub(super) fn notes_mut<'a>(state: &'a mut State, contact_id: &str) -> Option<&'a mut Vec<Note>> {
    match &mut state.extras.get_mut(contact_id)?.notes {
        Load::Ready(n) => Some(n),
        _ => None,
    }
}

/// Every copy of a contact the app holds: the list rows of both sets and the full record.
pub(crate) fn with_contact(state: &mut State, id: &str, f: impl Fn(&mut Contact)) {
    for set in [Some(&mut state.browse), state.search.as_mut()]
        .into_iter()
        .flatten()
    {
        if let Some(i) = set.find(id)
            && let Some(mut c) = set.contact(i)
        {
            f(&mut c);
            set.set(i, &c, None);
        }
    }
    if let Some(Load::Ready(c)) = state.extras.get_mut(id).map(|e| &mut e.detail) {
        f(c);
    }
}

/// The row of a contact created here and not yet saved, found by what it was created with.
pub(crate) fn local_create(set: &ContactSet, input: &crate::api::ContactInput) -> Option<String> {
    set.rows()
        .filter(|r| r.id().starts_with(LOCAL))
        .map(|r| r.contact())
        .find(|c| c.email == input.email && c.first_name == input.first_name)
        .map(|c| c.id().to_string())
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
/// Each waiting create shows once: one already on screen is left alone.
pub fn reapply_pending_creates(state: &mut State) {
    let shown = |state: &State, input: &crate::api::ContactInput| {
        local_create(&state.browse, input).is_some()
    };
    let creates: Vec<WriteOp> = state
        .pending
        .iter()
        .filter_map(|p| p.op.clone())
        .filter(|op| matches!(op, WriteOp::CreateContact { input } if !shown(state, input)))
        .collect();
    for op in creates {
        apply_local(state, &op);
    }
}

pub(super) fn apply_local(state: &mut State, op: &WriteOp) {
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
            // The queue drops it at once (`x` there, `D`, or `x` in the Tasks pane).
            if *completed {
                state.queue.done.insert(task_id.clone());
            } else {
                state.queue.done.remove(task_id);
            }
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
            // Shown (and marked as saving) only where the contact's tasks are on screen: a
            // mark with nothing to clear it would say "saving" for ever.
            if let Some(ts) = tasks_mut(state, contact_id) {
                ts.push(task);
                state.marks.insert(id);
            }
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
            // Snoozed: the queue moves it at once.
            if input.due_date.is_some()
                && let crate::app::state::Load::Ready(queue) = &mut state.queue.tasks
                && let Some(q) = queue.iter_mut().find(|q| q.id() == task_id)
            {
                q.task.due_date = input.due_date.clone();
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
                state.marks.insert(id);
            }
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
            // One more in the account, as the server will count it.
            set.total = set.total.map(|t| t + 1);
            set.insert_first(&c);
            if state.search.is_none() {
                state.visible = None;
                state.filter.take();
                state
                    .list
                    .select(0, state.browse.len(), state.geometry.list_height);
            }
            state.marks.insert(id);
        }
        WriteOp::DeleteContact { id } => {
            for set in [Some(&mut state.browse), state.search.as_mut()]
                .into_iter()
                .flatten()
            {
                if set.find(id).is_some() {
                    set.retain_ids(|x| x != id);
                    set.seen.remove(id);
                    set.total = set.total.map(|t| t.saturating_sub(1));
                }
            }
            state.extras.remove(id);
            state.visible = None;
            state.filter.take();
            let len = state.visible_len();
            state
                .list
                .select(state.list.selected, len, state.geometry.list_height);
        }
    }
}
