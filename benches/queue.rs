//! The work queue (`0`) at 10,000 open tasks: grouping and ordering them (`Queue::rows`), one
//! 120x40 frame with the queue open, and one `j` (the key resolved, update, the frame, what it
//! measured given back), as the event loop does it. The tasks are synthetic and the same every
//! run: overdue, today, tomorrow, this week, later and undated, each for a named contact.
//! Prints the median and 95th percentile of each, then hands them to criterion.
//!
//! `cargo bench --bench queue`

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, FixedOffset, NaiveDate, NaiveDateTime};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ghl_tui::api::{Appointment, QueueTask, Task};
use ghl_tui::app::geometry::Geometry;
use ghl_tui::app::state::Load;
use ghl_tui::app::{Msg, Pane, State};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TASKS: usize = 10_000;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

const ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
];

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Sofia", "Mateo", "Amara", "Kenji", "Priya", "Lukas", "Zoe", "Ibrahim",
    "Chen", "Fatima", "Diego", "Sakura", "Noah", "Aaliyah", "Jonas", "Mei", "Rahul", "Elena",
];
const LAST: &[&str] = &[
    "Garcia",
    "Nguyen",
    "Smith",
    "Kowalski",
    "Hernandez",
    "Patel",
    "Mueller",
    "Kaya",
    "Wang",
    "Araujo",
    "Johnson",
    "Okafor",
    "Taylor",
    "Brown",
    "Rossi",
    "Yamamoto",
    "Li",
    "Scott",
    "Novak",
    "Haddad",
];
const COMPANIES: &[&str] = &[
    "Acme Realty",
    "Northwind Homes",
    "Blue Harbor Mortgage",
    "Summit Property Group",
    "Lakeside Title",
    "Evergreen Builders",
    "Cedar & Stone Interiors",
    "Metro Relocation Services",
];
const VERBS: &[&str] = &[
    "Call back about",
    "Send",
    "Follow up on",
    "Confirm",
    "Schedule a showing for",
    "Email the",
    "Review",
    "Chase the signature on",
];
const OBJECTS: &[&str] = &[
    "the listing",
    "the offer",
    "pre-approval letter",
    "inspection report",
    "closing documents",
    "the open house",
    "comparable sales",
    "the counter-offer",
    "renewal terms",
    "a price reduction",
];

/// A small linear congruential generator: the same tasks every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// A Wednesday afternoon (14:00 on the user's clock, UTC-5): the week has days left in it.
fn now_and_zone() -> (NaiveDateTime, FixedOffset) {
    let zone = FixedOffset::west_opt(5 * 3600).expect("zone");
    let now = NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(19, 0, 0))
        .expect("date");
    (now, zone)
}

/// As the API sends it: UTC, RFC 3339.
fn utc_text(local: NaiveDateTime, zone: FixedOffset) -> String {
    let utc = local - Span::seconds(i64::from(zone.local_minus_utc()));
    utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `n` open tasks, about a quarter overdue, a tenth today, a tenth tomorrow, 15 % later this
/// week, a quarter later, 15 % with no date; most for a contact at a company.
fn tasks(n: usize, now: NaiveDateTime, zone: FixedOffset) -> Vec<QueueTask> {
    let mut r = Lcg(0x05ee_d0f9_e11e);
    let local = now + Span::seconds(i64::from(zone.local_minus_utc()));
    let midnight = local.date().and_hms_opt(0, 0, 0).expect("midnight");
    let minutes_left_today = (midnight + Span::days(1) - local).num_minutes() as u64;
    (0..n)
        .map(|i| {
            let bucket = r.below(100);
            let due = match bucket {
                0..25 => Some(local - Span::minutes(1 + r.below(30 * 24 * 60) as i64)),
                25..35 => Some(local + Span::minutes(1 + r.below(minutes_left_today - 1) as i64)),
                35..45 => Some(midnight + Span::days(1) + Span::minutes(r.below(24 * 60) as i64)),
                // Friday to Sunday: two to four days from Wednesday.
                45..60 => Some(
                    midnight
                        + Span::days(2 + r.below(3) as i64)
                        + Span::minutes(r.below(1440) as i64),
                ),
                60..85 => Some(
                    midnight
                        + Span::days(5 + r.below(120) as i64)
                        + Span::minutes(r.below(1440) as i64),
                ),
                _ => None,
            };
            let contact = r.below(4000);
            let company = if r.below(10) < 6 {
                r.pick(COMPANIES).to_string()
            } else {
                String::new()
            };
            let title = format!("{} {}", r.pick(VERBS), r.pick(OBJECTS));
            QueueTask {
                task: Task {
                    id: Some(format!("task{i:05}")),
                    title: Some(title),
                    body: (r.below(3) == 0).then(|| {
                        "Asked for a call after 5pm. Has a second property to sell in spring."
                            .to_string()
                    }),
                    assigned_to: Some("user1".into()),
                    due_date: due.map(|d| utc_text(d, zone)),
                    completed: Some(false),
                    contact_id: Some(format!("contact{contact:05}")),
                    ..Default::default()
                },
                contact_name: format!("{} {}", r.pick(FIRST), r.pick(LAST)),
                company,
                // Most contacts' clocks are known (from the replica), as after a first sync.
                timezone: (r.below(5) != 0).then(|| r.pick(ZONES).to_string()),
                dnd: r.below(20) == 0,
            }
        })
        .collect()
}

/// A few of today's appointments, above the tasks.
fn appointments(now: NaiveDateTime, zone: FixedOffset) -> Vec<Appointment> {
    let local = now + Span::seconds(i64::from(zone.local_minus_utc()));
    let day = local.date();
    [
        (9, "Listing walkthrough"),
        (15, "Buyer consult"),
        (17, "Closing call"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (h, title))| Appointment {
        id: Some(format!("appt{i}")),
        title: Some((*title).to_string()),
        start_time: Some(utc_text(day.and_hms_opt(*h, 0, 0).expect("time"), zone)),
        appointment_status: Some("confirmed".into()),
        ..Default::default()
    })
    .collect()
}

/// The app with the queue open and focused, its 10,000 tasks and today's appointments in.
fn queue_state() -> State {
    let (now, zone) = now_and_zone();
    let mut state = State::new("demo · bench", "BenchLoc", now);
    state.size = (WIDTH, HEIGHT);
    state.zone = zone;
    state.me = Some("user1".into());
    state.users.insert("user1".into(), "Dana Reyes".into());
    state.queue.tasks = Load::Ready(tasks(TASKS, now, zone));
    state.queue.events = Load::Ready(appointments(now, zone));
    state.queue.open = true;
    state.focus = Pane::Queue;
    state
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

/// One frame, diffed against the last, as the app draws.
fn frame(t: &mut Terminal<TestBackend>, state: &State) -> Geometry {
    let mut geometry = Geometry::default();
    t.draw(|f| geometry = ghl_tui::ui::view(state, f))
        .expect("draw");
    geometry
}

/// One `j` as the event loop takes it: resolved for the scope, update, the frame, and what the
/// frame measured given back when it changed. Back to the top before the bottom is reached.
fn key_j(t: &mut Terminal<TestBackend>, state: &mut State) -> (Duration, Duration) {
    if state.queue.selected + 1 >= TASKS {
        state.queue.selected = 0;
    }
    let key = Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    let start = Instant::now();
    if let Some(msg) = ghl_tui::app::keys::resolve(state, key) {
        black_box(ghl_tui::app::update(state, msg));
    }
    let updated = start.elapsed();
    let geometry = frame(t, state);
    if geometry != state.geometry {
        black_box(ghl_tui::app::update(state, Msg::Drawn(geometry)));
    }
    (updated, start.elapsed() - updated)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label}: median {:.2} ms, p95 {:.2} ms over {} runs",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        times.len()
    );
}

fn figures(state: &mut State) {
    let (now, zone) = (state.now, state.zone);
    let rows = state.queue.rows(now, zone);
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for r in &rows {
        match groups.last_mut() {
            Some((g, n)) if *g == r.group.title() => *n += 1,
            _ => groups.push((r.group.title(), 1)),
        }
    }
    let groups: Vec<String> = groups.iter().map(|(g, n)| format!("{g} {n}")).collect();
    println!("queue of {} tasks: {}", rows.len(), groups.join(", "));
    assert_eq!(rows.len(), TASKS, "every task is open and shown");
    drop(rows);

    let times = (0..200)
        .map(|_| {
            let t = Instant::now();
            black_box(state.queue.rows(black_box(now), zone));
            t.elapsed()
        })
        .collect();
    report("queue rows, 10k tasks", times);

    for (label, at) in [("at the top", 0), ("half way down", TASKS / 2)] {
        state.queue.selected = at;
        let mut t = terminal();
        frame(&mut t, state);
        let times = (0..200)
            .map(|_| {
                let start = Instant::now();
                black_box(frame(&mut t, black_box(state)));
                start.elapsed()
            })
            .collect();
        report(
            &format!("frame 120x40, queue open, 10k tasks, selection {label}"),
            times,
        );
    }

    state.queue.selected = 0;
    let mut t = terminal();
    frame(&mut t, state);
    let (mut whole, mut updates, mut frames) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..500 {
        let (u, f) = key_j(&mut t, state);
        whole.push(u + f);
        updates.push(u);
        frames.push(f);
    }
    assert_eq!(
        state.queue.selected, 500,
        "each j moved the selection down one"
    );
    report("j in the queue, 10k tasks (key to frame)", whole);
    report("  of which update", updates);
    report("  of which the frame", frames);
}

fn bench_queue(c: &mut Criterion) {
    let mut state = queue_state();
    figures(&mut state);

    let mut group = c.benchmark_group("queue_10k");
    let (now, zone) = (state.now, state.zone);
    group.bench_function("rows", |b| {
        b.iter(|| state.queue.rows(black_box(now), zone).len())
    });
    state.queue.selected = TASKS / 2;
    let mut t = terminal();
    frame(&mut t, &state);
    group.bench_function("frame_120x40", |b| {
        b.iter(|| frame(&mut t, black_box(&state)))
    });
    state.queue.selected = 0;
    let mut t = terminal();
    frame(&mut t, &state);
    group.bench_function("j_then_frame", |b| b.iter(|| key_j(&mut t, &mut state)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = bench_queue
}
criterion_main!(benches);
