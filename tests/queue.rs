//! The work queue over real HTTP against the sandbox, through the real state machine and
//! executor: the location's open tasks grouped by when due, today's appointments, `x`
//! completing a task on the server, `Enter` landing on the task, the assignee filter, and a
//! sign-in without the tasks scope.

mod common;

use std::collections::HashSet;

use ghl_tui::app::State;
use ghl_tui::app::queue::{Assignee, Group};
use ghl_tui::app::state::{Load, Pane};
use ghl_tui::sandbox::{NARROW_TOKEN, Sandbox, Seed};
use ghl_tui::session::Session;
use serde_json::Value;

fn me(seed: &Seed) -> String {
    seed.users
        .first()
        .and_then(|u| u.get("id")?.as_str())
        .expect("a user")
        .to_string()
}

/// Open tasks of the location assigned to `user` (everyone's when `None`), as the seed has them.
fn open_tasks(seed: &Seed, user: Option<&str>) -> HashSet<String> {
    let text = |t: &serde_json::Map<String, Value>, k: &str| {
        t.get(k).and_then(Value::as_str).unwrap_or("").to_string()
    };
    let contacts: HashSet<String> = seed.contacts.iter().map(|c| text(c, "id")).collect();
    seed.tasks
        .iter()
        .filter(|t| t.get("completed").and_then(Value::as_bool) != Some(true))
        .filter(|t| contacts.contains(&text(t, "contactId")))
        .filter(|t| user.is_none_or(|u| text(t, "assignedTo") == u))
        .map(|t| text(t, "id"))
        .collect()
}

fn driver(sb: &Sandbox, token: &str, me: &str, dir: &std::path::Path) -> common::drive::Driver {
    let local = common::local_store(dir);
    let client =
        ghl_tui::api::Client::new(common::config(sb, token, sb.location_id())).expect("client");
    let session = Session::new(client, local);
    let mut state = State::new("test", sb.location_id(), common::fixed_now());
    state.size = (120, 40);
    state.me = Some(me.to_string());
    common::drive::Driver::start(session, state)
}

/// The sandbox with the demo account, signed in as its first user, the list loaded.
struct Setup {
    seed: Seed,
    sb: Sandbox,
    me: String,
    _dir: tempfile::TempDir,
    d: common::drive::Driver,
}

async fn setup(token: &str) -> Setup {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let me = me(&seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = driver(&sb, token, &me, dir.path());
    d.until("the list", |s| !s.browse.is_empty()).await;
    Setup {
        seed,
        sb,
        me,
        _dir: dir,
        d,
    }
}

/// `setup`, then the queue open and loaded.
async fn queue_open() -> Setup {
    let mut s = setup(ghl_tui::sandbox::DEMO_TOKEN).await;
    s.d.key('0');
    s.d.until("the queue", |s| s.queue.tasks.ready().is_some())
        .await;
    s
}

fn ids(s: &State) -> Vec<String> {
    s.queue
        .rows(s.now, s.zone)
        .iter()
        .map(|r| r.task.id().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_groups_open_tasks_and_x_completes_one_on_the_server() {
    let Setup {
        seed,
        sb,
        me,
        mut d,
        ..
    } = setup(ghl_tui::sandbox::DEMO_TOKEN).await;

    d.key('0');
    assert_eq!(d.state.focus, Pane::Queue);
    d.until("the queue", |s| s.queue.tasks.ready().is_some())
        .await;
    let shown: HashSet<String> = ids(&d.state).into_iter().collect();
    assert_eq!(
        shown,
        open_tasks(&seed, Some(&me)),
        "every open task of mine, once"
    );
    let rows = d.state.queue.rows(d.state.now, d.state.zone);
    let groups: Vec<Group> = rows.iter().map(|r| r.group).collect();
    assert!(groups.windows(2).all(|w| w[0] <= w[1]), "{groups:?}");
    assert_eq!(
        groups.first(),
        Some(&Group::Overdue),
        "the demo has overdue work"
    );
    assert!(
        rows.iter()
            .all(|r| !r.task.contact_name.is_empty() && !r.task.contact_id().is_empty()),
        "each row names its contact, from the search's own answer"
    );
    let first = rows[0].task.clone();
    drop(rows);
    // Today's appointments, on the user's clock.
    d.until("today's appointments", |s| s.queue.events.ready().is_some())
        .await;
    let today = d.state.queue.today(d.state.now, d.state.zone);
    assert!(today.iter().all(|a| a.start_time.is_some()), "{today:?}");
    // Each with its contact, as the list names them.
    let screen = common::screen_text(&d.state);
    let with = today
        .iter()
        .filter_map(|a| d.state.browse.find(a.contact_id.as_deref()?))
        .filter_map(|i| d.state.browse.row(i))
        .map(|r| r.name().to_string())
        .next()
        .expect("an appointment today with a contact in the list");
    assert!(screen.contains(&format!("· {with}")), "{screen}");

    // `x`: gone from the queue at once, completed on the server once the outbox has sent it.
    d.key('x');
    assert!(!ids(&d.state).contains(&first.id().to_string()));
    d.until("sent", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    let client = common::client(&sb);
    let task = client
        .task(first.contact_id(), first.id())
        .await
        .expect("the task");
    assert_eq!(task.completed, Some(true), "completed on the server");
    // Asked again, the server no longer lists it either.
    d.key('r');
    d.until("the queue again", |s| {
        s.queue
            .tasks
            .ready()
            .is_some_and(|t| !t.iter().any(|x| x.id() == first.id()))
    })
    .await;

    // Everyone's: more, or as many.
    let mine = ids(&d.state).len();
    d.key('f');
    assert_eq!(d.state.queue.assignee, Assignee::Anyone);
    d.until("everyone's", |s| {
        s.queue.tasks.ready().is_some_and(|t| t.len() > mine)
    })
    .await;
    let all: HashSet<String> = ids(&d.state).into_iter().collect();
    let mut expected = open_tasks(&seed, None);
    expected.remove(first.id());
    assert_eq!(all, expected);
    d.key('F');
    assert!(
        d.state
            .queue
            .rows(d.state.now, d.state.zone)
            .iter()
            .all(|r| r.group == Group::Overdue)
    );
    d.key('F');

    // `Enter`: the task's contact, its Tasks pane on that task.
    let pick = d.state.queue.rows(d.state.now, d.state.zone)[1]
        .task
        .clone();
    d.key('j');
    d.send(ghl_tui::app::Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    )));
    assert!(!d.state.queue.open);
    assert_eq!(d.state.focus, Pane::Tasks);
    assert_eq!(d.state.selected_id(), Some(pick.contact_id()));
    d.until("its tasks", |s| {
        s.selected_extras()
            .is_some_and(|e| e.tasks.ready().is_some())
    })
    .await;
    let tasks = d
        .state
        .selected_extras()
        .and_then(|e| e.tasks.ready())
        .expect("tasks");
    let at = d.state.cursor(Pane::Tasks).selected;
    assert_eq!(
        tasks[at].id.as_deref(),
        Some(pick.id()),
        "the cursor on that task"
    );
    // Whose task it is, by name, not by id.
    let owner = tasks[at].assigned_to.clone().expect("assigned");
    d.until("the users", |s| s.users.contains_key(&owner)).await;
    let name = d.state.users[&owner].clone();
    let screen = common::screen_text(&d.state);
    assert!(screen.contains(&format!("for {name}")), "{screen}");
    assert!(!screen.contains(&owner), "no raw id: {screen}");
    // Who wrote a note: by name too.
    d.key('4');
    d.until("the notes", |s| {
        s.selected_extras()
            .is_some_and(|e| e.notes.ready().is_some())
    })
    .await;
    let notes = d
        .state
        .selected_extras()
        .and_then(|e| e.notes.ready())
        .cloned()
        .unwrap_or_default();
    let author = notes
        .first()
        .and_then(|n| n.user_id.clone())
        .expect("the demo contact has a note by a user");
    let screen = common::screen_text(&d.state);
    let name = d.state.user_name(&author).to_string();
    assert!(screen.contains(&format!("by {name}")), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_tasks_scope_the_queue_says_which_and_the_rest_works() {
    let Setup {
        mut d,
        sb: _sb,
        _dir,
        ..
    } = setup(NARROW_TOKEN).await;
    d.key('0');
    d.until("the refusal", |s| matches!(s.queue.tasks, Load::Failed(_)))
        .await;
    let said = d.state.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(said.contains("locations/tasks.readonly"), "{said}");
    assert!(!said.contains("401"), "never a raw 401: {said}");
    // The contacts still work.
    d.key('1');
    assert_eq!(d.state.focus, Pane::Contacts);
    assert!(!d.state.queue.open);
    assert!(!d.state.browse.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_logs_the_call_completes_notes_and_books_the_follow_up_in_order() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ghl_tui::app::state::Overlay;
    let Setup {
        sb,
        me,
        mut d,
        _dir,
        ..
    } = queue_open().await;
    let rows = d.state.queue.rows(d.state.now, d.state.zone);
    let (first, second) = (rows[0].task.clone(), rows[1].task.clone());
    drop(rows);

    d.key('D');
    let form = |d: &common::drive::Driver| match d.state.overlay() {
        Some(Overlay::Form(f)) => Some(f.clone()),
        _ => None,
    };
    let f = form(&d).expect("the disposition form");
    let text = |f: &ghl_tui::app::form::Form, k: &str| {
        f.fields
            .iter()
            .find(|x| x.key == k)
            .map(|x| x.text())
            .unwrap_or_default()
    };
    assert_eq!(text(&f, "outcome"), "No answer");
    assert!(
        text(&f, "body").contains(&first.contact_name),
        "{}",
        text(&f, "body")
    );
    assert_eq!(text(&f, "dueDate"), "+2d 10:00");
    // Another outcome: the note and the follow-up follow it; back again, as they were.
    let arrow = |c| ghl_tui::app::Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    d.send(arrow(KeyCode::Right));
    let f = form(&d).expect("form");
    assert_eq!(text(&f, "outcome"), "Left voicemail");
    assert!(
        text(&f, "body").contains("voicemail"),
        "{}",
        text(&f, "body")
    );
    assert_eq!(text(&f, "dueDate"), "+3d 10:00");
    d.send(arrow(KeyCode::Left));
    let f = form(&d).expect("form");
    assert_eq!(text(&f, "outcome"), "No answer");
    let note = text(&f, "body");

    // One key saves it all; the next task is under the cursor.
    let generation = d.state.queue.generation;
    d.ctrl('s');
    assert!(d.state.overlay().is_none(), "the form closed");
    assert_eq!(
        ghl_tui::app::update::queue_selected(&d.state).map(|t| t.id().to_string()),
        Some(second.id().to_string()),
        "the next call is on screen"
    );
    d.until("all three sent", |s| {
        s.pending.is_empty() && s.marks.is_empty()
    })
    .await;

    // Sent in order: once the follow-up is there, so are the others.
    let client = common::client(&sb);
    let wanted = format!("Follow up: {}", first.task.title.as_deref().unwrap_or(""));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let follow = loop {
        let tasks = client.tasks(first.contact_id()).await.expect("tasks");
        if let Some(t) = tasks
            .iter()
            .find(|t| t.title.as_deref() == Some(wanted.as_str()))
        {
            break t.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "the follow-up");
        d.pump(std::time::Duration::from_millis(50)).await;
    };
    let done = client
        .task(first.contact_id(), first.id())
        .await
        .expect("the task");
    assert_eq!(done.completed, Some(true));
    let notes = client.notes(first.contact_id()).await.expect("notes");
    assert!(
        notes.iter().any(|n| n.body.as_deref() == Some(note.trim())),
        "the note with the template's text"
    );
    // Two days on, at 10:00 on the user's clock (UTC here).
    let local = d.state.local_now();
    let expected = (local.date() + chrono::Duration::days(2))
        .and_hms_opt(10, 0, 0)
        .expect("time");
    assert_eq!(follow.due(), Some(expected));
    assert_eq!(follow.assigned_to.as_deref(), Some(me.as_str()));
    assert_eq!(follow.completed, Some(false));
    // The follow-up joined the queue from the server's answer, named, without reading the
    // whole queue again; the cursor stayed on the next call.
    d.until("the follow-up in the queue", |s| {
        ids(s)
            .iter()
            .any(|id| Some(id.as_str()) == follow.id.as_deref())
    })
    .await;
    assert_eq!(d.state.queue.generation, generation, "no new fetch");
    let row = d
        .state
        .queue
        .rows(d.state.now, d.state.zone)
        .into_iter()
        .find(|r| Some(r.task.id()) == follow.id.as_deref())
        .map(|r| r.task.contact_name.clone());
    assert_eq!(row.as_deref(), Some(first.contact_name.as_str()));
    assert_eq!(
        ghl_tui::app::update::queue_selected(&d.state).map(|t| t.id().to_string()),
        Some(second.id().to_string()),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_snoozes_a_task_to_a_friendly_date_and_the_queue_moves_it() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let Setup {
        sb, mut d, _dir, ..
    } = queue_open().await;
    let first = d.state.queue.rows(d.state.now, d.state.zone)[0]
        .task
        .clone();
    assert_eq!(
        d.state.queue.rows(d.state.now, d.state.zone)[0].group,
        Group::Overdue
    );

    d.key('s');
    // The line starts as `+1h`; typed over with a date of the user's.
    d.ctrl('u');
    for c in "tomorrow 9am".chars() {
        d.key(c);
    }
    d.send(ghl_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    assert!(d.state.overlay().is_none(), "Enter saved the one line");
    let moved = d
        .state
        .queue
        .rows(d.state.now, d.state.zone)
        .into_iter()
        .find(|r| r.task.id() == first.id())
        .map(|r| r.group);
    assert_eq!(moved, Some(Group::Tomorrow), "moved at once");
    d.until("sent", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    let task = common::client(&sb)
        .task(first.contact_id(), first.id())
        .await
        .expect("the task");
    let expected = (d.state.local_now().date() + chrono::Duration::days(1))
        .and_hms_opt(9, 0, 0)
        .expect("time");
    assert_eq!(
        task.due(),
        Some(expected),
        "due tomorrow 9:00 on the server"
    );
    assert_eq!(task.title, first.task.title, "its title kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_adds_a_task_or_a_note_for_the_contact_at_names() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ghl_tui::app::state::Overlay;
    let Setup {
        sb,
        me,
        mut d,
        _dir,
        ..
    } = setup(ghl_tui::sandbox::DEMO_TOKEN).await;
    let (id, name, email) = {
        let row = d
            .state
            .browse
            .rows()
            .find(|r| r.has_name() && r.reach().contains('@'))
            .expect("a contact with a name and an email");
        (
            row.id().to_string(),
            row.name().to_string(),
            row.reach().to_string(),
        )
    };
    let enter = || ghl_tui::app::Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let preview = |d: &common::drive::Driver| match d.state.overlay() {
        Some(Overlay::Form(f)) => f.quick.as_ref().map(|q| q.preview()),
        _ => None,
    };

    d.key('a');
    for c in format!("Call @{email} tmrw 3pm about the offer").chars() {
        d.key(c);
    }
    let said = preview(&d).expect("a preview");
    assert!(said.contains(&name) && said.contains("15:00"), "{said}");
    d.send(enter());
    assert!(d.state.overlay().is_none(), "{:?}", d.state.overlay());
    d.key('a');
    for c in format!("note @{email} Sent the contract").chars() {
        d.key(c);
    }
    assert!(preview(&d).is_some_and(|p| p.starts_with("Note for")));
    d.send(enter());
    // Neither write has a row on screen to mark: the server is asked until it has both.
    let client = common::client(&sb);
    let title = format!("Call {name} about the offer");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let (task, notes) = loop {
        // The outbox runs in this driver: its answers come back through it.
        d.until("the outbox idle", |s| s.pending.is_empty()).await;
        let tasks = client.tasks(&id).await.expect("tasks");
        let notes = client.notes(&id).await.expect("notes");
        let task = tasks
            .iter()
            .find(|t| t.title.as_deref() == Some(title.as_str()))
            .cloned();
        let noted = notes
            .iter()
            .any(|n| n.body.as_deref() == Some("Sent the contract"));
        if let (Some(task), true) = (task, noted) {
            break (task, notes);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{title:?} and the note"
        );
        d.pump(std::time::Duration::from_millis(50)).await;
    };
    let expected = (d.state.local_now().date() + chrono::Duration::days(1))
        .and_hms_opt(15, 0, 0)
        .expect("time");
    assert_eq!(task.due(), Some(expected));
    assert_eq!(task.assigned_to.as_deref(), Some(me.as_str()));
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.body.as_deref() == Some("Sent the contract"))
            .count(),
        1
    );

    // Nobody by that name: said, and nothing is sent.
    d.key('a');
    for c in "Call @zzqqxx tomorrow".chars() {
        d.key(c);
    }
    assert!(preview(&d).is_some_and(|p| p.contains("No contact matches")));
    d.send(enter());
    assert!(
        matches!(d.state.overlay(), Some(Overlay::Form(_))),
        "kept open"
    );
}

#[test]
fn configured_outcomes_are_what_d_offers() {
    use ghl_tui::app::form::{Form, FormKind, Outcome};
    let outcomes = vec![
        Outcome {
            name: "Gatekeeper".into(),
            note: "{outcome}: ask {name} for a time".into(),
            follow_up: "tomorrow 9am".into(),
        },
        Outcome {
            name: "Wrong number".into(),
            note: "{outcome} for {name}".into(),
            follow_up: String::new(),
        },
    ];
    let kind = FormKind::Disposition {
        contact_id: "c".into(),
        task_id: "t".into(),
        task_title: "Call".into(),
        name: "Ana".into(),
        assign_to: None,
    };
    let mut f = Form::disposition(kind, common::fixed_now(), &outcomes);
    let text = |f: &Form, k: &str| {
        f.fields
            .iter()
            .find(|x| x.key == k)
            .map(|x| x.text())
            .unwrap_or_default()
    };
    assert_eq!(text(&f, "outcome"), "Gatekeeper");
    assert_eq!(text(&f, "body"), "Gatekeeper: ask Ana for a time");
    assert_eq!(text(&f, "dueDate"), "tomorrow 9am");
    f.fields[0].cycle(true);
    f.outcome_changed("Gatekeeper");
    assert_eq!(text(&f, "body"), "Wrong number for Ana");
    assert_eq!(text(&f, "dueDate"), "");
    let ops = f.submit().expect("ops");
    assert_eq!(ops.len(), 2, "completed and noted, no follow-up: {ops:?}");
}

/// A session on the store and replica in `dir`, talking to `base`.
fn session_in(base_sb: &Sandbox, dir: &std::path::Path) -> Session {
    let local = common::local_store(dir);
    let path = dir.join("store.sqlite3");
    let client = ghl_tui::api::Client::new(common::config(
        base_sb,
        ghl_tui::sandbox::DEMO_TOKEN,
        base_sb.location_id(),
    ))
    .expect("client");
    let mut session = Session::new(client, local);
    session.replica =
        ghl_tui::session::open_replica(Some(&path), ghl_tui::session::CacheMode::Full);
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_queue_is_the_one_fetched_last_and_x_waits_in_the_outbox() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let me = me(&seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = |loc: &str| {
        let mut state = State::new("test", loc, common::fixed_now());
        state.size = (120, 40);
        state.me = Some(me.clone());
        state
    };
    let location = sb.location_id().to_string();
    let online = {
        let mut d = common::drive::Driver::start(session_in(&sb, dir.path()), fresh(&location));
        d.until("the list", |s| !s.browse.is_empty()).await;
        d.key('0');
        d.until("the queue", |s| s.queue.tasks.ready().is_some())
            .await;
        // Kept in the replica off the event loop: asked of the file until it is there.
        let (replica, _) = ghl_tui::store::Replica::open(&ghl_tui::store::replica_path(
            &dir.path().join("store.sqlite3"),
        ))
        .expect("the replica");
        let key = format!("~queue:{me}");
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while !matches!(replica.part(&key, "queue_tasks"), Ok(Some(_))) {
            assert!(tokio::time::Instant::now() < deadline, "the queue kept");
            d.pump(std::time::Duration::from_millis(50)).await;
        }
        ids(&d.state)
    };

    // A new start with the server there: the kept queue is on screen before the server's
    // answer (the first answer to arrive is the kept one), then the server's replaces it.
    {
        let mut d = common::drive::Driver::start(session_in(&sb, dir.path()), fresh(&location));
        d.key('0');
        d.until("the queue", |s| s.queue.tasks.ready().is_some())
            .await;
        assert!(d.state.queue.kept_from.is_some(), "the kept copy first");
        assert_eq!(ids(&d.state), online);
        let title = common::screen_text(&d.state);
        assert!(title.contains("as of"), "{title}");
        d.until("the server's answer", |s| s.queue.kept_from.is_none())
            .await;
        assert!(d.state.queue.fetched_at.is_some());
        // Five minutes on, the open queue is asked again by itself.
        let generation = d.state.queue.generation;
        let later = d.state.now + chrono::Duration::minutes(5);
        d.send(ghl_tui::app::Msg::Tick(later));
        assert_eq!(d.state.queue.generation, generation + 1, "refreshed");
        d.until("refreshed", |s| !s.queue.fetching).await;
    }

    // The server goes away; a new start shows the queue fetched last.
    let session = session_in(&sb, dir.path());
    drop(sb);
    let mut d = common::drive::Driver::start(session, fresh(&location));
    d.key('0');
    d.until("the queue, or its failure", |s| {
        !matches!(s.queue.tasks, Load::Loading | Load::Idle)
    })
    .await;
    assert_eq!(
        ids(&d.state),
        online,
        "the cached queue: {:?}",
        d.state.status
    );
    // A task completed offline waits in the outbox, and leaves the queue at once.
    d.key('x');
    assert_eq!(ids(&d.state).len(), online.len() - 1);
    d.until("recorded", |s| !s.pending.is_empty()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_work_due_the_app_opens_on_the_queue_unless_the_user_has_begun() {
    use ghl_tui::app::queue::StartView;
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::new("test", sb.location_id(), common::fixed_now());
    state.size = (120, 40);
    state.me = Some(me(&seed));
    state.start_view = StartView::Auto;
    let mut d = common::drive::Driver::start(session_in(&sb, dir.path()), state);
    d.until("the queue, by itself", |s| {
        s.queue.open && s.focus == Pane::Queue
    })
    .await;

    // A key before the answer: the user has begun, and the list stays.
    let mut s = State::new("test", sb.location_id(), common::fixed_now());
    s.size = (120, 40);
    s.start_view = StartView::Auto;
    let fx = ghl_tui::app::init(&mut s);
    let generation = fx
        .iter()
        .find_map(|e| match e {
            ghl_tui::app::Effect::FetchQueue { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("the queue asked for at start");
    common::update(
        &mut s,
        ghl_tui::app::Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('j'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let tasks = common::client(&sb)
        .location_tasks(&ghl_tui::api::TaskFilter {
            completed: Some(false),
            assigned_to: Vec::new(),
        })
        .await
        .expect("tasks");
    common::update(
        &mut s,
        ghl_tui::app::Msg::QueueTasks {
            generation,
            result: Ok(tasks),
        },
    );
    assert!(!s.queue.open);
    assert_eq!(s.focus, Pane::Contacts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_show_the_contacts_clock_c_puts_callable_first_and_f_goes_round_the_users() {
    use ghl_tui::app::callable::{clock_in, rank};
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let me = me(&seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::new("test", sb.location_id(), common::fixed_now());
    state.size = (120, 40);
    state.me = Some(me.clone());
    let mut d = common::drive::Driver::start(session_in(&sb, dir.path()), state);
    // The contacts' timezones come from the replica: after the first sync.
    d.until("the first sync", |s| s.sync.complete).await;
    d.until("the users", |s| s.users.len() > 1).await;
    d.key('0');
    d.until("the queue", |s| s.queue.tasks.ready().is_some())
        .await;
    d.until("the clocks, from the replica", |s| {
        s.queue
            .tasks
            .ready()
            .is_some_and(|t| t.iter().any(|t| t.timezone.is_some()))
    })
    .await;

    let zone_of = |cid: &str| {
        seed.contacts
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(cid))
            .and_then(|c| c.get("timezone")?.as_str())
            .map(str::to_string)
    };
    let rows = d.state.queue.rows(d.state.now, d.state.zone);
    let mut known = 0;
    for r in &rows {
        let zone = zone_of(r.task.contact_id());
        assert_eq!(r.task.timezone, zone, "{}", r.task.id());
        if let Some(z) = zone {
            let expected = clock_in(&z, r.task.dnd, d.state.now).expect("a zone");
            assert_eq!(r.clock, Some(expected));
            known += 1;
        }
    }
    assert!(known > 0, "the demo's contacts have timezones");
    assert!(
        rows.iter().any(|r| r.clock.is_some_and(|k| !k.callable())),
        "at noon UTC some of the demo's contacts are asleep"
    );
    let by_due: Vec<String> = ids(&d.state);
    drop(rows);

    // `c`: within each group, whom to call now first; the same tasks.
    d.key('c');
    let rows = d.state.queue.rows(d.state.now, d.state.zone);
    for w in rows.windows(2) {
        if w[0].group == w[1].group {
            assert!(
                rank(w[0].clock.as_ref()) <= rank(w[1].clock.as_ref()),
                "{:?} before {:?}",
                w[0].clock,
                w[1].clock
            );
        }
    }
    let mut sorted = ids(&d.state);
    assert_ne!(sorted, by_due, "the demo's order changes");
    sorted.sort();
    let mut all = by_due.clone();
    all.sort();
    assert_eq!(sorted, all);
    drop(rows);

    // `f` goes round: everyone's, then each other user's by name, then mine.
    let mut others: Vec<(String, String)> = d
        .state
        .users
        .iter()
        .filter(|(id, _)| **id != me)
        .map(|(id, n)| (n.to_lowercase(), id.clone()))
        .collect();
    others.sort();
    d.key('f');
    assert_eq!(d.state.queue.assignee, Assignee::Anyone);
    for (_, user) in &others {
        d.key('f');
        assert_eq!(d.state.queue.assignee, Assignee::User(user.clone()));
        let expected = open_tasks(&seed, Some(user));
        d.until("that user's tasks", |s| {
            s.queue.tasks.ready().is_some()
                && ids(s).into_iter().collect::<HashSet<_>>() == expected
        })
        .await;
        let title = common::screen_text(&d.state);
        let name = &d.state.users[user];
        assert!(title.contains(&format!("{name}'s")), "{title}");
    }
    d.key('f');
    assert_eq!(d.state.queue.assignee, Assignee::Me);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_at_word_that_matches_several_is_picked_with_tab() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ghl_tui::app::state::Overlay;
    let Setup {
        sb, mut d, _dir, ..
    } = setup(ghl_tui::sandbox::DEMO_TOKEN).await;
    let quick = |d: &common::drive::Driver| match d.state.overlay() {
        Some(Overlay::Form(f)) => f.quick.clone(),
        _ => None,
    };
    let key = |code| ghl_tui::app::Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    // A word many of the demo's contacts share.
    d.key('a');
    for c in "Call @an tmrw 10am about renewal".chars() {
        d.key(c);
    }
    let q = quick(&d).expect("a reading");
    assert!(q.matches.len() > 2, "{:?}", q.matches);
    assert_eq!(q.pick, 0);
    let second = q.matches[1].clone();
    let screen = common::screen_text(&d.state);
    for (_, name, _) in &q.matches {
        assert!(screen.contains(name.as_str()), "{name} offered:\n{screen}");
    }
    d.send(key(KeyCode::Tab));
    d.send(key(KeyCode::Tab));
    d.send(ghl_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    let q = quick(&d).expect("a reading");
    assert_eq!(q.pick, 1);
    assert_eq!(q.who.as_ref().map(|w| &w.0), Some(&second.0));
    assert!(q.preview().contains("2 of"), "{}", q.preview());
    // Typing on keeps the pick while the `@` word is the same.
    for c in " soon".chars() {
        d.key(c);
    }
    assert_eq!(quick(&d).map(|q| q.pick), Some(1));
    d.send(key(KeyCode::Enter));
    assert!(d.state.overlay().is_none(), "{:?}", d.state.overlay());
    let client = common::client(&sb);
    let title = format!("Call {} about renewal soon", second.1);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        d.until("the outbox idle", |s| s.pending.is_empty()).await;
        let tasks = client.tasks(&second.0).await.expect("tasks");
        if tasks
            .iter()
            .any(|t| t.title.as_deref() == Some(title.as_str()))
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{title:?}");
        d.pump(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nobody_known_the_queue_asks_who_once_and_remembers() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ghl_tui::app::state::Overlay;
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = || {
        let mut state = State::new("test", sb.location_id(), common::fixed_now());
        state.size = (120, 40);
        state
    };
    let key = |code| ghl_tui::app::Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let session = session_in(&sb, dir.path());
    assert_eq!(session.remembered_me().await, None);
    let mut d = common::drive::Driver::start(session, fresh());
    d.until("the list", |s| !s.browse.is_empty()).await;
    d.key('0');
    d.until("the question", |s| {
        matches!(s.overlay(), Some(Overlay::WhoAmI { .. }))
    })
    .await;
    let Some(Overlay::WhoAmI { users, .. }) = d.state.overlay() else {
        unreachable!("waited for it")
    };
    assert_eq!(users.len(), seed.users.len(), "every user offered");
    let screen = common::screen_text(&d.state);
    assert!(screen.contains("Who are you?"), "{screen}");
    let (id, name) = users[1].clone();
    assert!(screen.contains(name.as_str()), "{screen}");
    // Esc: everyone's for now, and it is not asked again this session.
    d.send(key(KeyCode::Esc));
    assert!(d.state.overlay().is_none());
    assert_eq!(d.state.me, None);
    d.key('1');
    d.key('0');
    assert!(d.state.overlay().is_none(), "asked once a session");
    drop(d);

    // A new session asks again; picking one makes the queue theirs, and it is remembered.
    let mut d = common::drive::Driver::start(session_in(&sb, dir.path()), fresh());
    d.until("the list", |s| !s.browse.is_empty()).await;
    d.key('0');
    d.until("the question", |s| {
        matches!(s.overlay(), Some(Overlay::WhoAmI { .. }))
    })
    .await;
    d.key('j');
    d.send(key(KeyCode::Enter));
    assert_eq!(d.state.me.as_deref(), Some(id.as_str()));
    let expected = open_tasks(&seed, Some(&id));
    d.until("their tasks", |s| {
        s.queue.tasks.ready().is_some() && ids(s).into_iter().collect::<HashSet<_>>() == expected
    })
    .await;
    // Kept on the store's thread: asked of the file, as a new start would, until it is there.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while session_in(&sb, dir.path()).remembered_me().await.as_deref() != Some(id.as_str()) {
        assert!(tokio::time::Instant::now() < deadline, "remembered");
        d.pump(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_in_the_queue_selects_that_task_and_the_wheel_moves_in_it() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut s = queue_open().await;
    let d = &mut s.d;
    // Drawn once, so the view has said where its rows are.
    for fx in common::drawn(&mut d.state) {
        drop(fx);
    }
    // A task a few rows down whose title begins only one line on screen (titles are cut to
    // the room): its row is looked for on the screen itself.
    let screen = common::screen_text(&d.state);
    let rows = d.state.queue.rows(d.state.now, d.state.zone);
    let (target, y) = rows[2..]
        .iter()
        .filter_map(|r| {
            let title = r.task.task.title.clone()?;
            let head: String = title.chars().take(10).collect();
            let lines: Vec<usize> = screen
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(head.as_str()))
                .map(|(y, _)| y)
                .collect();
            (lines.len() == 1).then(|| (title, lines[0] as u16))
        })
        .next()
        .expect("a task on screen");
    drop(rows);
    let mouse = |kind, row| {
        ghl_tui::app::Msg::Mouse(MouseEvent {
            kind,
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let list_before = d.state.list.selected;
    d.send(mouse(MouseEventKind::Down(MouseButton::Left), y));
    assert_eq!(d.state.focus, Pane::Queue);
    let picked = ghl_tui::app::update::queue_selected(&d.state).expect("a task");
    assert_eq!(picked.task.title.as_deref(), Some(target.as_str()));
    assert_eq!(d.state.list.selected, list_before, "the hidden list stays");
    let at = d.state.queue.selected;
    d.send(mouse(MouseEventKind::ScrollDown, y));
    assert_eq!(d.state.queue.selected, at + 3);
}
