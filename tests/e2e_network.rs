//! The real binary against a network that waits or lies: every wait of over a second is said
//! in the status bar with why and until when, `r` cuts it short, and a token a server echoes
//! reaches neither the screen nor the log.

mod common;

use common::hostile::{Answer, Hostile};
use common::pty::*;
use ghl_tui::sandbox::{DEMO_TOKEN, Fault, Sandbox, Seed};

fn sandbox(rt: &tokio::runtime::Runtime) -> Sandbox {
    let seed = Seed::demo().expect("demo seed");
    rt.block_on(Sandbox::demo(&seed, Default::default()))
        .expect("sandbox")
}

fn spawn_on(sb: &Sandbox) -> Tui {
    let base = sb.base_url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN", DEMO_TOKEN),
        ("GHL_LOCATION_ID", sb.location_id()),
    ];
    Tui::spawn_env(&[], 120, 30, &env)
}

/// The seconds in `rate limited by the API · retrying in N s`, if shown.
fn retry_in(screen: &vt100::Screen) -> Option<u64> {
    let all = screen.contents();
    let rest = all.split("rate limited by the API · retrying in ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

/// A 429 asking for an hour: within moments the status bar says so and when the next try is
/// (a minute at most, for a read), and `r` tries at once instead of waiting it out.
#[test]
fn a_long_rate_limit_is_said_and_r_tries_now() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sb = sandbox(&rt);
    sb.fail_always("POST", "/contacts/search", Fault::RateLimited(Some(3600)));
    let mut tui = spawn_on(&sb);
    tui.wait("the wait said, with when", |sc| retry_in(sc).is_some());
    let left = retry_in(tui.screen()).expect("seconds");
    // Shown near the start of the minute's wait, not at its end.
    assert!((45..=60).contains(&left), "retrying in {left} s");
    sb.stop_failing("POST", "/contacts/search");
    tui.send("r");
    // Well inside the minute the pacer would otherwise hold everything.
    tui.wait("the list, loaded at once", |sc| {
        split_matches(sc, |s| s.left_title.contains("Contacts 320"))
    });
    tui.wait("the wait no longer said", |sc| retry_in(sc).is_none());
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
}

/// An answer that does not come: after a second the status bar says the API is slow and for
/// how long, and `r` asks again.
#[test]
fn a_stalled_answer_is_said_and_r_asks_again() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sb = sandbox(&rt);
    sb.fail_always(
        "POST",
        "/contacts/search",
        Fault::Delay(std::time::Duration::from_secs(25)),
    );
    let mut tui = spawn_on(&sb);
    tui.wait("the slow answer said", |sc| {
        sc.contents().contains("the API is slow to answer (")
    });
    tui.wait("the seconds counted", |sc| {
        sc.contents().contains("the API is slow to answer (2 s)")
            || sc.contents().contains("the API is slow to answer (3 s)")
    });
    sb.stop_failing("POST", "/contacts/search");
    tui.send("r");
    tui.wait("the list from the second request", |sc| {
        split_matches(sc, |s| s.left_title.contains("Contacts 320"))
    });
    // The stalled request was called off: nothing is waited for any more.
    tui.wait("the wait no longer said", |sc| {
        !sc.contents().contains("slow to answer")
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    tui.assert_terminal_restored();
}

/// A server that repeats the Authorization header in every error: the status bar and the log
/// say what failed with the token replaced, and the log and its folder are private.
#[test]
fn a_token_echoed_by_the_server_reaches_neither_screen_nor_log() {
    // Opaque, as an OAuth access token can be, and echoed without its `Bearer`: only knowing
    // the value finds it.
    const TOKEN: &str = "Xk5d1b7c2e9f044c61a3d80e2f6b9a7c15Qw";
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(Hostile::start(|r| {
        let echo = r
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_string();
        Answer::json(
            400,
            &format!(r#"{{"statusCode":400,"message":"Unknown request. Received headers: Authorization: {echo}"}}"#),
        )
    }));
    let base = server.url();
    let env = [
        ("GHL_API_BASE_URL", base.as_str()),
        ("GHL_TOKEN", TOKEN),
        ("GHL_LOCATION_ID", "L0cati0nEcho"),
        ("GHL_TUI_LOG", "debug"),
    ];
    let mut tui = Tui::spawn_env(&[], 160, 30, &env);
    tui.wait("the refusal, redacted", |sc| {
        sc.contents().contains("Couldn't load contacts") && sc.contents().contains("[redacted]")
    });
    tui.send("r");
    tui.wait("asked again", |sc| sc.contents().contains("[redacted]"));
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
    assert!(
        !contains_bytes(&tui.raw, TOKEN.as_bytes()),
        "the token reached the terminal"
    );
    let asked = server.requests().len();
    assert!(asked >= 2, "{asked} requests");
    let log_path = tui.home.path().join(LOG);
    let log = std::fs::read_to_string(&log_path).expect("the log");
    assert!(
        log.contains("[redacted]"),
        "the failures are logged:\n{log}"
    );
    assert!(!log.contains(TOKEN), "the token is in the log:\n{log}");
    assert!(
        !log.contains("5d1b7c2e"),
        "part of the token is in the log:\n{log}"
    );
    common::assert_private(&log_path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in ["state/ghl-tui", "data/ghl-tui"] {
            let path = tui.home.path().join(dir);
            let mode = std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{dir}");
        }
    }
}

/// A change that cannot go out yet: `q` asks before quitting, and the restored terminal says
/// what is still waiting; a signal quits at once, the change kept for the next start.
#[test]
fn quitting_with_a_change_waiting_asks_and_says_what_waits() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sb = sandbox(&rt);
    // Every contact create fails for now: the new contact waits in the outbox.
    sb.fail_always("POST", "/contacts/", Fault::Status(503));
    for signal in [None, Some("-TERM")] {
        let mut tui = spawn_on(&sb);
        tui.wait("the list", |sc| {
            split_matches(sc, |s| s.left_title.contains("Contacts 320"))
        });
        tui.send("n");
        tui.wait("the contact form", |sc| {
            sc.contents().contains("New contact")
        });
        tui.send("Wendy");
        tui.send("\x13"); // Ctrl-S
        tui.wait("the change waiting", |sc| {
            sc.contents().contains("⇡1 waiting")
        });
        match signal {
            None => {
                tui.send("q");
                tui.wait("the question", |sc| {
                    sc.contents().contains(
                        "1 change not yet sent: quit anyway? they go out at the next start",
                    )
                });
                tui.send("y");
                assert!(tui.wait_exit(DEADLINE).success());
                let said = String::from_utf8_lossy(&tui.raw).into_owned();
                let after = said.rsplit("\x1b[?1049l").next().unwrap_or_default();
                assert!(
                    after.contains("1 change not yet sent; they go out at the next start")
                        && after.contains("new contact Wendy"),
                    "after the screen was restored: {after:?}"
                );
            }
            Some(sig) => {
                tui.signal(sig.trim_start_matches('-'));
                assert!(tui.wait_exit(DEADLINE).success(), "a signal quits at once");
            }
        }
        tui.assert_terminal_restored();
    }
}

/// With a token that may read the location and its users: the status bar names the location,
/// not its id, and the details name the person a contact is assigned to.
#[test]
fn the_location_and_people_are_named() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sb = sandbox(&rt);
    let seed = Seed::demo().expect("demo seed");
    let mut tui = spawn_on(&sb);
    tui.wait("the location's name in the status bar", |sc| {
        split_matches(sc, |s| s.status.contains("location · Northwind Realty"))
    });
    // A contact assigned to someone: its details say who, by name.
    let (email, user) = seed
        .contacts
        .iter()
        .find_map(|c| {
            let email = c.get("email")?.as_str()?;
            let who = c.get("assignedTo")?.as_str()?;
            let name = seed
                .users
                .iter()
                .find(|u| u.get("id").and_then(|i| i.as_str()) == Some(who))?
                .get("name")?
                .as_str()?;
            Some((email.to_string(), name.to_string()))
        })
        .expect("an assigned contact");
    tui.send("/");
    tui.send(&email);
    tui.wait("the contact", |sc| sc.contents().contains(" 1 of 320"));
    tui.send("\t2");
    tui.wait("assigned to a person, by name", |sc| {
        sc.contents().contains(&format!("Assigned to   {user}"))
    });
    tui.send("q");
    assert!(tui.wait_exit(DEADLINE).success());
}
