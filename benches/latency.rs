//! Key to screen while the store is slow: the real event loop (`runtime::run`, headless) over
//! the sandbox on 127.0.0.1, with a store stand-in that blocks 200 ms before every piece of
//! work. Each sample is the time from a key going in to the first frame that shows it; the
//! target is one frame (16 ms) however slow the disk.
//!
//! `cargo bench --bench latency`

#[path = "../tests/common/headless.rs"]
mod headless;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ghl_tui::app::State;
use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, Seed};
use ghl_tui::session::{LocalStore, Session};
use ghl_tui::store::{Store, StoreHandle};
use headless::Headless;

const STALL: Duration = Duration::from_millis(200);

struct Running {
    rt: tokio::runtime::Runtime,
    _sandbox: Sandbox,
    app: Headless,
}

fn start() -> Running {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let seed = Seed::demo().expect("demo seed");
    let (sandbox, app) = rt.block_on(async {
        let sb = Sandbox::demo(&seed, Default::default())
            .await
            .expect("sandbox");
        let config = ghl_tui::api::ClientConfig::new(
            sb.base_url(),
            ghl_tui::api::Secret::new(DEMO_TOKEN),
            sb.location_id(),
        );
        let client = ghl_tui::api::Client::new(config).expect("client");
        let store = StoreHandle::stalled(Store::open_in_memory().expect("store"), STALL);
        let local = LocalStore {
            store: Some(store),
            path: None,
            notice: None,
            problem: None,
        };
        let state = State::new("bench", sb.location_id(), chrono::Utc::now().naive_utc());
        let app = Headless::start(state, Session::new(client, local), 120, 40);
        let first = seed.contacts[0]["firstName"].as_str().unwrap_or("");
        app.wait_for(first).await;
        (sb, app)
    });
    Running {
        rt,
        _sandbox: sandbox,
        app,
    }
}

/// Sends `key`, and waits for the first frame after it where `shows` holds: how long it took.
fn key_to_frame(
    r: &Running,
    key: impl FnOnce(&Headless),
    shows: impl Fn(&str) -> bool,
) -> Duration {
    let from = r.app.frame_count();
    let sent = Instant::now();
    key(&r.app);
    let frame =
        r.rt.block_on(r.app.frame_where(from, Duration::from_secs(10), shows))
            .expect("the key reached the screen");
    frame.at.saturating_duration_since(sent)
}

fn bench_typing(c: &mut Criterion) {
    let r = start();
    r.app.char('4');
    r.app.char('n');
    r.rt.block_on(r.app.wait_for("New note"));
    let mut group = c.benchmark_group("slow_store_200ms");
    group.sample_size(30);
    // Every key is a draft for the store; the store takes 200 ms over each piece of work.
    let mut typed = String::new();
    group.bench_function("typing_in_a_note", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if typed.len() >= 30 {
                    total += key_to_frame(&r, |a| a.ctrl('u'), |t| !t.contains(&typed));
                    typed.clear();
                }
                let c = char::from(b'a' + (typed.len() % 26) as u8);
                typed.push(c);
                let want = typed.clone();
                total += key_to_frame(&r, |a| a.char(c), move |t| t.contains(&want));
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_typing);
criterion_main!(benches);
