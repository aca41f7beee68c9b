//! The pure heart of the app: `update(state, msg) -> effects`. No I/O, no clock, no terminal,
//! no widgets: what the view measured comes back as `Msg::Drawn`.

mod browse;
mod copy;
mod find;
mod list;
mod marks;
mod mouse;
mod panes;
mod parts;
mod queue;
mod replica;

pub use browse::act;
pub use find::INLINE_ROWS;
pub(crate) use list::refresh;
pub use marks::bulk_question;
pub(crate) use parts::load_selected;
pub use queue::{choose_me, queue_row, queue_selected, task_made};

/// The rows of `set` that `query` finds, best first (quick-add's `@name`).
pub(crate) fn search_list(set: &ContactSet, query: &str) -> Vec<u32> {
    let q = crate::search::Query::parse(query);
    if q.is_empty() {
        return Vec::new();
    }
    find::search_now(&set.index, &q, None)
}

/// The queue asked for again (a task was made).
pub(crate) fn refetch_queue(state: &mut State, fx: &mut Vec<Effect>) {
    queue::fetch(state, fx);
}

use super::edit;
use super::msg::{Effect, Msg};
use super::state::{ContactSet, Load, Modal, Pane, State, Topic};
use crate::api::{ApiError, SearchRequest};

/// Start-up: ask for the first page of contacts.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    queue::at_start(state, &mut fx);
    if state.sync.complete && !state.browse.is_empty() {
        // The list came from the replica: no page to ask for.
        fx.push(Effect::FetchFields);
        fx.push(Effect::Replay);
        fx.push(Effect::LoadDrafts);
        return fx;
    }
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
        // Keys never come here as keys: the runtime (and every test helper) resolves them
        // first with `keys::resolve`, into `Act` or `Type`, for the scope the state is in.
        Msg::Key(_) => {}
        Msg::Act(action) => {
            state.key_pressed();
            // The user has started: the queue no longer opens by itself.
            state.queue.open_if_due = false;
            browse::act_on(state, action, &mut fx);
            reopen_parked(state);
        }
        Msg::Type(ev) => {
            state.key_pressed();
            browse::typed(state, ev, &mut fx);
            reopen_parked(state);
        }
        Msg::Drawn(geometry) => {
            state.geometry = geometry;
            list::follow(state);
            if let Modal::Help { scroll } = &mut state.modal
                && state.geometry.help_rows > 0
            {
                *scroll = (*scroll).min(state.geometry.help_scroll_max);
            }
        }
        Msg::Mouse(m) => mouse::on_mouse(state, m, &mut fx),
        Msg::Paste(text) => {
            // Terminals send a pasted line break as CR: it is a line break, not a control
            // character to show.
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            // Text goes into an open editor or the search line; a paste elsewhere must not
            // turn into a burst of commands.
            if !edit::on_paste(state, &text, &mut fx) && state.searching() {
                let before = state.filter.text().to_string();
                state.filter.insert(crate::sanitize::line(&text).trim());
                find::apply_filter(state, &before, &mut fx);
            }
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            list::follow(state);
        }
        Msg::Tick(now) => {
            state.now = now;
            state.spinner = state.spinner.wrapping_add(1);
            queue::on_tick(state, &mut fx);
        }
        Msg::Page {
            generation,
            request,
            result,
        } => list::on_page(state, generation, request, result, &mut fx),
        Msg::QueueTasks { generation, result } => {
            queue::tasks_arrived(state, generation, result, &mut fx)
        }
        Msg::QueueCached {
            generation,
            tasks,
            fetched_ms,
        } => queue::cached_arrived(state, generation, tasks, fetched_ms, &mut fx),
        Msg::NotOpened { url, why } => {
            // The link is on the clipboard instead: the user can paste it anywhere.
            state.say(
                crate::sanitize::line(&format!("Link copied: could not open a browser ({why})"))
                    .into_owned(),
                true,
            );
            fx.push(Effect::Copy { text: url });
        }
        Msg::QueueClocks(found) => queue::clocks_arrived(state, &found),
        Msg::QueueEvents { generation, result } => queue::events_arrived(state, generation, result),
        Msg::Contact { id, result } => {
            parts::failed(state, &id, "the full record", &result);
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
                queue::contact_arrived(state, fresh);
            }
            parts::entry(state, &id).detail = into_load(result);
            edit::reapply_pending(state, &id, Pane::Details);
            parts::after(state, &id);
        }
        Msg::Tasks { id, result } => {
            parts::failed(state, &id, "tasks", &result);
            let (mut task, _) = super::order::under_cursors(state, &id);
            // Opened from the queue: the Tasks pane lands on that task.
            if let Some((cid, tid)) = state.queue.follow.take() {
                if cid == id {
                    task = Some(tid);
                } else {
                    state.queue.follow = Some((cid, tid));
                }
            }
            parts::entry(state, &id).tasks = into_load(result);
            edit::reapply_pending(state, &id, Pane::Tasks);
            super::order::follow(state, &id, task, None);
            parts::after(state, &id);
        }
        Msg::Notes { id, result } => {
            parts::failed(state, &id, "notes", &result);
            let (_, note) = super::order::under_cursors(state, &id);
            parts::entry(state, &id).notes = into_load(result);
            edit::reapply_pending(state, &id, Pane::Notes);
            super::order::follow(state, &id, None, note);
            parts::after(state, &id);
        }
        Msg::Appointments { id, result } => {
            parts::failed(state, &id, "appointments", &result);
            parts::entry(state, &id).appointments = into_load(result);
            parts::after(state, &id);
        }
        Msg::Settled(generation) => {
            if generation == state.selection_gen {
                state.show_selected();
                parts::load_selected(state, false, &mut fx);
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
            queue::ask_who(state);
        }
        // Each is an extra the token may not have the scope for: ids show instead of names,
        // any zone name is accepted, tags complete from what is loaded, and the log says why.
        Msg::Place(Err(_))
        | Msg::Zones(Err(_))
        | Msg::Users(Err(_))
        | Msg::Fields(Err(_))
        | Msg::LocationTags(Err(_)) => {}
        Msg::LocationTags(Ok(tags)) => state.location_tags = tags,
        Msg::Budget(b) => state.budget = b,
        Msg::Net(net) => state.net = net,
        Msg::Synced { sent, pending } => edit::on_synced(state, sent, pending, &mut fx),
        Msg::StoreDown(why) => edit::store_down(state, why),
        Msg::StoreUp => edit::store_up(state),
        Msg::StoreNotice(text) => {
            state.say(
                format!(
                    "The local store was damaged and a new one made ({} tells more): {text}",
                    state.key(super::keymap::Action::ShowPending)
                ),
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
        Msg::ReplicaLoaded {
            list,
            mark,
            changes,
            total: _,
        } => replica::loaded(state, list, mark, changes, &mut fx),
        Msg::ReplicaNotice(text) => state.say_about(Topic::Store, text, true),
        Msg::SyncStarted(phase) => replica::started(state, phase),
        Msg::SyncPage(page) => replica::page(state, page, &mut fx),
        Msg::SyncDone(result) => replica::done(state, result, &mut fx),
        Msg::Found { generation, rows } => find::found(state, generation, rows, &mut fx),
        Msg::NoteHits { generation, ids } => find::note_hits(state, generation, ids, &mut fx),
        Msg::ContactGone { id } => replica::gone(state, &id, &mut fx),
        Msg::Shutdown => quit(&mut fx),
    }
    fx
}

/// A form given back while something else was open comes up once nothing is.
fn reopen_parked(state: &mut State) {
    if matches!(state.modal, Modal::None)
        && let Some(form) = state.parked.pop()
    {
        state.open(super::state::Overlay::Form(form));
    }
}

fn into_load<T>(result: Result<T, ApiError>) -> Load<T> {
    match result {
        Ok(v) => Load::Ready(v),
        Err(e) => Load::Failed(e),
    }
}

/// Quitting is said once: as the effect the runtime stops on.
pub(crate) fn quit(fx: &mut Vec<Effect>) {
    fx.push(Effect::Quit);
}

/// The user asks to quit. With changes still waiting, the app asks first (they are not lost:
/// they go out at the next start, but the user should know); right after a save it waits for
/// the change to go out. A second request, SIGHUP or SIGTERM quits at once.
pub(crate) fn ask_quit(state: &mut State, fx: &mut Vec<Effect>) {
    // Saves the store has not yet answered count too: they are on their first way out.
    let here = state.pending.len() + state.saving.len();
    let there: usize = state.elsewhere.values().map(|e| e.waiting).sum();
    let asking = matches!(state.overlay(), Some(super::state::Overlay::Ask { yes, .. }) if yes.contains(&Effect::Quit));
    // Asked twice: the answer is now.
    if here + there == 0 || asking || state.quit_when_sent {
        return quit(fx);
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
                "Sending {here} change{} before quitting… ({} quits now; they go out at the next start)",
                plural(here),
                state.key_in(state.scope(), super::keymap::Action::Quit)
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
    state.open(super::state::Overlay::Ask {
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
        ..Default::default()
    }
}
