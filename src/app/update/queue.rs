//! The work queue in the state: opening it (`0`), moving in it, completing a task at once
//! (`x`, through the outbox), opening a task's contact with the task selected (`Enter`), and
//! the filters (assignee, overdue only). Its answers come back as `QueueTasks`/`QueueEvents`.

use crate::api::{ApiError, Appointment, QueueTask, WriteOp};
use crate::app::msg::Effect;
use crate::app::queue::{Assignee, Group, Row, StartView};
use crate::app::state::{Load, Modal, Pane, State};

/// The task under the cursor in the queue.
pub fn queue_selected(state: &State) -> Option<&QueueTask> {
    let rows = state.queue.rows(state.now, state.zone);
    queue_row(&rows, state.queue.selected).map(|r| r.task)
}

/// The row at `selected` among `rows`: the last row when the one under the cursor has just
/// left.
pub fn queue_row<'r, 'a>(rows: &'r [Row<'a>], selected: usize) -> Option<&'r Row<'a>> {
    rows.get(selected.min(rows.len().saturating_sub(1)))
}

fn len(state: &State) -> usize {
    state.queue.len(state.now, state.zone)
}

/// Asks for the queue again (the tasks, and today's appointments when the user is known).
pub(super) fn fetch(state: &mut State, fx: &mut Vec<Effect>) {
    state.queue.generation += 1;
    state.queue.fetching = true;
    if !matches!(state.queue.tasks, Load::Ready(_)) {
        state.queue.tasks = Load::Loading;
    }
    let events = state.me.clone().map(|me| {
        let (from, to) = crate::app::queue::day_span_ms(state.now, state.zone);
        (me, from, to)
    });
    if events.is_some() && !matches!(state.queue.events, Load::Ready(_)) {
        state.queue.events = Load::Loading;
    }
    fx.push(Effect::FetchQueue {
        generation: state.queue.generation,
        filter: state.queue.filter(state.me.as_deref()),
        events,
    });
}

/// At start, as configured: the queue open at once, or asked for and opened if work is due.
pub(super) fn at_start(state: &mut State, fx: &mut Vec<Effect>) {
    match state.start_view {
        StartView::Contacts => {}
        StartView::Queue => open(state, fx),
        StartView::Auto => {
            state.queue.open_if_due = true;
            fetch(state, fx);
        }
    }
}

/// `0`: the queue takes the list's place; its data is asked for the first time it opens.
pub(super) fn open(state: &mut State, fx: &mut Vec<Effect>) {
    state.queue.open = true;
    state.focus = Pane::Queue;
    if state.queue.tasks.wanted() {
        fetch(state, fx);
    }
    clamp(state);
    ask_who(state);
}

/// Once a session, when the queue is open and nothing says who the user is (no sign-in
/// user, no `user_id`, none picked before), the location's users to pick from.
pub(super) fn ask_who(state: &mut State) {
    if state.me.is_some()
        || state.queue.asked_who
        || !state.queue.open
        || state.users.is_empty()
        || !state.idle()
    {
        return;
    }
    state.queue.asked_who = true;
    let users = state.users_by_name();
    state.open(crate::app::state::Overlay::WhoAmI { users, cursor: 0 });
}

/// The user said who they are: remembered for this location, and the queue is theirs.
pub fn choose_me(state: &mut State, id: String, name: &str, fx: &mut Vec<Effect>) {
    state.me = Some(id.clone());
    state.queue.assignee = Assignee::Me;
    state.queue.selected = 0;
    fx.push(Effect::RememberMe { user_id: id });
    state.say(
        crate::sanitize::line(&format!(
            "You are {name}: your tasks (remembered; user_id in config.toml overrides)"
        ))
        .into_owned(),
        false,
    );
    fetch(state, fx);
}

/// Back to the contact list.
pub(super) fn close(state: &mut State) {
    state.queue.open = false;
    state.focus = Pane::Contacts;
}

fn clamp(state: &mut State) {
    let n = len(state);
    state.queue.selected = state.queue.selected.min(n.saturating_sub(1));
}

pub(super) fn move_by(state: &mut State, delta: isize) {
    let n = len(state);
    if n == 0 {
        return;
    }
    let at = state.queue.selected as isize + delta;
    state.queue.selected = at.clamp(0, n as isize - 1) as usize;
}

/// `x`: the task is completed at once; it leaves the queue, and the outbox tells the server.
pub(super) fn complete(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(t) = queue_selected(state) else {
        return state.say("No task selected", true);
    };
    let (cid, tid, title) = (
        t.contact_id().to_string(),
        t.id().to_string(),
        t.task.title.clone().unwrap_or_default(),
    );
    if cid.is_empty() || tid.is_empty() {
        return state.say(
            "This task names no contact; it cannot be completed here",
            true,
        );
    }
    let op = WriteOp::CompleteTask {
        contact_id: cid,
        task_id: tid.clone(),
        completed: true,
    };
    if crate::app::edit::send_ops(state, vec![op], fx).is_ok() {
        clamp(state);
        state.say(
            crate::sanitize::line(&format!("Completed: {title}")).into_owned(),
            false,
        );
    }
}

/// `Enter`: the task's contact, in the list, with its Tasks pane on that task.
pub(super) fn open_contact(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(t) = queue_selected(state) else {
        return state.say("No task selected", true);
    };
    let (cid, tid, name) = (
        t.contact_id().to_string(),
        t.id().to_string(),
        t.contact_name.clone(),
    );
    // The whole list, so the contact can be found in it.
    if state.search.is_some() || !state.filter.is_empty() {
        super::list::clear_filter(state, fx);
        state.search = None;
        state.visible = None;
    }
    let Some(row) = state.browse.find(&cid) else {
        let shown = if name.is_empty() { cid } else { name };
        return state.say(
            crate::sanitize::line(&format!(
                "{shown} is not in the list yet (the first sync is still under way)"
            ))
            .into_owned(),
            true,
        );
    };
    state.queue.open = false;
    state.modal = Modal::None;
    let (len, height) = (state.visible_len(), state.geometry.list_height);
    state.list.select(row, len, height);
    state.queue.follow = Some((cid, tid));
    state.show_selected();
    state.tab = Pane::Tasks;
    state.focus = Pane::Tasks;
    super::parts::load_selected(state, true, fx);
}

pub(super) fn toggle_assignee(state: &mut State, fx: &mut Vec<Effect>) {
    let users = state.users_by_name();
    state.queue.assignee = state.queue.assignee.next(state.me.as_deref(), &users);
    match &state.queue.assignee {
        Assignee::Me if state.me.is_none() => state.say(
            "Who you are is not known: set user_id in config.toml to see your own tasks",
            true,
        ),
        Assignee::Me => state.say("Your tasks (f: everyone's)", false),
        Assignee::Anyone => state.say("Everyone's tasks (f: one user's)", false),
        Assignee::User(id) => {
            let name = crate::sanitize::line(state.user_name(id)).into_owned();
            state.say(format!("{name}'s tasks (f: the next user's)"), false);
        }
    }
    state.queue.selected = 0;
    fetch(state, fx);
}

pub(super) fn toggle_callable(state: &mut State) {
    state.queue.callable_first = !state.queue.callable_first;
    state.queue.selected = 0;
    if !state.queue.callable_first {
        return state.say("By when due", false);
    }
    let known = state
        .queue
        .tasks
        .ready()
        .is_some_and(|t| t.iter().any(|t| t.timezone.is_some()));
    state.say(
        if known {
            "Callable now first: inside 09–18 on their clock, and no DND"
        } else {
            "Callable now first, once the contacts' timezones are known (after the first sync)"
        },
        !known,
    );
}

pub(super) fn toggle_overdue(state: &mut State) {
    state.queue.overdue_only = !state.queue.overdue_only;
    state.queue.selected = 0;
}

pub(super) fn tasks_arrived(
    state: &mut State,
    generation: u64,
    result: Result<Vec<QueueTask>, ApiError>,
    fx: &mut Vec<Effect>,
) {
    if generation != state.queue.generation {
        return;
    }
    state.queue.fetching = false;
    state.queue.fetched_at = Some(state.now);
    match result {
        Ok(mut tasks) => {
            state.queue.kept_from = None;
            // The clocks known already stay while the replica is asked again.
            if let Some(old) = state.queue.tasks.ready() {
                let known: std::collections::HashMap<&str, (&Option<String>, bool)> = old
                    .iter()
                    .map(|t| (t.contact_id(), (&t.timezone, t.dnd)))
                    .collect();
                for t in &mut tasks {
                    if let Some((zone, dnd)) = known.get(t.contact_id()) {
                        t.timezone = (*zone).clone();
                        t.dnd = *dnd;
                    }
                }
            }
            // Who a task is for is only shown: cleaned for the terminal once, here. The title
            // is sent back by a snooze, so it stays as the server has it.
            for t in &mut tasks {
                let line = |s: &str| crate::sanitize::line(s).into_owned();
                t.contact_name = line(&t.contact_name);
                t.company = line(&t.company);
            }
            // What the server now says is done needs no local mark any more.
            let open: std::collections::HashSet<&str> = tasks.iter().map(|t| t.id()).collect();
            state.queue.done.retain(|id| open.contains(id.as_str()));
            state.queue.tasks = Load::Ready(tasks);
            read_clocks(state, fx);
            if std::mem::take(&mut state.queue.open_if_due)
                && matches!(state.modal, Modal::None)
                && state.overlay().is_none()
                && state
                    .queue
                    .rows(state.now, state.zone)
                    .first()
                    .is_some_and(|r| matches!(r.group, Group::Overdue | Group::Today))
            {
                state.queue.open = true;
                state.focus = Pane::Queue;
                state.queue.selected = 0;
            }
            clamp(state);
        }
        Err(e) => {
            // Asked for at start on the user's behalf: nothing to say until they open it.
            let asked = !std::mem::take(&mut state.queue.open_if_due) || state.queue.open;
            if asked {
                state.say(
                    format!(
                        "Couldn't load the queue: {}",
                        scope_hint(&e, "locations/tasks.readonly")
                    ),
                    true,
                );
            } else {
                tracing::info!(error = %e, "the queue is unavailable");
            }
            if !matches!(state.queue.tasks, Load::Ready(_)) {
                state.queue.tasks = Load::Failed(e);
            }
        }
    }
}

/// A task the server has just made (a follow-up, a quick-add): it joins the queue when the
/// queue's filter would list it, named as the list names its contact.
pub fn task_made(state: &mut State, contact_id: &str, task: &crate::api::Task) {
    let under = queue_selected(state).map(|t| t.id().to_string());
    let me = state.me.clone();
    let wanted = state.queue.filter(me.as_deref());
    let (name, company) = state
        .browse
        .find(contact_id)
        .and_then(|i| state.browse.row(i))
        .map(|r| {
            let line = |s: &str| crate::sanitize::line(s).into_owned();
            (line(r.name()), line(r.company()))
        })
        .unwrap_or_default();
    let Load::Ready(tasks) = &mut state.queue.tasks else {
        return;
    };
    let id = task.id.as_deref().unwrap_or("");
    let assignee = task.assigned_to.as_deref().unwrap_or("");
    if id.is_empty()
        || task.is_done()
        || tasks.iter().any(|t| t.id() == id)
        || (!wanted.assigned_to.is_empty() && !wanted.assigned_to.iter().any(|a| a == assignee))
    {
        return;
    }
    let mut task = task.clone();
    task.contact_id
        .get_or_insert_with(|| contact_id.to_string());
    // The contact's clock, when another of its tasks has it.
    let (timezone, dnd) = tasks
        .iter()
        .find(|t| t.contact_id() == contact_id)
        .map(|t| (t.timezone.clone(), t.dnd))
        .unwrap_or_default();
    tasks.push(QueueTask {
        task,
        contact_name: name,
        company,
        timezone,
        dnd,
    });
    // The cursor stays on the task it was on.
    if let Some(under) = under
        && let Some(at) = state
            .queue
            .rows(state.now, state.zone)
            .iter()
            .position(|r| r.task.id() == under)
    {
        state.queue.selected = at;
    }
}

/// The copy kept in the replica, shown until the server answers (never over a fresher one).
pub(super) fn cached_arrived(
    state: &mut State,
    generation: u64,
    tasks: Vec<QueueTask>,
    fetched_ms: i64,
    fx: &mut Vec<Effect>,
) {
    if generation != state.queue.generation || !state.queue.fetching {
        return;
    }
    let open_if_due = state.queue.open_if_due;
    tasks_arrived(state, generation, Ok(tasks), fx);
    // Still waiting for the server: this is not its answer.
    state.queue.fetching = true;
    state.queue.fetched_at = None;
    state.queue.kept_from =
        chrono::DateTime::from_timestamp_millis(fetched_ms).map(|t| t.naive_utc());
    // Opening by itself waits for the server's word on what is due.
    if !state.queue.open {
        state.queue.open_if_due = open_if_due;
    }
}

/// In the background, while the queue is open: asked again every `REFRESH`.
pub(super) fn on_tick(state: &mut State, fx: &mut Vec<Effect>) {
    let q = &state.queue;
    if !q.open || q.fetching || !matches!(q.tasks, Load::Ready(_)) {
        return;
    }
    if q.fetched_at
        .is_some_and(|at| state.now - at >= crate::app::queue::REFRESH)
    {
        fetch(state, fx);
    }
}

/// Asks the replica for the clocks of the queue's contacts.
pub(super) fn read_clocks(state: &State, fx: &mut Vec<Effect>) {
    let Some(tasks) = state.queue.tasks.ready() else {
        return;
    };
    if !state.sync.on {
        return;
    }
    let mut ids: Vec<String> = tasks
        .iter()
        .map(|t| t.contact_id().to_string())
        .filter(|id| !id.is_empty())
        .collect();
    ids.sort();
    ids.dedup();
    if !ids.is_empty() {
        fx.push(Effect::ReadClocks { contact_ids: ids });
    }
}

/// The replica's clocks for the queue's contacts.
pub(super) fn clocks_arrived(
    state: &mut State,
    found: &std::collections::HashMap<String, (Option<String>, bool)>,
) {
    let Load::Ready(tasks) = &mut state.queue.tasks else {
        return;
    };
    for t in tasks.iter_mut() {
        if let Some((zone, dnd)) = found.get(t.contact_id()) {
            t.timezone = zone.clone();
            t.dnd = *dnd;
        }
    }
}

/// A contact's whole record gives the queue its clock and DND for that contact's tasks.
pub(super) fn contact_arrived(state: &mut State, c: &crate::api::Contact) {
    let Some(id) = c.id.as_deref() else {
        return;
    };
    let Load::Ready(tasks) = &mut state.queue.tasks else {
        return;
    };
    let zone = c.timezone.clone().filter(|z| !z.trim().is_empty());
    let dnd = crate::app::callable::dnd_blocks(c);
    for t in tasks.iter_mut().filter(|t| t.contact_id() == id) {
        t.timezone = zone.clone();
        t.dnd = dnd;
    }
}

pub(super) fn events_arrived(
    state: &mut State,
    generation: u64,
    result: Result<Vec<Appointment>, ApiError>,
) {
    if generation != state.queue.generation {
        return;
    }
    match result {
        Ok(events) => state.queue.events = Load::Ready(events),
        Err(e) => {
            state.say(
                format!(
                    "Couldn't load today's appointments: {}",
                    scope_hint(&e, "calendars/events.readonly")
                ),
                true,
            );
            state.queue.events = Load::Failed(e);
        }
    }
}

/// A refusal (the sign-in lacks `scope`) says which scope and how to add it; anything else
/// in one line.
fn scope_hint(e: &ApiError, scope: &str) -> String {
    match e {
        ApiError::MissingScope { .. } | ApiError::Forbidden { .. } => format!(
            "the sign-in lacks the {scope} scope; add it to the Private Integration, or sign in again with `ghl-tui login`"
        ),
        _ => e.one_line(),
    }
}
