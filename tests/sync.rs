//! Sync against the sandbox over real HTTP: the first full pass, incremental passes that pick
//! up exactly what changed, deletions found by a reconciliation, a resume after the sync was
//! stopped mid-way, and the user's requests overtaking a running sync.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use ghl_tui::api::Client;
use ghl_tui::sandbox::{Sandbox, SandboxConfig, Seed};
use ghl_tui::store::{Replica, ReplicaHandle, Worker, replica_path};
use ghl_tui::sync::pull::{self, PageDone, Phase, PullOptions};

/// A sandbox that lets `max` requests through each second (and says so in its headers).
async fn sandbox(n: usize, max: u32) -> (Sandbox, Seed) {
    let seed = Seed::synthetic(n);
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.rate.max = max;
    cfg.rate.interval = Duration::from_secs(1);
    (common::start_with(&seed, cfg).await, seed)
}

fn replica_at(path: &std::path::Path) -> ReplicaHandle {
    let (r, aside) = Replica::open(path).expect("replica");
    assert!(aside.is_none());
    Worker::spawn("test-replica", r)
}

async fn ids(replica: &ReplicaHandle) -> Vec<String> {
    replica
        .call(|r| r.entries(None))
        .await
        .expect("alive")
        .expect("entries")
        .into_iter()
        .map(|e| e.contact.id().to_string())
        .collect()
}

async fn run(client: &Client, replica: &ReplicaHandle, opts: &PullOptions) -> pull::Pulled {
    let mut ignore = |_: PageDone| {};
    pull::pull(client, replica, opts, &mut ignore)
        .await
        .expect("pass")
}

fn searches(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.path == "/contacts/search")
        .count()
}

#[tokio::test]
async fn first_sync_then_incremental_picks_up_exactly_what_changed() {
    let (sb, _) = sandbox(20_000, 1000).await;
    let client = common::client(&sb);
    let dir = tempfile::tempdir().expect("dir");
    let replica = replica_at(&replica_path(&dir.path().join("acct.sqlite3")));
    let opts = PullOptions::default();

    let first = run(&client, &replica, &opts).await;
    assert_eq!(first.phase, Phase::First);
    // 20,000 at 500 a page, and one that comes back empty: a full last page cannot tell that
    // nothing follows it (a count can be outrun by contacts that move while the pass runs).
    assert_eq!(first.requests, 41, "20,000 at 500 a page");
    let all = ids(&replica).await;
    assert_eq!(all.len(), 20_000);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 20_000);
    // Every page after the first went by `searchAfter`, sorted on dateUpdated; none by page.
    let bodies: Vec<_> = sb.requests().into_iter().filter_map(|r| r.body).collect();
    assert!(bodies.iter().all(|b| b.get("page").is_none()));
    assert!(bodies.iter().skip(1).all(|b| b["searchAfter"].is_array()));
    assert!(
        bodies
            .iter()
            .all(|b| b["sort"][0]["field"] == "dateUpdated" && b["pageLimit"] == 500)
    );

    // Changes made on the server meanwhile: three touched, two created.
    let touched: Vec<String> = all.iter().step_by(4000).take(3).cloned().collect();
    for id in &touched {
        sb.touch(id);
    }
    let created = sb.add_contacts(2);
    let before = searches(&sb);
    let inc = run(&client, &replica, &opts).await;
    assert_eq!(inc.phase, Phase::Incremental);
    assert_eq!(inc.requests, 1);
    assert_eq!(searches(&sb) - before, 1);
    assert_eq!(inc.changed, 5, "exactly the five changed contacts");
    let body = sb
        .requests()
        .last()
        .and_then(|r| r.body.clone())
        .expect("body");
    assert_eq!(body["filters"][0]["field"], "dateUpdated");
    let now = ids(&replica).await;
    assert_eq!(now.len(), 20_002);
    assert!(created.iter().all(|c| now.contains(c)));

    // A quiet location costs one request and changes nothing.
    let quiet = run(&client, &replica, &opts).await;
    assert_eq!((quiet.requests, quiet.changed), (1, 0));

    // A contact deleted on the server is found by a reconciliation.
    assert!(sb.remove_contact(&touched[0]));
    let full = PullOptions {
        force_full: true,
        ..Default::default()
    };
    let rec = run(&client, &replica, &full).await;
    assert_eq!(rec.phase, Phase::Reconcile);
    assert_eq!(rec.removed, 1);
    let after = ids(&replica).await;
    assert_eq!(after.len(), 20_001);
    assert!(!after.contains(&touched[0]));
    assert_eq!(sb.rate_limited_count(), 0, "never a 429");
}

#[tokio::test]
async fn a_sync_stopped_mid_way_resumes_where_it_was() {
    let (sb, _) = sandbox(10_000, 1000).await;
    let client = common::client(&sb);
    let dir = tempfile::tempdir().expect("dir");
    let path = replica_path(&dir.path().join("acct.sqlite3"));
    {
        let replica = replica_at(&path);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut stop = Some(stop);
        let mut pages = 0;
        let mut on_page = move |_: PageDone| {
            pages += 1;
            if pages == 5
                && let Some(s) = stop.take()
            {
                let _ = s.send(());
            }
        };
        let opts = PullOptions::default();
        let pass = pull::pull(&client, &replica, &opts, &mut on_page);
        tokio::select! {
            r = pass => panic!("the pass should have been stopped: {r:?}"),
            _ = stopped => {}
        }
        // The pass is dropped here, mid-way: nothing after the fifth page is stored.
        let mark = replica
            .call(|r| r.mark())
            .await
            .expect("alive")
            .expect("mark");
        let full = mark.full.expect("a pass under way is remembered");
        assert_eq!(full.done, 2500);
        assert!(mark.watermark_ms.is_none());
    }
    let before = searches(&sb);
    let replica = replica_at(&path);
    let resumed = run(&client, &replica, &PullOptions::default()).await;
    assert_eq!(resumed.phase, Phase::First);
    assert_eq!(
        resumed.requests, 16,
        "the 15 pages left and the empty end, not all 20 again"
    );
    // The server saw those 16, and perhaps the sixth page of the stopped pass, whose request
    // may have been on its way when the pass was dropped and have landed after `before`.
    let seen = searches(&sb) - before;
    assert!(seen == 16 || seen == 17, "{seen} searches");
    let all = ids(&replica).await;
    assert_eq!(all.len(), 10_000);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 10_000);
}

#[tokio::test]
async fn the_users_request_overtakes_a_running_sync() {
    // Ten requests a second: a 20-page sync takes two seconds of windows.
    let (sb, seed) = sandbox(10_000, 10).await;
    let client = common::client(&sb);
    let background = client.background();
    let dir = tempfile::tempdir().expect("dir");
    let replica = replica_at(&replica_path(&dir.path().join("acct.sqlite3")));
    let (first_page, paged) = tokio::sync::oneshot::channel::<()>();
    let mut first_page = Some(first_page);
    let sync = tokio::spawn({
        let replica = replica.clone();
        async move {
            let mut on_page = move |_: PageDone| {
                if let Some(s) = first_page.take() {
                    let _ = s.send(());
                }
            };
            pull::pull(&background, &replica, &PullOptions::default(), &mut on_page)
                .await
                .expect("sync")
        }
    });
    paged.await.expect("a first page");
    // Let the sync use up its share of the window, so the user's request must be let ahead.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let searched_before = searches(&sb);
    let id = seed.contacts[3]
        .get("id")
        .and_then(|v| v.as_str())
        .expect("id")
        .to_string();
    client.contact(&id).await.expect("the user's request");
    let log = sb.requests();
    let at = log
        .iter()
        .position(|r| r.method == "GET" && r.path.ends_with(&id))
        .expect("the GET reached the server");
    let searches_first = log[..at]
        .iter()
        .filter(|r| r.path == "/contacts/search")
        .count();
    assert!(
        searches_first <= searched_before + 1,
        "the GET went after {searches_first} sync pages; {searched_before} were sent when it was asked"
    );
    let pulled = sync.await.expect("sync task");
    assert_eq!(pulled.requests, 21);
    assert!(searches(&sb) > searches_first, "the sync went on after it");
    assert_eq!(sb.rate_limited_count(), 0, "the limit was never crossed");
}
