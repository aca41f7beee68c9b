//! `ghl-tui export` as a script runs it: the real binary against a sandbox on 127.0.0.1. Every
//! format read back (JSON parsed, CSV by a CSV reader, SQLite by SQLite), each contact exactly
//! once; resumed after `kill -9` and `Ctrl-C` (the sandbox holds one answer so the export
//! stands still mid-way: no timing luck); the team's share of the day left alone; the exit
//! codes the README documents.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use ghl_tui::sandbox::{DEMO_TOKEN, Fault, RateConfig, Sandbox, SandboxConfig, Seed};
use serde_json::Value;

use common::cli::Home;

/// The sandbox with a burst limit high enough that a deep export of the demo takes a moment
/// (the client follows the `X-RateLimit-*` headers), and `daily` requests a day.
async fn sandbox(seed: &Seed, daily: u64) -> Sandbox {
    let mut config = SandboxConfig::for_seed(seed);
    config.rate = RateConfig {
        max: 10_000,
        interval: Duration::from_secs(1),
        daily,
    };
    common::start_with(seed, config).await
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

fn ok(o: &Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

fn seed_ids(seed: &Seed) -> HashSet<String> {
    seed.contacts
        .iter()
        .filter_map(|c| c.get("id")?.as_str().map(String::from))
        .collect()
}

/// JSON lines, each parsed.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a JSON line ({e}): {l:?}")))
        .collect()
}

/// The ids, asserting each comes once.
fn once(ids: impl IntoIterator<Item = String>) -> HashSet<String> {
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(id.clone()), "{id} twice");
    }
    seen
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("a CSV file");
    let header = r
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r.records().map(|x| x.expect("a row")).collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{name} in {header:?}"))
}

/// Polls until `ready`, failing if the export ends first or nothing comes within a minute.
fn wait_for(child: &mut Child, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("{what}: ghl-tui ended first ({status})");
        }
        assert!(Instant::now() < deadline, "{what}: not within a minute");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn checkpoint(out: &Path) -> Option<Value> {
    let mut p = out.as_os_str().to_owned();
    p.push(".export-progress");
    let bytes = std::fs::read(PathBuf::from(p)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn done(progress: &Value) -> u64 {
    progress["done"].as_u64().expect("done")
}

/// The sandbox answers nothing after `n` more requests, until released: the export stands
/// still mid-way, however fast the machine.
fn hold_after(sb: &Sandbox, n: usize) {
    sb.push_faults(std::iter::repeat_n(Fault::Delay(Duration::ZERO), n).chain([Fault::HeldAnswer]));
}

fn searches(sb: &Sandbox) -> Vec<ghl_tui::sandbox::Recorded> {
    sb.requests()
        .into_iter()
        .filter(|r| r.path == "/contacts/search")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_holds_every_contact_once_and_notes_whole() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed, 200_000).await;
    let h = Home::new(&sb);
    let ids = seed_ids(&seed);

    // JSON lines on stdout: the search's records, nothing else on either stream.
    let o = h.run(&["export"]);
    ok(&o);
    assert!(
        o.stderr.is_empty(),
        "quiet without a terminal: {}",
        stderr(&o)
    );
    let lines = json_lines(&String::from_utf8(o.stdout).expect("UTF-8"));
    let got = once(
        lines
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_string()),
    );
    assert_eq!(got, ids);
    assert!(
        lines.iter().all(|c| c.get("searchAfter").is_some()),
        "as sent"
    );

    // CSV on stdout: a header of API names and custom fields by name.
    let o = h.run(&["export", "--format", "csv"]);
    ok(&o);
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = r
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    for name in ["id", "firstName", "email", "tags", "Property type"] {
        column(&header, name);
    }
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("a row")).collect();
    assert_eq!(once(rows.iter().map(|r| r[0].to_string())), ids);

    // SQLite, into a file: a row each, and no checkpoint left once it is whole.
    let db = h.path("all.sqlite");
    ok(&h.run(&[
        "export",
        "--format",
        "sqlite",
        "--out",
        db.to_str().expect("path"),
    ]));
    let conn = rusqlite::Connection::open(&db).expect("SQLite");
    let mut stmt = conn
        .prepare("SELECT id, json FROM contacts")
        .expect("contacts");
    let stored: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(once(stored.iter().map(|(id, _)| id.clone())), ids);
    let kept: Value = serde_json::from_str(&stored[0].1).expect("JSON kept whole");
    assert_eq!(kept["id"], stored[0].0.as_str());
    let progress_left: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'ghl_export_progress'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(progress_left, 0);

    // --deep, JSON lines: what it costs is said, and is what it costs.
    let long_notes: Vec<&serde_json::Map<String, Value>> = seed
        .notes
        .iter()
        .filter(|n| n["body"].as_str().is_some_and(|b| b.chars().count() > 255))
        .collect();
    assert!(
        !long_notes.is_empty(),
        "the demo has notes past 255 characters"
    );
    let deep = h.path("deep.jsonl");
    let before = sb.requests().len();
    let o = h.run(&[
        "export",
        "--deep",
        "--yes",
        "--out",
        deep.to_str().expect("path"),
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("320 contacts: about 961 requests, 1 min 36 s at the limit; daily limit 200,000 (150,000 after the team's 25 %): fits in one day"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        sb.requests().len() - before,
        961,
        "a page and three a contact"
    );
    let lines = json_lines(&std::fs::read_to_string(&deep).expect("read"));
    assert_eq!(
        once(
            lines
                .iter()
                .map(|l| l["contact"]["id"].as_str().expect("id").to_string())
        ),
        ids
    );
    let notes: Vec<&Value> = lines
        .iter()
        .flat_map(|l| l["notes"].as_array().expect("notes"))
        .collect();
    assert_eq!(notes.len(), seed.notes.len());
    let tasks: usize = lines
        .iter()
        .map(|l| l["tasks"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(tasks, seed.tasks.len());
    for long in &long_notes {
        assert!(
            notes
                .iter()
                .any(|n| n["id"] == long["id"] && n["body"] == long["body"]),
            "note {} whole",
            long["id"]
        );
    }

    // --deep, CSV: notes, tasks and appointments in files beside the contacts.
    let all = h.path("all.csv");
    ok(&h.run(&[
        "export",
        "--format",
        "csv",
        "--deep",
        "--yes",
        "--out",
        all.to_str().expect("path"),
    ]));
    let (header, rows) = csv_rows(&all);
    assert_eq!(
        once(rows.iter().map(|r| r[column(&header, "id")].to_string())),
        ids
    );
    let (nh, notes) = csv_rows(&h.path("all.notes.csv"));
    assert_eq!(notes.len(), seed.notes.len());
    let (body, note_id) = (column(&nh, "body"), column(&nh, "id"));
    for long in &long_notes {
        assert!(
            notes
                .iter()
                .any(|n| Some(&n[note_id]) == long["id"].as_str()
                    && Some(&n[body]) == long["body"].as_str())
        );
    }
    let (_, appointments) = csv_rows(&h.path("all.appointments.csv"));
    assert_eq!(appointments.len(), seed.events.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_and_the_question_before_a_deep_export() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed, 200_000).await;
    let h = Home::new(&sb);
    let out = h.path("deep.jsonl");
    let out_arg = out.to_str().expect("path");

    // No terminal to ask: --yes is needed, said in one line with the cost; nothing is made.
    let o = h.run(&["export", "--deep", "--out", out_arg]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("320 contacts: about 961 requests"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert!(!out.exists(), "declined: no file left behind");

    for args in [
        vec!["export", "--deep", "--yes"],
        vec!["export", "--format", "sqlite"],
        vec!["export", "--reserve", "95"],
        vec!["export", "--format", "xml"],
    ] {
        let o = h.run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let folder = h.path("a-folder");
    std::fs::create_dir(&folder).expect("mkdir");
    assert_eq!(
        code(&h.run(&["export", "--out", folder.to_str().expect("path")])),
        2
    );

    // 3: nobody signed in.
    let none = common::ghl_tui(h.dir.path(), &h.base)
        .args(["export"])
        .output()
        .expect("run");
    assert_eq!(code(&none), 3, "{}", stderr(&none));
    assert!(none.stdout.is_empty());
    // 1: the server cannot be reached.
    let dead = common::ghl_tui(h.dir.path(), "http://127.0.0.1:1")
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", &h.location)
        .args(["export", "--out", out_arg])
        .output()
        .expect("run");
    assert_eq!(code(&dead), 1, "{}", String::from_utf8_lossy(&dead.stderr));
    assert!(!out.exists(), "nothing made when nothing came");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_export_resumes_with_every_contact_once() {
    let seed = Seed::synthetic(1_500);
    let sb = sandbox(&seed, 200_000).await;
    let h = Home::new(&sb);
    let out = h.path("all.jsonl");
    let out_arg = out.to_str().expect("path");

    hold_after(&sb, 2);
    let mut child = h.spawn(&["export", "--out", out_arg]);
    wait_for(&mut child, "a page written", || {
        checkpoint(&out).is_some_and(|p| done(&p) >= 500)
    });
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    sb.release_answers();
    let stopped = checkpoint(&out).expect("a checkpoint");
    assert!(done(&stopped) < 1_500, "stopped mid-way: {stopped}");
    // As if the kill had come in the middle of a write.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&out)
            .expect("open");
        f.write_all(b"{\"id\":\"half a li").expect("write");
    }

    // Another export into the same file is refused while this one is unfinished.
    let other = h.run(&["export", "--format", "csv", "--out", out_arg]);
    assert_eq!(code(&other), 2, "{}", stderr(&other));
    assert!(stderr(&other).contains("--restart"), "{}", stderr(&other));

    let searched = searches(&sb).len();
    let o = h.run(&["export", "--out", out_arg]);
    ok(&o);
    assert!(stderr(&o).contains("resuming the export"), "{}", stderr(&o));
    let resumed = searches(&sb);
    let first = resumed
        .get(searched)
        .and_then(|r| r.body.clone())
        .expect("a search");
    assert!(
        first.get("searchAfter").is_some(),
        "it goes on from the cursor: {first}"
    );
    let lines = json_lines(&std::fs::read_to_string(&out).expect("read"));
    assert_eq!(
        once(
            lines
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_string())
        ),
        seed_ids(&seed)
    );
    assert!(
        checkpoint(&out).is_none(),
        "a finished export leaves no checkpoint"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_deep_sqlite_export_resumes_with_everything_once() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed, 200_000).await;
    let h = Home::new(&sb);
    let db = h.path("all.sqlite");
    let db_arg = db.to_str().expect("path");
    let written = || -> u64 {
        let Ok(conn) =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        else {
            return 0;
        };
        conn.query_row("SELECT checkpoint FROM ghl_export_progress", [], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .map_or(0, |p| done(&p))
    };

    hold_after(&sb, 150);
    let mut child = h.spawn(&[
        "export", "--format", "sqlite", "--deep", "--yes", "--out", db_arg,
    ]);
    wait_for(&mut child, "contacts written", || written() >= 20);
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    sb.release_answers();
    assert!(written() < 320);

    let o = h.run(&[
        "export", "--format", "sqlite", "--deep", "--yes", "--out", db_arg,
    ]);
    ok(&o);
    assert!(stderr(&o).contains("resuming"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("contacts left"),
        "the cost of the rest: {}",
        stderr(&o)
    );
    let conn = rusqlite::Connection::open(&db).expect("SQLite");
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM contacts")
        .expect("contacts")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(once(ids), seed_ids(&seed));
    let notes: Vec<String> = conn
        .prepare("SELECT id FROM notes")
        .expect("notes")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(once(notes).len(), seed.notes.len(), "each note once");
    let tasks: i64 = conn
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .expect("tasks");
    assert_eq!(tasks as usize, seed.tasks.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_deep_csv_export_that_then_goes_on() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed, 200_000).await;
    let h = Home::new(&sb);
    let out = h.path("all.csv");
    let out_arg = out.to_str().expect("path");
    let args = [
        "export", "--format", "csv", "--deep", "--yes", "--out", out_arg,
    ];

    hold_after(&sb, 100);
    let mut child = h.spawn(&args);
    wait_for(&mut child, "contacts written", || {
        checkpoint(&out).is_some_and(|p| done(&p) >= 10)
    });
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(interrupted.success());
    let o = child.wait_with_output().expect("ended");
    sb.release_answers();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains("of 320 contacts; run the same command to go on"),
        "{said}"
    );
    assert!(checkpoint(&out).is_some());

    ok(&h.run(&args));
    let (header, rows) = csv_rows(&out);
    assert_eq!(
        once(rows.iter().map(|r| r[column(&header, "id")].to_string())),
        seed_ids(&seed)
    );
    for (file, expected) in [
        ("all.notes.csv", seed.notes.len()),
        ("all.tasks.csv", seed.tasks.len()),
        ("all.appointments.csv", seed.events.len()),
    ] {
        let (header, rows) = csv_rows(&h.path(file));
        let id = column(&header, "id");
        assert_eq!(
            once(rows.iter().map(|r| r[id].to_string())).len(),
            expected,
            "{file}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_pauses_to_leave_the_team_its_share_of_the_day() {
    let seed = common::demo_seed();
    // 400 requests a day, a quarter kept for the team: 300 for the export at most.
    let sb = sandbox(&seed, 400).await;
    let h = Home::new(&sb);
    let out = h.path("deep.jsonl");
    let o = h.run(&[
        "export",
        "--deep",
        "--yes",
        "--daily-limit",
        "400",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let last = stderr(&o).lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains("paused to leave 25 % of today's allowance; run again after"),
        "{last}"
    );
    let used = sb.requests().len();
    // Up to the line, less what the contacts in flight might still have needed.
    assert!((285..=300).contains(&used), "{used} requests of 400");
    let progress = checkpoint(&out).expect("resumable");
    let lines = json_lines(&std::fs::read_to_string(&out).expect("read"));
    assert_eq!(lines.len() as u64, done(&progress));
    assert!(done(&progress) >= 90, "{progress}");

    // Another export into that file needs --restart, which replaces the unfinished one.
    let out_arg = out.to_str().expect("path");
    assert_eq!(code(&h.run(&["export", "--out", out_arg])), 2);
    ok(&h.run(&[
        "export",
        "--out",
        out_arg,
        "--restart",
        "--daily-limit",
        "400",
    ]));
    let lines = json_lines(&std::fs::read_to_string(&out).expect("read"));
    assert_eq!(lines.len(), seed.contacts.len());
    assert!(
        lines.iter().all(|l| l.get("contact").is_none()),
        "not deep any more"
    );
    assert!(checkpoint(&out).is_none());
}
