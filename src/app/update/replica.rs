//! The replica in the state: the list comes from it once the first sync has finished, sync's
//! pages change the list in place, and the status bar follows what sync does.

use super::list::selection_moved;
use crate::app::msg::{Effect, SyncFailed};
use crate::app::rows::{self, ContactRow};
use crate::app::say::Topic;
use crate::app::state::{ContactSet, Load, State};
use crate::app::sync_view::PassView;
use crate::store::{ListEntry, SyncMark};
use crate::sync::pull::{PageDone, Phase, Pulled};

fn at(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

fn added_ms(c: &crate::api::Contact) -> i64 {
    c.date_added
        .as_deref()
        .and_then(crate::api::time::epoch_ms)
        .unwrap_or(0)
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
    if !state.sync.complete || list.rows.is_empty() {
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
        let at = set.index.rows_of(&id, |r| {
            set.rows.get(r as usize).is_some_and(|row| row.id == id)
        });
        match at {
            Some(i) => {
                let i = i as usize;
                let row = ContactRow::from_contact(&e.contact);
                std::sync::Arc::make_mut(&mut set.index)
                    .replace(i, &rows::doc(&e.contact, &row, &e.fields));
                set.rows[i] = row;
                set.contacts[i] = e.contact;
            }
            None => inserts.push(e),
        }
    }
    if !removed.is_empty() || !inserts.is_empty() {
        // Rows move: the index is built again, in the new order, keeping what it knew.
        if !removed.is_empty() {
            let gone: std::collections::HashSet<&str> =
                removed.iter().map(String::as_str).collect();
            let keep: Vec<bool> = set
                .rows
                .iter()
                .map(|r| !gone.contains(r.id.as_str()))
                .collect();
            let mut k = keep.iter();
            set.rows.retain(|_| *k.next().unwrap_or(&true));
            let mut k = keep.iter();
            set.contacts.retain(|_| *k.next().unwrap_or(&true));
            for id in removed {
                set.seen.remove(id);
                state.extras.remove(id);
            }
        }
        let mut new_fields = Vec::new();
        for e in inserts {
            // Newest first, as the list is kept.
            let added = added_ms(&e.contact);
            let i = set.contacts.partition_point(|x| added_ms(x) > added);
            set.seen.insert(e.contact.id().to_string());
            set.rows.insert(i, ContactRow::from_contact(&e.contact));
            new_fields.push((e.contact.id().to_string(), e.fields));
            set.contacts.insert(i, e.contact);
        }
        rows::reindex(set);
        // The new contacts' custom fields, which the old index did not have.
        for (id, fields) in new_fields {
            let at = set.index.rows_of(&id, |r| {
                set.rows.get(r as usize).is_some_and(|row| row.id == id)
            });
            if let Some(i) = at.map(|i| i as usize) {
                let d = rows::doc(&set.contacts[i], &set.rows[i], &fields);
                std::sync::Arc::make_mut(&mut set.index).replace(i, &d);
            }
        }
    }
    set.total = Some(set.rows.len() as u64);
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
    if state.browse.rows.iter().any(|r| r.id == id) && !state.marks.contains(id) {
        apply(state, Vec::new(), &[id.to_string()], fx);
    }
}
