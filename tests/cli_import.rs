//! `ghl-tui import` as a script runs it: the real binary against a sandbox on 127.0.0.1. A CSV
//! with good, duplicate and invalid rows (the report, the refused rows file and the contacts
//! on the server checked), the refused file fixed and imported again, an import resumed after
//! `kill -9` (the sandbox holds one answer so it stands still mid-way), an exported CSV
//! imported back, and the exit codes the README documents.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use ghl_tui::sandbox::{
    Fault, NARROW_TOKEN, READONLY_TOKEN, RateConfig, Sandbox, SandboxConfig, Seed,
};
use serde_json::Value;

use common::cli::Home;

async fn sandbox(seed: &Seed) -> Sandbox {
    let mut config = SandboxConfig::for_seed(seed);
    config.rate = RateConfig {
        max: 10_000,
        interval: Duration::from_secs(1),
        daily: 200_000,
    };
    common::start_with(seed, config).await
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

/// The rows of a CSV file by header.
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("a CSV file");
    let header: Vec<String> = r
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    r.records()
        .map(|x| {
            let x = x.expect("a row");
            header
                .iter()
                .cloned()
                .zip(x.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Every contact on the server by email (lower-cased), as the search sends them.
async fn by_email(sb: &Sandbox) -> HashMap<String, Vec<Value>> {
    let (all, _) = common::client(sb)
        .search_raw(&ghl_tui::api::SearchRequest {
            location_id: sb.location_id().into(),
            page_limit: 500,
            page: Some(1),
            ..Default::default()
        })
        .await
        .expect("search");
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for c in all {
        if let Some(e) = c["email"].as_str() {
            out.entry(e.to_lowercase()).or_default().push(c);
        }
    }
    out
}

fn tags(c: &Value) -> Vec<String> {
    c["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn custom(c: &Value, id: &str) -> Option<String> {
    c["customFields"]
        .as_array()?
        .iter()
        .find(|f| f["id"] == id)
        .and_then(|f| f["value"].as_str().map(String::from))
}

fn field_id(seed: &Seed, name: &str) -> String {
    seed.custom_fields
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["id"].as_str())
        .expect("a custom field")
        .to_string()
}

fn upserts(sb: &Sandbox) -> Vec<Value> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/upsert")
        .filter_map(|r| r.body)
        .collect()
}

const LEADS: &str = "\
First Name,Last Name,Email,Phone,Tags,Property type,Lead score
Nina,Novak,nina.novak@example.com,,\"vip, spring-open-house\",condo,42
Omar,Haddad,omar.haddad@example.com,+1 415 555 0142,,,
,,isla@atlas-corporate-housing.example,,returning,,
Nina,Novak,NINA.NOVAK@example.com,,,,
Pat,,not-an-email,,,,
Quinn,,,12,,,
Rae,,,,,,
Sam,,sam@example.com,,,Castle,
Tom,,tom@example.com,,,,lots
";

#[tokio::test(flavor = "multi_thread")]
async fn good_duplicate_and_invalid_rows_are_reported_and_refused_rows_kept_to_fix() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed).await;
    let h = Home::new(&sb);
    let file = h.write("leads.csv", LEADS);
    let count_before = sb.contact_count();

    let o = h.run(&["import", &file]);
    assert_eq!(code(&o), 5, "some rows refused: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout but data");
    let said = stderr(&o);
    assert!(said.contains("2 created, 1 updated, 6 refused"), "{said}");
    assert!(
        said.contains("4 rows to send: about 6 requests"),
        "the cost first: {said}"
    );
    assert!(
        said.contains("line 7: refused by the API: phone must be a valid phone number"),
        "{said}"
    );

    // The refused rows, as they were, with why: to fix and import again.
    let refused = h.path("leads.refused.csv");
    let rows = csv_rows(&refused);
    let why: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r["First Name"].as_str(), r["import_error"].as_str()))
        .collect();
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert_eq!(
        why["Nina"],
        "line 5: the same email as line 2: merge the two rows"
    );
    assert_eq!(
        why["Pat"],
        "line 6: \"not-an-email\" is not an email address"
    );
    assert_eq!(
        why["Quinn"],
        "line 7: refused by the API: phone must be a valid phone number"
    );
    assert!(
        why["Rae"].starts_with("line 8: no email and no phone"),
        "{}",
        why["Rae"]
    );
    assert!(
        why["Sam"].contains("\"Castle\" is not one of"),
        "{}",
        why["Sam"]
    );
    assert!(
        why["Tom"].contains("Lead score: \"lots\" is not a number"),
        "{}",
        why["Tom"]
    );
    assert!(
        rows.iter().any(|r| r["Email"] == "not-an-email"),
        "cells kept as they were"
    );

    // On the server: made, found and tagged; tags added, never through upsert.
    assert_eq!(sb.contact_count(), count_before + 2);
    let people = by_email(&sb).await;
    let nina = &people["nina.novak@example.com"];
    assert_eq!(nina.len(), 1);
    assert_eq!(tags(&nina[0]), ["vip", "spring-open-house"]);
    assert_eq!(
        custom(&nina[0], &field_id(&seed, "Property type")).as_deref(),
        Some("Condo")
    );
    assert_eq!(
        custom(&nina[0], &field_id(&seed, "Lead score")).as_deref(),
        Some("42")
    );
    let isla = &people["isla@atlas-corporate-housing.example"][0];
    assert_eq!(
        tags(isla),
        ["seller", "returning"],
        "added to the tags it had"
    );
    assert_eq!(isla["firstName"], "Isla", "an empty cell changes nothing");
    let sent = upserts(&sb);
    assert_eq!(sent.len(), 4, "the rows checked and found good");
    assert!(sent.iter().all(|b| b.get("tags").is_none()), "{sent:?}");

    // The refused file, fixed, imported again: its import_error column is passed over.
    let fixed = std::fs::read_to_string(&refused)
        .expect("read")
        .replace("not-an-email", "pat@example.com");
    let fixed_file = h.write("fixed.csv", &fixed);
    let o = h.run(&["import", &fixed_file, "--json"]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).expect("--json: one document");
    assert_eq!(report["created"], 1);
    assert_eq!(report["refused"], 4, "{report}");
    assert!(by_email(&sb).await.contains_key("pat@example.com"));
    let again = csv_rows(&h.path("fixed.refused.csv"));
    assert_eq!(again.len(), 4);
    assert!(
        again.iter().all(|r| r.len() == 8),
        "one import_error column: {again:?}"
    );

    // Everything good: exit 0, no refused file.
    let good = h.write("good.csv", "email,tags\numa@example.com,new\n");
    let o = h.run(&["import", &good]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 created, 0 updated, 0 refused"),
        "{}",
        stderr(&o)
    );
    assert!(!h.path("good.refused.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_import_resumes_and_reports_every_row_once() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed).await;
    let h = Home::new(&sb);
    let mut text = String::from("email,First Name,tags\n");
    text.push_str("broken@,Early,batch\n");
    for i in 0..60 {
        text.push_str(&format!("person{i}@import.example,Person {i},batch\n"));
        if i == 30 {
            text.push_str(",Nobody,batch\n");
        }
    }
    let file = h.write("people.csv", &text);
    let progress = h.path("people.csv.import-progress");
    let sent = || -> u64 {
        std::fs::read(&progress)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|p| p["sent"].as_u64())
            .unwrap_or(0)
    };
    let before = sb.contact_count();

    // An upsert and a tags request a row; the sandbox stands still after 30 of them.
    sb.push_faults(
        std::iter::repeat_n(Fault::Delay(Duration::ZERO), 30).chain([Fault::HeldAnswer]),
    );
    let mut child = h.spawn(&["import", &file]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while sent() < 8 {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the import ended first ({status})");
        }
        assert!(Instant::now() < deadline, "no rows sent within a minute");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    sb.release_answers();
    assert!(sent() < 60, "stopped mid-way");
    // As if the kill had come in the middle of writing a refused row.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(h.path("people.refused.csv"))
            .expect("open");
        f.write_all(b"half,a,row").expect("write");
    }

    let o = h.run(&["import", &file, "--json"]);
    assert_eq!(code(&o), 5, "two rows refused: {}", stderr(&o));
    assert!(stderr(&o).contains("resuming the import"), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).expect("--json");
    let (created, updated) = (
        report["created"].as_u64().expect("created"),
        report["updated"].as_u64().expect("updated"),
    );
    // A row on its way at the kill went again; upsert found the contact it had made.
    assert_eq!(created + updated, 60, "{report}");
    assert!(updated <= 4, "only rows in flight at the kill: {report}");
    assert_eq!(report["refused"], 2);
    let refused = csv_rows(&h.path("people.refused.csv"));
    let names: Vec<&str> = refused.iter().map(|r| r["First Name"].as_str()).collect();
    assert_eq!(
        names,
        ["Early", "Nobody"],
        "each refused row once, and whole"
    );

    assert_eq!(sb.contact_count(), before + 60, "no contact made twice");
    let people = by_email(&sb).await;
    for i in 0..60 {
        let c = &people[&format!("person{i}@import.example")];
        assert_eq!(c.len(), 1);
        assert_eq!(tags(&c[0]), ["batch"]);
    }
    assert!(!progress.exists(), "a finished import leaves no checkpoint");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_csv_imports_back_onto_the_same_contacts() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed).await;
    let h = Home::new(&sb);
    let out = h.path("all.csv");
    let o = h.run(&[
        "export",
        "--format",
        "csv",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let without_either = seed
        .contacts
        .iter()
        .filter(|c| c.get("email").is_none() && c.get("phone").is_none())
        .count();

    let before = sb.requests().len();
    let dry = h.run(&["import", out.to_str().expect("path"), "--dry-run"]);
    assert_eq!(
        code(&dry),
        if without_either > 0 { 5 } else { 0 },
        "{}",
        stderr(&dry)
    );
    assert!(
        stderr(&dry).contains("passing over what upsert does not set here: id"),
        "{}",
        stderr(&dry)
    );
    assert!(
        sb.requests()[before..].iter().all(|r| r.method == "GET"),
        "a dry run sends nothing"
    );

    let o = h.run(&["import", out.to_str().expect("path"), "--json"]);
    let report: Value = serde_json::from_slice(&o.stdout).expect("--json");
    assert_eq!(
        report["created"], 0,
        "every row found its contact: {report}"
    );
    assert_eq!(
        report["updated"].as_u64(),
        Some((seed.contacts.len() - without_either) as u64)
    );
    assert_eq!(sb.contact_count(), seed.contacts.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_say_usage_sign_in_and_refusal() {
    let seed = common::demo_seed();
    let sb = sandbox(&seed).await;
    let h = Home::new(&sb);
    let typo = h.write("typo.csv", "Emial,First Name\nann@example.com,Ann\n");

    // 2: a column that matches nothing, said in one line; nothing sent.
    let o = h.run(&["import", &typo]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--map \"Emial\"=FIELD"),
        "{}",
        stderr(&o)
    );
    assert!(upserts(&sb).is_empty());
    // --map says which field it is.
    let o = h.run(&["import", &typo, "--map", "Emial=email"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for args in [
        vec!["import", "contacts.txt"],
        vec!["import", &typo, "--map", "nothing"],
        vec!["import", &typo, "--map", "Emial=shoe size"],
        vec!["import", &typo, "--reserve", "99"],
    ] {
        let o = h.run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let same = h.run(&["import", &typo, "--refused", &typo]);
    assert_eq!(code(&same), 2, "{}", stderr(&same));
    // 1: no such file.
    assert_eq!(code(&h.run(&["import", "missing.csv"])), 1);
    // 3: nobody signed in.
    let none = common::ghl_tui(h.dir.path(), &h.base)
        .args(["import", &typo])
        .output()
        .expect("run");
    assert_eq!(code(&none), 3, "{}", stderr(&none));
    // 5: the token may read but not write; the import stops, resumable.
    let ro = h
        .command(
            READONLY_TOKEN,
            &["import", &typo, "--map", "Emial=email", "--restart"],
        )
        .output()
        .expect("run");
    assert_eq!(code(&ro), 5, "{}", stderr(&ro));
    assert!(
        stderr(&ro).contains("run the same command to go on"),
        "{}",
        stderr(&ro)
    );
    assert!(ro.stdout.is_empty());

    // JSON lines: the API's own keys, those it does not set passed over.
    let lines = h.write(
        "people.jsonl",
        "{\"email\":\"vi@example.com\",\"firstName\":\"Vi\",\"tags\":[\"jsonl\"],\"emailLowerCase\":\"vi@example.com\"}\n",
    );
    let o = h.run(&["import", &lines]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let vi = &by_email(&sb).await["vi@example.com"][0];
    assert_eq!(tags(vi), ["jsonl"]);
    // Without the custom fields' names, keys that are not contact fields are passed over.
    let narrow = h
        .command(NARROW_TOKEN, &["import", &lines])
        .output()
        .expect("run");
    assert_eq!(code(&narrow), 0, "{}", stderr(&narrow));
    assert!(
        stderr(&narrow).contains("they are passed over"),
        "{}",
        stderr(&narrow)
    );
    assert!(
        stderr(&narrow).contains("0 created, 1 updated"),
        "{}",
        stderr(&narrow)
    );
}
