//! The sign-in commands as a user runs them: `login --token`, `auth status`, `logout`, with
//! profiles, against a sandbox on 127.0.0.1.

mod common;

use std::process::Output;

use ghl_tui::sandbox::{DEMO_TOKEN, READONLY_TOKEN};

struct Home {
    dir: tempfile::TempDir,
    base: String,
    location: String,
}

impl Home {
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = common::ghl_tui(self.dir.path(), &self.base);
        cmd.args(args);
        common::output_with_stdin(&mut cmd, stdin)
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

/// `auth status` tells where the token in use comes from (the environment wins, as it does
/// for the app), and exits 3, "not signed in", when there is none.
#[tokio::test(flavor = "multi_thread")]
async fn auth_status_says_where_the_token_comes_from() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = tempfile::tempdir().expect("tempdir");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = common::ghl_tui(home.path(), &sb.base_url());
        cmd.args(["auth", "status"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        tokio::task::block_in_place(|| cmd.output().expect("run"))
    };
    let none = run(&[]);
    assert_eq!(none.status.code(), Some(3), "{}", text(&none));
    assert!(text(&none).contains("Not signed in"));

    let with_env = run(&[
        ("GHL_TOKEN", DEMO_TOKEN),
        ("GHL_LOCATION_ID", sb.location_id()),
    ]);
    let said = text(&with_env);
    assert_eq!(with_env.status.code(), Some(0), "{said}");
    assert!(said.contains("the environment (GHL_TOKEN)"), "{said}");
    assert!(said.contains(sb.location_id()), "{said}");
    assert!(
        !said.contains("Not signed in") && !said.contains(DEMO_TOKEN),
        "{said}"
    );

    let config = home.path().join("config").join("ghl-tui");
    std::fs::create_dir_all(&config).expect("dir");
    std::fs::write(
        config.join("config.toml"),
        format!("token = \"{DEMO_TOKEN}\"\n"),
    )
    .expect("write");
    let from_file = run(&[]);
    let said = text(&from_file);
    assert_eq!(from_file.status.code(), Some(0), "{said}");
    assert!(said.contains("the config file ("), "{said}");
}

#[test]
fn logout_purge_deletes_the_local_copies_and_keeps_the_outbox() {
    let home = Home {
        dir: tempfile::tempdir().expect("tempdir"),
        base: "http://127.0.0.1:9".into(),
        location: "Loc".into(),
    };
    let data = home.dir.path().join("data").join("ghl-tui");
    std::fs::create_dir_all(&data).expect("data dir");
    let outbox = data.join("LocA.sqlite3");
    let store = ghl_tui::store::Store::open(&outbox).expect("outbox");
    drop(store);
    for loc in ["LocA", "LocB"] {
        let path = ghl_tui::store::replica_path(&data.join(format!("{loc}.sqlite3")));
        let (r, _) = ghl_tui::store::Replica::open(&path).expect("replica");
        drop(r);
    }
    let out = home.run(&["logout", "--purge"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Deleted the local copy of 2 accounts"),
        "{}",
        text(&out)
    );
    let left: Vec<String> = std::fs::read_dir(&data)
        .expect("read")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert!(left.iter().all(|f| !f.contains(".replica.")), "{left:?}");
    assert!(outbox.exists(), "the outbox stays: {left:?}");
}
