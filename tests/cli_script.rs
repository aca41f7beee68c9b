//! The scripting commands as a script runs them: the real binary, a sandbox on 127.0.0.1,
//! stdout read as data (JSON parsed, CSV read back, tables split), stderr as talk, and the
//! exit codes the README documents. Writes are checked on the server over HTTP.

mod common;

use std::process::Output;

use ghl_tui::sandbox::{DEMO_TOKEN, NARROW_TOKEN, READONLY_TOKEN, Sandbox};
use serde_json::Value;

struct Script {
    dir: tempfile::TempDir,
    base: String,
    location: String,
    token: String,
}

impl Script {
    fn new(sb: &Sandbox, token: &str) -> Script {
        Script {
            dir: tempfile::tempdir().expect("tempdir"),
            base: sb.base_url(),
            location: sb.location_id().to_string(),
            token: token.to_string(),
        }
    }

    fn run_in(&self, base: &str, args: &[&str], stdin: &str) -> Output {
        let mut cmd = common::ghl_tui(self.dir.path(), base);
        cmd.env("GHL_TOKEN", &self.token)
            .env("GHL_LOCATION_ID", &self.location)
            .env_remove("NO_COLOR")
            .args(args);
        common::output_with_stdin(&mut cmd, stdin)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(&self.base, args, "")
    }

    /// The local copy of the account, where the app keeps it for this home.
    fn replica_path(&self) -> std::path::PathBuf {
        let store = self
            .dir
            .path()
            .join("data")
            .join("ghl-tui")
            .join(format!("{}.sqlite3", self.location));
        ghl_tui::store::replica_path(&store)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

fn json(o: &Output) -> Value {
    assert_eq!(code(o), 0, "{}", stderr(o));
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}): {:?}", stdout(o)))
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_list_search_and_show_in_every_format() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let s = Script::new(&sb, DEMO_TOKEN);

    // --json: the search results' own shape, unknown fields kept, newest first.
    let all = json(&s.run(&["contacts", "list", "--limit", "0", "--json"]));
    let all = all.as_array().expect("an array");
    assert_eq!(all.len(), seed.contacts.len(), "every contact, paged");
    assert!(
        all.iter().all(|c| c.get("searchAfter").is_some()),
        "as the search sends them"
    );
    let ids: std::collections::HashSet<&str> =
        all.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), all.len(), "each once");

    let three = json(&s.run(&["contacts", "list", "--limit", "3", "--json"]));
    assert_eq!(three.as_array().map(Vec::len), Some(3));

    // --jsonl: one object a line, the same records.
    let lines = s.run(&["contacts", "list", "--limit", "3", "--jsonl"]);
    assert_eq!(code(&lines), 0);
    let parsed: Vec<Value> = stdout(&lines)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(Value::Array(parsed), three);

    // --csv: a header, then a row each, read back by a CSV reader.
    let csv = s.run(&["contacts", "list", "--limit", "3", "--csv"]);
    assert_eq!(code(&csv), 0);
    let mut r = csv::Reader::from_reader(csv.stdout.as_slice());
    assert_eq!(
        r.headers().expect("a header").iter().collect::<Vec<_>>(),
        ["NAME", "EMAIL", "PHONE", "COMPANY", "TAGS", "ID"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("a row")).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][5], three[0]["id"].as_str().expect("id"));

    // Piped with no format: a header and tab-separated rows, no colour.
    let table = s.run(&["contacts", "list", "--limit", "3"]);
    let text = stdout(&table);
    assert!(text.starts_with("NAME\tEMAIL\t"), "{text}");
    assert_eq!(text.lines().count(), 4);
    assert!(!text.contains('\u{1b}'), "no escape codes when piped");

    // search: the server's, and what it finds is what the server finds.
    let who = &seed.contacts[0];
    let email = who["email"].as_str().expect("an email");
    let found = json(&s.run(&["contacts", "search", email, "--json"]));
    assert!(
        found
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["email"] == email),
        "{found}"
    );

    // show: the single contact's shape (it has `dndSettings`; search results do not).
    let id = who["id"].as_str().expect("id");
    let one = json(&s.run(&["contacts", "show", id, "--json"]));
    assert_eq!(one["id"], id);
    assert_eq!(one["email"], email);
    let missing = s.run(&["contacts", "show", "no-such-contact", "--json"]);
    assert_eq!(code(&missing), 4, "not found: {}", stderr(&missing));
    assert!(stdout(&missing).is_empty(), "nothing on stdout but data");
    assert_eq!(
        stderr(&missing).lines().count(),
        1,
        "one line: {}",
        stderr(&missing)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_answers_come_from_the_replica_without_a_request() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let s = Script::new(&sb, DEMO_TOKEN);
    // The replica as a sync leaves it: every contact, from the server.
    let (everyone, _) = common::client(&sb)
        .search_raw(&ghl_tui::api::SearchRequest {
            location_id: sb.location_id().into(),
            page_limit: 500,
            page: Some(1),
            ..Default::default()
        })
        .await
        .expect("search");
    {
        let path = s.replica_path();
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        let (replica, _) = ghl_tui::store::Replica::open(&path).expect("replica");
        for c in &everyone {
            replica.put_contact(c, 1).expect("kept");
        }
    }
    // No server at all: answers still come.
    let dead = "http://127.0.0.1:1";
    let listed = s.run_in(
        dead,
        &["contacts", "list", "--cached", "--limit", "0", "--json"],
        "",
    );
    let listed = json(&listed);
    assert_eq!(listed.as_array().map(Vec::len), Some(everyone.len()));
    let who = &everyone[3];
    let name = who["firstName"].as_str().expect("a first name");
    let found = json(&s.run_in(
        dead,
        &["contacts", "search", name, "--cached", "--json"],
        "",
    ));
    assert!(
        found
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["id"] == who["id"]),
        "the app's own search finds {name}"
    );
    let id = who["id"].as_str().expect("id");
    let shown = json(&s.run_in(dead, &["contacts", "show", id, "--cached", "--json"], ""));
    assert_eq!(&shown, who, "as kept, whole");
    let missing = s.run_in(dead, &["contacts", "show", "nobody", "--cached"], "");
    assert_eq!(code(&missing), 4);
    // Without --cached the dead server is an error (1), said in one line.
    let online = s.run_in(dead, &["contacts", "list"], "");
    assert_eq!(code(&online), 1, "{}", stderr(&online));
    assert!(stdout(&online).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tasks_list_and_done_over_the_location_task_search() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let s = Script::new(&sb, DEMO_TOKEN);
    let me = seed.users[0]["id"].as_str().expect("a user").to_string();

    let open = json(&s.run(&["tasks", "list", "--json"]));
    let open = open.as_array().expect("array").clone();
    let expected = seed
        .tasks
        .iter()
        .filter(|t| t.get("completed").and_then(Value::as_bool) != Some(true))
        .count();
    assert!(
        open.len() <= expected && !open.is_empty(),
        "{} of {expected}",
        open.len()
    );
    assert!(open.iter().all(|t| t["completed"] != true));
    // Earliest due first.
    let dues: Vec<&str> = open.iter().filter_map(|t| t["dueDate"].as_str()).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);

    // A table names people and says when on this machine's clock, with its offset.
    let table = stdout(&s.run(&["tasks", "list"]));
    let someone = seed.users[0]["name"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{} {}",
                seed.users[0]["firstName"].as_str().unwrap_or(""),
                seed.users[0]["lastName"].as_str().unwrap_or("")
            )
        });
    assert!(table.contains(someone.trim()), "{someone} in:\n{table}");
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains(" +") || l.contains(" -")),
        "{table}"
    );
    let overdue = json(&s.run(&["tasks", "list", "--due", "overdue", "--json"]));
    let now = chrono::Utc::now().naive_utc();
    for t in overdue.as_array().expect("array") {
        let due = ghl_tui::api::time::parse(t["dueDate"].as_str().expect("due")).expect("a date");
        assert!(due < now, "{t}");
    }
    // --mine: needs to know who; GHL_USER_ID says.
    let mut cmd = common::ghl_tui(s.dir.path(), &s.base);
    let mine = cmd
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", &s.location)
        .env("GHL_USER_ID", &me)
        .args(["tasks", "list", "--mine", "--json"])
        .output()
        .expect("run");
    let mine = json(&mine);
    assert!(
        mine.as_array()
            .expect("array")
            .iter()
            .all(|t| t["assignedTo"] == me.as_str())
    );
    let unknown = s.run(&["tasks", "list", "--mine"]);
    assert_eq!(code(&unknown), 1, "who is not known");
    assert!(stderr(&unknown).contains("user_id"));

    // --cached: the queue the app kept (as its executor keeps it), with no server at all.
    let dead = "http://127.0.0.1:1";
    let none_kept = s.run_in(dead, &["tasks", "list", "--cached"], "");
    assert_eq!(code(&none_kept), 4, "{}", stderr(&none_kept));
    assert!(stderr(&none_kept).contains("open the queue"));
    {
        let kept = common::client(&sb)
            .location_tasks(&ghl_tui::api::TaskFilter {
                completed: Some(false),
                assigned_to: Vec::new(),
            })
            .await
            .expect("the queue");
        let path = s.replica_path();
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        let (replica, _) = ghl_tui::store::Replica::open(&path).expect("replica");
        replica
            .put_part(
                "~queue:",
                "queue_tasks",
                &serde_json::to_value(&kept).expect("json"),
                1,
            )
            .expect("kept");
    }
    let cached = json(&s.run_in(dead, &["tasks", "list", "--cached", "--json"], ""));
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(
        ids(&cached),
        ids(&Value::Array(open.clone())),
        "the same tasks, in the same order"
    );

    // done: completed on the server, and the answer is the task.
    let task = &open[0];
    let (tid, cid) = (
        task["id"].as_str().expect("id"),
        task["contactId"].as_str().expect("contact"),
    );
    let done = json(&s.run(&["tasks", "done", tid, "--json"]));
    assert_eq!(done["id"], tid);
    let on_server = common::client(&sb).task(cid, tid).await.expect("the task");
    assert_eq!(on_server.completed, Some(true));
    let gone = s.run(&["tasks", "done", "no-such-task"]);
    assert_eq!(code(&gone), 4, "{}", stderr(&gone));
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_and_tags_go_through_the_outbox_and_wait_when_offline() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let s = Script::new(&sb, DEMO_TOKEN);
    let client = common::client(&sb);
    let who = &seed.contacts[1];
    let (id, email) = (
        who["id"].as_str().expect("id").to_string(),
        who["email"].as_str().expect("email").to_string(),
    );

    // A note from stdin, to a contact named by email.
    let note = s.run_in(
        &s.base,
        &["notes", "add", &email, "--json"],
        "Called, no answer.\nTry Friday.\n",
    );
    let note = json(&note);
    assert_eq!(note["body"], "Called, no answer.\nTry Friday.");
    let notes = client.notes(&id).await.expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.body.as_deref() == Some("Called, no answer.\nTry Friday."))
    );
    let empty = s.run_in(&s.base, &["notes", "add", &id], "  \n");
    assert_eq!(code(&empty), 2, "an empty note is a usage error");

    // Tags added and removed, on the server.
    let added = json(&s.run(&["tags", "add", &id, "cli-a", "cli-b", "--json"]));
    assert!(
        added["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t == "cli-a")
    );
    assert_eq!(code(&s.run(&["tags", "remove", &id, "cli-b"])), 0);
    let tags = client.contact(&id).await.expect("contact").tags;
    assert!(
        tags.contains(&"cli-a".to_string()) && !tags.contains(&"cli-b".to_string()),
        "{tags:?}"
    );

    // Offline: recorded, exit 6, said on stderr, nothing on stdout; the next run sends it.
    let dead = "http://127.0.0.1:1";
    let offline = s.run_in(dead, &["tags", "add", &id, "while-offline"], "");
    assert_eq!(code(&offline), 6, "{}", stderr(&offline));
    assert!(stdout(&offline).is_empty());
    assert!(
        stderr(&offline).contains("waits in the outbox"),
        "{}",
        stderr(&offline)
    );
    // --no-wait: recorded and not sent, exit 6.
    let later = s.run(&["tags", "add", &id, "no-wait", "--no-wait"]);
    assert_eq!(code(&later), 6);
    assert!(
        !client
            .contact(&id)
            .await
            .expect("contact")
            .tags
            .contains(&"no-wait".into())
    );
    // The next write sends what waited first, in order, then its own.
    assert_eq!(code(&s.run(&["tags", "add", &id, "last"])), 0);
    let tags = client.contact(&id).await.expect("contact").tags;
    for t in ["while-offline", "no-wait", "last"] {
        assert!(tags.contains(&t.to_string()), "{t} in {tags:?}");
    }
    let missing = s.run(&["tags", "add", "no-such-contact", "x"]);
    assert_eq!(code(&missing), 4, "{}", stderr(&missing));

    // A note to a contact named by email, offline: the local copy knows the email, so it is
    // recorded (exit 6) rather than lost with the pipe, and the next run sends it.
    {
        let path = s.replica_path();
        let (replica, _) = ghl_tui::store::Replica::open(&path).expect("replica");
        let raw = client.contact_raw(&id).await.expect("contact");
        replica.put_contact(&raw, 1).expect("kept");
    }
    let offline = s.run_in(dead, &["notes", "add", &email], "Left a voicemail offline.");
    assert_eq!(code(&offline), 6, "{}", stderr(&offline));
    assert_eq!(code(&s.run(&["tags", "add", &id, "after-the-note"])), 0);
    let notes = client.notes(&id).await.expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.body.as_deref() == Some("Left a voicemail offline."))
    );
    // A refusal told to the script is not offered again by the app as a draft.
    let store = ghl_tui::store::Store::open(
        &s.replica_path()
            .with_file_name(format!("{}.sqlite3", s.location)),
    )
    .expect("the outbox");
    assert!(
        store.drafts().expect("drafts").is_empty(),
        "no drafts left behind"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_say_usage_sign_in_and_refusal() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let id = seed.contacts[0]["id"].as_str().expect("id");

    // 2: a wrong command line.
    let s = Script::new(&sb, DEMO_TOKEN);
    assert_eq!(code(&s.run(&["contacts", "list", "--json", "--csv"])), 2);
    assert_eq!(code(&s.run(&["tags", "add", id])), 2, "no tag named");
    // 3: nobody signed in.
    let home = tempfile::tempdir().expect("tempdir");
    let none = common::ghl_tui(home.path(), &sb.base_url())
        .args(["contacts", "list"])
        .output()
        .expect("run");
    assert_eq!(code(&none), 3, "{}", stderr(&none));
    assert!(stderr(&none).contains("ghl-tui login"));
    // 5: the token may read but not write, or lacks the tasks scope.
    let ro = Script::new(&sb, READONLY_TOKEN);
    let refused = ro.run(&["tags", "add", id, "nope"]);
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    let narrow = Script::new(&sb, NARROW_TOKEN);
    let no_scope = narrow.run(&["tasks", "list"]);
    assert_eq!(code(&no_scope), 5, "{}", stderr(&no_scope));
    assert!(stdout(&no_scope).is_empty());
    // 3 for a write too, when the server refuses the sign-in (the change is kept).
    let wrong = Script::new(&sb, "pit-not-a-real-token");
    let refused = wrong.run(&["tags", "add", id, "x"]);
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    // 3 for a write too, when the server refuses the sign-in (the change is kept).
    let wrong = Script::new(&sb, "pit-not-a-real-token");
    let refused = wrong.run(&["tags", "add", id, "x"]);
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    // --help names the codes and every GHL_ variable.
    let help = s.run(&["--help"]);
    let text = stdout(&help);
    for line in [
        "6  offline",
        "GHL_TOKEN",
        "GHL_LOCATION_ID",
        "GHL_API_BASE_URL",
        "GHL_CLIENT_SECRET",
        "GHL_USER_ID",
        "GHL_CACHE",
        "GHL_TOKEN_STORE",
        "GHL_WEB_URL",
        "GHL_TUI_LOG",
    ] {
        assert!(text.contains(line), "{line} in --help");
    }
}

#[test]
fn completions_man_doctor_and_a_missing_config_file() {
    let home = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        common::ghl_tui(home.path(), "http://127.0.0.1:1")
            .args(args)
            .output()
            .expect("run")
    };
    // Completions a shell can read.
    let bash = run(&["completions", "bash"]);
    assert_eq!(code(&bash), 0);
    let script = home.path().join("ghl-tui.bash");
    std::fs::write(&script, &bash.stdout).expect("write");
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("bash");
    assert!(checked.success(), "bash reads the completions");
    for shell in ["zsh", "fish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(
            stdout(&out).contains("contacts"),
            "{shell} completes the subcommands"
        );
    }
    // The manual page, in roff.
    let man = run(&["man"]);
    assert_eq!(code(&man), 0);
    assert!(stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH ghl-tui"));
    // A --config that is not there: said, exit 2, nothing done.
    let missing = run(&["--config", "/no/such/config.toml", "contacts", "list"]);
    assert_eq!(code(&missing), 2, "{}", stderr(&missing));
    assert!(stderr(&missing).contains("/no/such/config.toml"));
    // A config line that is wrong: the file and the line.
    let cfg = home.path().join("config.toml");
    std::fs::write(&cfg, "location_id = \"L\"\nsync_intervall = 3\n").expect("write");
    let bad = run(&["--config", cfg.to_str().expect("path"), "contacts", "list"]);
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("config.toml:2:1"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_says_each_fact_and_never_the_token() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let s = Script::new(&sb, DEMO_TOKEN);
    let out = s.run(&["doctor"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    for what in [
        "config",
        "data",
        "log",
        "token store",
        "sign-in",
        "api",
        "rate limit",
        "local copy",
        "outbox",
        "terminal",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("ok") && l.contains(what)),
            "{what} in:\n{text}"
        );
    }
    assert!(text.contains("320 contacts"), "{text}");
    assert!(!text.contains(DEMO_TOKEN), "never the token");
    // The API out of reach: a fail line with what to do, exit 1.
    let dead = s.run_in("http://127.0.0.1:1", &["doctor"], "");
    assert_eq!(code(&dead), 1);
    assert!(
        stdout(&dead)
            .lines()
            .any(|l| l.starts_with("fail") && l.contains("api"))
    );
    assert!(stdout(&dead).contains("→"));
}
