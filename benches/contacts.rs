//! Drawing one full 200x50 frame over 100,000 synthetic contacts (target <= 2 ms). The `/`
//! search has its own bench (`benches/search.rs`).
//!
//! `cargo bench --bench contacts -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ghl_tui::api::{Contact, Task};
use ghl_tui::app::state::{Extras, Load};
use ghl_tui::app::{Pane, State};
use ghl_tui::sandbox::Seed;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CONTACTS: usize = 100_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

fn contacts() -> Vec<Contact> {
    Seed::synthetic(CONTACTS)
        .contacts
        .into_iter()
        .map(|c| {
            serde_json::from_value(serde_json::Value::Object(c))
                .expect("a synthetic contact parses")
        })
        .collect()
}

/// The app with every contact loaded and the cursor half way down.
fn loaded_state() -> State {
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a valid date");
    let mut state = State::new("demo · bench", "BenchLoc", now);
    let contacts = contacts();
    for contact in &contacts {
        state.browse.push(contact, None);
    }
    state.browse.seal();
    state.browse.total = Some(contacts.len() as u64);
    state.size = (WIDTH, HEIGHT);
    let len = state.visible_len();
    let height = usize::from(HEIGHT);
    state.list.select(CONTACTS / 2, len, height);
    state
}

/// Gives the selected contact a list of tasks and shows the Tasks tab.
fn with_tasks(mut state: State) -> State {
    let tasks: Vec<Task> = Seed::demo()
        .expect("demo seed")
        .tasks
        .into_iter()
        .take(12)
        .map(|t| serde_json::from_value(serde_json::Value::Object(t)).expect("a demo task parses"))
        .collect();
    let id = state.selected_id().expect("a selected contact").to_string();
    state.extras.insert(
        id,
        Extras {
            tasks: Load::Ready(tasks),
            ..Default::default()
        },
    );
    state.focus = Pane::Tasks;
    state.tab = Pane::Tasks;
    state
}

fn bench_frame(c: &mut Criterion) {
    let details = loaded_state();
    let tasks = with_tasks(loaded_state());
    let mut group = c.benchmark_group("frame_200x50");
    // Steady state: the whole view is built and diffed every time; an unchanged frame sends
    // nothing to the backend, as in the app between keystrokes.
    for (name, state) in [("details", &details), ("tasks", &tasks)] {
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal
                    .draw(|f| {
                        black_box(ghl_tui::ui::view(black_box(state), f));
                    })
                    .expect("draw");
            })
        });
    }
    // Worst case: the screen was cleared, so every cell goes to the backend (as after a resize).
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    group.bench_function("details_full_repaint", |b| {
        b.iter(|| {
            terminal.clear().expect("clear");
            terminal
                .draw(|f| {
                    black_box(ghl_tui::ui::view(black_box(&details), f));
                })
                .expect("draw");
        })
    });
    group.finish();
}

criterion_group!(benches, bench_frame);
criterion_main!(benches);
