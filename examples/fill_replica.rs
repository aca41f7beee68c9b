//! Fills the replica of a location with a synthetic account, as a finished first sync leaves
//! it, for measuring the app on a large account without waiting for the sync:
//!
//! `XDG_DATA_HOME=/tmp/big/data cargo run --release --example fill_replica -- 1000000 LOCATION`
//!
//! then start `ghl-tui` with that `XDG_DATA_HOME` and `GHL_LOCATION_ID`.

use ghl_tui::sandbox::Seed;
use ghl_tui::store::{Replica, SyncMark, replica_path};
use serde_json::Value;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let location = args.next().unwrap_or_else(|| "Dm0LocHq7Zp2VwX9sK4e".into());
    let path = replica_path(&ghl_tui::config::store_path(&location));
    let (mut r, _) = Replica::open(&path).expect("replica");
    let now = chrono::Utc::now().timestamp_millis();
    let mark = SyncMark {
        watermark_ms: Some(now),
        last_full_ms: Some(now),
        last_sync_ms: Some(now),
        ..Default::default()
    };
    // In slices, so a million never sits in memory as JSON at once.
    let slice = 100_000.min(n.max(1));
    let mut done = 0;
    while done < n {
        let seed = Seed::synthetic_slice(done, slice.min(n - done));
        let page: Vec<Value> = seed.contacts.into_iter().map(Value::Object).collect();
        for chunk in page.chunks(5000) {
            r.store_page(chunk, Some(1), &mark, now, false)
                .expect("store");
        }
        done += slice.min(n - done);
    }
    println!(
        "{} contacts in {}",
        r.count().expect("count"),
        path.display()
    );
}
