//! The `/` line searches the list as it is typed. A list of up to `INLINE_ROWS` is searched
//! at once (well under a millisecond or two); a larger one is searched by the runtime's search
//! worker, off the event loop, and the newest text wins. Cached note text is searched in the
//! replica and its matches follow the direct ones.

use std::cell::RefCell;
use std::sync::Arc;

use super::list::{list_height, reselect, selection_moved};
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::search::{Query, Searcher};

pub use crate::app::sync_view::CHANGED;

/// The rows of the contacts changed since the previous session, newest change first.
fn changed_rows(state: &State) -> Vec<u32> {
    let set = state.set();
    state
        .sync
        .changes
        .iter()
        .filter_map(|id| set.index.rows_of(id))
        .collect()
}

/// The most rows searched inside update.
pub const INLINE_ROWS: usize = 20_000;

thread_local! {
    // The matchers' scratch memory, kept between keystrokes; it holds nothing of the state.
    static SEARCHER: RefCell<Searcher> = RefCell::new(Searcher::default());
}

/// Runs `q` over the rows of `ix` (or only `within`) here.
pub fn search_now(ix: &crate::search::Index, q: &Query, within: Option<&[u32]>) -> Vec<u32> {
    SEARCHER.with(|s| s.borrow_mut().search(ix, q, within, &[]))
}

/// The `/` line changed from `previous`.
pub(super) fn apply_filter(state: &mut State, previous: &str, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    state.filter_gen += 1;
    state.note_hits.clear();
    let typed = state.filter.text().to_string();
    if let Some(rest) = typed.trim_start().strip_prefix(CHANGED) {
        // What changed since last time, newest first; more words search within it.
        let rows = changed_rows(state);
        let q = Query::parse(rest);
        state.query = q.clone();
        state.visible = Some(if q.is_empty() {
            rows
        } else {
            search_now(&state.set().index, &q, Some(&rows))
        });
        state.finding = false;
        settle(state, before, fx);
        return;
    }
    let q = Query::parse(&typed);
    state.query = q.clone();
    if q.is_empty() {
        state.visible = None;
        state.finding = false;
    } else {
        let narrowing = !state.finding && q.is_narrowing_of(&Query::parse(previous));
        let within = state.visible.as_ref().filter(|_| narrowing).cloned();
        let ix = state.set().index.clone();
        if ix.len() <= INLINE_ROWS {
            state.visible = Some(search_now(&ix, &q, within.as_deref()));
            state.finding = false;
        } else {
            // The last results stay on screen until the new ones come.
            fx.push(Effect::Find {
                generation: state.filter_gen,
                index: ix,
                query: q.clone(),
                within: within.map(Arc::new),
            });
            state.finding = true;
        }
        let plain = q
            .terms
            .iter()
            .any(|t| t.field == crate::search::query::Field::Any);
        if state.sync.on && state.search.is_none() && plain {
            fx.push(Effect::FindNotes {
                generation: state.filter_gen,
                text: state.filter.text().to_string(),
            });
        }
    }
    settle(state, before, fx);
}

fn settle(state: &mut State, before: Option<String>, fx: &mut Vec<Effect>) {
    reselect(state, before.as_deref());
    if state.selected_id() != before.as_deref() && before.is_some() && state.visible.is_some() {
        // The old selection was filtered away: start from the best match.
        let (len, height) = (state.visible_len(), list_height(state));
        state.list.select(0, len, height);
    }
    selection_moved(state, before, fx);
}

/// The worker's answer.
pub(super) fn found(state: &mut State, generation: u64, mut rows: Vec<u32>, fx: &mut Vec<Effect>) {
    if generation != state.filter_gen {
        return;
    }
    let before = state.selected_id().map(String::from);
    state.finding = false;
    if !state.note_hits.is_empty() {
        let have: std::collections::HashSet<u32> = rows.iter().copied().collect();
        rows.extend(state.note_hits.iter().filter(|r| !have.contains(r)));
    }
    state.visible = Some(rows);
    settle(state, before, fx);
}

/// Contacts whose notes match: after the direct matches, once each.
pub(super) fn note_hits(
    state: &mut State,
    generation: u64,
    ids: Vec<String>,
    fx: &mut Vec<Effect>,
) {
    if generation != state.filter_gen || ids.is_empty() {
        return;
    }
    let before = state.selected_id().map(String::from);
    let set = state.set();
    let rows: Vec<u32> = ids.iter().filter_map(|id| set.index.rows_of(id)).collect();
    state.note_hits = rows.clone();
    if state.finding {
        return;
    }
    if let Some(visible) = state.visible.as_mut() {
        let have: std::collections::HashSet<u32> = visible.iter().copied().collect();
        visible.extend(rows.into_iter().filter(|r| !have.contains(r)));
    }
    settle(state, before, fx);
}

/// The list changed under the filter (a page, a sync): searched again from scratch.
pub(super) fn refilter(state: &mut State, fx: &mut Vec<Effect>) {
    if !state.filter.text().trim().is_empty() {
        apply_filter(state, "", fx);
    }
}
