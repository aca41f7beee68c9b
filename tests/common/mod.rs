//! Shared set-up for the integration tests: a sandbox on 127.0.0.1 and a client pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use ghl_tui::api::{Client, ClientConfig, RetryPolicy, Secret};
use ghl_tui::sandbox::{DEMO_TOKEN, Sandbox, SandboxConfig, Seed};

/// Retries as in production but with short waits, so failure tests stay quick.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

pub async fn start(seed: &Seed) -> Sandbox {
    Sandbox::demo(seed, Default::default())
        .await
        .expect("sandbox starts on 127.0.0.1")
}

pub async fn start_with(seed: &Seed, config: SandboxConfig) -> Sandbox {
    Sandbox::start(seed, config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("sandbox starts on 127.0.0.1")
}

pub fn config(sb: &Sandbox, token: &str, location: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(sb.base_url(), Secret::new(token), location);
    cfg.retry = fast_retry();
    cfg
}

pub fn client(sb: &Sandbox) -> Client {
    Client::new(config(sb, DEMO_TOKEN, sb.location_id())).expect("client")
}

pub fn demo_seed() -> Seed {
    Seed::demo().expect("demo seed parses")
}

/// Contacts of the demo data as the API models them, in file order.
pub fn demo_contacts(n: usize) -> Vec<ghl_tui::api::Contact> {
    demo_seed()
        .contacts
        .into_iter()
        .take(n)
        .map(|c| {
            serde_json::from_value(serde_json::Value::Object(c)).expect("demo contact is a Contact")
        })
        .collect()
}

/// Simple contacts `Person 0`, `Person 1`, ... with ids `c0`, `c1`, ...
pub fn people(range: std::ops::Range<usize>) -> Vec<ghl_tui::api::Contact> {
    range
        .map(|i| ghl_tui::api::Contact {
            id: Some(format!("c{i}")),
            first_name: Some("Person".into()),
            last_name: Some(i.to_string()),
            email: Some(format!("person{i}@example.com")),
            ..Default::default()
        })
        .collect()
}

/// A fixed "now" so overdue marks and dates never depend on the day the tests run.
pub fn fixed_now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("date")
}

/// `ghl-tui` with its home, config, state and data in `home`, talking to `base`, keeping
/// sign-ins in the file (the tests read it), and none of the caller's GHL settings.
pub fn ghl_tui(home: &std::path::Path, base: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ghl-tui"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("GHL_API_BASE_URL", base)
        .env("GHL_TOKEN_STORE", "file")
        .env_remove("GHL_TOKEN")
        .env_remove("GHL_LOCATION_ID");
    cmd
}

/// The outbox and drafts in `dir/store.sqlite3`, on their own thread, as the app opens them.
pub fn local_store(dir: &std::path::Path) -> ghl_tui::session::LocalStore {
    use ghl_tui::store::{Store, StoreHandle};
    let path = dir.join("store.sqlite3");
    let store = StoreHandle::spawn(Store::open(&path).expect("store"));
    ghl_tui::session::LocalStore {
        store: Some(store),
        path: Some(path),
        notice: None,
        problem: None,
    }
}

/// Runs `cmd` with `stdin` written to it, stdout and stderr kept.
pub fn output_with_stdin(cmd: &mut std::process::Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
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

/// The file can be read and written by its owner alone (on Unix; elsewhere nothing to check).
pub fn assert_private(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .expect("the file exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The `code` of an address the authorize page redirected to.
pub fn code_of(landed: &str) -> String {
    landed
        .split("code=")
        .nth(1)
        .and_then(|c| c.split('&').next())
        .expect("a code in the redirect")
        .to_string()
}

/// The token answer of the sandbox's code flow (approval, then the code traded), as `login`
/// gets it.
pub async fn oauth_answer(sb: &Sandbox, user_type: &str, scope: &str) -> serde_json::Value {
    use ghl_tui::sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
    let redirect = "http://127.0.0.1:9/callback";
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let resp = http
        .get(format!("{}/oauth/chooselocation", sb.base_url()))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", redirect),
            ("scope", scope),
        ])
        .send()
        .await
        .expect("authorize");
    let landed = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let code = code_of(&landed);
    http.post(format!("{}/oauth/token", sb.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("user_type", user_type),
            ("redirect_uri", redirect),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json")
}

/// Signs in through the sandbox's code flow as `login` would (`user_type` Location or Company,
/// with `scope`), and returns the answer as the set `login` stores, the app's credentials with it.
pub async fn oauth_sign_in(sb: &Sandbox, user_type: &str, scope: &str) -> ghl_tui::auth::TokenSet {
    use ghl_tui::sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
    let body = oauth_answer(sb, user_type, scope).await;
    let mut set = ghl_tui::auth::TokenSet::from_answer(&body, chrono::Utc::now().timestamp())
        .expect("a token set");
    set.client_id = Some(DEMO_CLIENT_ID.into());
    set.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
    set
}
pub mod cli;
pub mod drive;
pub mod headless;
pub mod hostile;
pub mod pty;

/// One message through `update` as the event loop has it: the message, then a frame drawn at
/// the state's size (on ratatui's TestBackend) and what the view measured fed back. Tests that
/// move cursors need those heights, as the app does.
pub fn update(
    state: &mut ghl_tui::app::State,
    msg: ghl_tui::app::Msg,
) -> Vec<ghl_tui::app::Effect> {
    // Keys become actions first, as in the runtime.
    let Some(msg) = ghl_tui::app::keys::resolve(state, msg) else {
        return Vec::new();
    };
    let mut fx = ghl_tui::app::update(state, msg);
    fx.extend(drawn(state));
    fx
}

/// The screen the state draws, as text, a line per row.
#[allow(dead_code)]
pub fn screen_text(state: &ghl_tui::app::State) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let (w, h) = state.size;
    let mut t = Terminal::new(TestBackend::new(w.max(1), h.max(1))).expect("test terminal");
    t.draw(|f| {
        ghl_tui::ui::view(state, f);
    })
    .expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Draws the state once and gives it what the view measured.
pub fn drawn(state: &mut ghl_tui::app::State) -> Vec<ghl_tui::app::Effect> {
    use ratatui::{Terminal, backend::TestBackend};
    let (w, h) = state.size;
    let mut t = Terminal::new(TestBackend::new(w.max(1), h.max(1))).expect("test terminal");
    let mut geometry = ghl_tui::app::geometry::Geometry::default();
    t.draw(|f| geometry = ghl_tui::ui::view(state, f))
        .expect("draw");
    if geometry == state.geometry {
        return Vec::new();
    }
    ghl_tui::app::update(state, ghl_tui::app::Msg::Drawn(geometry))
}

/// Starts `state` as the app does (`init`) and answers its first page with `contacts` (of
/// `total`), drawn once; gives the effects of that answer.
pub fn first_page(
    state: &mut ghl_tui::app::State,
    contacts: Vec<ghl_tui::api::Contact>,
    total: u64,
) -> Vec<ghl_tui::app::Effect> {
    use ghl_tui::app::{Effect, Msg};
    let (generation, request) = ghl_tui::app::init(state)
        .into_iter()
        .find_map(|e| match e {
            Effect::FetchPage {
                generation,
                request,
            } => Some((generation, request)),
            _ => None,
        })
        .expect("the first page is asked for");
    update(
        state,
        Msg::Page {
            generation,
            request,
            result: Ok(ghl_tui::api::ContactPage {
                contacts,
                total: Some(total),
                meta: None,
            }),
        },
    )
}

/// A change waiting in the outbox, as the pending list shows it.
pub fn waiting(
    id: i64,
    what: &str,
    op: Option<ghl_tui::api::WriteOp>,
) -> ghl_tui::app::state::PendingView {
    ghl_tui::app::state::PendingView {
        id,
        contact_id: Some("c0".into()),
        what: what.into(),
        attempts: 1,
        error: Some("Server error 503".into()),
        waits_for: None,
        aside: None,
        op,
    }
}
