//! A contact's tasks and notes are kept in the order they are shown, so a cursor is an index
//! into the list itself: nothing re-sorts per frame, and after a change the cursor stays on
//! the item it was on (`x` moves a task to the done ones; the cursor goes with it).

use super::state::{Load, Pane, State};
use crate::api::{Appointment, Note, Task};

/// Upcoming soonest first, then past latest first. Sorted as drawn, unlike tasks and notes:
/// which appointments are past moves with the clock, a contact has few, and nothing acts on
/// an appointment by its place in the list.
pub fn appointments(events: &[Appointment], now: chrono::NaiveDateTime) -> Vec<&Appointment> {
    let mut v: Vec<&Appointment> = events.iter().collect();
    v.sort_by_key(|a| {
        let start = a.start();
        let past = start.is_some_and(|s| s < now);
        (
            past,
            if past {
                start.map(std::cmp::Reverse)
            } else {
                None
            },
            start,
        )
    });
    v
}

/// Open tasks first (soonest due first), then done ones (latest first).
pub fn sort_tasks(tasks: &mut [Task]) {
    tasks.sort_by_key(|t| {
        (
            t.is_done(),
            if t.is_done() { None } else { t.due() },
            t.due().map(std::cmp::Reverse),
        )
    });
}

/// Newest first.
pub fn sort_notes(notes: &mut [Note]) {
    notes.sort_by_key(|n| std::cmp::Reverse(n.added()));
}

/// The ids under the Tasks and Notes cursors, when `contact` is the one selected.
pub fn under_cursors(state: &State, contact: &str) -> (Option<String>, Option<String>) {
    if state.selected_id() != Some(contact) {
        return (None, None);
    }
    let Some(extras) = state.extras.get(contact) else {
        return (None, None);
    };
    let task = extras
        .tasks
        .ready()
        .and_then(|t| t.get(state.cursor(Pane::Tasks).selected))
        .and_then(|t| t.id.clone());
    let note = extras
        .notes
        .ready()
        .and_then(|n| n.get(state.cursor(Pane::Notes).selected))
        .and_then(|n| n.id.clone());
    (task, note)
}

/// Puts `contact`'s tasks and notes back in order after a change in place, the cursor (when
/// it is that contact's) on the item it was on.
pub fn keep(state: &mut State, contact: &str) {
    let (task, note) = under_cursors(state, contact);
    follow(state, contact, task, note);
}

/// Sorts `contact`'s tasks and notes and puts the cursors on `task` and `note` where they are
/// (after a list was replaced by a fresh one from the server, say).
pub fn follow(state: &mut State, contact: &str, task: Option<String>, note: Option<String>) {
    let selected = state.selected_id() == Some(contact);
    let Some(extras) = state.extras.get_mut(contact) else {
        return;
    };
    if let Load::Ready(tasks) = &mut extras.tasks {
        let id = task;
        sort_tasks(tasks);
        if selected
            && let Some(id) = id
            && let Some(i) = tasks.iter().position(|t| t.id.as_deref() == Some(&id))
            && let Some(c) = state.pane_cursor.get_mut(&Pane::Tasks)
        {
            c.selected = i;
        }
    }
    if let Load::Ready(notes) = &mut extras.notes {
        let id = note;
        sort_notes(notes);
        if selected
            && let Some(id) = id
            && let Some(i) = notes.iter().position(|n| n.id.as_deref() == Some(&id))
            && let Some(c) = state.pane_cursor.get_mut(&Pane::Notes)
        {
            c.selected = i;
        }
    }
}
