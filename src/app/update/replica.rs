//! The replica in the state: the list comes from it once the first sync has finished, sync's
//! pages change the list in place, and the status bar follows what sync does.

use super::list::selection_moved;
use crate::app::msg::{Effect, SyncFailed};
use crate::app::say::Topic;
use crate::app::state::{ContactSet, Load, State};
use crate::app::sync_view::PassView;
use crate::store::{ListEntry, SyncMark};
use crate::sync::pull::{PageDone, Phase, Pulled};

fn at(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

/// The replica was read. Once the first sync has finished it is the list: the whole account,
/// with no paging and no request.
pub(super) fn loaded(
    state: &mut State,
    list: Box<ContactSet>,
    mark: SyncMark,
    changes: Vec<(String, i64, String)>,
    fx: &mut Vec<Effect>,
) {
    state.sync.on = true;
    state.sync.complete = mark.watermark_ms.is_some();
    state.sync.last_sync = mark.last_sync_ms.and_then(at);
    state.sync.previous_session = mark.last_session_ms.and_then(at);
    let changed_since = changes.len();
    if changed_since > 0 && state.sync.changes.is_empty() {
        for (id, _, what) in changes {
            let shown = crate::sanitize::line(&format!("changed: {what}")).into_owned();
            state.sync.what_changed.insert(id.clone(), shown);
            state.sync.changes.push(id);
        }
        if let Some(since) = state.sync.previous_session {
            let local = since + chrono::Duration::seconds(i64::from(state.zone.local_minus_utc()));
            state.say(
                format!(
                    "{} changed since {} · {} lists them",
                    crate::app::sync_view::thousands(changed_since as u64),
                    local.format("%a %H:%M"),
                    state.key(crate::app::keymap::Action::Changed)
                ),
                false,
            );
        }
    }
    if !state.sync.complete || list.is_empty() {
        return;
    }
    let before = state.selected_id().map(String::from);
    let set = &mut state.browse;
    if set.in_flight.take().is_some() {
        fx.push(Effect::CancelFetch {
            generation: set.generation,
        });
    }
    let mut fresh = *list;
    fresh.generation = set.generation;
    state.browse = fresh;
    state.settle(Topic::List);
    crate::app::edit::reapply_pending_creates(state);
    refilter(state, before.as_deref(), fx);
    selection_moved(state, before, fx);
}

/// The `/` filter and the cursor again after the list changed under them.
fn refilter(state: &mut State, keep: Option<&str>, fx: &mut Vec<Effect>) {
    if state.search.is_none() {
        super::find::refilter(state, fx);
    }
    super::list::reselect(state, keep);
}

pub(super) fn started(state: &mut State, phase: Phase) {
    state.sync.pass = Some(PassView {
        phase,
        done: 0,
        total: None,
        started: state.now,
    });
}

/// A page is stored: the progress moves, and a complete list takes in what changed.
pub(super) fn page(state: &mut State, page: PageDone, fx: &mut Vec<Effect>) {
    let started = state.sync.pass.as_ref().map_or(state.now, |p| p.started);
    state.sync.pass = Some(PassView {
        phase: page.phase,
        done: page.done,
        total: page.total,
        started,
    });
    if !state.sync.complete || (page.changed.is_empty() && page.removed.is_empty()) {
        return;
    }
    apply(state, page.changed, &page.removed, fx);
}

fn apply(state: &mut State, changed: Vec<ListEntry>, removed: &[String], fx: &mut Vec<Effect>) {
    let before = state.selected_id().map(String::from);
    let shown = state.shown_id().map(String::from);
    let mut refresh_shown = false;
    let set = &mut state.browse;
    let mut inserts = Vec::new();
    for e in changed {
        let id = e.contact.id().to_string();
        // A change of ours still on its way shows as the user made it until the server
        // confirms it; the server's copy would undo it on screen meanwhile.
        if state.marks.contains(&id) {
            continue;
        }
        if shown.as_deref() == Some(id.as_str()) {
            refresh_shown = true;
        }
        match set.find(&id) {
            Some(i) => set.set(i, &e.contact, Some(&e.fields)),
            None => inserts.push((e.contact, e.fields)),
        }
    }
    if !removed.is_empty() {
        let gone: std::collections::HashSet<&str> = removed.iter().map(String::as_str).collect();
        set.retain_ids(|id| !gone.contains(id));
        for id in removed {
            set.seen.remove(id);
            state.extras.remove(id);
        }
    }
    for (c, _) in &inserts {
        set.seen.insert(c.id().to_string());
    }
    set.insert_by_added(inserts);
    set.total = Some(set.len() as u64);
    refilter(state, before.as_deref(), fx);
    if refresh_shown && let Some(id) = &shown {
        // The contact on screen changed on the server: its full record is read again.
        if let Some(x) = state.extras.get_mut(id) {
            x.detail = Load::Idle;
        }
        super::parts::load_selected(state, false, fx);
    }
    selection_moved(state, before, fx);
}

pub(super) fn done(state: &mut State, result: Result<Pulled, SyncFailed>, fx: &mut Vec<Effect>) {
    state.sync.pass = None;
    match result {
        Ok(pulled) => {
            state.sync.last_sync = Some(state.now);
            // The server answers again: what waited goes now, not at the next backoff.
            if state.sync.offline_since.take().is_some() && !state.pending.is_empty() {
                state.retry_secs = 0;
                fx.push(Effect::Replay);
            }
            if !state.sync.complete {
                // The whole account is here now: the list is read from the replica.
                fx.push(Effect::LoadReplica);
            }
            // The queue's contacts may have come (or changed their timezone) with this pass.
            super::queue::read_clocks(state, fx);
            tracing::info!(
                phase = ?pulled.phase,
                requests = pulled.requests,
                changed = pulled.changed,
                removed = pulled.removed,
                "sync pass done"
            );
        }
        Err(failed) if failed.offline => {
            state.sync.offline_since.get_or_insert(state.now);
        }
        Err(failed) => {
            state.say(format!("Sync stopped: {}", failed.why), true);
        }
    }
}

/// The server says the contact is gone: it leaves the list too.
pub(super) fn gone(state: &mut State, id: &str, fx: &mut Vec<Effect>) {
    if state.browse.find(id).is_some() && !state.marks.contains(id) {
        apply(state, Vec::new(), &[id.to_string()], fx);
    }
}
