//! A contact's parts (the full record, tasks, notes, appointments): loading them for the
//! selected contact, a small cache of recent ones, and the pane cursors kept within them.

use crate::api::ApiError;
use crate::app::msg::{Effect, Parts};
use crate::app::state::{EXTRAS_CACHE, Extras, Load, Pane, State, Topic};

/// The cache entry for `id`, made (and the oldest dropped) when new.
pub(super) fn entry<'a>(state: &'a mut State, id: &str) -> &'a mut Extras {
    if !state.extras.contains_key(id) {
        state.extras_order.push_back(id.to_string());
        while state.extras_order.len() > EXTRAS_CACHE {
            if let Some(old) = state.extras_order.pop_front() {
                state.extras.remove(&old);
            }
        }
    }
    state.extras.entry(id.to_string()).or_default()
}

/// After a part arrived: loading is over when nothing else is on its way, and the cursors fit.
pub(super) fn after(state: &mut State, id: &str) {
    if state.extras.get(id).is_some_and(|e| !e.any_loading())
        && state.loading_for.as_deref() == Some(id)
    {
        state.loading_for = None;
    }
    refit(state);
}

/// A failed part of the contact on screen is also said in the status bar (the pane says it
/// too, but may not be the one showing).
pub(super) fn failed<T>(state: &mut State, id: &str, what: &str, result: &Result<T, ApiError>) {
    if let Err(e) = result
        && state.selected_id() == Some(id)
    {
        state.say_about(
            Topic::Contact,
            format!(
                "Couldn't load {what}: {} ({} retries)",
                e.one_line(),
                state.key(crate::app::keymap::Action::Refresh)
            ),
            true,
        );
    }
}

/// Keeps each pane's cursor inside what it now holds and shows.
pub(super) fn refit(state: &mut State) {
    // Details and Notes keep a line offset, which list fitting would get wrong: they are held
    // to their measured height instead.
    for pane in [Pane::Tasks, Pane::Appointments] {
        let len = super::panes::len(state, pane);
        let rows = state.geometry.items_in_view(pane);
        if let Some(c) = state.pane_cursor.get_mut(&pane) {
            c.selected = c.selected.min(len.saturating_sub(1));
            c.follow(len, rows);
        }
    }
    super::panes::clamp_scrolled(state);
}

/// Loads what the selected contact is missing (everything when `force`).
pub(crate) fn load_selected(state: &mut State, force: bool, fx: &mut Vec<Effect>) {
    let Some(id) = state.selected_id().map(String::from) else {
        return;
    };
    // Only one contact loads at a time; the runtime cancels the other one's requests, so its
    // parts go back to "not asked" and load again if the user returns.
    if let Some(other) = state.loading_for.clone().filter(|o| *o != id) {
        state.loading_for = None;
        if let Some(e) = state.extras.get_mut(&other) {
            for_each_part(e, |l| {
                if l.loading() {
                    l.reset()
                }
            });
        }
    }
    // Parts already on their way are not asked for again (that would restart them and spend
    // rate-limit budget twice), unless this is a refresh.
    let entry = entry(state, &id);
    let want = |l: &dyn LoadState| force || l.wanted();
    let parts = Parts {
        detail: want(&entry.detail),
        tasks: want(&entry.tasks),
        notes: want(&entry.notes),
        appointments: want(&entry.appointments),
    };
    if !parts.any() {
        return;
    }
    for_each_part(entry, |l| {
        if force || l.wanted() {
            l.start()
        }
    });
    state.loading_for = Some(id.clone());
    fx.push(Effect::LoadContact { id, parts });
}

/// The few things load_selected needs from each `Load<T>`, whatever `T` is.
trait LoadState {
    fn loading(&self) -> bool;
    fn wanted(&self) -> bool;
    fn start(&mut self);
    fn reset(&mut self);
}

impl<T> LoadState for Load<T> {
    fn loading(&self) -> bool {
        self.is_loading()
    }
    fn wanted(&self) -> bool {
        Load::wanted(self)
    }
    fn start(&mut self) {
        *self = Load::Loading;
    }
    fn reset(&mut self) {
        *self = Load::Idle;
    }
}

fn for_each_part(e: &mut Extras, mut f: impl FnMut(&mut dyn LoadState)) {
    f(&mut e.detail);
    f(&mut e.tasks);
    f(&mut e.notes);
    f(&mut e.appointments);
}
