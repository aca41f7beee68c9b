//! What `cache` keeps, through the real event loop over the sandbox: `viewed` keeps the
//! contacts opened and never syncs the location; `full` syncs it all in the background.

mod common;

use std::time::Duration;

use common::headless::Headless;
use ghl_tui::app::State;
use ghl_tui::session::{CacheMode, LocalStore, Session, SyncSettings, open_replica};
use ghl_tui::store::{Replica, Store};

fn session(sb: &ghl_tui::sandbox::Sandbox, dir: &std::path::Path, cache: CacheMode) -> Session {
    let mut s = Session::new(
        common::client(sb),
        LocalStore::memory(Store::open_in_memory().expect("store")),
    );
    s.replica = open_replica(Some(&dir.join("acct.sqlite3")), cache);
    s.sync = SyncSettings {
        cache,
        ..Default::default()
    };
    s
}

fn kept(dir: &std::path::Path) -> u64 {
    let (r, _) = Replica::open(&ghl_tui::store::replica_path(&dir.join("acct.sqlite3")))
        .expect("the replica");
    r.count().expect("count")
}

fn sync_requests(sb: &ghl_tui::sandbox::Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| {
            r.path == "/contacts/search"
                && r.body
                    .as_ref()
                    .is_some_and(|b| b["sort"][0]["field"] == "dateUpdated")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewed_keeps_what_was_opened_and_never_syncs() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("dir");
    let state = State::new("test", sb.location_id(), common::fixed_now());
    let app = Headless::start(state, session(&sb, dir.path(), CacheMode::Viewed), 120, 40);
    let first = seed.contacts[0]["firstName"].as_str().expect("a name");
    app.wait_for(first).await;
    // The first contact's record arrives and is kept.
    app.frame_where(0, Duration::from_secs(30), |t| t.contains("Email"))
        .await
        .expect("details");
    common::pty::eventually("the opened contact kept", || Some(kept(dir.path()) >= 1));
    assert_eq!(sync_requests(&sb), 0, "no background sync");
    app.char('q');
    app.done.await.expect("task").expect("run");
    assert!(kept(dir.path()) < seed.contacts.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_keeps_the_whole_location() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let dir = tempfile::tempdir().expect("dir");
    let state = State::new("test", sb.location_id(), common::fixed_now());
    let app = Headless::start(state, session(&sb, dir.path(), CacheMode::Full), 120, 40);
    app.wait_for("synced").await;
    assert!(sync_requests(&sb) >= 1);
    app.char('q');
    app.done.await.expect("task").expect("run");
    assert_eq!(kept(dir.path()), seed.contacts.len() as u64);
}
