//! The outbox against the sandbox over real HTTP: writes survive failures and restarts, go out
//! in order, and a create that may have landed is never created twice.

mod common;

/// Runs `body` on the store's owner thread with `s` as the store, and waits for its answer.
macro_rules! on {
    ($store:expr, |$s:ident| $body:expr) => {
        $store.call_blocking(move |$s| $body).expect("the store's thread")
    };
    // The listed values go to the thread as copies, and stay usable here.
    ($store:expr, [$($v:ident),*], |$s:ident| $body:expr) => {{
        $(let $v = $v.clone();)*
        $store.call_blocking(move |$s| $body).expect("the store's thread")
    }};
}

use ghl_tui::api::{ApiError, Applied, Client, NoteInput, TaskInput, WriteOp};
use ghl_tui::sandbox::{Fault, READONLY_TOKEN, Sandbox, Seed};
use ghl_tui::store::{Store, StoreHandle};
use ghl_tui::sync::{Sent, replay};

fn contact(seed: &Seed) -> String {
    seed.contacts[0]["id"].as_str().expect("id").to_string()
}

fn note(contact_id: &str, body: &str) -> WriteOp {
    WriteOp::CreateNote {
        contact_id: contact_id.into(),
        input: NoteInput {
            body: Some(body.into()),
            ..Default::default()
        },
    }
}

async fn notes_with(client: &Client, contact_id: &str, body: &str) -> usize {
    client
        .notes(contact_id)
        .await
        .expect("notes")
        .iter()
        .filter(|n| n.body.as_deref() == Some(body))
        .count()
}

fn open(dir: &tempfile::TempDir) -> StoreHandle {
    StoreHandle::spawn(Store::open(&dir.path().join("store.sqlite3")).expect("store"))
}

fn writes(sb: &Sandbox) -> Vec<(String, String)> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_write_that_failed_is_kept_and_sent_on_the_next_replay() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let id = contact(&seed);
    let op = WriteOp::UpdateContact {
        id: id.clone(),
        input: ghl_tui::api::ContactInput {
            city: Some("Lisbon".into()),
            ..Default::default()
        },
    };
    on!(store, |s| s.record(&op)).expect("record");
    // More 5xx than the client retries: the write has to wait.
    sb.push_faults(std::iter::repeat_n(Fault::Status(503), 4));
    let sent = replay(&client, &store).await.expect("replay");
    assert!(matches!(sent.as_slice(), [Sent::Held { .. }]), "{sent:?}");
    let pending = on!(store, |s| s.pending()).expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert!(
        pending[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("503"))
    );

    let sent = replay(&client, &store).await.expect("replay");
    assert!(
        matches!(sent.as_slice(), [Sent::Confirmed { .. }]),
        "{sent:?}"
    );
    assert_eq!(on!(store, |s| s.pending_count()).expect("count"), 0);
    assert_eq!(
        client.contact(&id).await.expect("contact").city.as_deref(),
        Some("Lisbon")
    );
}

#[tokio::test]
async fn writes_go_out_in_order_and_nothing_overtakes_a_held_one() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let id = contact(&seed);
    let tags = id.clone();
    on!(store, |s| {
        let id = tags;
        s.record(&WriteOp::AddTags {
            id: id.clone(),
            tags: vec!["first".into()],
        })
        .expect("record");
        s.record(&WriteOp::RemoveTags {
            id: id.clone(),
            tags: vec!["first".into()],
        })
        .expect("record");
        s.record(&WriteOp::AddTags {
            id: id.clone(),
            tags: vec!["third".into()],
        })
        .expect("record");
    });
    sb.push_faults(std::iter::repeat_n(Fault::Status(500), 4));
    let sent = replay(&client, &store).await.expect("replay");
    assert_eq!(sent.len(), 1, "stopped at the first write: {sent:?}");
    assert_eq!(on!(store, |s| s.pending_count()).expect("count"), 3);
    let before = writes(&sb).len();
    let sent = replay(&client, &store).await.expect("replay");
    assert_eq!(sent.len(), 3);
    let order: Vec<_> = writes(&sb)[before..]
        .iter()
        .map(|(m, _)| m.clone())
        .collect();
    assert_eq!(order, ["POST", "DELETE", "POST"]);
    let tags = client.contact(&id).await.expect("contact").tags;
    assert!(
        tags.contains(&"third".to_string()) && !tags.contains(&"first".to_string()),
        "{tags:?}"
    );
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_created_twice() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let id = contact(&seed);
    let body = "Called: wants a second viewing on Saturday.";
    on!(store, [id], |s| s.record(&note(&id, body))).expect("record");
    // The server stores the note, then the connection dies before the answer.
    sb.push_faults([Fault::DropAfter]);
    let sent = replay(&client, &store).await.expect("replay");
    assert!(matches!(sent.as_slice(), [Sent::Held { .. }]), "{sent:?}");
    assert!(on!(store, |s| s.pending()).expect("pending")[0].ambiguous);
    assert_eq!(
        notes_with(&client, &id, body).await,
        1,
        "the first attempt did land"
    );

    let sent = replay(&client, &store).await.expect("replay");
    let [
        Sent::Confirmed {
            applied: Applied::Note(n),
            ..
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!(n.body.as_deref(), Some(body));
    assert_eq!(
        notes_with(&client, &id, body).await,
        1,
        "one note typed is one note on the server"
    );
    assert_eq!(on!(store, |s| s.pending_count()).expect("count"), 0);
}

#[tokio::test]
async fn a_lost_contact_create_is_recognised_as_a_duplicate_of_itself() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let input = ghl_tui::api::ContactInput {
        first_name: Some("Noor".into()),
        email: Some("noor.lost@example.com".into()),
        ..Default::default()
    };
    on!(store, |s| s.record(&WriteOp::CreateContact { input })).expect("record");
    sb.push_faults([Fault::DropAfter]);
    replay(&client, &store).await.expect("replay");
    let sent = replay(&client, &store).await.expect("replay");
    assert!(
        matches!(
            sent.as_slice(),
            [Sent::Confirmed {
                applied: Applied::Contact(_),
                ..
            }]
        ),
        "{sent:?}"
    );
    let req = ghl_tui::api::SearchRequest {
        location_id: sb.location_id().into(),
        page_limit: 10,
        page: Some(1),
        query: Some("noor.lost@example.com".into()),
        search_after: None,
        ..Default::default()
    };
    assert_eq!(client.search(&req).await.expect("search").contacts.len(), 1);
}

#[tokio::test]
async fn a_write_recorded_before_a_kill_is_sent_after_the_restart() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let dir = tempfile::tempdir().expect("tempdir");
    let id = contact(&seed);
    let body = "Typed just before the laptop died.";
    {
        // Recorded, then the process dies before sending: the store is simply dropped.
        let store = open(&dir);
        on!(store, [id], |s| s.record(&note(&id, body))).expect("record");
    }
    let store = open(&dir);
    let sent = replay(&client, &store).await.expect("replay");
    assert!(
        matches!(sent.as_slice(), [Sent::Confirmed { .. }]),
        "{sent:?}"
    );
    assert_eq!(notes_with(&client, &id, body).await, 1);
    // The lock taken while sending is as private as the store.
    common::assert_private(&dir.path().join("store.sqlite3.sending"));
}

#[tokio::test]
async fn a_write_sent_just_before_a_kill_is_not_sent_twice_after_the_restart() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let dir = tempfile::tempdir().expect("tempdir");
    let id = contact(&seed);
    let task = TaskInput {
        title: Some("Send the contract".into()),
        due_date: Some("2026-12-02T15:00:00.000Z".into()),
        completed: Some(false),
        ..Default::default()
    };
    let op = WriteOp::CreateTask {
        contact_id: id.clone(),
        input: task.clone(),
    };
    {
        // Marked as sending and delivered, then killed before the confirmation was stored.
        let store = open(&dir);
        let recorded = op.clone();
        on!(store, |s| {
            s.record(&recorded).expect("record");
            let p = s.pending().expect("pending").remove(0);
            s.sending(&p).expect("sending");
        });
        client.apply(&op).await.expect("delivered");
    }
    let store = open(&dir);
    let sent = replay(&client, &store).await.expect("replay");
    assert!(
        matches!(
            sent.as_slice(),
            [Sent::Confirmed {
                applied: Applied::Task(_),
                ..
            }]
        ),
        "{sent:?}"
    );
    let same = client
        .tasks(&id)
        .await
        .expect("tasks")
        .into_iter()
        .filter(|t| t.title == task.title)
        .count();
    assert_eq!(same, 1);
}

#[tokio::test]
async fn a_refused_write_leaves_the_outbox_and_comes_back_with_the_reason() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let op = note(&contact(&seed), "   ");
    on!(store, [op], |s| s.record(&op)).expect("record");
    let sent = replay(&client, &store).await.expect("replay");
    let [
        Sent::Rejected {
            op: back, error, ..
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!(back, &op, "the user's text comes back");
    assert!(error.one_line().contains("body should not be empty"));
    assert_eq!(on!(store, |s| s.pending_count()).expect("count"), 0);
}

#[tokio::test]
async fn a_read_only_token_keeps_the_write_waiting_with_a_clear_reason() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let ro = Client::new(common::config(&sb, READONLY_TOKEN, sb.location_id())).expect("client");
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let op = note(&contact(&seed), "Keep me");
    on!(store, [op], |s| s.record(&op)).expect("record");
    let sent = replay(&ro, &store).await.expect("replay");
    assert!(
        matches!(
            sent.as_slice(),
            [Sent::Held {
                error: ApiError::MissingScope { .. },
                ..
            }]
        ),
        "{sent:?}"
    );
    let pending = on!(store, |s| s.pending()).expect("pending");
    assert_eq!(pending[0].op, op, "the text is kept");
    // With a token that may write, it goes out.
    let sent = replay(&common::client(&sb), &store).await.expect("replay");
    assert!(
        matches!(sent.as_slice(), [Sent::Confirmed { .. }]),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_refused_write_becomes_a_draft_in_the_same_step() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let op = note(&contact(&seed), " ");
    let id = on!(store, [op], |s| s.record(&op)).expect("record");
    replay(&client, &store).await.expect("replay");
    assert_eq!(on!(store, |s| s.pending_count()).expect("count"), 0);
    let draft = on!(store, |s| s.draft(&ghl_tui::store::rejected_key(id)))
        .expect("read")
        .expect("a draft");
    let back: WriteOp = serde_json::from_value(draft.payload["rejected"].clone()).expect("the op");
    assert_eq!(back, op);
    assert!(
        draft.payload["error"]
            .as_str()
            .is_some_and(|e| e.contains("body should not be empty"))
    );
}

#[tokio::test]
async fn deleting_what_is_already_gone_counts_as_done() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let store = StoreHandle::spawn(Store::open_in_memory().expect("store"));
    let id = contact(&seed);
    let note = client
        .create_note(
            &id,
            &NoteInput {
                body: Some("bye".into()),
                ..Default::default()
            },
        )
        .await
        .expect("note");
    let note_id = note.id.expect("id");
    client
        .delete_note(&id, &note_id)
        .await
        .expect("deleted once, answer lost");
    on!(store, |s| s.record(&WriteOp::DeleteNote {
        contact_id: id,
        note_id,
    }))
    .expect("record");
    let sent = replay(&client, &store).await.expect("replay");
    assert!(
        matches!(
            sent.as_slice(),
            [Sent::Confirmed {
                applied: Applied::Deleted,
                ..
            }]
        ),
        "{sent:?}"
    );
}

#[tokio::test]
async fn two_copies_of_the_app_on_one_account_send_a_write_once() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (open(&dir), open(&dir));
    let id = contact(&seed);
    let body = "Typed in one window while another was open.";
    on!(a, [id], |s| s.record(&note(&id, body))).expect("record");
    // The first send is slow, so both copies are replaying at the same moment.
    sb.push_faults([Fault::Delay(std::time::Duration::from_millis(300))]);
    let (ra, rb) = tokio::join!(replay(&client, &a), replay(&client, &b));
    ra.expect("replay a");
    rb.expect("replay b");
    assert_eq!(notes_with(&client, &id, body).await, 1);
}

/// The store fails mid-session (a full disk, here SQLite's own page cap): the note is not
/// sent, what was shown is undone, and the text is back in its editor with the reason. Once
/// the disk has room, the next save goes out, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_fails_mid_session_gives_the_text_back_and_sends_nothing() {
    use ghl_tui::app::State;
    use ghl_tui::app::state::Overlay;
    use ghl_tui::session::{LocalStore, Session};

    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite3");
    let store = StoreHandle::spawn(Store::open(&path).expect("store"));
    let local = LocalStore {
        store: Some(store.clone()),
        path: Some(path),
        notice: None,
        problem: None,
    };
    let session = Session::new(common::client(&sb), local);
    let state = State::new("test", sb.location_id(), common::fixed_now());
    let mut d = common::drive::Driver::start(session, state);
    d.until("the list", |s| !s.browse.is_empty()).await;
    let id = d.state.selected_id().expect("a contact").to_string();
    d.key('4');
    d.until("the notes", |s| {
        s.selected_extras()
            .is_some_and(|e| e.notes.ready().is_some())
    })
    .await;

    on!(store, |s| s.limit_pages(1)).expect("a full disk");
    d.key('n');
    let body = format!("A long call summary.{}", " Details.".repeat(2000));
    d.send(ghl_tui::app::Msg::Paste(body.clone()));
    d.ctrl('s');
    d.until(
        "the text back in its editor",
        |s| matches!(s.overlay(), Some(Overlay::Form(f)) if f.alert.is_some()),
    )
    .await;
    let Some(Overlay::Form(form)) = d.state.overlay() else {
        unreachable!()
    };
    assert_eq!(
        form.fields[0].text(),
        body,
        "every character typed is there"
    );
    let alert = form.alert.clone().expect("the reason");
    assert!(
        alert.starts_with("Not saved: the local store is unavailable: ")
            && alert.contains("store.sqlite3")
            && alert.contains("full"),
        "{alert}"
    );
    // What was shown is undone: the contact's notes come again from the server.
    d.until("the notes reloaded", |s| {
        s.selected_extras()
            .is_some_and(|e| e.notes.ready().is_some())
    })
    .await;
    let shown = d.state.extras[&id].notes.ready().expect("notes").clone();
    assert!(
        shown
            .iter()
            .all(|n| n.body.as_deref() != Some(body.as_str())),
        "nothing shown that is not recorded"
    );
    assert!(d.state.marks.is_empty(), "{:?}", d.state.marks);
    let client = common::client(&sb);
    assert_eq!(notes_with(&client, &id, &body).await, 0, "nothing sent");

    // Room on the disk again: the next save finds the store working and goes out once.
    on!(store, |s| s.limit_pages(1_000_000)).expect("room");
    d.ctrl('s');
    d.until("the store working again", |s| s.store_down.is_none())
        .await;
    d.ctrl('s');
    d.until("the note saved", |s| {
        s.overlay().is_none() && s.pending.is_empty() && s.marks.is_empty()
    })
    .await;
    assert_eq!(notes_with(&client, &id, &body).await, 1);
}

/// Two windows on one profile: what one sends, the other stops counting as waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_window_sees_the_first_one_send() {
    use ghl_tui::app::State;
    use ghl_tui::session::{LocalStore, Session};

    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let body = "Typed in the first window.";
    let first = open(&dir);
    on!(first, |s| s.record(&note(&contact(&seed), body))).expect("record");
    // The second window may only read, so it can never send the note itself.
    let ro = Client::new(common::config(&sb, READONLY_TOKEN, sb.location_id())).expect("client");
    let path = dir.path().join("store.sqlite3");
    let local = LocalStore {
        store: Some(open(&dir)),
        path: Some(path),
        notice: None,
        problem: None,
    };
    let state = State::new("second", sb.location_id(), common::fixed_now());
    let mut second = common::drive::Driver::start(Session::new(ro, local), state);
    second
        .until("the note counted as waiting", |s| s.pending.len() == 1)
        .await;
    let sent = replay(&common::client(&sb), &first).await.expect("replay");
    assert!(
        matches!(sent.as_slice(), [Sent::Confirmed { .. }]),
        "{sent:?}"
    );
    second
        .until("the second window to see it sent", |s| s.pending.is_empty())
        .await;
}
