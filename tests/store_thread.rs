//! The event loop never waits on the store: with the store's thread held shut, keys still
//! reach the screen and a saved note shows at once; nothing is sent until the store answers
//! that the change is recorded, and then it goes out.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::headless::Headless;
use crossterm::event::{KeyCode, KeyModifiers};
use ghl_tui::app::State;
use ghl_tui::session::{LocalStore, Session};
use ghl_tui::store::{Store, StoreHandle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_reach_the_screen_while_the_store_is_stuck() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    // Every piece of the store's work first waits for the gate; the test holds it shut.
    let (open, gate) = mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let store = StoreHandle::with_hook(
        Store::open_in_memory().expect("store"),
        Box::new(move || {
            let _ = ghl_tui::private::lock(&gate).recv();
        }),
    );
    let local = LocalStore {
        store: Some(store),
        path: None,
        notice: None,
        problem: None,
    };
    let session = Session::new(common::client(&sb), local);
    let state = State::new("test", sb.location_id(), common::fixed_now());
    let app = Headless::start(state, session, 120, 40);
    let first = seed.contacts[0]["firstName"].as_str().expect("a name");
    app.wait_for(first).await;

    app.char('4');
    app.char('n');
    app.wait_for("New note").await;
    app.text("Stuck disk, quick hands");
    app.wait_for("Stuck disk, quick hands").await;
    app.ctrl('s');
    // Shown at once in the notes pane, marked as on its way, with the store still shut.
    let shown = app
        .frame_where(0, Duration::from_secs(30), |t| {
            t.contains("Stuck disk, quick hands") && !t.contains("New note")
        })
        .await
        .expect("the note shows while the store is stuck");
    assert!(
        shown.text.contains('⇡'),
        "marked as saving:\n{}",
        shown.text
    );
    assert!(
        sb.requests()
            .iter()
            .all(|r| r.method != "POST" || !r.path.ends_with("/notes")),
        "nothing is sent before the store says it is recorded"
    );
    // The store answers: recorded, then sent.
    for _ in 0..1000 {
        let _ = open.send(());
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !sb
        .requests()
        .iter()
        .any(|r| r.method == "POST" && r.path.ends_with("/notes"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the note never went out"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(open);
    app.press(KeyCode::Char('q'), KeyModifiers::NONE);
    app.press(KeyCode::Char('q'), KeyModifiers::NONE);
    let state = tokio::time::timeout(Duration::from_secs(30), app.done)
        .await
        .expect("quits")
        .expect("the task")
        .expect("the loop");
    assert!(state.pending.is_empty(), "{:?}", state.pending);
}
