//! Marks and bulk tags through the real state machine and executor against the sandbox:
//! `v` marks, `V` marks what the list shows, `t` asks for tags and then says how many
//! contacts and requests it takes, and `y` sends them as one bulk request, each contact's
//! change its own outbox entry. Partial success is said per contact; where the bulk endpoint
//! is refused, each contact goes on its own.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ghl_tui::app::state::Overlay;
use ghl_tui::sandbox::{DEMO_TOKEN, Fault, Sandbox};
use ghl_tui::session::Session;

fn driver(sb: &Sandbox, dir: &std::path::Path) -> common::drive::Driver {
    let local = common::local_store(dir);
    let client = ghl_tui::api::Client::new(common::config(sb, DEMO_TOKEN, sb.location_id()))
        .expect("client");
    let state = ghl_tui::app::State::new("test", sb.location_id(), common::fixed_now());
    common::drive::Driver::start(Session::new(client, local), state)
}

fn enter() -> ghl_tui::app::Msg {
    ghl_tui::app::Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

/// The ids of the first `n` contacts in the list's order.
fn first_ids(d: &common::drive::Driver, n: usize) -> Vec<String> {
    d.state
        .browse
        .rows()
        .take(n)
        .map(|r| r.id().to_string())
        .collect()
}

/// `t`, the tags typed, `Enter`: the question, as asked.
fn ask_to_tag(d: &mut common::drive::Driver, tags: &str) -> String {
    d.key('t');
    assert!(
        matches!(d.state.overlay(), Some(Overlay::Form(_))),
        "{:?}",
        d.state.overlay()
    );
    for c in tags.chars() {
        d.key(c);
    }
    d.send(enter());
    match d.state.overlay() {
        Some(Overlay::Confirm { prompt, .. }) => prompt.clone(),
        other => panic!("a question, not {other:?}"),
    }
}

async fn tags_on_server(sb: &Sandbox, id: &str) -> Vec<String> {
    common::client(sb).contact(id).await.expect("contact").tags
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v_marks_t_asks_and_one_bulk_request_tags_them_all() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = driver(&sb, dir.path());
    d.until("the list", |s| !s.browse.is_empty()).await;
    let ids = first_ids(&d, 3);
    // Drawn once, as the app is, so the list knows its height.
    for fx in common::drawn(&mut d.state) {
        drop(fx);
    }

    // v marks and moves on: three in a row.
    d.key('v');
    d.key('v');
    d.key('v');
    assert_eq!(
        d.state
            .marked
            .iter()
            .cloned()
            .collect::<std::collections::HashSet<_>>(),
        ids.iter().cloned().collect()
    );
    let screen = common::screen_text(&d.state);
    assert!(screen.contains("● 3 marked"), "{screen}");
    assert_eq!(
        screen.matches("● ").count(),
        4,
        "a mark on each row and the count:\n{screen}"
    );

    let prompt = ask_to_tag(&mut d, "bulk-vip, q4");
    assert!(
        prompt.contains("Add bulk-vip, q4 to 3 contacts? 1 request"),
        "{prompt}"
    );
    let before = sb.requests().len();
    d.key('y');
    d.until("sent", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    assert!(d.state.marked.is_empty(), "the marks have done their work");
    for id in &ids {
        let tags = tags_on_server(&sb, id).await;
        assert!(
            tags.contains(&"bulk-vip".into()) && tags.contains(&"q4".into()),
            "{id}: {tags:?}"
        );
        // And the list shows them at once.
        let row = d
            .state
            .browse
            .find(id)
            .and_then(|i| d.state.browse.row(i))
            .expect("row");
        assert!(row.tags().contains("bulk-vip"), "{}", row.tags());
    }
    let sent: Vec<_> = sb.requests()[before..]
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("/tags"))
        .cloned()
        .collect();
    assert_eq!(sent.len(), 1, "one request for three contacts: {sent:?}");
    assert_eq!(sent[0].path, "/contacts/bulk/tags/update/add");

    // V marks what the list shows; V again, none.
    d.key('V');
    assert_eq!(d.state.marked.len(), d.state.visible_len());
    let prompt = ask_to_tag(&mut d, "x");
    assert!(
        prompt.contains(&format!("{} contacts? 4 requests", d.state.marked.len())),
        "{prompt}"
    );
    d.key('n');
    assert!(!d.state.marked.is_empty(), "No keeps the marks");
    d.key('V');
    assert!(d.state.marked.is_empty());
    // Esc unmarks too.
    d.key('v');
    d.send(ghl_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    )));
    assert!(d.state.marked.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t_removes_from_all_and_where_bulk_is_refused_each_goes_alone() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = driver(&sb, dir.path());
    d.until("the list", |s| !s.browse.is_empty()).await;
    let ids = first_ids(&d, 2);
    // Both get a tag one by one first.
    for id in &ids {
        common::client(&sb)
            .add_tags(id, &["temp".to_string()])
            .await
            .expect("tag");
    }
    // The bulk endpoint is refused for this sign-in (as a plan or scope may refuse it).
    sb.fail_always(
        "POST",
        "/contacts/bulk/tags/update/remove",
        Fault::Status(403),
    );
    d.key('v');
    d.key('v');
    d.key('T');
    for c in "temp".chars() {
        d.key(c);
    }
    d.send(enter());
    let Some(Overlay::Confirm { prompt, .. }) = d.state.overlay() else {
        panic!("a question: {:?}", d.state.overlay());
    };
    assert!(
        prompt.starts_with("Remove temp from 2 contacts?"),
        "{prompt}"
    );
    let before = sb.requests().len();
    d.key('y');
    d.until("sent", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    for id in &ids {
        assert!(
            !tags_on_server(&sb, id).await.contains(&"temp".into()),
            "{id}"
        );
    }
    let one_each = sb.requests()[before..]
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.ends_with("/tags"))
        .count();
    assert_eq!(one_each, 2, "after the refusal, one request each");

    // A bulk request refused as a whole (422) does not hold the outbox up: each goes alone.
    sb.fail_always("POST", "/contacts/bulk/tags/update/add", Fault::Status(422));
    d.key('v');
    d.key('v');
    let prompt = ask_to_tag(&mut d, "again");
    assert!(prompt.contains("2 contacts"), "{prompt}");
    d.key('y');
    d.until("sent", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    let marked_now: Vec<String> = first_ids(&d, 4);
    let tagged =
        futures::future::join_all(marked_now.iter().map(|id| tags_on_server(&sb, id))).await;
    assert_eq!(
        tagged
            .iter()
            .filter(|t| t.contains(&"again".to_string()))
            .count(),
        2,
        "{tagged:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_answer_that_fails_for_some_refuses_just_those() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = driver(&sb, dir.path());
    d.until("the list", |s| !s.browse.is_empty()).await;
    for fx in common::drawn(&mut d.state) {
        drop(fx);
    }
    let ids = first_ids(&d, 3);
    d.key('v');
    d.key('v');
    d.key('v');
    // Two of the three are deleted elsewhere before the request lands.
    for gone in &ids[1..] {
        common::client(&sb)
            .delete_contact(gone)
            .await
            .expect("deleted");
    }
    let prompt = ask_to_tag(&mut d, "partial");
    assert!(prompt.contains("3 contacts? 1 request"), "{prompt}");
    d.key('y');
    d.until("answered", |s| s.pending.is_empty() && s.marks.is_empty())
        .await;
    assert!(
        tags_on_server(&sb, &ids[0])
            .await
            .contains(&"partial".into())
    );
    // The refused ones are said once, together, with the server's reason; no form opens for
    // each (there is nothing to fix in one), and no draft is left for the next start.
    let said: Vec<String> = d.state.said.iter().map(|m| m.text.clone()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("Not saved for 2 contacts")
                && m.contains("does not belong to location")),
        "{said:?}"
    );
    assert!(d.state.overlay().is_none(), "{:?}", d.state.overlay());
    let store = ghl_tui::store::Store::open(&dir.path().join("store.sqlite3")).expect("store");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !store.drafts().expect("drafts").is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "drafts dropped");
        d.pump(std::time::Duration::from_millis(50)).await;
    }
    // Straight from the API: the answer line by line.
    let answer = common::client(&sb)
        .bulk_tags(true, &ids, &["again".to_string()])
        .await
        .expect("an answer");
    assert_eq!(answer.error_count, Some(2));
    let by_id = |id: &str| {
        answer
            .responses
            .iter()
            .find(|r| r.contact_id == id)
            .expect("a line")
    };
    assert!(
        by_id(&ids[0])
            .tags()
            .is_some_and(|t| t.contains(&"again".to_string()))
    );
    assert!(!by_id(&ids[2]).succeeded());
}
