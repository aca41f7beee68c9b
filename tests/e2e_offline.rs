//! Offline: the real binary starts from its replica with the server gone, says so, shows the
//! cached list and contact, keeps a note typed meanwhile, and sends it exactly once when the
//! server is back, without a restart.

mod common;

use common::pty::*;
use ghl_tui::api::{Client, ClientConfig, SearchRequest, Secret};
use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, SandboxConfig, Seed};

const CONTACTS: usize = 2000;

fn serve(rt: &tokio::runtime::Runtime, seed: &Seed, port: u16) -> Sandbox {
    let cfg = SandboxConfig::for_seed(seed);
    rt.block_on(Sandbox::start(seed, cfg, ([127, 0, 0, 1], port).into()))
        .expect("sandbox")
}

#[test]
fn offline_start_shows_the_replica_and_a_note_arrives_once_when_the_server_is_back() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let seed = Seed::synthetic(CONTACTS);
    let sb = serve(&rt, &seed, 0);
    let port = sb.addr().port();
    let base = sb.base_url();
    let location = sb.location_id().to_string();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN", DEMO_TOKEN),
        ("GHL_LOCATION_ID", location.as_str()),
        ("GHL_SYNC_INTERVAL", "10"),
    ];
    // The newest contact heads the list.
    let client = Client::new(ClientConfig::new(
        &base,
        Secret::new(DEMO_TOKEN),
        sb.location_id(),
    ))
    .expect("client");
    let first = rt
        .block_on(client.search(&SearchRequest {
            location_id: sb.location_id().into(),
            page_limit: 1,
            ..Default::default()
        }))
        .expect("search")
        .contacts
        .remove(0);
    let name = first.display_name();

    // Online: the first sync fills the replica.
    let mut tui = Tui::spawn_env(&[], 120, 30, &env);
    tui.wait("the first sync", |sc| {
        let all = sc.contents();
        all.contains("Contacts 2,000") && all.contains("synced")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    let home = std::mem::replace(&mut tui.home, tempfile::tempdir().expect("tempdir"));
    drop(tui);

    // The server goes away; the app starts anyway, from the replica.
    drop(sb);
    let mut tui = Tui::spawn_in(home, &[], 120, 30, &env);
    tui.wait("the cached list, said offline", |sc| {
        let all = sc.contents();
        all.contains("Contacts 2,000") && all.contains("offline · cached")
    });
    tui.wait("the first contact's cached details", |sc| {
        split_matches(sc, |s| s.right_title.contains(&name))
    });
    tui.send("4");
    tui.wait("the notes pane", |sc| sc.contents().contains("4 Notes"));
    tui.send("n");
    tui.wait("the note editor", |sc| sc.contents().contains("New note"));
    let body = "Typed while offline: call back Tuesday.";
    tui.send(body);
    tui.send("\x13"); // Ctrl-S
    tui.wait("the note waiting", |sc| {
        sc.contents().contains("⇡1 waiting")
    });

    // The server is back on the same address: the app finds it on its own.
    let sb = serve(&rt, &seed, port);
    tui.wait("the note sent", |sc| {
        let all = sc.contents();
        !all.contains("⇡1 waiting") && !all.contains("offline ·") && all.contains("synced")
    });
    let notes = rt
        .block_on(client.notes(first.id()))
        .expect("the contact's notes");
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.body.as_deref() == Some(body))
            .count(),
        1,
        "the note arrived exactly once"
    );
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
    drop(sb);
}

/// A keyring slow to answer: the last location's list is on screen from its replica while
/// the sign-in is still being read, and the app goes on from there once it is.
#[test]
fn the_replica_is_shown_before_the_sign_in_is_read() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let seed = Seed::synthetic(500);
    let sb = serve(&rt, &seed, 0);
    let base = sb.base_url();
    let location = sb.location_id().to_string();
    let home = tempfile::tempdir().expect("tempdir");
    // Signed in the way a user is, the sign-in stored (in the file here: no keyring in CI).
    let mut login = std::process::Command::new(env!("CARGO_BIN_EXE_ghl-tui"));
    login
        .args(["login", "--token", "--location", &location])
        .envs(home_env(home.path()))
        .env("GHL_API_BASE_URL", &base)
        .env("GHL_TOKEN_STORE", "file")
        .env_remove("GHL_TOKEN")
        .env_remove("GHL_LOCATION_ID")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = login.spawn().expect("login");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{DEMO_TOKEN}").expect("token");
    }
    let out = child.wait_with_output().expect("login ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN_STORE", "file"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 120, 30, &env);
    tui.wait("the first sync", |sc| {
        let all = sc.contents();
        all.contains("Contacts 500") && all.contains("synced")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    let home = std::mem::replace(&mut tui.home, tempfile::tempdir().expect("tempdir"));
    drop(tui);

    let slow = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN_STORE", "file"),
        ("GHL_TEST_SIGN_IN_DELAY_MS", "4000"),
    ];
    let mut tui = Tui::spawn_in(home, &[], 120, 30, &slow);
    tui.wait("the list while signing in", |sc| {
        // Its first screen (the rest is read once the session starts).
        let all = sc.contents();
        all.contains("300/500 contacts") && all.contains("Signing in")
    });
    tui.wait("the session, once signed in", |sc| {
        let all = sc.contents();
        all.contains("Contacts 500") && !all.contains("Signing in") && all.contains("synced")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
    drop(sb);
}
