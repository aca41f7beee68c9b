//! Keys become actions before `update` sees them: the runtime looks each key up in the keymap
//! for the scope the state is in (`State::scope`). A key bound there is `Msg::Act`; an unbound
//! key where text is typed (the search line, a field, the location search) is `Msg::Type`;
//! any other key does nothing and is dropped here.

use crossterm::event::KeyEventKind;

use super::msg::Msg;
use super::state::State;

/// `msg` as `update` takes it: keys resolved to actions or typing, anything else as it is.
pub fn resolve(state: &State, msg: Msg) -> Option<Msg> {
    let Msg::Key(ev) = msg else {
        return Some(msg);
    };
    // A release is not a key; a repeat (a key held, where the terminal reports it) is.
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let scope = state.scope();
    match state.keymap.lookup(scope, &ev) {
        Some(action) => Some(Msg::Act(action)),
        None if scope.takes_text() => Some(Msg::Type(ev)),
        None => None,
    }
}
