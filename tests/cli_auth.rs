//! The sign-in commands as a user runs them: `login --token`, `auth status`, `logout`, with
//! profiles, against a sandbox on 127.0.0.1.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use ghl_tui::sandbox::{DEMO_TOKEN, READONLY_TOKEN};

struct Home {
    dir: tempfile::TempDir,
    base: String,
    location: String,
}

impl Home {
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = common::ghl_tui(self.dir.path(), &self.base)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ghl-tui");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("output")
    }

    fn token_file(&self, profile: &str) -> std::path::PathBuf {
        self.dir
            .path()
            .join("config")
            .join("ghl-tui")
            .join("profiles")
            .join(format!("{profile}.tokens.json"))
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn login_status_and_logout_with_a_private_integration_token() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home {
        dir: tempfile::tempdir().expect("tempdir"),
        base: sb.base_url(),
        location: sb.location_id().into(),
    };
    let h = &home;
    let out = tokio::task::block_in_place(|| h.run(&["auth", "status"], ""));
    assert!(text(&out).contains("Not signed in"), "{}", text(&out));

    let out = tokio::task::block_in_place(|| {
        h.run(
            &["login", "--token", "--location", &h.location],
            &format!("{DEMO_TOKEN}\n"),
        )
    });
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Signed in to location"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains(DEMO_TOKEN),
        "the token is never printed"
    );
    let file = h.token_file("default");
    common::assert_private(&file);

    let out = tokio::task::block_in_place(|| h.run(&["auth", "status"], ""));
    let status = text(&out);
    assert!(
        status.contains(&h.location) && status.contains("does not expire"),
        "{status}"
    );
    assert!(!status.contains(DEMO_TOKEN), "{status}");

    // Another profile is another account: not signed in, and a bad token is not stored.
    let out = tokio::task::block_in_place(|| {
        h.run(
            &[
                "--profile",
                "other",
                "login",
                "--token",
                "--location",
                &h.location,
            ],
            "pit-wrong\n",
        )
    });
    assert!(!out.status.success());
    assert!(text(&out).contains("not accepted"), "{}", text(&out));
    assert!(!h.token_file("other").exists());

    let out = tokio::task::block_in_place(|| h.run(&["logout"], ""));
    assert!(text(&out).contains("Signed out"), "{}", text(&out));
    assert!(!file.exists());

    let log = std::fs::read_to_string(
        h.dir
            .path()
            .join("state")
            .join("ghl-tui")
            .join("ghl-tui.log"),
    )
    .unwrap_or_default();
    assert!(
        !log.contains(DEMO_TOKEN) && !log.contains("pit-wrong"),
        "a token reached the log"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_the_read_scope_is_explained() {
    let seed = common::demo_seed();
    let mut cfg = ghl_tui::sandbox::SandboxConfig::for_seed(&seed);
    cfg.tokens.insert(
        "pit-calendars".into(),
        ghl_tui::sandbox::Grant {
            location_id: seed.location_id.clone(),
            scopes: vec!["calendars.readonly".into()],
            ..Default::default()
        },
    );
    let sb = common::start_with(&seed, cfg).await;
    let home = Home {
        dir: tempfile::tempdir().expect("tempdir"),
        base: sb.base_url(),
        location: sb.location_id().into(),
    };
    let out = tokio::task::block_in_place(|| {
        home.run(
            &["login", "--token", "--location", &home.location],
            "pit-calendars\n",
        )
    });
    assert!(!out.status.success());
    assert!(
        text(&out).contains("lacks contacts.readonly"),
        "{}",
        text(&out)
    );
    // A read-only token signs in fine.
    let out = tokio::task::block_in_place(|| {
        home.run(
            &["login", "--token", "--location", &home.location],
            &format!("{READONLY_TOKEN}\n"),
        )
    });
    assert!(out.status.success(), "{}", text(&out));
}
