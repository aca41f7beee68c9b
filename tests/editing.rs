//! The editing flows in the state machine: keys open overlays, validation stops bad input
//! before anything is sent, changes show at once, and the server's answer settles them.

mod common;

use common::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ghl_tui::api::{ApiError, Applied, ContactPage, Note, NoteInput, Task, WriteOp};
use ghl_tui::app::state::{Load, Overlay, PendingView};
use ghl_tui::app::{Effect, Msg, Pane, State, init};
use ghl_tui::sync::Sent;
use serde_json::json;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(k: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(c))).collect()
}

fn writes(fx: &[Effect]) -> Vec<WriteOp> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Write { ops, .. } => Some(ops.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn task(id: &str, title: &str, done: bool) -> Task {
    Task {
        id: Some(id.into()),
        title: Some(title.into()),
        due_date: Some("2026-11-25T09:00:00.000Z".into()),
        completed: Some(done),
        contact_id: Some("c0".into()),
        ..Default::default()
    }
}

/// Contacts loaded, c0 selected, its tasks and notes loaded.
fn ready() -> State {
    let mut s = State::new("test", "Loc1", common::fixed_now());
    update(&mut s, Msg::Resize(100, 30));
    let Some(Effect::FetchPage {
        generation,
        request,
    }) = init(&mut s).into_iter().next()
    else {
        panic!("fetch")
    };
    let page = ContactPage {
        contacts: common::people(0..5),
        total: Some(5),
        meta: None,
    };
    update(
        &mut s,
        Msg::Page {
            generation,
            request,
            result: Ok(page),
        },
    );
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Ok(vec![
                task("t1", "Call back", false),
                task("t2", "Send comps", true),
            ]),
        },
    );
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Ok(vec![]),
        },
    );
    s
}

fn synced(s: &mut State, sent: Vec<Sent>, pending: Vec<PendingView>) -> Vec<Effect> {
    update(s, Msg::Synced { sent, pending })
}

fn notes(s: &State) -> Vec<Note> {
    s.extras
        .get("c0")
        .and_then(|e| e.notes.ready())
        .cloned()
        .unwrap_or_default()
}

fn tasks(s: &State) -> Vec<Task> {
    s.extras
        .get("c0")
        .and_then(|e| e.tasks.ready())
        .cloned()
        .unwrap_or_default()
}

#[test]
fn x_completes_the_task_at_once_and_the_server_confirms_it() {
    let mut s = ready();
    update(&mut s, key('3'));
    let fx = update(&mut s, key('x'));
    let ops = writes(&fx);
    assert_eq!(
        ops,
        vec![WriteOp::CompleteTask {
            contact_id: "c0".into(),
            task_id: "t1".into(),
            completed: true
        }]
    );
    assert!(
        tasks(&s)[0].is_done(),
        "shown done before the server answers"
    );
    assert!(s.marks.contains("t1"), "and marked as on its way");
    let server = task("t1", "Call back", true);
    synced(
        &mut s,
        vec![Sent::Confirmed {
            id: 1,
            op: ops[0].clone(),
            applied: Applied::Task(server.clone()),
        }],
        vec![],
    );
    assert!(!s.marks.contains("t1"));
    assert_eq!(tasks(&s)[0], server);
}

#[test]
fn space_reopens_a_done_task() {
    let mut s = ready();
    update(&mut s, key('3'));
    update(&mut s, key('j')); // done tasks sort after open ones
    let ops = writes(&update(&mut s, key(' ')));
    assert_eq!(
        ops,
        vec![WriteOp::CompleteTask {
            contact_id: "c0".into(),
            task_id: "t2".into(),
            completed: false
        }]
    );
}

#[test]
fn a_change_that_has_to_wait_says_so_and_retries_later() {
    let mut s = ready();
    update(&mut s, key('3'));
    update(&mut s, key('x'));
    let pending = vec![PendingView {
        id: 1,
        contact_id: None,
        what: "complete task".into(),
        attempts: 1,
        error: Some("Network error".into()),
        waits_for: None,
        aside: None,
        op: None,
    }];
    let fx = synced(
        &mut s,
        vec![Sent::Held {
            id: 1,
            error: ApiError::Network {
                message: "down".into(),
            },
        }],
        pending,
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::ReplayAfter(_))),
        "{fx:?}"
    );
    let status = s.status.clone().expect("status");
    assert!(
        status.text.contains("1 change waiting") && status.text.contains("o lists them"),
        "{status:?}"
    );
    assert!(
        tasks(&s)[0].is_done(),
        "the change stays on screen while it waits"
    );
    // The list of waiting changes opens with o.
    update(&mut s, key('o'));
    assert!(matches!(s.overlay(), Some(Overlay::Pending { .. })));
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(fx.contains(&Effect::Replay), "Enter sends now");
}

#[test]
fn a_refused_change_is_undone_and_the_text_comes_back() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Wants a viewing");
    let fx = update(&mut s, ctrl('s'));
    let ops = writes(&fx);
    assert_eq!(ops.len(), 1);
    let notes = s
        .extras
        .get("c0")
        .and_then(|e| e.notes.ready())
        .cloned()
        .unwrap_or_default();
    assert_eq!(notes.len(), 1, "the note shows at once");
    let local = notes[0].id.clone().expect("id");
    assert!(s.marks.contains(&local));
    let error = ApiError::Validation {
        status: 422,
        messages: vec!["body is too long".into()],
    };
    let fx = synced(
        &mut s,
        vec![Sent::Rejected {
            id: 1,
            op: ops[0].clone(),
            error,
        }],
        vec![],
    );
    let status = s.status.clone().expect("status");
    assert!(
        status.error && status.text.contains("body is too long"),
        "{status:?}"
    );
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("the editor reopens: {:?}", s.modal)
    };
    assert_eq!(
        form.field("body").map(|f| f.text()).as_deref(),
        Some("Wants a viewing")
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadContact { .. })),
        "the server's version is fetched again"
    );
}

#[test]
fn a_confirmed_note_replaces_its_placeholder() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Hello");
    let ops = writes(&update(&mut s, ctrl('s')));
    let server = Note {
        id: Some("srv1".into()),
        body: Some("Hello".into()),
        ..Default::default()
    };
    synced(
        &mut s,
        vec![Sent::Confirmed {
            id: 1,
            op: ops[0].clone(),
            applied: Applied::Note(server.clone()),
        }],
        vec![],
    );
    assert_eq!(notes(&s), vec![server]);
    assert!(s.marks.is_empty());
}

/// A reload that was on its way when the note was saved lands first and wipes the placeholder
/// (the outbox had not listed the change yet): the server's note still shows once confirmed.
#[test]
fn a_confirmed_note_shows_even_if_a_reload_took_its_placeholder() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Hello");
    let ops = writes(&update(&mut s, ctrl('s')));
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Ok(vec![]),
        },
    );
    let server = Note {
        id: Some("srv1".into()),
        body: Some("Hello".into()),
        ..Default::default()
    };
    let confirm = || Sent::Confirmed {
        id: 1,
        op: ops[0].clone(),
        applied: Applied::Note(server.clone()),
    };
    synced(&mut s, vec![confirm()], vec![]);
    assert_eq!(notes(&s), vec![server.clone()]);
    // Told twice (a replay that went round again), it still shows once.
    synced(&mut s, vec![confirm()], vec![]);
    assert_eq!(notes(&s), vec![server]);
}

#[test]
fn the_task_form_reads_friendly_dates_and_refuses_bad_ones() {
    let mut s = ready();
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    typed(&mut s, "Send contract");
    update(&mut s, code(KeyCode::Tab));
    // Clear the suggested due date and type one that makes no sense.
    for _ in 0..20 {
        update(&mut s, code(KeyCode::Backspace));
    }
    typed(&mut s, "someday");
    let fx = update(&mut s, ctrl('s'));
    assert!(writes(&fx).is_empty(), "nothing is sent");
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("form stays open")
    };
    let error = form
        .field("dueDate")
        .and_then(|f| f.error.clone())
        .expect("error beside the field");
    assert!(error.contains("someday"), "{error}");
    for _ in 0..7 {
        update(&mut s, code(KeyCode::Backspace));
    }
    typed(&mut s, "tomorrow 15:00");
    let ops = writes(&update(&mut s, ctrl('s')));
    let [WriteOp::CreateTask { contact_id, input }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(contact_id, "c0");
    assert_eq!(input.title.as_deref(), Some("Send contract"));
    assert_eq!(input.completed, Some(false));
    let due = input
        .due_date
        .as_deref()
        .and_then(ghl_tui::api::time::parse)
        .expect("ISO due date");
    // The state's zone is UTC here, so the typed time is the UTC time, whatever the machine's.
    assert_eq!(due.format("%Y-%m-%d %H:%M").to_string(), "2026-11-23 15:00");
}

#[test]
fn the_contact_form_checks_email_and_phone_beside_the_fields() {
    let mut s = ready();
    update(&mut s, key('1'));
    update(&mut s, key('n'));
    typed(&mut s, "Ana");
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Tab));
    typed(&mut s, "ana@");
    update(&mut s, code(KeyCode::Tab));
    typed(&mut s, "12");
    assert!(writes(&update(&mut s, ctrl('s'))).is_empty());
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("form stays open")
    };
    assert!(form.field("email").and_then(|f| f.error.clone()).is_some());
    assert!(form.field("phone").and_then(|f| f.error.clone()).is_some());
    assert_eq!(
        form.fields[form.focus].key, "email",
        "focus goes to the first problem"
    );
}

#[test]
fn editing_a_contact_sends_only_what_changed_and_never_the_company() {
    let mut s = ready();
    update(
        &mut s,
        Msg::Contact {
            id: "c0".into(),
            result: Ok(common::people(0..1).remove(0)),
        },
    );
    update(&mut s, key('2'));
    update(&mut s, key('e'));
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("edit form")
    };
    assert!(
        form.field("companyName").is_some_and(|f| f.locked),
        "company is read-only on edit"
    );
    // Move to phone (first, last, email, phone) and type one.
    for _ in 0..3 {
        update(&mut s, code(KeyCode::Tab));
    }
    typed(&mut s, "+14155550100");
    let ops = writes(&update(&mut s, ctrl('s')));
    let [WriteOp::UpdateContact { id, input }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(id, "c0");
    assert_eq!(
        serde_json::to_value(input).expect("json"),
        json!({"phone": "+14155550100"})
    );
}

#[test]
fn delete_asks_first_and_names_what_goes() {
    let mut s = ready();
    update(&mut s, key('3'));
    let fx = update(&mut s, key('d'));
    assert!(writes(&fx).is_empty());
    let Some(Overlay::Confirm { prompt, .. }) = s.overlay() else {
        panic!("question")
    };
    assert!(prompt.contains("Call back"), "{prompt}");
    update(&mut s, key('n'));
    assert!(s.overlay().is_none() && tasks(&s).len() == 2, "n keeps it");
    update(&mut s, key('d'));
    let ops = writes(&update(&mut s, key('y')));
    assert_eq!(
        ops,
        vec![WriteOp::DeleteTask {
            contact_id: "c0".into(),
            task_id: "t1".into()
        }]
    );
    assert_eq!(tasks(&s).len(), 1, "gone from the screen at once");
}

#[test]
fn esc_asks_before_throwing_away_typed_text() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "half a thought");
    update(&mut s, code(KeyCode::Esc));
    assert!(matches!(s.overlay(), Some(Overlay::Discard(_))));
    update(&mut s, key('n'));
    assert!(
        matches!(s.overlay(), Some(Overlay::Form(_))),
        "n goes back to the text"
    );
    update(&mut s, code(KeyCode::Esc));
    let fx = update(&mut s, key('y'));
    assert!(s.overlay().is_none());
    assert!(fx.iter().any(|e| matches!(e, Effect::DiscardDraft { .. })));
}

/// Ctrl-C while "Discard your changes?" is asked, with a change waiting: the quit question
/// comes, and answering no brings the text back on screen (not only as a draft).
#[test]
fn ctrl_c_at_the_discard_question_keeps_the_form() {
    let mut s = ready();
    s.pending = vec![common::waiting(9, "New note", None)];
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "half a thought");
    update(&mut s, code(KeyCode::Esc));
    assert!(matches!(s.overlay(), Some(Overlay::Discard(_))));
    let fx = update(&mut s, ctrl('c'));
    assert!(!fx.contains(&Effect::Quit));
    assert!(
        matches!(s.overlay(), Some(Overlay::Ask { .. })),
        "{:?}",
        s.modal
    );
    update(&mut s, key('n'));
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("the form is back: {:?}", s.modal)
    };
    assert!(form.draft().to_string().contains("half a thought"));
}

#[test]
fn typing_saves_a_draft_that_comes_back_after_a_restart() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    let fx = typed(&mut s, "Do not lose me");
    let Some(Effect::SaveDraft { key, payload, .. }) = fx
        .iter()
        .rev()
        .find(|e| matches!(e, Effect::SaveDraft { .. }))
        .cloned()
    else {
        panic!("no draft saved")
    };
    assert_eq!(key, "note:new:c0");
    // A new process: the draft is offered, and Enter reopens it with the text.
    let mut fresh = ready();
    update(&mut fresh, Msg::Drafts(vec![(key, payload)]));
    assert!(matches!(fresh.overlay(), Some(Overlay::Drafts { .. })));
    update(&mut fresh, code(KeyCode::Enter));
    let Some(Overlay::Form(form)) = fresh.overlay() else {
        panic!("form")
    };
    assert_eq!(
        form.field("body").map(|f| f.text()).as_deref(),
        Some("Do not lose me")
    );
    assert!(form.changed(), "closing a restored draft asks first");
}

#[test]
fn tags_are_added_with_completion_and_removed_from_a_list() {
    let mut s = ready();
    let mut tagged = common::people(0..1).remove(0);
    tagged.tags = vec!["first-time buyer".into(), "vip".into()];
    update(
        &mut s,
        Msg::Contact {
            id: "c0".into(),
            result: Ok(tagged.clone()),
        },
    );
    let mut other = s.browse.contact(1).expect("a second contact");
    other.tags = vec!["investor".into()];
    s.browse.set(1, &other, None);
    // Tags of contacts not loaded come from the location's list.
    update(&mut s, Msg::LocationTags(Ok(vec!["relocation".into()])));
    update(&mut s, key('t'));
    typed(&mut s, "relo");
    update(&mut s, code(KeyCode::Tab));
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("tag form")
    };
    assert_eq!(f.fields[0].text(), "relocation");
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));
    update(&mut s, key('t'));
    typed(&mut s, "inv");
    update(&mut s, code(KeyCode::Tab));
    let ops = writes(&update(&mut s, ctrl('s')));
    assert_eq!(
        ops,
        vec![WriteOp::AddTags {
            id: "c0".into(),
            tags: vec!["investor".into()]
        }]
    );
    assert!(
        s.selected_detail()
            .is_some_and(|c| c.tags.contains(&"investor".to_string()))
    );
    update(&mut s, key('T'));
    let Some(Overlay::RemoveTag { tags, .. }) = s.overlay() else {
        panic!("tag list")
    };
    assert_eq!(tags.len(), 3);
    update(&mut s, key('j'));
    let ops = writes(&update(&mut s, code(KeyCode::Enter)));
    assert_eq!(
        ops,
        vec![WriteOp::RemoveTags {
            id: "c0".into(),
            tags: vec!["vip".into()]
        }]
    );
}

#[test]
fn appointments_are_read_only_and_say_so() {
    let mut s = ready();
    update(&mut s, key('5'));
    update(&mut s, key('n'));
    assert!(s.overlay().is_none());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("calendar"))
    );
    assert_eq!(s.focus, Pane::Appointments);
}

#[test]
fn a_note_is_written_in_the_external_editor() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "draft");
    let fx = update(&mut s, ctrl('e'));
    // The draft is kept at once, before the terminal is handed over.
    assert!(
        matches!(&fx[..], [Effect::SaveDraft { now: true, .. }, Effect::OpenEditor { text }] if text == "draft"),
        "{fx:?}"
    );
    update(
        &mut s,
        Msg::EditorDone(Ok("From vim\nsecond line\n".into())),
    );
    let ops = writes(&update(&mut s, ctrl('s')));
    assert_eq!(
        ops,
        vec![WriteOp::CreateNote {
            contact_id: "c0".into(),
            input: NoteInput {
                body: Some("From vim\nsecond line".into()),
                ..Default::default()
            }
        }]
    );
    assert!(matches!(s.extras.get("c0").map(|e| &e.notes), Some(Load::Ready(n)) if n.len() == 1));
}

#[test]
fn the_contact_form_sets_dnd_per_channel_and_custom_fields_by_name() {
    use ghl_tui::api::CustomFieldDef;
    let mut s = ready();
    let def = |id: &str, name: &str| CustomFieldDef {
        id: Some(id.into()),
        name: Some(name.into()),
        ..Default::default()
    };
    update(
        &mut s,
        Msg::Fields(Ok(vec![
            def("f-budget", "Budget"),
            def("f-area", "Preferred area"),
        ])),
    );
    update(&mut s, key('1'));
    update(&mut s, key('n'));
    typed(&mut s, "Ana");
    let focus_on = |s: &mut State, wanted: &str| {
        for _ in 0..40 {
            let Some(Overlay::Form(f)) = s.overlay() else {
                panic!("form")
            };
            if f.fields[f.focus].key == wanted {
                return;
            }
            update(s, code(KeyCode::Tab));
        }
        panic!("no field {wanted}");
    };
    focus_on(&mut s, "dnd.SMS");
    update(&mut s, key(' '));
    focus_on(&mut s, "cf.f-budget");
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    assert_eq!(
        f.fields[f.focus].label, "Budget",
        "custom fields show by name"
    );
    typed(&mut s, "650000");
    let ops = writes(&update(&mut s, ctrl('s')));
    let [WriteOp::CreateContact { input }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    let body = input.create_body("Loc1");
    // Every channel is said for a new contact, so its record (and its details) has them all.
    assert_eq!(
        body["dndSettings"],
        json!({
            "Call": {"status": "inactive"},
            "Email": {"status": "inactive"},
            "FB": {"status": "inactive"},
            "GMB": {"status": "inactive"},
            "SMS": {"status": "active"},
            "WhatsApp": {"status": "inactive"}
        }),
    );
    assert_eq!(
        body["customFields"],
        json!([{"id": "f-budget", "field_value": "650000"}])
    );
    assert_eq!(body["firstName"], "Ana");
}

#[test]
fn required_fields_are_checked_before_sending() {
    let mut s = ready();
    // An empty note.
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "   ");
    assert!(writes(&update(&mut s, ctrl('s'))).is_empty());
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    assert!(f.field("body").and_then(|f| f.error.clone()).is_some());
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));
    // A task without a title.
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    assert!(writes(&update(&mut s, ctrl('s'))).is_empty());
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    assert_eq!(
        f.field("title").and_then(|f| f.error.clone()).as_deref(),
        Some("a title is needed")
    );
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));
    // A contact with nothing to know them by, and a website with a space.
    update(&mut s, key('1'));
    update(&mut s, key('n'));
    for _ in 0..10 {
        update(&mut s, code(KeyCode::Tab));
    }
    typed(&mut s, "www.example .com");
    assert!(writes(&update(&mut s, ctrl('s'))).is_empty());
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    assert!(
        f.field("firstName")
            .and_then(|f| f.error.clone())
            .is_some_and(|e| e.contains("name, email or phone"))
    );
    assert!(f.field("website").and_then(|f| f.error.clone()).is_some());
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));
    // An empty tag.
    update(&mut s, key('t'));
    assert!(writes(&update(&mut s, ctrl('s'))).is_empty());
}

#[test]
fn a_read_only_token_keeps_the_change_and_says_how_to_fix_it() {
    let mut s = ready();
    update(&mut s, key('3'));
    update(&mut s, key('x'));
    let pending = vec![PendingView {
        id: 1,
        contact_id: None,
        what: "complete task".into(),
        attempts: 1,
        error: None,
        waits_for: None,
        aside: None,
        op: None,
    }];
    let error = ApiError::MissingScope {
        message: "The token is not authorized for this scope.".into(),
    };
    synced(&mut s, vec![Sent::Held { id: 1, error }], pending);
    let status = s.status.clone().expect("status");
    assert!(
        status.text.contains("read-only") && status.text.contains("ghl-tui login --write"),
        "{status:?}"
    );
    assert_eq!(s.pending.len(), 1, "the change is kept");
}

#[test]
fn a_refused_change_reopens_under_its_own_draft_key_and_saving_clears_it() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Second try");
    let ops = writes(&update(&mut s, ctrl('s')));
    let error = ApiError::Validation {
        status: 422,
        messages: vec!["nope".into()],
    };
    synced(
        &mut s,
        vec![Sent::Rejected {
            id: 7,
            op: ops[0].clone(),
            error,
        }],
        vec![],
    );
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("form")
    };
    assert_eq!(
        form.draft_key(),
        "rejected:7",
        "the draft stored with the refusal"
    );
    assert!(
        form.title.contains("not saved: Rejected: nope"),
        "{}",
        form.title
    );
    assert!(s.marks.is_empty(), "no placeholder left marked");
    let fx = update(&mut s, ctrl('s'));
    // The draft goes in the same transaction that records the write again.
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Write { draft: Some(k), .. } if k == "rejected:7")),
        "{fx:?}"
    );
    assert_eq!(writes(&fx).len(), 1, "sent again");
}

#[test]
fn a_refused_contact_edit_sends_a_cleared_field_again() {
    use ghl_tui::api::ContactInput;
    let op = WriteOp::UpdateContact {
        id: "c0".into(),
        input: ContactInput {
            phone: Some(String::new()),
            city: Some("Porto".into()),
            ..Default::default()
        },
    };
    let mut form = ghl_tui::app::form::Form::from_op(
        &op,
        common::fixed_now(),
        chrono::FixedOffset::east_opt(0).expect("utc"),
    )
    .expect("form");
    let ops = form.submit().expect("valid");
    let [WriteOp::UpdateContact { input, .. }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(
        serde_json::to_value(input).expect("json"),
        json!({"phone": "", "city": "Porto"}),
        "exactly what the refused write carried, the cleared phone included"
    );
}

#[test]
fn a_waiting_change_can_be_taken_back_to_edit() {
    let mut s = ready();
    let pending = vec![PendingView {
        id: 3,
        contact_id: None,
        what: "new note “x”".into(),
        attempts: 2,
        error: Some("503".into()),
        waits_for: None,
        aside: None,
        op: None,
    }];
    synced(
        &mut s,
        vec![Sent::Held {
            id: 3,
            error: ApiError::Timeout,
        }],
        pending,
    );
    update(&mut s, key('o'));
    let fx = update(&mut s, key('D'));
    assert_eq!(fx, vec![Effect::Withdraw { id: 3 }]);
}

#[test]
fn only_one_retry_timer_runs_however_often_a_change_waits() {
    let mut s = ready();
    let held = || {
        vec![Sent::Held {
            id: 1,
            error: ApiError::Timeout,
        }]
    };
    let pending = || {
        vec![PendingView {
            id: 1,
            contact_id: None,
            what: "x".into(),
            attempts: 1,
            error: None,
            waits_for: None,
            aside: None,
            op: None,
        }]
    };
    let timers = |fx: &[Effect]| {
        fx.iter()
            .filter(|e| matches!(e, Effect::ReplayAfter(_)))
            .count()
    };
    assert_eq!(timers(&synced(&mut s, held(), pending())), 1);
    assert_eq!(
        timers(&synced(&mut s, held(), pending())),
        0,
        "one already runs"
    );
    assert_eq!(update(&mut s, Msg::ReplayDue), vec![Effect::Replay]);
    assert_eq!(
        timers(&synced(&mut s, held(), pending())),
        1,
        "the next one after it fired"
    );
}

#[test]
fn waiting_changes_stay_on_screen_when_the_data_reloads() {
    let mut s = ready();
    update(&mut s, key('3'));
    let ops = writes(&update(&mut s, key('x')));
    let pending = vec![PendingView {
        id: 1,
        contact_id: Some("c0".into()),
        what: "complete task".into(),
        attempts: 1,
        error: Some("Network error".into()),
        waits_for: None,
        aside: None,
        op: Some(ops[0].clone()),
    }];
    synced(
        &mut s,
        vec![Sent::Held {
            id: 1,
            error: ApiError::Timeout,
        }],
        pending,
    );
    // `r`: the server's (old) tasks come back; the waiting change is shown over them again.
    update(&mut s, key('r'));
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Ok(vec![
                task("t1", "Call back", false),
                task("t2", "Send comps", true),
            ]),
        },
    );
    assert!(
        tasks(&s)[0].is_done(),
        "still shown done while the change waits"
    );
    assert!(s.marks.contains("t1"));
    assert_eq!(tasks(&s).len(), 2, "nothing doubled");
}

#[test]
fn a_contact_created_before_a_restart_shows_once_while_it_waits() {
    use ghl_tui::api::ContactInput;
    let mut s = ready();
    let op = WriteOp::CreateContact {
        input: ContactInput {
            first_name: Some("Noor".into()),
            email: Some("noor@example.com".into()),
            ..Default::default()
        },
    };
    let pending = || {
        vec![PendingView {
            id: 4,
            contact_id: None,
            what: "new contact Noor".into(),
            attempts: 1,
            error: Some("Network error".into()),
            waits_for: None,
            aside: None,
            op: Some(op.clone()),
        }]
    };
    synced(
        &mut s,
        vec![Sent::Held {
            id: 4,
            error: ApiError::Timeout,
        }],
        pending(),
    );
    synced(
        &mut s,
        vec![Sent::Held {
            id: 4,
            error: ApiError::Timeout,
        }],
        pending(),
    );
    let shown = s
        .browse
        .rows()
        .filter(|r| r.contact().first_name.as_deref() == Some("Noor"))
        .count();
    assert_eq!(shown, 1);
    assert_eq!(s.browse.len(), 6);
}

#[test]
fn due_dates_are_typed_and_shown_on_the_users_clock() {
    let mut s = ready();
    s.zone = chrono::FixedOffset::east_opt(-5 * 3600).expect("UTC-5");
    // Noon UTC is 07:00 for the user: "15:00" means today at 15:00 their time, 20:00 UTC.
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    typed(&mut s, "Call");
    update(&mut s, code(KeyCode::Tab));
    for _ in 0..20 {
        update(&mut s, code(KeyCode::Backspace));
    }
    typed(&mut s, "15:00");
    let ops = writes(&update(&mut s, ctrl('s')));
    let [WriteOp::CreateTask { input, .. }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(input.due_date.as_deref(), Some("2026-11-22T20:00:00.000Z"));
}

/// A change held by a limit waits as long as the server said, and the status says until when:
/// a rate limit's Retry-After, or the spent day's reset.
#[test]
fn a_change_held_by_a_limit_is_retried_when_the_server_said() {
    let waiting = |id| PendingView {
        id,
        contact_id: Some("c0".into()),
        what: "New note".into(),
        attempts: 1,
        error: None,
        waits_for: None,
        aside: None,
        op: None,
    };
    let mut s = ready();
    let fx = synced(
        &mut s,
        vec![Sent::Held {
            id: 1,
            error: ApiError::RateLimited {
                retry_after: std::time::Duration::from_secs(3600),
            },
        }],
        vec![waiting(1)],
    );
    assert!(
        fx.contains(&Effect::ReplayAfter(std::time::Duration::from_secs(3600))),
        "{fx:?}"
    );
    let status = s.status.clone().expect("said").text;
    assert!(
        status.contains("rate limited by the API") && status.contains("retrying at 13:00"),
        "{status}"
    );

    let mut s = ready();
    let resets_at = (common::fixed_now() + chrono::Duration::hours(12)).and_utc();
    let fx = synced(
        &mut s,
        vec![Sent::Held {
            id: 1,
            error: ApiError::DailyLimit { resets_at },
        }],
        vec![waiting(1)],
    );
    assert!(
        fx.contains(&Effect::ReplayAfter(std::time::Duration::from_secs(
            12 * 3600
        ))),
        "{fx:?}"
    );
    let status = s.status.clone().expect("said").text;
    assert!(
        status.contains("the day's API allowance is spent") && status.contains("at 00:00"),
        "{status}"
    );
}

/// A message belongs to what caused it: a refused save's word goes once the user types on,
/// and "No task selected" goes at the next key; a condition's message (the list failing)
/// stays until the condition is over.
#[test]
fn messages_go_when_their_moment_is_over() {
    let mut s = ready();
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    update(&mut s, ctrl('s'));
    assert!(
        s.status
            .as_ref()
            .is_some_and(|m| m.text.contains("Fix the marked fields")),
        "{:?}",
        s.status
    );
    typed(&mut s, "Call back");
    assert_eq!(s.status, None, "typing on is the answer to the message");
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));

    let mut s = ready();
    update(&mut s, key('5'));
    update(&mut s, key('e'));
    assert!(s.status.is_some());
    update(&mut s, key('j'));
    assert_eq!(s.status, None);
    assert!(
        s.said
            .iter()
            .any(|m| m.text.contains("Appointments are booked")),
        "kept for !"
    );
}

/// Quitting with changes still waiting asks first; a second Ctrl-C, or a signal, quits at once.
#[test]
fn quitting_with_changes_waiting_asks_first() {
    let waiting = |id| PendingView {
        id,
        contact_id: Some("c0".into()),
        what: "New note".into(),
        attempts: 1,
        error: Some("Server error 503".into()),
        waits_for: None,
        aside: None,
        op: None,
    };
    let mut s = ready();
    synced(&mut s, vec![], vec![waiting(1), waiting(2)]);
    let fx = update(&mut s, key('q'));
    assert!(!fx.contains(&Effect::Quit));
    let Some(Overlay::Ask { prompt, .. }) = s.overlay() else {
        panic!("{:?}", s.modal)
    };
    assert_eq!(
        prompt,
        "2 changes not yet sent: quit anyway? they go out at the next start"
    );
    let fx = update(&mut s, key('n'));
    assert!(
        s.overlay().is_none() && !fx.contains(&Effect::Quit),
        "n stays"
    );
    update(&mut s, key('q'));
    let fx = update(&mut s, key('y'));
    assert!(fx.contains(&Effect::Quit), "y quits");
    let lines = ghl_tui::app::locations::left_behind(&s);
    assert_eq!(
        lines[0],
        "2 changes not yet sent; they go out at the next start:"
    );
    assert!(lines[1].contains("New note (Person 0)"), "{lines:?}");

    let mut s = ready();
    synced(&mut s, vec![], vec![waiting(1)]);
    let fx = update(&mut s, ctrl('c'));
    assert!(!fx.contains(&Effect::Quit));
    let fx = update(&mut s, ctrl('c'));
    assert!(fx.contains(&Effect::Quit), "a second Ctrl-C quits");

    let mut s = ready();
    synced(&mut s, vec![], vec![waiting(1)]);
    let fx = update(&mut s, Msg::Shutdown);
    assert!(
        fx.contains(&Effect::Quit),
        "SIGTERM and SIGHUP never wait for an answer"
    );
}

/// `q` right after a save waits for it to go out, then quits; `q` again quits at once.
#[test]
fn quitting_right_after_a_save_waits_for_it() {
    let fresh = |id| PendingView {
        id,
        contact_id: Some("c0".into()),
        what: "New note".into(),
        attempts: 0,
        error: None,
        waits_for: None,
        aside: None,
        op: None,
    };
    let mut s = ready();
    synced(&mut s, vec![], vec![fresh(1)]);
    let fx = update(&mut s, key('q'));
    assert!(!fx.contains(&Effect::Quit) && s.overlay().is_none());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|m| m.text.starts_with("Sending 1 change before quitting")),
        "{:?}",
        s.status
    );
    let fx = synced(&mut s, vec![], vec![]);
    assert!(fx.contains(&Effect::Quit), "sent, so it quits");

    let mut s = ready();
    synced(&mut s, vec![], vec![fresh(1)]);
    update(&mut s, key('q'));
    let fx = update(&mut s, key('q'));
    assert!(fx.contains(&Effect::Quit), "q again quits now");

    let mut s = ready();
    synced(&mut s, vec![], vec![fresh(1)]);
    update(&mut s, key('q'));
    let fx = synced(
        &mut s,
        vec![Sent::Held {
            id: 1,
            error: ApiError::Network {
                message: "connection refused".into(),
            },
        }],
        vec![fresh(1)],
    );
    assert!(!fx.contains(&Effect::Quit));
    assert!(
        matches!(s.overlay(), Some(Overlay::Ask { prompt, .. }) if prompt.starts_with("1 change not yet sent")),
        "it could not go: the user decides"
    );
}

/// A change taken back from the outbox (`D` in `o`) is no longer on its way: the note stops
/// showing as saving at once, and its text opens to edit or throw away.
#[test]
fn a_change_taken_back_leaves_the_screen_and_opens_to_edit() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Second thoughts");
    let ops = writes(&update(&mut s, ctrl('s')));
    let shown = |s: &State| {
        notes(s)
            .iter()
            .any(|n| n.body.as_deref() == Some("Second thoughts"))
    };
    assert!(shown(&s) && !s.marks.is_empty());
    synced(
        &mut s,
        vec![],
        vec![PendingView {
            id: 5,
            contact_id: Some("c0".into()),
            what: "New note".into(),
            attempts: 1,
            error: Some("Server error 503".into()),
            waits_for: None,
            aside: None,
            op: Some(ops[0].clone()),
        }],
    );
    update(&mut s, key('o'));
    let fx = update(&mut s, key('D'));
    assert!(fx.contains(&Effect::Withdraw { id: 5 }));
    // As the store answers: the outbox without it, then the draft.
    update(&mut s, Msg::OutboxChanged(vec![]));
    update(
        &mut s,
        Msg::Withdrawn {
            key: "rejected:5".into(),
            payload: json!({"rejected": ops[0], "error": "taken out of the outbox to edit"}),
        },
    );
    // The server's notes come again, without it, and nothing puts it back.
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Ok(vec![]),
        },
    );
    assert!(!shown(&s), "no longer shown as on its way");
    assert!(s.marks.is_empty(), "{:?}", s.marks);
    let Some(Overlay::Form(form)) = s.overlay() else {
        panic!("{:?}", s.modal)
    };
    assert_eq!(form.fields[0].text(), "Second thoughts");
    update(&mut s, code(KeyCode::Esc));
    let fx = update(&mut s, key('y'));
    assert!(fx.contains(&Effect::DiscardDraft {
        key: "rejected:5".into()
    }));
    assert!(!shown(&s));
}

/// Counts stay true through a create and a delete: loaded and total move together.
#[test]
fn counts_follow_creates_and_deletes() {
    let mut s = ready();
    assert_eq!((s.set().len(), s.set().total), (5, Some(5)));
    update(&mut s, key('n'));
    typed(&mut s, "Dana");
    update(&mut s, ctrl('s'));
    assert_eq!((s.set().len(), s.set().total), (6, Some(6)));
    // Delete another contact.
    update(&mut s, key('j'));
    update(&mut s, key('d'));
    update(&mut s, key('y'));
    assert_eq!((s.set().len(), s.set().total), (5, Some(5)));
}

/// The cursor follows the task it acted on: `x x` completes a task and reopens it, never two.
#[test]
fn the_task_cursor_follows_the_task() {
    let mut s = ready();
    update(&mut s, key('3'));
    // Open tasks first: t1, then the done t2.
    let (_, first) = ghl_tui::app::edit::selected_task(&s).expect("a task");
    assert_eq!(first.id.as_deref(), Some("t1"));
    let a = writes(&update(&mut s, key('x')));
    let (_, still) = ghl_tui::app::edit::selected_task(&s).expect("a task");
    assert_eq!(
        still.id.as_deref(),
        Some("t1"),
        "the cursor went with the task"
    );
    let b = writes(&update(&mut s, key('x')));
    let op = |w: &[WriteOp]| match &w[0] {
        WriteOp::CompleteTask {
            task_id, completed, ..
        } => (task_id.clone(), *completed),
        other => panic!("{other:?}"),
    };
    assert_eq!(op(&a), ("t1".to_string(), true));
    assert_eq!(
        op(&b),
        ("t1".to_string(), false),
        "x x undoes, on the same task"
    );
}

/// One-line boxes save on Enter; Ctrl-U clears what is before the cursor; Tab walks through
/// every tag in use that matches, and moves on when none does.
#[test]
fn one_line_boxes_enter_ctrl_u_and_tag_candidates() {
    let mut s = ready();
    s.location_tags = vec![
        "cash buyer".into(),
        "cold".into(),
        "vip".into(),
        "co-op".into(),
    ];
    update(&mut s, key('t'));
    typed(&mut s, "old text");
    update(&mut s, ctrl('u'));
    typed(&mut s, "c");
    let form = |s: &State| match s.overlay() {
        Some(Overlay::Form(f)) => f.fields[0].text(),
        other => panic!("{other:?}"),
    };
    assert_eq!(form(&s), "c", "Ctrl-U cleared the field");
    let Some(Overlay::Form(f)) = s.overlay() else {
        unreachable!()
    };
    assert_eq!(f.tag_candidates(), ["cash buyer", "co-op", "cold"]);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(form(&s), "cash buyer");
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(form(&s), "co-op");
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(form(&s), "cold", "Tab reaches every candidate");
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(form(&s), "cash buyer", "and round again");
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(s.overlay().is_none(), "Enter saves a one-line box");
    assert_eq!(
        writes(&fx),
        vec![WriteOp::AddTags {
            id: "c0".into(),
            tags: vec!["cash buyer".into()]
        }]
    );

    // In the new-contact form Enter moves on, and Tab with no candidate moves on too.
    update(&mut s, key('n'));
    let focus = |s: &State| match s.overlay() {
        Some(Overlay::Form(f)) => f.fields[f.focus].key.clone(),
        other => panic!("{other:?}"),
    };
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(focus(&s), "lastName");
    while focus(&s) != "tags" {
        update(&mut s, code(KeyCode::Tab));
    }
    typed(&mut s, "zz");
    update(&mut s, code(KeyCode::Tab));
    assert_ne!(focus(&s), "tags", "nothing matches: Tab moves on");
}

/// The new-contact form takes tags, sent with the create (a new contact has none to replace).
#[test]
fn a_new_contact_gets_its_first_tags() {
    let mut s = ready();
    update(&mut s, key('n'));
    typed(&mut s, "Ana");
    loop {
        let Some(Overlay::Form(f)) = s.overlay() else {
            panic!("form")
        };
        if f.fields[f.focus].key == "tags" {
            break;
        }
        update(&mut s, code(KeyCode::Tab));
    }
    typed(&mut s, "buyer, vip");
    let ops = writes(&update(&mut s, ctrl('s')));
    let [WriteOp::CreateContact { input }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(input.create_body("L")["tags"], json!(["buyer", "vip"]));
    assert!(input.update_body().get("tags").is_none());
}

/// Numeric dates are read in the user's order, and the form says which.
#[test]
fn due_dates_follow_the_users_date_order() {
    let mut s = ready();
    s.date_order = ghl_tui::app::dates::DateOrder::Dmy;
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    typed(&mut s, "Send the offer");
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, ctrl('u'));
    typed(&mut s, "01/12 10:00");
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    let due = f.due_preview().expect("a date").expect("understood");
    assert_eq!(due.format("%Y-%m-%d %H:%M").to_string(), "2026-12-01 10:00");
    assert!(
        f.field("dueDate")
            .and_then(|d| d.note.clone())
            .is_some_and(|n| n.contains("01/12 is 1 Dec")),
        "the hint says the order"
    );
}

/// A contact's timezone is checked against the location's list, its country against ISO 3166
/// (a name becomes its code), and a phone is stored in E.164 where it reads as a real number
/// from the contact's country; what does not parse as one is kept as typed.
#[test]
fn zones_countries_and_phones_are_checked_and_normalised() {
    let mut s = ready();
    s.zones = vec!["America/New_York".into(), "Europe/Paris".into()];
    let form_with = |s: &mut State, values: &[(&str, &str)]| -> Vec<WriteOp> {
        update(s, key('n'));
        typed(s, "Ana");
        for (field, value) in values {
            loop {
                let Some(Overlay::Form(f)) = s.overlay() else {
                    panic!("form gone: {:?} {:?}", s.modal, s.status)
                };
                if f.fields[f.focus].key == *field {
                    break;
                }
                update(s, code(KeyCode::Tab));
            }
            typed(s, value);
        }
        writes(&update(s, ctrl('s')))
    };
    let ops = form_with(&mut s, &[("timezone", "Mars/Olympus"), ("country", "ZZ")]);
    assert!(ops.is_empty(), "refused: {ops:?}");
    let Some(Overlay::Form(f)) = s.overlay() else {
        panic!("form")
    };
    let err = |k: &str| f.field(k).and_then(|f| f.error.clone()).unwrap_or_default();
    assert!(
        err("timezone").contains("not a timezone the location offers"),
        "{}",
        err("timezone")
    );
    assert!(
        err("country").contains("not a country"),
        "{}",
        err("country")
    );
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('y'));

    let ops = form_with(
        &mut s,
        &[
            ("phone", "(212) 555-0199"),
            ("country", "united states"),
            ("timezone", "america/new_york"),
        ],
    );
    let [WriteOp::CreateContact { input }] = ops.as_slice() else {
        let errors: Vec<_> = match s.overlay() {
            Some(Overlay::Form(f)) => f
                .fields
                .iter()
                .map(|f| (f.key.clone(), f.text(), f.error.clone()))
                .collect(),
            _ => Vec::new(),
        };
        panic!("{ops:?} {errors:?}")
    };
    assert_eq!(input.phone.as_deref(), Some("+12125550199"));
    assert_eq!(input.country.as_deref(), Some("US"));
    assert_eq!(input.timezone.as_deref(), Some("America/New_York"));

    // No country code and no country to read it by: kept as typed.
    let ops = form_with(&mut s, &[("phone", "555-0199-12")]);
    let [WriteOp::CreateContact { input }] = ops.as_slice() else {
        panic!("{ops:?}")
    };
    assert_eq!(input.phone.as_deref(), Some("555-0199-12"), "kept as typed");
}

/// `q` right after Ctrl-S, before the store has answered: the save is on its first way out,
/// so the app waits for it instead of quitting past it.
#[test]
fn quitting_before_the_store_answers_a_save_waits_for_it() {
    let mut s = ready();
    update(&mut s, key('4'));
    update(&mut s, key('n'));
    typed(&mut s, "Said yes to Thursday");
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Write { .. })));
    assert!(
        !s.saving.is_empty() && s.pending.is_empty(),
        "not recorded yet"
    );
    let fx = update(&mut s, key('q'));
    assert!(!fx.contains(&Effect::Quit), "{fx:?}");
    assert!(
        s.status
            .as_ref()
            .is_some_and(|m| m.text.starts_with("Sending 1 change before quitting")),
        "{:?}",
        s.status
    );
}
