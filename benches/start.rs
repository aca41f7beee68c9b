//! Start from the replica: open the file, read the list, build the state and its search index,
//! draw the first frame (120x40). The goal is 100 ms with 100,000 contacts cached, warm disk
//! cache. Also prints the process's resident memory with the whole list in the state, at
//! 100,000 and (unless GHL_BENCH_MILLION=0) 1,000,000 contacts.
//!
//! `cargo bench --bench start`

#[path = "support/rss.rs"]
mod rss;
use rss::rss_mb;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ghl_tui::app::State;
use ghl_tui::sandbox::Seed;
use ghl_tui::store::{Replica, SyncMark, replica_path};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

/// A replica file holding `n` synthetic contacts, as a finished first sync leaves it.
fn filled(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let path = replica_path(&dir.join(format!("bench{n}.sqlite3")));
    let (mut r, _) = Replica::open(&path).expect("replica");
    let mark = SyncMark {
        watermark_ms: Some(1),
        last_sync_ms: Some(1),
        ..Default::default()
    };
    let seed = Seed::synthetic(n);
    for chunk in seed.contacts.chunks(5000) {
        let page: Vec<Value> = chunk.iter().cloned().map(Value::Object).collect();
        r.store_page(&page, Some(1), &mark, 1, false).expect("page");
    }
    path
}

/// What the runtime does before the first frame (the first screen of the list, the count and
/// the mark, made ready on the replica's thread, taken in by update), and the frame.
fn first_frame(path: &std::path::Path) -> State {
    let (mut replica, _) = Replica::open(path).expect("open");
    let msg = ghl_tui::runtime::load_replica(&mut replica, true).expect("read");
    let mut state = State::new("bench", "BenchLoc", chrono::Utc::now().naive_utc());
    state.size = (120, 40);
    ghl_tui::app::update(&mut state, msg);
    draw(&state);
    state
}

fn draw(state: &State) {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| {
        ghl_tui::ui::view(state, f);
    })
    .expect("draw");
}

/// The rest of the list after the first frame: read and made ready (on the replica's thread
/// in the app), then taken in by update (on the event loop). How long the second part took.
fn whole_list(path: &std::path::Path, state: &mut State) -> Duration {
    let (mut replica, _) = Replica::open(path).expect("open");
    let msg = ghl_tui::runtime::load_replica(&mut replica, false).expect("read");
    let t = Instant::now();
    ghl_tui::app::update(state, msg);
    t.elapsed()
}

fn bench_start(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let path = filled(dir.path(), 100_000);
    let before = rss_mb();
    let t = Instant::now();
    let mut state = first_frame(&path);
    let first = t.elapsed();
    let on_loop = whole_list(&path, &mut state);
    println!(
        "start from the replica, 100k: first frame in {:.0} ms, whole list in the state {:.0} ms after (of which {:.1} ms on the event loop; cold process); {} contacts; RSS {:.0} MB (before {:.0} MB)",
        first.as_secs_f64() * 1000.0,
        (t.elapsed() - first).as_secs_f64() * 1000.0,
        on_loop.as_secs_f64() * 1000.0,
        state.browse.len(),
        rss_mb(),
        before
    );
    drop(state);
    c.bench_function("start from the replica (100k) to the first frame", |b| {
        b.iter(|| first_frame(&path))
    });
    c.bench_function("the whole 100k list into the state", |b| {
        b.iter(|| {
            let mut s = State::new("bench", "BenchLoc", chrono::Utc::now().naive_utc());
            whole_list(&path, &mut s);
            s
        })
    });
    if std::env::var("GHL_BENCH_MILLION").as_deref() != Ok("0") {
        let path = filled(dir.path(), 1_000_000);
        let t = Instant::now();
        let mut state = first_frame(&path);
        let first = t.elapsed();
        let on_loop = whole_list(&path, &mut state);
        println!(
            "start from the replica, 1M: first frame in {:.0} ms, whole list {:.0} ms after ({:.1} ms on the event loop); RSS {:.0} MB",
            first.as_secs_f64() * 1000.0,
            (t.elapsed() - first).as_secs_f64() * 1000.0,
            on_loop.as_secs_f64() * 1000.0,
            rss_mb()
        );
        drop(state);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .sample_size(10);
    targets = bench_start
}
criterion_main!(benches);
