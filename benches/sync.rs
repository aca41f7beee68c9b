//! A full sync of 100,000 contacts from the sandbox at GHL's real limit (100 requests per
//! 10 s): ours (the background lane of the pacer, searchAfter pages of 500 into the replica)
//! against a plain sequential client (the same pages, no pacer: it sends until it gets a 429,
//! then waits what Retry-After says). Both from one run, each on a fresh sandbox.
//!
//! `cargo bench --bench sync` (both), or the built binary with `ours` or `plain` for one
//! (as `farm-bench --vs` runs them).

use std::time::{Duration, Instant};

use ghl_tui::api::{Client, ClientConfig, Secret};
use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, SandboxConfig, Seed};
use ghl_tui::store::{Replica, Worker, replica_path};
use ghl_tui::sync::pull::{self, PullOptions};
use serde_json::{Value, json};

const CONTACTS: usize = 100_000;

async fn sandbox(seed: &Seed) -> Sandbox {
    // The documented limit, as the sandbox enforces it by default.
    let cfg = SandboxConfig::for_seed(seed);
    Sandbox::start(seed, cfg, ([127, 0, 0, 1], 0).into())
        .await
        .expect("sandbox")
}

async fn ours(seed: &Seed) -> (Duration, u32, u64, usize) {
    let sb = sandbox(seed).await;
    let client = Client::new(ClientConfig::new(
        sb.base_url(),
        Secret::new(DEMO_TOKEN),
        sb.location_id(),
    ))
    .expect("client")
    .background();
    let dir = tempfile::tempdir().expect("dir");
    let (r, _) = Replica::open(&replica_path(&dir.path().join("b.sqlite3"))).expect("replica");
    let replica = Worker::spawn("bench-replica", r);
    let t = Instant::now();
    let mut ignore = |_| {};
    let pulled = pull::pull(&client, &replica, &PullOptions::default(), &mut ignore)
        .await
        .expect("sync");
    let took = t.elapsed();
    let count = replica
        .call(|r| r.count())
        .await
        .expect("alive")
        .expect("count") as usize;
    (took, pulled.requests, sb.rate_limited_count(), count)
}

async fn plain(seed: &Seed) -> (Duration, u32, u64, usize) {
    let sb = sandbox(seed).await;
    let http = reqwest::Client::new();
    let url = format!("{}/contacts/search", sb.base_url());
    let t = Instant::now();
    let (mut requests, mut seen, mut after): (u32, usize, Option<Value>) = (0, 0, None);
    loop {
        let mut body = json!({
            "locationId": sb.location_id(),
            "pageLimit": 500,
            "sort": [{"field": "dateUpdated", "direction": "asc"}],
        });
        if let Some(a) = &after {
            body["searchAfter"] = a.clone();
        }
        let resp = http
            .post(&url)
            .bearer_auth(DEMO_TOKEN)
            .header("Version", "2021-07-28")
            .json(&body)
            .send()
            .await
            .expect("send");
        requests += 1;
        if resp.status() == 429 {
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(10);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let page: Value = resp.json().await.expect("json");
        let contacts = page["contacts"].as_array().cloned().unwrap_or_default();
        seen += contacts.len();
        after = contacts.last().and_then(|c| c.get("searchAfter").cloned());
        if contacts.len() < 500 || after.is_none() {
            break;
        }
    }
    (t.elapsed(), requests, sb.rate_limited_count(), seen)
}

fn say(who: &str, (took, requests, limited, count): (Duration, u32, u64, usize)) {
    println!(
        "{who}: {count} contacts in {:.1} s, {requests} requests, {limited} answered 429 ({:.0} contacts/s)",
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let seed = Seed::synthetic(CONTACTS);
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let both = which.is_empty();
    if both || which.iter().any(|a| a == "ours") {
        say("ours (paced, background lane)", rt.block_on(ours(&seed)));
    }
    if both || which.iter().any(|a| a == "plain") {
        say("plain sequential client", rt.block_on(plain(&seed)));
    }
}
