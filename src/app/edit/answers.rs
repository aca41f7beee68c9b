//! The server's answers: confirmations settle what was shown, refusals undo it and give the
//! text back, waits are retried.

use serde_json::Value;

use super::is_local;
use super::local::{apply_local, notes_mut, tasks_mut, with_contact};
use crate::api::{ApiError, Applied, Contact, Note, Task, WriteOp};
use crate::app::form::Form;
use crate::app::msg::Effect;
use crate::app::state::{Overlay, PendingView, State, Topic};
use crate::sync::Sent;

// --- The server's answer ---------------------------------------------------------------------

pub fn on_synced(
    state: &mut State,
    sent: Vec<Sent>,
    pending: Vec<PendingView>,
    fx: &mut Vec<Effect>,
) {
    let mut held = None;
    let mut aside = Vec::new();
    let mut confirmed_any = false;
    // Tag changes on many contacts at once (marks): refusals are said together, not a form
    // each.
    let tag_refusals = sent
        .iter()
        .filter(|s| {
            matches!(
                s,
                Sent::Rejected {
                    op: WriteOp::AddTags { .. } | WriteOp::RemoveTags { .. },
                    ..
                }
            )
        })
        .count();
    let mut refused_tags: Vec<(String, String)> = Vec::new();
    for s in sent {
        match s {
            Sent::Rejected {
                id,
                op: op @ (WriteOp::AddTags { .. } | WriteOp::RemoveTags { .. }),
                error,
            } if tag_refusals > 1 => {
                state.quit_when_sent = false;
                undo_shown(state, &op, fx);
                // A tag change refused for one of many contacts (deleted, moved) has nothing
                // to fix in a form: its draft goes, and the refusal is said below.
                fx.push(Effect::DiscardDraft {
                    key: crate::store::rejected_key(id),
                });
                refused_tags.push((op.describe(), error.one_line()));
            }
            Sent::Confirmed { op, applied, .. } => {
                confirmed_any = true;
                // A follow-up booked (`D`), or a task made anywhere: into the queue as the
                // server has it, with no need to read the whole queue again.
                if let (WriteOp::CreateTask { contact_id, .. }, Applied::Task(t)) = (&op, &applied)
                {
                    crate::app::update::task_made(state, contact_id, t);
                }
                // A contact the server deleted leaves the replica now: no sync would say so
                // before the next reconciliation.
                if let crate::api::WriteOp::DeleteContact { id } = &op
                    && state.sync.on
                {
                    fx.push(Effect::ForgetContact { id: id.clone() });
                }
                confirmed(state, &op, applied);
                if let Some(id) = op.contact_id() {
                    crate::app::order::keep(state, id);
                }
            }
            Sent::Rejected { id, op, error } => {
                // Quitting waits: the user should see what was refused.
                state.quit_when_sent = false;
                rejected(state, id, op, &error, fx)
            }
            Sent::Held { error, .. } => held = Some(error),
            Sent::SetAside { id, why } => aside.push((id, why)),
            // Listed with the row it waits for; nothing to say on its own.
            Sent::Waiting { .. } => {}
        }
    }
    if let Some((what, why)) = refused_tags.first() {
        let same = refused_tags.iter().all(|(_, w)| w == why);
        let reasons = if same {
            why.clone()
        } else {
            format!("{why}, and other reasons")
        };
        state.say(
            format!(
                "Not saved for {} contacts ({reasons}): {what}",
                refused_tags.len()
            ),
            true,
        );
    }
    if let Some((id, why)) = aside.first() {
        let more = match aside.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        state.say_about(
            Topic::Outbox,
            format!(
                "Change #{id}{more} set aside: {why}; the rest go out, and o lists it to retry or discard"
            ),
            true,
        );
    }
    if confirmed_any && state.sync.syncing_enabled {
        // The server's copy of what was just written comes back with the next pass (one
        // request), so the replica holds what the server holds.
        fx.push(Effect::SyncNow { full: false });
    }
    state.pending = pending;
    // After a restart the list may have loaded before the outbox was read.
    super::reapply_pending_creates(state);
    match held {
        Some(error) => {
            if state.quit_when_sent {
                // It could not go: the user decides.
                let there = state.elsewhere.values().map(|e| e.waiting).sum();
                crate::app::update::ask_to_quit(state, state.pending.len(), there);
            }
            state.retry_secs = (state.retry_secs * 2).clamp(2, 60);
            // The server said when: a rate limit's wait, or the day's allowance coming back.
            let after = match &error {
                ApiError::RateLimited { retry_after } => retry_after.as_secs().clamp(2, 3600),
                ApiError::DailyLimit { resets_at } => (resets_at.naive_utc() - state.now)
                    .num_seconds()
                    .clamp(2, 86_400) as u64,
                _ => state.retry_secs,
            };
            let n = state.pending.len();
            let why = match &error {
                ApiError::MissingScope { .. } => {
                    "the sign-in is read-only: run `ghl-tui login --write`, or give the \
                     Private Integration token contacts.write"
                        .to_string()
                }
                ApiError::RateLimited { .. } => "rate limited by the API".to_string(),
                ApiError::DailyLimit { .. } => "the day's API allowance is spent".to_string(),
                e => e.one_line(),
            };
            let when = if after < 120 {
                format!("in {after}s")
            } else {
                let at = state.local_now() + chrono::Duration::seconds(after as i64);
                at.format("at %H:%M").to_string()
            };
            state.say_about(
                Topic::Outbox,
                format!(
                    "{n} change{} waiting ({why}); retrying {when} — o lists them",
                    if n == 1 { "" } else { "s" },
                ),
                true,
            );
            if !state.retry_scheduled {
                state.retry_scheduled = true;
                fx.push(Effect::ReplayAfter(std::time::Duration::from_secs(after)));
            }
        }
        None => {
            if state.pending.is_empty() {
                state.settle(Topic::Outbox);
                if state.quit_when_sent {
                    crate::app::update::quit(fx);
                    return;
                }
                if state.retry_secs > 0 {
                    state.say("All changes saved", false);
                }
            }
            state.retry_secs = 0;
        }
    }
}

fn confirmed(state: &mut State, op: &WriteOp, applied: Applied) {
    match (op, applied) {
        (
            WriteOp::CreateTask { contact_id, input }
            | WriteOp::UpdateTask {
                contact_id, input, ..
            },
            Applied::Task(t),
        ) => {
            let (target, created) = match op {
                WriteOp::UpdateTask { task_id, .. } => (Some(task_id.clone()), false),
                _ => (placeholder_task(state, contact_id, &input.title), true),
            };
            settle(state, target.as_deref(), created, t, |s| {
                tasks_mut(s, contact_id)
            });
        }
        (
            WriteOp::CompleteTask {
                contact_id,
                task_id,
                ..
            },
            Applied::Task(t),
        ) => {
            settle(state, Some(task_id), false, t, |s| tasks_mut(s, contact_id));
        }
        (
            WriteOp::CreateNote { contact_id, input }
            | WriteOp::UpdateNote {
                contact_id, input, ..
            },
            Applied::Note(n),
        ) => {
            let (target, created) = match op {
                WriteOp::UpdateNote { note_id, .. } => (Some(note_id.clone()), false),
                _ => (placeholder_note(state, contact_id, &input.body), true),
            };
            settle(state, target.as_deref(), created, n, |s| {
                notes_mut(s, contact_id)
            });
        }
        (_, Applied::Tags { contact_id, tags }) => {
            with_contact(state, &contact_id, |c| c.tags = tags.clone());
            state.marks.remove(&contact_id);
        }
        (WriteOp::UpdateContact { id, .. }, Applied::Contact(c)) => {
            let server = *c;
            with_contact(state, id, |x| {
                // The list keeps its search shape; the fields a PUT can change come from the answer.
                let keep = std::mem::take(&mut x.search_after);
                *x = Contact {
                    search_after: keep,
                    ..server.clone()
                };
            });
            state.marks.remove(id);
        }
        (WriteOp::CreateContact { input }, Applied::Contact(c)) => {
            let local = super::local::local_create(&state.browse, input);
            if let Some(local) = local {
                let server = *c;
                // The row takes the server's id with the rest of its answer.
                with_contact(state, &local, |x| *x = server.clone());
                let id = server.id().to_string();
                state.browse.seen.insert(id);
                state.marks.remove(&local);
            }
        }
        (op, _) => {
            if let Some(id) = op.contact_id() {
                state.marks.remove(id);
            }
        }
    }
}

/// The id of the task shown for a create that has not been answered yet.
fn placeholder_task(state: &State, contact_id: &str, title: &Option<String>) -> Option<String> {
    local_match(
        state.extras.get(contact_id).and_then(|e| e.tasks.ready()),
        |x: &Task| x.id.as_deref().is_some_and(is_local) && x.title == *title,
    )
}

/// The id of the note shown for a create that has not been answered yet.
fn placeholder_note(state: &State, contact_id: &str, body: &Option<String>) -> Option<String> {
    local_match(
        state.extras.get(contact_id).and_then(|e| e.notes.ready()),
        |x: &Note| x.id.as_deref().is_some_and(is_local) && x.body == *body,
    )
}

fn local_match<T>(items: Option<&Vec<T>>, pred: impl Fn(&T) -> bool) -> Option<String>
where
    T: HasId,
{
    items?
        .iter()
        .find(|x| pred(x))
        .and_then(|x| x.id().map(String::from))
}

trait HasId {
    fn id(&self) -> Option<&str>;
}

impl HasId for Task {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl HasId for Note {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// The server's version of an item takes the place of the one shown (`target`), which stops
/// being marked as saving. A created item whose placeholder is gone (a reload landed between
/// the change and the outbox's list) is added, so what was saved is always seen.
fn settle<T: HasId>(
    state: &mut State,
    target: Option<&str>,
    created: bool,
    item: T,
    list: impl FnOnce(&mut State) -> Option<&mut Vec<T>>,
) {
    if let Some(target) = target {
        state.marks.remove(target);
    }
    let Some(items) = list(state) else {
        return;
    };
    let slot = target.and_then(|t| items.iter().position(|x| x.id() == Some(t)));
    match slot {
        Some(i) => items[i] = item,
        None if created
            && !items
                .iter()
                .any(|x| x.id().is_some() && x.id() == item.id()) =>
        {
            items.insert(0, item);
        }
        None => {}
    }
}

/// The server refused: undo what was shown, and give the user their text back.
fn rejected(
    state: &mut State,
    outbox_id: i64,
    op: WriteOp,
    error: &ApiError,
    fx: &mut Vec<Effect>,
) {
    // The reason first: it is what the user needs, and the line may be cut.
    state.say(
        format!("Not saved ({}): {}", error.one_line(), op.describe()),
        true,
    );
    undo_shown(state, &op, fx);
    // The text is already a draft (stored with the refusal); open it now unless busy, in
    // which case it is offered at the next start.
    let key = crate::store::rejected_key(outbox_id);
    match Form::from_op(&op, state.local_now(), state.zone) {
        Some(mut form) if state.overlay().is_none() => {
            form.key_override = Some(key);
            form.title = format!("{} — not saved: {}", form.title, error.one_line());
            let form = super::dress(state, form);
            state.open(Overlay::Form(Box::new(form)));
        }
        _ => {}
    }
}

/// Undoes what a write showed before the server had it: marks go, placeholders of this write
/// go, and the server's version of the contact is fetched again.
fn undo_shown(state: &mut State, op: &WriteOp, fx: &mut Vec<Effect>) {
    match op {
        WriteOp::CompleteTask { task_id, .. } | WriteOp::UpdateTask { task_id, .. } => {
            state.marks.remove(task_id);
            // Refused: back in the queue, as the server has it.
            state.queue.done.remove(task_id);
            if state.queue.tasks.ready().is_some() {
                crate::app::update::refetch_queue(state, fx);
            }
        }
        WriteOp::UpdateNote { note_id, .. } => {
            state.marks.remove(note_id);
        }
        WriteOp::CreateTask { contact_id, input } => {
            let local = placeholder_task(state, contact_id, &input.title);
            if let (Some(local), Some(ts)) = (local, tasks_mut(state, contact_id)) {
                ts.retain(|t| t.id.as_deref() != Some(local.as_str()));
                state.marks.remove(&local);
            }
        }
        WriteOp::CreateNote { contact_id, input } => {
            let local = placeholder_note(state, contact_id, &input.body);
            if let (Some(local), Some(ns)) = (local, notes_mut(state, contact_id)) {
                ns.retain(|n| n.id.as_deref() != Some(local.as_str()));
                state.marks.remove(&local);
            }
        }
        WriteOp::CreateContact { input } => {
            let local = super::local::local_create(&state.browse, input);
            if let Some(local) = local {
                state.marks.remove(&local);
                apply_local(state, &WriteOp::DeleteContact { id: local });
            }
        }
        _ => {}
    }
    if let Some(id) = op.contact_id() {
        state.marks.remove(id);
        if matches!(op, WriteOp::DeleteContact { .. }) {
            // The row was removed at once; the list comes back from the server.
            crate::app::update::refresh(state, fx);
        } else if state.selected_id() == Some(id) {
            crate::app::update::load_selected(state, true, fx);
        } else {
            state.extras.remove(id);
            fx.push(Effect::ReloadContact { id: id.to_string() });
        }
    }
}

/// Writes that could not be recorded were not sent: what they showed is undone, the form
/// they came from goes back as it was (its text, its draft key), and saves are refused until
/// the store works. Another overlay open meanwhile is not pushed aside: the form waits for it
/// to close.
pub fn not_recorded(
    state: &mut State,
    ops: Vec<WriteOp>,
    why: String,
    token: u64,
    fx: &mut Vec<Effect>,
) {
    let alert = format!("Not saved: the local store is unavailable: {why}");
    state.say_about(Topic::Store, alert.clone(), true);
    state.store_down = Some(why);
    for op in &ops {
        undo_shown(state, op, fx);
    }
    let form = state.saving.remove(&token).or_else(|| {
        ops.iter()
            .find_map(|op| Form::from_op(op, state.local_now(), state.zone))
            .map(Box::new)
    });
    if let Some(mut form) = form {
        // Tags for marked contacts: the marks come back with the form.
        if let crate::app::form::FormKind::BulkTags { ids, .. } = &form.kind {
            state.marked.extend(ids.iter().cloned());
        }
        form.alert = Some(alert);
        give_back(state, form);
    }
}

/// Opens `form` now, or once the overlay in the way closes.
fn give_back(state: &mut State, form: Box<Form>) {
    let form = Box::new(super::dress(state, *form));
    if state.overlay().is_none() {
        state.open(Overlay::Form(form));
    } else {
        state.parked.push(form);
    }
}

/// The outbox as the store has it now: counts and marks follow, and no retry is moved.
pub fn on_outbox(state: &mut State, pending: Vec<PendingView>, fx: &mut Vec<Effect>) {
    state.pending = pending;
    super::reapply_pending_creates(state);
    if state.pending.is_empty() {
        state.settle(Topic::Outbox);
        if state.quit_when_sent {
            crate::app::update::quit(fx);
        }
    }
}

/// The local store cannot record changes: said once, and saves refused until it can.
pub fn store_down(state: &mut State, why: String) {
    if state.store_down.as_deref() != Some(why.as_str()) {
        state.say_about(
            Topic::Store,
            format!(
                "Changes can't be saved ({} tells why): the local store is unavailable: {why}",
                state.key(crate::app::keymap::Action::ShowPending)
            ),
            true,
        );
    }
    state.store_down = Some(why);
}

pub fn store_up(state: &mut State) {
    if state.store_down.take().is_some() {
        state.say("The local store works again: changes are saved", false);
    }
}

/// A change taken back out of the outbox: it is no longer on its way, so what it showed goes,
/// and its text opens in its editor to change and save again, or throw away.
pub fn on_withdrawn(state: &mut State, key: String, payload: Value, fx: &mut Vec<Effect>) {
    if let Some(op) = payload
        .get("rejected")
        .and_then(|o| serde_json::from_value::<WriteOp>(o.clone()).ok())
    {
        undo_shown(state, &op, fx);
    }
    match Form::from_draft(&key, &payload, state.local_now(), state.zone) {
        Some(form) => give_back(state, Box::new(form)),
        None => on_drafts(state, vec![(key, payload)]),
    }
}

pub fn on_drafts(state: &mut State, drafts: Vec<(String, Value)>) {
    if !drafts.is_empty() && state.overlay().is_none() {
        state.open(Overlay::Drafts { drafts, cursor: 0 });
    }
}
