//! The contact list: moving its cursor, the `/` filter, server search, paging and refresh.

use super::{first_request, next_generation};
use crate::api::envelopes::MAX_QUERY_CHARS;
use crate::api::{ApiError, ContactPage, SearchRequest, paging};
use crate::app::edit;
use crate::app::msg::{Effect, SETTLE};
use crate::app::state::{ContactSet, Cursor, Pane, State, Topic};

const LIST_FAILED: &str = "Couldn't load contacts";
const REFRESHING: &str = "Refreshing…";

/// Rows kept in view above (or below) the selection when the list jumps at its edge.
const KEEP: usize = 2;

/// Rows the list shows, as the view last measured them.
pub(super) fn list_height(state: &State) -> usize {
    state.geometry.list_height.max(1)
}

/// The window changed size, or the view measured it again: the cursors stay in view.
pub(super) fn follow(state: &mut State) {
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.follow(len, height);
    super::parts::refit(state);
}

pub(super) fn move_list(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.step_jumping(delta, len, height, KEEP);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

pub(super) fn select_list(state: &mut State, index: usize, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.select(index, len, height);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

/// After anything that may have changed the selected contact.
pub(super) fn selection_moved(state: &mut State, before: Option<String>, fx: &mut Vec<Effect>) {
    if state.selected_id() == before.as_deref() {
        return;
    }
    state.selection_gen += 1;
    // What was said about the contact left behind is over.
    state.settle(Topic::Contact);
    for pane in Pane::TABS {
        state.pane_cursor.remove(&pane);
    }
    // The right side waits for the moves to pause (`Msg::Settled`) before it draws the next
    // contact: over a slow link a held key must not pay for every contact passed. The first
    // contact, or none, shows at once.
    if state.preview.is_none() || state.selected_id().is_none() {
        state.show_selected();
    } else {
        state.moving = true;
    }
    if state.selected_id().is_some() {
        fx.push(Effect::Settle {
            generation: state.selection_gen,
            after: SETTLE,
        });
    }
}

/// Asks for the next page when the cursor comes within a couple of screens of the end.
fn page_on_if_near_end(state: &mut State, fx: &mut Vec<Effect>) {
    if state.visible.is_some() {
        // The `/` filter narrows what is loaded; paging on under it would surprise.
        return;
    }
    let margin = list_height(state) * 2 + 20;
    let selected = state.list.selected;
    let set = state.set_mut();
    if set.in_flight.is_some() || set.error.is_some() || selected + margin < set.len() {
        return;
    }
    if let Some(request) = set.next.clone() {
        set.in_flight = Some(request.clone());
        fx.push(Effect::FetchPage {
            generation: set.generation,
            request,
        });
    }
}

pub(super) fn on_page(
    state: &mut State,
    generation: u64,
    request: SearchRequest,
    result: Result<ContactPage, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let before = state.selected_id().map(String::from);
    let Some(set) = [Some(&mut state.browse), state.search.as_mut()]
        .into_iter()
        .flatten()
        .find(|s| s.generation == generation)
    else {
        return;
    };
    if set.in_flight.as_ref() != Some(&request) {
        return;
    }
    set.in_flight = None;
    let page = match result {
        Ok(page) => page,
        Err(e) => {
            let text = format!("{LIST_FAILED}: {}", e.one_line());
            set.error = Some(e);
            set.next = Some(request);
            state.say_about(Topic::List, text, true);
            return;
        }
    };
    set.error = None;
    let replacing = std::mem::take(&mut set.replace_on_next_page);
    if replacing {
        set.clear_rows();
        set.seen.clear();
    }
    let first_new = set.len();
    let got = page.contacts.len();
    let mut page_contacts = page.contacts;
    for contact in page_contacts.iter_mut() {
        // Paging can overlap when contacts are added while we read; show each contact once.
        if contact.id().is_empty() || !set.seen.insert(contact.id().to_string()) {
            continue;
        }
        set.push_page(contact);
    }
    set.total = page.total;
    let loaded = set.len() as u64;
    // A page that adds nothing new (a server repeating itself) ends paging rather than loop.
    let added = set.len() - first_new;
    set.next = if got == 0 || (added == 0 && !replacing) {
        None
    } else {
        paging::next_search(&request, &page_contacts, loaded, page.total)
    };
    let is_active = state.set().generation == generation;
    if !is_active {
        return;
    }
    // The list works again: its old error, or the refresh notice, has done its job.
    state.settle(Topic::List);
    if first_new == 0 && state.search.is_none() {
        // A fresh list: contacts created here and still waiting go back on top.
        edit::reapply_pending_creates(state);
    }
    state.set_mut().seal();
    if replacing {
        // Keep the cursor on the same contact across a refresh when it is still there.
        super::find::refilter(state, fx);
        reselect(state, before.as_deref());
    } else if state.visible.is_some() && !state.finding {
        // The new page's matches follow the ones already shown.
        let q = crate::search::Query::parse(state.filter.text());
        let fresh: Vec<u32> = (first_new as u32..state.set().len() as u32).collect();
        let more = super::find::search_now(&state.set().index, &q, Some(&fresh));
        if let Some(visible) = state.visible.as_mut() {
            visible.extend(more);
        }
    }
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.follow(len, height);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

/// Puts the cursor back on `id` if it is visible, else keeps the position within bounds.
pub(super) fn reselect(state: &mut State, id: Option<&str>) {
    let pos = id.and_then(|id| {
        (0..state.visible_len()).find(|&p| {
            state
                .row_index(p)
                .and_then(|i| state.set().row(i))
                .is_some_and(|r| r.id() == id)
        })
    });
    let (len, height) = (state.visible_len(), list_height(state));
    match pos {
        Some(p) => state.list.select(p, len, height),
        None => state.list.select(state.list.selected, len, height),
    }
}

/// Empties the `/` line, and the list shows everything loaded again.
pub(super) fn clear_filter(state: &mut State, fx: &mut Vec<Effect>) {
    let before = state.filter.take();
    super::find::apply_filter(state, &before, fx);
}

pub(super) fn run_server_search(state: &mut State, fx: &mut Vec<Effect>) {
    state.modal = crate::app::state::Modal::None;
    let typed = state.filter.text().trim().to_string();
    if typed.is_empty() {
        leave_server_search(state, fx);
        return;
    }
    let query: String = typed.chars().take(MAX_QUERY_CHARS).collect();
    if query.chars().count() < typed.chars().count() {
        state.say(
            format!("Search text cut to the API's {MAX_QUERY_CHARS} characters"),
            false,
        );
    }
    let before = state.selected_id().map(String::from);
    let generation = next_generation(state);
    let request = first_request(state, Some(query.clone()));
    state.search = Some(ContactSet {
        query: Some(query),
        generation,
        in_flight: Some(request.clone()),
        ..Default::default()
    });
    state.filter.take();
    state.visible = None;
    state.list = Cursor::default();
    state.focus = Pane::Contacts;
    fx.push(Effect::FetchPage {
        generation,
        request,
    });
    selection_moved(state, before, fx);
}

pub(super) fn leave_server_search(state: &mut State, fx: &mut Vec<Effect>) {
    if state.search.take().is_none() {
        return;
    }
    let before = state.selected_id().map(String::from);
    state.visible = None;
    state.list = Cursor::default();
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.follow(len, height);
    selection_moved(state, before, fx);
}

/// `r`: everything again, now.
pub(crate) fn refresh(state: &mut State, fx: &mut Vec<Effect>) {
    // Whatever the client waits for (a rate limit, a backoff), `r` means now.
    fx.push(Effect::Wake);
    if !state.pending.is_empty() {
        state.retry_secs = 0;
        fx.push(Effect::Replay);
    }
    if state.sync.on && state.sync.syncing_enabled {
        fx.push(Effect::SyncNow { full: false });
    }
    if state.sync.complete && state.search.is_none() {
        // The list is the replica, which the sync just asked for brings up to date.
        state.say_about(Topic::List, "Syncing…", false);
        super::parts::load_selected(state, true, fx);
        return;
    }
    let generation = next_generation(state);
    let query = state.set().query.clone();
    let request = first_request(state, query);
    let set = state.set_mut();
    if set.in_flight.is_some() {
        // Its answer would be dropped anyway; a stalled one must not be waited for.
        fx.push(Effect::CancelFetch {
            generation: set.generation,
        });
    }
    set.generation = generation;
    set.error = None;
    set.next = None;
    set.replace_on_next_page = true;
    set.in_flight = Some(request.clone());
    fx.push(Effect::FetchPage {
        generation,
        request,
    });
    state.say_about(Topic::List, REFRESHING, false);
    super::parts::load_selected(state, true, fx);
}
