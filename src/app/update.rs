//! The pure heart of the app: `update(state, msg) -> effects`. No I/O, no clock, no terminal.

use crossterm::event::{
    KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::edit;
use super::keymap::{self, Action, Scope};
use super::msg::{Effect, Msg, Parts, SETTLE};
use super::rows::{self, ContactRow};
use super::state::{ContactSet, Cursor, EXTRAS_CACHE, Extras, Load, Mode, Pane, State, Topic};
use crate::api::envelopes::MAX_QUERY_CHARS;
use crate::api::{ApiError, ContactPage, SearchRequest, paging};
use crate::ui::{layout, panes};

const LIST_FAILED: &str = "Couldn't load contacts";
const REFRESHING: &str = "Refreshing…";

/// Start-up: ask for the first page of contacts.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    let generation = next_generation(state);
    let request = first_request(state, None);
    state.browse = ContactSet {
        generation,
        in_flight: Some(request.clone()),
        ..Default::default()
    };
    fx.push(Effect::FetchPage {
        generation,
        request,
    });
    fx.push(Effect::FetchFields);
    // Changes left from last time go out, and unsaved text is offered back.
    fx.push(Effect::Replay);
    fx.push(Effect::LoadDrafts);
    fx
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(ev) => {
            // Terminals that report releases and repeats would otherwise act twice per press.
            if ev.kind == KeyEventKind::Press {
                state.key_pressed();
                on_key(state, ev, &mut fx);
                // A form given back while something else was open comes up now.
                if state.overlay.is_none()
                    && let Some(form) = state.parked.pop()
                {
                    state.overlay = Some(super::state::Overlay::Form(form));
                }
            }
        }
        Msg::Mouse(m) => on_mouse(state, m, &mut fx),
        Msg::Paste(text) => {
            // Terminals send a pasted line break as CR: it is a line break, not a control
            // character to show.
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            // Text goes into an open editor or the search line; a paste elsewhere must not
            // turn into a burst of commands.
            if !edit::on_paste(state, &text, &mut fx)
                && state.mode == Mode::Search
                && state.help.is_none()
            {
                let before = state.input.clone();
                state.input.push_str(crate::sanitize::line(&text).trim());
                apply_filter(state, &before, &mut fx);
            }
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            let height = list_height(state);
            let len = state.visible_len();
            state.list.follow(len, height);
        }
        Msg::Tick(now) => {
            state.now = now;
            state.spinner = state.spinner.wrapping_add(1);
        }
        Msg::Page {
            generation,
            request,
            result,
        } => on_page(state, generation, request, result, &mut fx),
        Msg::Contact { id, result } => {
            part_failed(state, &id, "the full record", &result);
            // The list shows the newest record too (it may have changed, or a refused change
            // of ours needs undoing there). Only fields both shapes share are copied.
            if let Ok(fresh) = &result {
                edit::with_contact(state, &id, |c| {
                    c.first_name = fresh.first_name.clone();
                    c.last_name = fresh.last_name.clone();
                    c.name = fresh.name.clone();
                    c.email = fresh.email.clone();
                    c.phone = fresh.phone.clone();
                    c.company_name = fresh.company_name.clone();
                    c.tags = fresh.tags.clone();
                });
            }
            extras_entry(state, &id).detail = into_load(result);
            edit::reapply_pending(state, &id, Pane::Details);
            after_extras(state, &id);
        }
        Msg::Tasks { id, result } => {
            part_failed(state, &id, "tasks", &result);
            let (task, _) = super::order::under_cursors(state, &id);
            extras_entry(state, &id).tasks = into_load(result);
            edit::reapply_pending(state, &id, Pane::Tasks);
            super::order::follow(state, &id, task, None);
            after_extras(state, &id);
        }
        Msg::Notes { id, result } => {
            part_failed(state, &id, "notes", &result);
            let (_, note) = super::order::under_cursors(state, &id);
            extras_entry(state, &id).notes = into_load(result);
            edit::reapply_pending(state, &id, Pane::Notes);
            super::order::follow(state, &id, None, note);
            after_extras(state, &id);
        }
        Msg::Appointments { id, result } => {
            part_failed(state, &id, "appointments", &result);
            extras_entry(state, &id).appointments = into_load(result);
            after_extras(state, &id);
        }
        Msg::Settled(generation) => {
            if generation == state.selection_gen {
                load_selected(state, false, &mut fx);
            }
        }
        Msg::Fields(Ok(defs)) => {
            state.field_types = defs
                .iter()
                .filter_map(|d| Some((d.id.clone()?, d.data_type.clone()?)))
                .collect();
            state.field_names = defs
                .into_iter()
                .filter_map(|d| Some((d.id?, d.name.filter(|n| !n.trim().is_empty())?)))
                .collect();
        }
        Msg::Place(Ok(info)) => {
            if let Some(name) = info.name.as_deref().filter(|n| !n.trim().is_empty()) {
                state.account_label = super::locations::relabel(&state.account_label, name);
            }
            state.place = Some(info);
        }
        Msg::Zones(Ok(zones)) => state.zones = zones,
        Msg::Users(Ok(users)) => {
            state.users = users
                .into_iter()
                .filter(|u| !u.id.is_empty())
                .map(|u| (u.id.clone(), u.display_name()))
                .collect();
        }
        // Each is an extra the token may not have the scope for: ids show instead of names,
        // any zone name is accepted, and the log says why.
        Msg::Place(Err(_)) | Msg::Zones(Err(_)) | Msg::Users(Err(_)) => {}
        // Without the scope for field names the details show field ids; nothing else changes,
        // so this is not worth the status bar.
        Msg::Fields(Err(_)) => {}
        Msg::LocationTags(Ok(tags)) => state.location_tags = tags,
        Msg::LocationTags(Err(_)) => {}
        Msg::Budget(b) => state.budget = b,
        Msg::Net(net) => state.net = net,
        Msg::Synced { sent, pending } => edit::on_synced(state, sent, pending, &mut fx),
        Msg::StoreDown(why) => edit::store_down(state, why),
        Msg::StoreUp => edit::store_up(state),
        Msg::StoreNotice(text) => {
            state.say(
                format!("The local store was damaged and a new one made (o tells more): {text}"),
                true,
            );
            state.store_notice = Some(text);
        }
        Msg::NotRecorded { ops, why, token } => edit::not_recorded(state, ops, why, token, &mut fx),
        Msg::Recorded { token } => {
            state.saving.remove(&token);
        }
        Msg::OutboxChanged(pending) => edit::on_outbox(state, pending, &mut fx),
        Msg::Drafts(drafts) => edit::on_drafts(state, drafts),
        Msg::Withdrawn { key, payload } => edit::on_withdrawn(state, key, payload, &mut fx),
        Msg::ReplayDue => {
            state.retry_scheduled = false;
            fx.push(Effect::Replay);
        }
        Msg::EditorDone(result) => edit::on_editor_done(state, result, &mut fx),
        Msg::Locations(result) => super::locations::on_list(state, result),
        Msg::LocationOpened { id, name } => fx.extend(super::locations::on_opened(state, id, name)),
        Msg::LocationFailed { id, why } => super::locations::on_failed(state, id, why),
        Msg::Elsewhere {
            location,
            waiting,
            refused,
        } => super::locations::on_elsewhere(state, location, waiting, refused),
        Msg::Shutdown => quit(state, &mut fx),
    }
    fx
}

/// A failed part of the contact on screen is also said in the status bar (the pane says it
/// too, but may not be the one showing).
fn part_failed<T>(state: &mut State, id: &str, what: &str, result: &Result<T, ApiError>) {
    if let Err(e) = result
        && state.selected_id() == Some(id)
    {
        state.say_about(
            Topic::Contact,
            format!("Couldn't load {what}: {} (r retries)", e.one_line()),
            true,
        );
    }
}

fn into_load<T>(result: Result<T, ApiError>) -> Load<T> {
    match result {
        Ok(v) => Load::Ready(v),
        Err(e) => Load::Failed(e),
    }
}

pub(crate) fn quit(state: &mut State, fx: &mut Vec<Effect>) {
    state.quit = true;
    fx.push(Effect::Quit);
}

/// The user asks to quit. With changes still waiting, the app asks first (they are not lost:
/// they go out at the next start, but the user should know); a second request, SIGHUP or
/// SIGTERM quits at once.
pub(crate) fn ask_quit(state: &mut State, fx: &mut Vec<Effect>) {
    let here = state.pending.len();
    let there: usize = state.elsewhere.values().map(|e| e.waiting).sum();
    let asking = matches!(&state.overlay, Some(super::state::Overlay::Ask { yes, .. }) if yes.contains(&Effect::Quit));
    // Asked twice: the answer is now.
    if here + there == 0 || asking || state.quit_when_sent {
        return quit(state, fx);
    }
    // Changes on their first way out (a note saved a moment ago): wait for them, then quit.
    if there == 0
        && state
            .pending
            .iter()
            .all(|p| p.attempts == 0 && p.error.is_none())
    {
        state.quit_when_sent = true;
        state.say_about(
            Topic::Outbox,
            format!(
                "Sending {here} change{} before quitting… (q quits now; they go out at the next start)",
                plural(here)
            ),
            false,
        );
        return;
    }
    ask_to_quit(state, here, there);
}

/// "N changes not yet sent: quit anyway?"
pub(crate) fn ask_to_quit(state: &mut State, here: usize, there: usize) {
    state.quit_when_sent = false;
    let what = match (here, there) {
        (0, t) => format!("{t} change{} in other locations not yet sent", plural(t)),
        (h, 0) => format!("{h} change{} not yet sent", plural(h)),
        (h, t) => format!(
            "{h} change{} here and {t} in other locations not yet sent",
            plural(h)
        ),
    };
    state.overlay = Some(super::state::Overlay::Ask {
        prompt: format!("{what}: quit anyway? they go out at the next start"),
        yes: vec![Effect::Quit],
    });
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn next_generation(state: &mut State) -> u64 {
    state.generations += 1;
    state.generations
}

fn first_request(state: &State, query: Option<String>) -> SearchRequest {
    SearchRequest {
        location_id: state.location_id.clone(),
        page_limit: state.page_limit,
        page: Some(1),
        query,
        search_after: None,
    }
}

// --- Keys ---------------------------------------------------------------------------------

fn on_key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    if edit::on_key(state, ev, fx) {
        return;
    }
    if let Some(scroll) = state.help {
        match keymap::lookup(Scope::Help, &ev) {
            Some(Action::Down) => {
                let limit =
                    crate::ui::help::scroll_limit(Rect::new(0, 0, state.size.0, state.size.1));
                state.help = Some(scroll.saturating_add(1).min(limit));
            }
            Some(Action::Quit) => ask_quit(state, fx),
            Some(Action::Up) => state.help = Some(scroll.saturating_sub(1)),
            Some(Action::Help) => state.help = None,
            _ => {}
        }
        return;
    }
    if state.mode == Mode::Search {
        match keymap::lookup(Scope::Search, &ev) {
            Some(action) => on_search_action(state, action, fx),
            None => {
                if let crossterm::event::KeyCode::Char(c) = ev.code
                    && !ev
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && !c.is_control()
                {
                    let before = state.input.clone();
                    state.input.push(c);
                    apply_filter(state, &before, fx);
                }
            }
        }
        return;
    }
    if let Some(action) = keymap::lookup(Scope::Global, &ev) {
        on_action(state, action, fx);
    }
}

fn on_search_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::RunSearch => run_server_search(state, fx),
        Action::ClearSearch => {
            state.mode = Mode::Normal;
            let before = std::mem::take(&mut state.input);
            apply_filter(state, &before, fx);
        }
        Action::AcceptFilter => state.mode = Mode::Normal,
        Action::DeleteWord => {
            let before = state.input.clone();
            let kept = state
                .input
                .trim_end()
                .rfind(char::is_whitespace)
                .map_or(0, |i| i + 1);
            state.input.truncate(kept);
            apply_filter(state, &before, fx);
        }
        Action::DeleteChar => {
            let before = state.input.clone();
            state.input.pop();
            apply_filter(state, &before, fx);
        }
        Action::ClearInput => {
            let before = std::mem::take(&mut state.input);
            apply_filter(state, &before, fx);
        }
        Action::Up | Action::Down => {
            move_list(state, if action == Action::Up { -1 } else { 1 }, fx)
        }
        Action::Quit => ask_quit(state, fx),
        _ => {}
    }
}

fn on_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Up => move_focused(state, -1, fx),
        Action::Down => move_focused(state, 1, fx),
        Action::PageUp => {
            let page = page_height(state) as isize;
            move_focused(state, -page, fx);
        }
        Action::PageDown => {
            let page = page_height(state) as isize;
            move_focused(state, page, fx);
        }
        Action::Top => move_focused(state, isize::MIN / 2, fx),
        Action::Bottom => move_focused(state, isize::MAX / 2, fx),
        Action::Open if state.focus == Pane::Contacts && state.selected_id().is_some() => {
            state.focus = state.tab;
            load_selected(state, false, fx);
        }
        Action::NextPane | Action::PrevPane => {
            let i = state.focus.number() as usize - 1;
            let n = Pane::ALL.len();
            let j = if action == Action::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            focus(state, Pane::ALL[j], fx);
        }
        Action::Focus(n) => {
            if let Some(p) = Pane::from_number(n) {
                focus(state, p, fx);
            }
        }
        Action::Search => {
            state.mode = Mode::Search;
            state.focus = Pane::Contacts;
        }
        Action::Refresh => refresh(state, fx),
        Action::Help => state.help = Some(0),
        Action::Back => back(state, fx),
        Action::Quit => ask_quit(state, fx),
        Action::New
        | Action::Edit
        | Action::Delete
        | Action::Toggle
        | Action::AddTag
        | Action::RemoveTag
        | Action::ShowPending => edit::on_action(state, action, fx),
        Action::SwitchLocation => super::locations::open(state, fx),
        Action::Messages => state.overlay = Some(super::state::Overlay::Messages { scroll: 0 }),
        _ => {}
    }
}

fn focus(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    state.focus = pane;
    if pane != Pane::Contacts {
        state.tab = pane;
        // Looking at a pane is asking for its data: no need to wait for the debounce.
        load_selected(state, false, fx);
    }
}

fn back(state: &mut State, fx: &mut Vec<Effect>) {
    if state.focus != Pane::Contacts {
        state.focus = Pane::Contacts;
    } else if !state.input.is_empty() {
        let before = std::mem::take(&mut state.input);
        apply_filter(state, &before, fx);
    } else {
        leave_server_search(state, fx);
    }
}

// --- The contact list ---------------------------------------------------------------------

fn list_height(state: &State) -> usize {
    let size = Rect::new(0, 0, state.size.0, state.size.1);
    layout::areas(size, Pane::Contacts)
        .list_rows()
        .map_or(1, |r| usize::from(r.height).max(1))
}

fn right_height(state: &State) -> usize {
    let size = Rect::new(0, 0, state.size.0, state.size.1);
    layout::areas(size, state.tab)
        .right_body()
        .map_or(1, |r| usize::from(r.height).max(1))
}

/// How far PgUp/PgDn move: a screenful of the focused pane less one, for context.
fn page_height(state: &State) -> usize {
    match state.focus {
        Pane::Contacts => list_height(state).saturating_sub(1),
        Pane::Notes => right_height(state).saturating_sub(1),
        pane => items_in_view(state, pane).saturating_sub(1),
    }
    .max(1)
}

fn move_focused(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    if state.focus == Pane::Contacts {
        move_list(state, delta, fx);
    } else {
        move_pane(state, state.focus, delta);
    }
}

fn move_list(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.step(delta, len, height);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

fn select_list(state: &mut State, index: usize, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.select(index, len, height);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

/// After anything that may have changed the selected contact.
fn selection_moved(state: &mut State, before: Option<String>, fx: &mut Vec<Effect>) {
    if state.selected_id() == before.as_deref() {
        return;
    }
    state.selection_gen += 1;
    // What was said about the contact left behind is over.
    state.settle(Topic::Contact);
    for pane in Pane::TABS {
        state.pane_cursor.remove(&pane);
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
    if set.in_flight.is_some() || set.error.is_some() || selected + margin < set.rows.len() {
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

fn on_page(
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
        set.contacts.clear();
        set.rows.clear();
        set.hay.clear();
        set.seen.clear();
    }
    let first_new = set.rows.len();
    let got = page.contacts.len();
    let mut page_contacts = page.contacts;
    for contact in page_contacts.iter_mut() {
        // Paging can overlap when contacts are added while we read; show each contact once.
        if contact.id().is_empty() || !set.seen.insert(contact.id().to_string()) {
            continue;
        }
        let row = ContactRow::from_contact(contact);
        set.hay.push(contact, &row);
        set.rows.push(row);
        set.contacts.push(contact.clone());
    }
    set.total = page.total;
    let loaded = set.rows.len() as u64;
    // A page that adds nothing new (a server repeating itself) ends paging rather than loop.
    let added = set.rows.len() - first_new;
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
    if replacing {
        // Keep the cursor on the same contact across a refresh when it is still there.
        let words = rows::filter_words(&state.input);
        state.visible = (!words.is_empty()).then(|| rows::filter(&state.set().hay, &words, None));
        reselect(state, before.as_deref());
    } else if let Some(visible) = state.visible.as_mut() {
        let words = rows::filter_words(&state.input);
        let hay = &state.search.as_ref().unwrap_or(&state.browse).hay;
        visible.extend(hay.matches_from(first_new, &words));
    }
    let (len, height) = (state.visible_len(), list_height(state));
    state.list.follow(len, height);
    selection_moved(state, before, fx);
    page_on_if_near_end(state, fx);
}

/// Puts the cursor back on `id` if it is visible, else keeps the position within bounds.
fn reselect(state: &mut State, id: Option<&str>) {
    let pos = id.and_then(|id| {
        (0..state.visible_len()).find(|&p| {
            state
                .row_index(p)
                .and_then(|i| state.set().rows.get(i))
                .is_some_and(|r| r.id == id)
        })
    });
    let (len, height) = (state.visible_len(), list_height(state));
    match pos {
        Some(p) => state.list.select(p, len, height),
        None => state.list.select(state.list.selected, len, height),
    }
}

fn apply_filter(state: &mut State, previous_input: &str, fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let words = rows::filter_words(&state.input);
    if words.is_empty() {
        state.visible = None;
    } else {
        let narrowing = state.input.starts_with(previous_input)
            && !rows::filter_words(previous_input).is_empty();
        let prev = if narrowing {
            state.visible.take()
        } else {
            None
        };
        state.visible = Some(rows::filter(&state.set().hay, &words, prev.as_deref()));
    }
    reselect(state, before.as_deref());
    if state.selected_id() != before.as_deref() && before.is_some() && state.visible.is_some() {
        // The old selection was filtered away: start from the best match.
        let (len, height) = (state.visible_len(), list_height(state));
        state.list.select(0, len, height);
    }
    selection_moved(state, before, fx);
}

fn run_server_search(state: &mut State, fx: &mut Vec<Effect>) {
    state.mode = Mode::Normal;
    let typed = state.input.trim().to_string();
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
    state.input.clear();
    state.visible = None;
    state.list = Cursor::default();
    state.focus = Pane::Contacts;
    fx.push(Effect::FetchPage {
        generation,
        request,
    });
    selection_moved(state, before, fx);
}

fn leave_server_search(state: &mut State, fx: &mut Vec<Effect>) {
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

pub(crate) fn refresh(state: &mut State, fx: &mut Vec<Effect>) {
    // Whatever the client waits for (a rate limit, a backoff), `r` means now.
    fx.push(Effect::Wake);
    if !state.pending.is_empty() {
        state.retry_secs = 0;
        fx.push(Effect::Replay);
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
    load_selected(state, true, fx);
}

// --- A contact's parts --------------------------------------------------------------------

fn extras_entry<'a>(state: &'a mut State, id: &str) -> &'a mut Extras {
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

fn after_extras(state: &mut State, id: &str) {
    if state.extras.get(id).is_some_and(|e| !e.any_loading())
        && state.loading_for.as_deref() == Some(id)
    {
        state.loading_for = None;
    }
    refit_pane_cursors(state);
}

fn refit_pane_cursors(state: &mut State) {
    let width = right_width(state);
    // Details and Notes keep a line offset, which list fitting would get wrong.
    for pane in [Pane::Tasks, Pane::Appointments] {
        let len = pane_len(state, pane, width);
        let rows = items_in_view(state, pane);
        if let Some(c) = state.pane_cursor.get_mut(&pane) {
            c.selected = c.selected.min(len.saturating_sub(1));
            c.follow(len, rows);
        }
    }
}

/// How many items (lines, for Details and Notes) of a pane fit on screen: tasks and
/// appointments take two lines each.
fn items_in_view(state: &State, pane: Pane) -> usize {
    let height = right_height(state);
    match pane {
        Pane::Tasks | Pane::Appointments => (height / 2).max(1),
        Pane::Notes | Pane::Details | Pane::Contacts => height,
    }
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
    let entry = extras_entry(state, &id);
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

// --- Right panes --------------------------------------------------------------------------

fn pane_len(state: &State, pane: Pane, width: usize) -> usize {
    let extras = state.selected_extras();
    match pane {
        Pane::Details => state
            .selected_detail()
            .map_or(0, |c| panes::details::lines(c, state, width).len()),
        Pane::Tasks => extras.and_then(|e| e.tasks.ready()).map_or(0, Vec::len),
        Pane::Notes => extras.and_then(|e| e.notes.ready()).map_or(0, Vec::len),
        Pane::Appointments => extras
            .and_then(|e| e.appointments.ready())
            .map_or(0, Vec::len),
        Pane::Contacts => state.visible_len(),
    }
}

/// Notes scroll by line, so a note taller than the pane can be read to its end; the selected
/// note is the one at the top of the view (or the one stepped to).
fn move_notes(state: &mut State, delta: isize) {
    let width = right_width(state);
    let height = right_height(state);
    let spans = state
        .selected_extras()
        .and_then(|e| e.notes.ready())
        .map(|n| panes::notes::spans(n, width))
        .unwrap_or_default();
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

fn move_pane(state: &mut State, pane: Pane, delta: isize) {
    if pane == Pane::Notes {
        return move_notes(state, delta);
    }
    let len = pane_len(state, pane, right_width(state));
    let rows = items_in_view(state, pane);
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

fn right_width(state: &State) -> usize {
    let size = Rect::new(0, 0, state.size.0, state.size.1);
    layout::areas(size, state.tab)
        .right_body()
        .map_or(1, |r| usize::from(r.width))
}

// --- Mouse --------------------------------------------------------------------------------

fn on_mouse(state: &mut State, m: MouseEvent, fx: &mut Vec<Effect>) {
    // Nothing behind a dialog or the help is clicked or scrolled.
    if state.help.is_some() || state.overlay.is_some() {
        return;
    }
    let size = Rect::new(0, 0, state.size.0, state.size.1);
    let areas = layout::areas(size, state.focus);
    let in_list = areas
        .contacts
        .is_some_and(|r| layout::contains(r, m.column, m.row));
    let in_right = areas
        .right
        .is_some_and(|r| layout::contains(r, m.column, m.row));
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            if in_list {
                move_list(state, delta, fx);
            } else if in_right {
                move_pane(state, state.tab, delta);
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some(rows) = areas
                .list_rows()
                .filter(|r| layout::contains(*r, m.column, m.row))
            {
                let index = state.list.offset + usize::from(m.row - rows.y);
                state.focus = Pane::Contacts;
                if index < state.visible_len() {
                    select_list(state, index, fx);
                }
            } else if let Some(bar) = areas
                .tab_bar()
                .filter(|r| layout::contains(*r, m.column, m.row))
            {
                let labels = panes::tab_labels(state, bar.width);
                if let Some(p) = layout::tab_at(bar, &labels, m.column) {
                    focus(state, p, fx);
                }
            } else if in_right {
                focus(state, state.tab, fx);
            } else if in_list {
                state.focus = Pane::Contacts;
            }
        }
        _ => {}
    }
}
