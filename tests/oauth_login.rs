//! `ghl-tui login` (OAuth) as a user runs it, against a sandbox on 127.0.0.1: the test plays
//! the browser. Desktop mode: `$BROWSER` receives the address, the redirect lands on the app's
//! loopback listener. SSH mode: the address is printed and the redirected address pasted back.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ghl_tui::sandbox::{BRANCH_LOCATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox};

struct Home {
    dir: tempfile::TempDir,
    base: String,
}

impl Home {
    fn new(sb: &Sandbox) -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            base: sb.base_url(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::ghl_tui(self.dir.path(), &self.base);
        cmd.args(args)
            .env(
                "GHL_AUTHORIZE_URL",
                format!("{}/oauth/chooselocation", self.base),
            )
            .env("GHL_CLIENT_ID", DEMO_CLIENT_ID)
            .env("GHL_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .env_remove("GHL_TOKEN_URL")
            .env_remove("SSH_CONNECTION")
            .env_remove("SSH_TTY")
            .env_remove("BROWSER");
        cmd
    }

    /// Starts `ghl-tui` with `env`, its three streams piped for the test to talk to.
    fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> Child {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("spawn")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run ghl-tui")
    }

    fn token_file(&self) -> std::path::PathBuf {
        self.dir
            .path()
            .join("config/ghl-tui/profiles/default.tokens.json")
    }

    fn stored(&self) -> serde_json::Value {
        let raw = std::fs::read_to_string(self.token_file()).expect("token file");
        serde_json::from_str(&raw).expect("json")
    }
}

/// What the app writes to stderr, line by line, as it comes.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads lines until one starts with `prefix` (after spaces); every line read is kept in `seen`.
fn wait_for(rx: &mpsc::Receiver<String>, seen: &mut Vec<String>, prefix: &str) -> String {
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                seen.push(line.clone());
                if line.trim_start().starts_with(prefix) {
                    return line.trim().to_string();
                }
            }
            Err(_) => panic!(
                "no line starting with {prefix:?}; saw:\n{}",
                seen.join("\n")
            ),
        }
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http")
}

/// The browser's part in paste mode: approve, and read where the page sends the browser.
async fn approve(url: &str) -> String {
    let resp = no_redirects()
        .get(url)
        .send()
        .await
        .expect("authorize page");
    assert_eq!(resp.status(), 302);
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("redirect")
        .to_string()
}

fn finish(mut child: Child, rx: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> String {
    let status = child.wait().expect("wait");
    seen.extend(rx.try_iter());
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        std::io::Read::read_to_string(&mut o, &mut out).expect("stdout");
    }
    let all = format!("{}\n{out}", seen.join("\n"));
    assert!(status.success(), "login failed:\n{all}");
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn over_ssh_the_address_is_pasted_back_and_a_wrong_one_refused() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    let mut child = home.spawn(
        &["login", "--write"],
        &[
            // Nothing listens there: over SSH the browser's last page does not load, as in life.
            ("GHL_REDIRECT_URI", "http://127.0.0.1:9/oauth/callback"),
            ("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22"),
            ("DISPLAY", ":0"),
        ],
    );
    let rx = lines_of(&mut child);
    let mut seen = Vec::new();
    let mode = wait_for(&rx, &mut seen, "Signing in");
    assert!(mode.contains("pasting") && mode.contains("SSH"), "{mode}");
    let url = wait_for(&rx, &mut seen, "http");
    assert!(
        url.contains(&scope_param(true)),
        "every read scope, and write: {url}"
    );
    let landed = approve(&url).await;
    assert!(
        landed.starts_with("http://127.0.0.1:9/oauth/callback?code="),
        "{landed}"
    );
    let mut stdin = child.stdin.take().expect("stdin");
    // A link from another attempt is refused, and the app asks again.
    let forged = landed.replace("state=", "state=x");
    writeln!(stdin, "{forged}").expect("paste");
    let again = wait_for(&rx, &mut seen, "the address belongs to another sign-in");
    assert!(again.contains("Paste it again"), "{again}");
    writeln!(stdin, "{landed}").expect("paste");
    drop(stdin);
    let all = finish(child, &rx, &mut seen);
    assert!(all.contains("Signed in to location"), "{all}");
    assert!(all.contains("Access: read and write"), "{all}");
    let stored = home.stored();
    assert_eq!(stored["user_type"], "Location");
    assert_eq!(stored["location_id"], sb.location_id());
    assert!(
        stored["refresh_token"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(stored["scope"], scopes(true), "granted as asked");
    common::assert_private(&home.token_file());
    // The tokens never reach the terminal.
    let access = stored["access_token"].as_str().expect("access");
    assert!(!all.contains(access), "{all}");
    let status = home.run(&["auth", "status"]);
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.contains(&scopes(true)), "{status}");
    assert!(status.contains("Location"), "{status}");
    assert!(!status.contains(access), "{status}");

    // Logout takes everything: the tokens and the app's secret that came with them.
    let out = home.run(&["logout"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signed out"));
    assert!(!home.token_file().exists());
    let profiles = home.dir.path().join("config/ghl-tui/profiles");
    let left: Vec<_> = std::fs::read_dir(&profiles)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
    let status = home.run(&["auth", "status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("Not signed in"));
    assert_eq!(status.status.code(), Some(3), "3 is not signed in");
    // And the app no longer opens the account.
    let tui = home.run(&[]);
    assert_eq!(tui.status.code(), Some(3), "{tui:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_desktop_the_browser_opens_and_the_redirect_is_caught_on_loopback() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    // The "browser" writes down the address it was asked to open; the test then visits it.
    let opened = home.dir.path().join("opened-url");
    let script = home.dir.path().join("browser.sh");
    std::fs::write(
        &script,
        format!("printf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .expect("script");
    let child = home
        .command(&["login"])
        .env("BROWSER", format!("sh {}", script.display()))
        .env("GHL_REDIRECT_URI", "http://127.0.0.1:0/oauth/callback")
        // No terminal to paste into: the browser is the only way back.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut child = child;
    let rx = lines_of(&mut child);
    let mut seen = Vec::new();
    let mode = wait_for(&rx, &mut seen, "Signing in");
    assert!(mode.contains("browser"), "{mode}");
    let url = {
        let mut waited = 0;
        loop {
            if let Ok(u) = std::fs::read_to_string(&opened)
                && !u.is_empty()
            {
                break u;
            }
            assert!(waited < 600, "the browser was never asked to open");
            waited += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    assert!(
        url.ends_with(&scope_param(false)),
        "read-only by default: {url}"
    );
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{url}"
    );
    // A real browser follows the redirect to the app's listener and shows its page.
    let page = reqwest::get(&url)
        .await
        .expect("browser")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Signed in to ghl-tui"), "{page}");
    let all = finish(child, &rx, &mut seen);
    assert!(
        all.contains("read-only: to make changes, run `ghl-tui login --write`"),
        "{all}"
    );
    let stored = home.stored();
    assert_eq!(stored["scope"], scopes(false), "granted as asked");
    assert_eq!(stored["location_id"], sb.location_id());
}

/// `login --agency --no-browser --location <location>`, answered with the bare code: what it
/// printed.
async fn agency_login(home: &Home, location: &str) -> String {
    let mut child = home.spawn(
        &["login", "--agency", "--no-browser", "--location", location],
        &[("GHL_REDIRECT_URI", "http://127.0.0.1:9/cb")],
    );
    let rx = lines_of(&mut child);
    let mut seen = Vec::new();
    let mode = wait_for(&rx, &mut seen, "Signing in");
    assert!(mode.contains("--no-browser"), "{mode}");
    let url = wait_for(&rx, &mut seen, "http");
    assert!(url.contains("oauth.readonly"), "{url}");
    let landed = approve(&url).await;
    // Just the code works too.
    let code = common::code_of(&landed);
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{code}").expect("paste");
    drop(stdin);
    finish(child, &rx, &mut seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agency_signs_in_and_starts_in_the_location_it_asked_for() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    let all = agency_login(&home, BRANCH_LOCATION_ID).await;
    assert!(all.contains("Signed in to agency"), "{all}");
    assert!(all.contains("Northside Branch"), "{all}");
    let stored = home.stored();
    assert_eq!(stored["user_type"], "Company");
    assert_eq!(stored["location_id"], BRANCH_LOCATION_ID);
}

/// A mistyped `--location` does not throw the approval away: the sign-in is kept, in a
/// location that exists, and the mistake is said.
#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_location_keeps_the_sign_in_and_says_so() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    let all = agency_login(&home, "NoSuchLocation").await;
    assert!(all.contains("Signed in to agency"), "{all}");
    assert!(
        all.contains("location NoSuchLocation is not among the agency's locations"),
        "{all}"
    );
    let stored = home.stored();
    assert_eq!(stored["user_type"], "Company");
    let kept = stored["location_id"].as_str().expect("a location");
    assert!(
        [sb.location_id(), BRANCH_LOCATION_ID].contains(&kept),
        "{kept}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_app_login_says_what_to_set() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    let out = home
        .command(&["login"])
        .env_remove("GHL_CLIENT_ID")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("GHL_CLIENT_ID") && err.contains("login --token"),
        "{err}"
    );
}

/// The scopes the app asks for, space-separated: every scope it reads with, and
/// `contacts.write` when `write`.
fn scopes(write: bool) -> String {
    let mut scopes: Vec<&str> = ghl_tui::api::rules::READ_SCOPES.to_vec();
    if write {
        scopes.push(ghl_tui::api::rules::SCOPE_CONTACTS_WRITE);
    }
    scopes.join(" ")
}

/// The same as the authorize URL's `scope` query, form-encoded.
fn scope_param(write: bool) -> String {
    format!(
        "scope={}",
        scopes(write).replace(' ', "+").replace('/', "%2F")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn minimal_asks_for_the_contacts_scope_alone() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let home = Home::new(&sb);
    let mut child = home.spawn(
        &["login", "--minimal"],
        &[
            ("GHL_REDIRECT_URI", "http://127.0.0.1:9/oauth/callback"),
            ("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22"),
        ],
    );
    let rx = lines_of(&mut child);
    let mut seen = Vec::new();
    let url = wait_for(&rx, &mut seen, "http");
    let scope = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("scope="))
        .unwrap_or_default()
        .to_string();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(scope, "contacts.readonly", "{url}");
}
