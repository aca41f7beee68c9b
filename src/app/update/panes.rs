//! The right panes: moving through a contact's details, tasks, notes and appointments. Tasks
//! and appointments select an item; details and notes scroll by line, by what the view
//! measured at the pane's width.

use crate::app::state::{Cursor, Pane, State};

/// What the view measured, when it measured the contact now selected (a frame may not have
/// drawn the new one yet).
fn measured(state: &State) -> Option<&crate::app::geometry::Geometry> {
    let g = &state.geometry;
    (g.measured_for.is_some() && g.measured_for.as_deref() == state.selected_id()).then_some(g)
}

/// Items in `pane` (lines, for details).
pub(super) fn len(state: &State, pane: Pane) -> usize {
    let extras = state.selected_extras();
    match pane {
        Pane::Details => measured(state).map_or(0, |g| g.details_lines),
        Pane::Tasks => extras.and_then(|e| e.tasks.ready()).map_or(0, Vec::len),
        Pane::Notes => extras.and_then(|e| e.notes.ready()).map_or(0, Vec::len),
        Pane::Appointments => extras
            .and_then(|e| e.appointments.ready())
            .map_or(0, Vec::len),
        Pane::Contacts => state.visible_len(),
        Pane::Queue => 0,
    }
}

/// How far PgUp/PgDn move: a screenful of the focused pane less one, for context.
pub(super) fn page_height(state: &State) -> usize {
    let g = &state.geometry;
    match state.focus {
        Pane::Contacts => g.list_height.saturating_sub(1),
        Pane::Notes => g.right_height.saturating_sub(1),
        pane => g.items_in_view(pane).saturating_sub(1),
    }
    .max(1)
}

/// The scrolled panes' offsets held to what they now measure (after a resize, or new data).
pub(super) fn clamp_scrolled(state: &mut State) {
    let Some(g) = measured(state) else {
        return;
    };
    let height = g.right_height.max(1);
    let details_max = g.details_lines.saturating_sub(height);
    let notes_max = g
        .note_spans
        .last()
        .map_or(0, |(s, h)| (s + h).saturating_sub(height));
    let notes = g.note_spans.len();
    if let Some(c) = state.pane_cursor.get_mut(&Pane::Details) {
        c.offset = c.offset.min(details_max);
        c.selected = c.offset;
    }
    if let Some(c) = state.pane_cursor.get_mut(&Pane::Notes) {
        c.offset = c.offset.min(notes_max);
        c.selected = c.selected.min(notes.saturating_sub(1));
    }
}

/// Notes scroll by line, so a note taller than the pane can be read to its end; the selected
/// note is the one at the top of the view (or the one stepped to).
fn move_notes(state: &mut State, delta: isize) {
    let Some(g) = measured(state) else {
        return;
    };
    let height = g.right_height.max(1);
    let spans = g.note_spans.clone();
    let Some(&(last_start, last_h)) = spans.last() else {
        return;
    };
    let total = last_start + last_h;
    let max_offset = total.saturating_sub(height);
    let cursor = state.pane_cursor.entry(Pane::Notes).or_default();
    let sel = cursor.selected.min(spans.len() - 1);
    let (start, h) = spans[sel];
    let mut offset = cursor.offset;
    let mut selected = sel;
    match delta {
        1 if start + h > offset + height && offset < max_offset => offset += 1,
        1 if sel + 1 < spans.len() => {
            selected = sel + 1;
            let (s, h) = spans[selected];
            if s + h > offset + height {
                offset = s;
            }
        }
        -1 if offset > start => offset -= 1,
        -1 if sel > 0 => {
            selected = sel - 1;
            offset = offset.min(spans[selected].0);
        }
        d if d.unsigned_abs() > 1 => {
            offset = (offset as isize)
                .saturating_add(d)
                .clamp(0, max_offset as isize) as usize;
            selected = spans.iter().rposition(|(s, _)| *s <= offset).unwrap_or(0);
        }
        _ => {}
    }
    *cursor = Cursor {
        selected,
        offset: offset.min(max_offset),
    };
}

pub(super) fn move_pane(state: &mut State, pane: Pane, delta: isize) {
    if pane == Pane::Notes {
        return move_notes(state, delta);
    }
    let len = len(state, pane);
    let rows = state.geometry.items_in_view(pane);
    let cursor = state.pane_cursor.entry(pane).or_default();
    if pane == Pane::Details {
        // Details scrolls rather than selects: the offset is the cursor.
        let max = len.saturating_sub(rows) as isize;
        let offset = (cursor.offset as isize)
            .saturating_add(delta)
            .clamp(0, max.max(0)) as usize;
        *cursor = Cursor {
            selected: offset,
            offset,
        };
    } else {
        cursor.step(delta, len, rows);
    }
}
