//! Actions, by where the keys go (`State::scope`): the panes, the `/` line and the help here;
//! forms, questions and lists in `edit`; the location switcher in `locations`. Each handler
//! names every action: the ones it takes answer `true` (consumed), the others `false`, and a
//! test holds that to `Scope::allows`, so an action bound where it means nothing cannot be
//! dropped without notice.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{list, panes};
use crate::app::edit;
use crate::app::keymap::{Action, Scope};
use crate::app::msg::Effect;
use crate::app::state::{Modal, Overlay, Pane, State};

/// An action where the state is; `true` when it means something there.
pub(super) fn act_on(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    match state.scope() {
        Scope::Browse => browse(state, action, fx),
        Scope::Search => search(state, action, fx),
        Scope::Help => help(state, action, fx),
        Scope::Form | Scope::Question | Scope::List => edit::on_act(state, action, fx),
        Scope::Locations => crate::app::locations::on_act(state, action, fx),
    }
}

/// `act_on` for tests and tools: the effects, and whether the action was taken.
pub fn act(state: &mut State, action: Action) -> (bool, Vec<Effect>) {
    let mut fx = Vec::new();
    let taken = act_on(state, action, &mut fx);
    (taken, fx)
}

/// A key typed where text goes.
pub(super) fn typed(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    match state.scope() {
        Scope::Search => {
            if let Some(c) = printable(&ev) {
                let before = state.filter.text().to_string();
                state.filter.insert(c.encode_utf8(&mut [0; 4]));
                super::find::apply_filter(state, &before, fx);
            }
        }
        Scope::Form => edit::on_type(state, ev, fx),
        Scope::Locations => {
            if let Some(c) = printable(&ev) {
                crate::app::locations::on_text(state, c.encode_utf8(&mut [0; 4]));
            }
        }
        Scope::Browse | Scope::Question | Scope::List | Scope::Help => {}
    }
}

/// The character a key types, if it types one (not with Ctrl or Alt, not a control).
pub(crate) fn printable(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !c.is_control() =>
        {
            Some(c)
        }
        _ => None,
    }
}

fn browse(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    use Action::*;
    if state.focus == Pane::Queue && in_queue(state, action, fx) {
        return true;
    }
    match action {
        Up => move_focused(state, -1, fx),
        Down => move_focused(state, 1, fx),
        PageUp => move_focused(state, -(panes::page_height(state) as isize), fx),
        PageDown => move_focused(state, panes::page_height(state) as isize, fx),
        Top => move_focused(state, isize::MIN / 2, fx),
        Bottom => move_focused(state, isize::MAX / 2, fx),
        Open => {
            if state.focus == Pane::Contacts && state.selected_id().is_some() {
                state.show_selected();
                state.focus = state.tab;
                super::parts::load_selected(state, false, fx);
            }
        }
        NextPane | PrevPane => {
            let i = (state.focus.number() as usize).saturating_sub(1);
            let n = Pane::ALL.len();
            let j = if action == NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            focus(state, Pane::ALL[j], fx);
        }
        Focus(0) => super::queue::open(state, fx),
        Focus(n) => {
            if let Some(p) = Pane::from_number(n) {
                if p == Pane::Contacts {
                    state.queue.open = false;
                }
                focus(state, p, fx);
            }
        }
        Search => {
            state.modal = Modal::Search;
            state.focus = Pane::Contacts;
        }
        Refresh => list::refresh(state, fx),
        Help => state.modal = Modal::Help { scroll: 0 },
        Back => back(state, fx),
        Quit => super::ask_quit(state, fx),
        New | Edit | Delete | Toggle | AddTag | RemoveTag | ShowPending => {
            edit::on_action(state, action, fx)
        }
        SwitchLocation => crate::app::locations::open(state, fx),
        Changed => {
            let before = state.filter.take();
            state.filter.insert(super::find::CHANGED);
            state.modal = Modal::Search;
            state.focus = Pane::Contacts;
            super::find::apply_filter(state, &before, fx);
        }
        Messages => state.open(Overlay::Messages { scroll: 0 }),
        // Outside the queue they open it.
        QueueAssignee | QueueOverdue | QueueCallable => super::queue::open(state, fx),
        Copy => super::copy::copy(state, false, fx),
        CopySummary => super::copy::copy(state, true, fx),
        OpenWeb => super::copy::open_web(state, fx),
        Mask => super::copy::toggle_mask(state),
        Mark => super::marks::mark(state, fx),
        MarkAll => super::marks::mark_all(state),
        Disposition => edit::disposition(state),
        Snooze => edit::snooze(state),
        QuickAdd => edit::quick_add(state),
        Save | Cancel | NextField | PrevField | ExternalEditor | Yes | No | Pick | Discard
        | RunSearch | AcceptFilter | ClearSearch | CursorLeft | CursorRight | LineStart
        | LineEnd | WordLeft | WordRight | DeleteChar | DeleteForward | DeleteWord | ClearInput => {
            return false;
        }
    }
    true
}

fn search(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    use Action::*;
    match action {
        RunSearch => list::run_server_search(state, fx),
        ClearSearch => {
            state.modal = Modal::None;
            list::clear_filter(state, fx);
        }
        AcceptFilter => state.modal = Modal::None,
        Up => list::move_list(state, -1, fx),
        Down => list::move_list(state, 1, fx),
        PageUp => list::move_list(state, -(panes::page_height(state) as isize), fx),
        PageDown => list::move_list(state, panes::page_height(state) as isize, fx),
        Quit => super::ask_quit(state, fx),
        CursorLeft | CursorRight | LineStart | LineEnd | WordLeft | WordRight | DeleteChar
        | DeleteForward | DeleteWord | ClearInput => {
            let before = state.filter.text().to_string();
            state.filter.apply(action);
            if state.filter.text() != before {
                super::find::apply_filter(state, &before, fx);
            }
        }
        Top | Bottom | Open | NextPane | PrevPane | Focus(_) | Search | Refresh | Help | Back
        | New | Edit | Delete | Toggle | AddTag | RemoveTag | ShowPending | Messages
        | SwitchLocation | Changed | QueueAssignee | QueueOverdue | QueueCallable | Copy
        | CopySummary | OpenWeb | Mask | Mark | MarkAll | Disposition | Snooze | QuickAdd
        | Save | Cancel | NextField | PrevField | ExternalEditor | Yes | No | Pick | Discard => {
            return false;
        }
    }
    true
}

fn help(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    use Action::*;
    let Modal::Help { scroll } = state.modal else {
        return false;
    };
    // Before the help is first drawn its height is unknown: keys scroll freely and the
    // next measurement holds the scroll to the end (`Msg::Drawn`).
    let measured = state.geometry.help_rows > 0;
    let max = if measured {
        state.geometry.help_scroll_max
    } else {
        u16::MAX
    };
    let page = state.geometry.help_rows.saturating_sub(1).max(1) as u16;
    let to = |s: u16| Modal::Help { scroll: s.min(max) };
    match action {
        Down => state.modal = to(scroll.saturating_add(1)),
        Up => state.modal = to(scroll.saturating_sub(1)),
        PageDown => state.modal = to(scroll.saturating_add(page)),
        PageUp => state.modal = to(scroll.saturating_sub(page)),
        Top => state.modal = to(0),
        Bottom => state.modal = to(max),
        Help => state.modal = Modal::None,
        Quit => super::ask_quit(state, fx),
        Open | NextPane | PrevPane | Focus(_) | Search | Refresh | Back | New | Edit | Delete
        | Toggle | AddTag | RemoveTag | ShowPending | Messages | SwitchLocation | Changed
        | QueueAssignee | QueueOverdue | QueueCallable | Copy | CopySummary | OpenWeb | Mask
        | Mark | MarkAll | Disposition | Snooze | QuickAdd | Save | Cancel | NextField
        | PrevField | ExternalEditor | Yes | No | Pick | Discard | RunSearch | AcceptFilter
        | ClearSearch | CursorLeft | CursorRight | LineStart | LineEnd | WordLeft | WordRight
        | DeleteChar | DeleteForward | DeleteWord | ClearInput => {
            return false;
        }
    }
    true
}

/// The keys the queue answers itself; the rest act as in the panes.
fn in_queue(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    use Action::*;
    match action {
        Up => super::queue::move_by(state, -1),
        Down => super::queue::move_by(state, 1),
        PageUp => super::queue::move_by(state, -(panes::page_height(state) as isize)),
        PageDown => super::queue::move_by(state, panes::page_height(state) as isize),
        Top => super::queue::move_by(state, isize::MIN / 2),
        Bottom => super::queue::move_by(state, isize::MAX / 2),
        Toggle => super::queue::complete(state, fx),
        Open => super::queue::open_contact(state, fx),
        Refresh => super::queue::fetch(state, fx),
        QueueAssignee => super::queue::toggle_assignee(state, fx),
        QueueOverdue => super::queue::toggle_overdue(state),
        QueueCallable => super::queue::toggle_callable(state),
        Back => super::queue::close(state),
        _ => return false,
    }
    true
}

pub(super) fn focus(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    state.focus = pane;
    if pane != Pane::Contacts {
        // Looking at the right side: it shows the selected contact now.
        state.show_selected();
        state.tab = pane;
        // Looking at a pane is asking for its data: no need to wait for the debounce.
        super::parts::load_selected(state, false, fx);
    }
}

fn back(state: &mut State, fx: &mut Vec<Effect>) {
    if !state.marked.is_empty() && state.focus == Pane::Contacts {
        let n = state.marked.len();
        state.marked.clear();
        state.say(format!("{} unmarked", crate::text::count(n as u64)), false);
    } else if state.focus != Pane::Contacts {
        state.focus = Pane::Contacts;
    } else if !state.filter.is_empty() {
        list::clear_filter(state, fx);
    } else {
        list::leave_server_search(state, fx);
    }
}

fn move_focused(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    if state.focus == Pane::Contacts {
        list::move_list(state, delta, fx);
    } else {
        panes::move_pane(state, state.focus, delta);
    }
}
