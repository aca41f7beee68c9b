//! The work queue in the real binary, in a real terminal, at 80x24 and 120x40: `0` opens it,
//! `D` logs the call on the first task with the default outcome (No answer) and `Ctrl-S` does
//! it all; the sandbox is then asked over HTTP what happened.

mod common;

use std::collections::HashSet;

use common::pty::*;
use ghl_tui::api::{Client, ClientConfig, Secret, TaskFilter};
use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, Seed};

fn open_tasks(rt: &tokio::runtime::Runtime, client: &Client, me: &str) -> HashSet<String> {
    let filter = TaskFilter {
        completed: Some(false),
        assigned_to: vec![me.to_string()],
    };
    rt.block_on(client.location_tasks(&filter))
        .expect("the location's tasks")
        .iter()
        .map(|t| t.id().to_string())
        .collect()
}

fn log_a_call(cols: u16, rows: u16, start: &str) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let seed = Seed::demo_today().expect("demo seed");
    let sb = rt
        .block_on(Sandbox::demo(&seed, Default::default()))
        .expect("sandbox");
    let me = seed
        .users
        .first()
        .and_then(|u| u.get("id")?.as_str())
        .expect("a user")
        .to_string();
    let base = sb.base_url();
    let client = Client::new(ClientConfig::new(
        &base,
        Secret::new(DEMO_TOKEN),
        sb.location_id(),
    ))
    .expect("client");
    let before = open_tasks(&rt, &client, &me);

    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN", DEMO_TOKEN),
        ("GHL_LOCATION_ID", sb.location_id()),
        ("GHL_USER_ID", me.as_str()),
        ("TZ", "UTC"),
        ("GHL_START_VIEW", start),
    ];
    let mut tui = Tui::spawn_env(&[], cols, rows, &env);
    if start == "contacts" {
        tui.wait("the list", |sc| sc.contents().contains("Contacts"));
        tui.send("0");
    }
    // By default the app opens on the queue when work is due.
    tui.wait("the queue", |sc| {
        let all = sc.contents();
        all.contains("0 Queue") && all.contains("Overdue (")
    });
    tui.send("D");
    tui.wait("the call's form", |sc| {
        let all = sc.contents();
        all.contains("Log the call") && all.contains("No answer")
    });
    tui.send("\x13"); // Ctrl-S
    tui.wait("back in the queue", |sc| {
        let all = sc.contents();
        !all.contains("Log the call") && all.contains("0 Queue")
    });
    tui.wait("all sent", |sc| !sc.contents().contains("waiting"));

    // One task of mine completed; its contact has the note and the follow-up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (done, follow) = loop {
        let after = open_tasks(&rt, &client, &me);
        let done: Vec<&String> = before.difference(&after).collect();
        let new: Vec<&String> = after.difference(&before).collect();
        if done.len() == 1 && new.len() == 1 {
            break (done[0].clone(), new[0].clone());
        }
        assert!(
            std::time::Instant::now() < deadline,
            "completed {done:?}, new {new:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let all = rt
        .block_on(client.location_tasks(&TaskFilter {
            completed: None,
            assigned_to: vec![me.clone()],
        }))
        .expect("tasks");
    let done = all.iter().find(|t| t.id() == done).expect("the task");
    let follow = all
        .iter()
        .find(|t| t.id() == follow)
        .expect("the follow-up");
    assert_eq!(done.task.completed, Some(true));
    assert_eq!(follow.contact_id(), done.contact_id());
    assert_eq!(
        follow.task.title.as_deref(),
        Some(format!("Follow up: {}", done.task.title.as_deref().unwrap_or("")).as_str())
    );
    let today = chrono::Utc::now().date_naive();
    let due = follow.task.due().expect("a due date");
    assert_eq!(
        due.time(),
        chrono::NaiveTime::from_hms_opt(10, 0, 0).expect("10:00")
    );
    assert_eq!(due.date(), today + chrono::Duration::days(2));
    let notes = rt.block_on(client.notes(done.contact_id())).expect("notes");
    assert!(
        notes.iter().any(|n| n
            .body
            .as_deref()
            .is_some_and(|b| b.starts_with("No answer: called"))),
        "the note from the template"
    );
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
}

#[test]
fn a_call_is_logged_from_the_queue_at_80x24() {
    log_a_call(80, 24, "contacts");
}

#[test]
fn the_app_opens_on_the_queue_when_work_is_due_and_a_call_is_logged_at_120x40() {
    log_a_call(120, 40, "auto");
}
