//! The mouse: the wheel scrolls what it is over, a click selects a contact or a tab. Hits are
//! read from where the view last drew things.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::app::msg::Effect;
use crate::app::state::{Pane, State};

pub(super) fn on_mouse(state: &mut State, m: MouseEvent, fx: &mut Vec<Effect>) {
    // Nothing behind a dialog or the help is clicked or scrolled.
    if !matches!(
        state.modal,
        crate::app::state::Modal::None | crate::app::state::Modal::Search
    ) {
        return;
    }
    let g = &state.geometry;
    let hit =
        |a: Option<crate::app::geometry::Area>| a.is_some_and(|a| a.contains(m.column, m.row));
    let in_list = hit(g.list);
    let in_right = hit(g.right);
    let row_hit = g
        .list_rows
        .filter(|a| a.contains(m.column, m.row))
        .map(|a| usize::from(m.row - a.y));
    let tab_hit = g
        .tabs
        .iter()
        .find(|(_, a)| a.contains(m.column, m.row))
        .map(|(p, _)| *p);
    // The queue in the list's place: its own rows.
    let queue_hit = g
        .queue_rows
        .iter()
        .find(|(y, _)| *y == m.row)
        .map(|(_, i)| *i)
        .filter(|_| in_list && state.queue.open);
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            if in_list && state.queue.open {
                super::queue::move_by(state, delta);
            } else if in_list {
                super::list::move_list(state, delta, fx);
            } else if in_right {
                super::panes::move_pane(state, state.tab, delta);
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if in_list && state.queue.open {
                state.focus = Pane::Queue;
                if let Some(i) = queue_hit {
                    state.queue.selected = i;
                }
            } else if let Some(row) = row_hit {
                let index = state.list.offset + row;
                state.focus = Pane::Contacts;
                if index < state.visible_len() {
                    super::list::select_list(state, index, fx);
                }
            } else if let Some(pane) = tab_hit {
                super::browse::focus(state, pane, fx);
            } else if in_right {
                super::browse::focus(state, state.tab, fx);
            } else if in_list {
                state.focus = Pane::Contacts;
            }
        }
        _ => {}
    }
}
