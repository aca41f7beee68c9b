//! `ghl-tui doctor`: what the set-up looks like from here, a line a fact, each ok, warn or
//! fail with what to do about it. Never a token: sign-in lines say who, which scopes and
//! until when.

use std::fmt::Write as _;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    /// What was looked at (`config`, `sign-in`, `api`, ...).
    pub what: &'static str,
    /// What was found.
    pub found: String,
    /// What to do, when it is not ok.
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(what: &'static str, found: impl Into<String>) -> Check {
        Check {
            status: Status::Ok,
            what,
            found: found.into(),
            fix: None,
        }
    }

    pub fn warn(what: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Warn,
            what,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(what: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Fail,
            what,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The report as printed: `ok   config   /path (read)`, with `→ fix` under what is not ok.
pub fn render(checks: &[Check], color: bool) -> String {
    let width = checks.iter().map(|c| c.what.len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in checks {
        let (word, sgr) = match c.status {
            Status::Ok => ("ok  ", "32"),
            Status::Warn => ("warn", "33"),
            Status::Fail => ("fail", "31"),
        };
        let mark = if color {
            format!("\x1b[{sgr}m{word}\x1b[0m")
        } else {
            word.to_string()
        };
        let found = crate::redact::text(&crate::sanitize::line(&c.found)).into_owned();
        let _ = writeln!(out, "{mark}  {:<width$}  {found}", c.what);
        if let Some(fix) = &c.fix {
            let fix = crate::redact::text(&crate::sanitize::line(fix)).into_owned();
            let _ = writeln!(out, "      {:<width$}  → {fix}", "");
        }
    }
    out
}

/// The worst of the checks: the exit code is 1 when anything failed.
pub fn worst(checks: &[Check]) -> Status {
    checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok)
}

/// What the terminal says of itself, from its environment and size.
pub fn terminal_checks(
    env: impl Fn(&str) -> Option<String>,
    size: Option<(u16, u16)>,
    color: bool,
) -> Vec<Check> {
    let mut out = Vec::new();
    let term = env("TERM").unwrap_or_default();
    match term.as_str() {
        "" => out.push(Check::warn(
            "terminal",
            "TERM is not set",
            "run ghl-tui in a terminal emulator (TERM=xterm-256color or alike)",
        )),
        "dumb" => out.push(Check::fail(
            "terminal",
            "TERM=dumb: no cursor movement",
            "use a terminal emulator; for scripts, the subcommands work anywhere",
        )),
        t => out.push(Check::ok("terminal", format!("TERM={t}"))),
    }
    let truecolor =
        env("COLORTERM").is_some_and(|c| c.contains("truecolor") || c.contains("24bit"));
    let colours = if !color {
        "no colour (NO_COLOR or --color never)".to_string()
    } else if truecolor {
        "24-bit colour".to_string()
    } else if term.contains("256") {
        "256 colours".to_string()
    } else {
        "16 colours: theme = \"16\" in config.toml is safe here".to_string()
    };
    out.push(Check::ok("colours", colours));
    match size {
        Some((w, h)) if w < 80 || h < 24 => out.push(Check::warn(
            "size",
            format!("{w}x{h}"),
            "80x24 or more shows the list and a pane side by side",
        )),
        Some((w, h)) => out.push(Check::ok("size", format!("{w}x{h}"))),
        None => out.push(Check::ok("size", "not a terminal (piped)")),
    }
    if env("TMUX").is_some() {
        out.push(Check::ok(
            "tmux",
            "inside tmux: for y to copy, `set -g set-clipboard on` in ~/.tmux.conf",
        ));
    }
    if env("SSH_CONNECTION").is_some() || env("SSH_TTY").is_some() {
        out.push(Check::ok(
            "ssh",
            "over SSH: y copies through the terminal (OSC 52); O copies the link instead of opening a browser",
        ));
    }
    out
}

/// What the sign-in, the API, the local copy and the outbox say, for a session signed in to
/// `location`.
pub async fn session_checks(
    session: &mut crate::session::Session,
    cfg: &crate::config::Config,
    location: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let started = std::time::Instant::now();
    let probe = crate::api::SearchRequest {
        location_id: location.to_string(),
        page_limit: 1,
        page: Some(1),
        ..Default::default()
    };
    match session.client.search_raw(&probe).await {
        Ok((_, total)) => {
            let b = session.client.budget();
            let burst = b.remaining.map_or_else(|| "?".into(), |r| r.to_string());
            let daily = b
                .daily_remaining
                .map_or_else(|| "not said".into(), |d| d.to_string());
            checks.push(Check::ok(
                "api",
                format!(
                    "{} answered in {} ms; {} contacts in {location}",
                    cfg.api_base_url,
                    started.elapsed().as_millis(),
                    total.map_or_else(|| "?".into(), |t| t.to_string())
                ),
            ));
            checks.push(Check::ok(
                "rate limit",
                format!("{burst} of {} left this burst; today: {daily} left", b.max),
            ));
        }
        Err(e) => checks.push(Check::fail(
            "api",
            e.one_line(),
            "check the network, GHL_API_BASE_URL, and the sign-in",
        )),
    }
    session.replica = crate::session::open_replica(session.store.path.as_deref(), cfg.sync.cache);
    match session.replica.replica.clone() {
        Some(r) => {
            let got = r
                .call(|r| Ok::<_, crate::store::StoreError>((r.count()?, r.mark()?)))
                .await;
            match got {
                Ok(Ok((n, mark))) => {
                    let when = mark
                        .last_sync_ms
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map_or_else(
                            || "not synced yet".to_string(),
                            |t| format!("synced {}", t.format("%Y-%m-%d %H:%M UTC")),
                        );
                    checks.push(Check::ok("local copy", format!("{n} contacts, {when}")));
                }
                _ => checks.push(Check::warn(
                    "local copy",
                    "could not be read",
                    "it is rebuilt at the next start",
                )),
            }
        }
        None => checks.push(Check::ok("local copy", "none (cache = \"off\")")),
    }
    match session.store.store.clone() {
        Some(store) => match store.call(|s| s.outbox()).await {
            Ok(Ok(outbox)) => {
                let (waiting, aside) = (outbox.ready.len(), outbox.aside.len());
                let found = format!("{waiting} change(s) waiting, {aside} set aside");
                checks.push(if waiting + aside == 0 {
                    Check::ok("outbox", found)
                } else {
                    Check::warn("outbox", found, "ghl-tui sends them; o lists them")
                });
            }
            _ => checks.push(Check::fail(
                "outbox",
                "could not be read",
                "ghl-tui sets a damaged store aside at start",
            )),
        },
        None => checks.push(Check::fail(
            "outbox",
            session
                .store
                .problem
                .clone()
                .unwrap_or_else(|| "no local store".into()),
            "changes cannot be recorded: free the disk or fix the folder's permissions",
        )),
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_says_each_status_and_what_to_do_and_never_a_token() {
        let checks = vec![
            Check::ok("config", "/home/a/.config/ghl-tui/config.toml"),
            Check::warn("size", "70x20", "80x24 or more"),
            Check::fail(
                "api",
                "Bearer pit-1234567890abcdef refused",
                "ghl-tui login",
            ),
        ];
        let text = render(&checks, false);
        assert!(text.contains("ok    config"), "{text}");
        assert!(
            text.contains("warn  size") && text.contains("→ 80x24 or more"),
            "{text}"
        );
        assert!(text.contains("fail  api"), "{text}");
        assert!(!text.contains("pit-1234567890abcdef"), "redacted: {text}");
        assert_eq!(worst(&checks), Status::Fail);
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn the_terminal_is_read_from_its_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let t = terminal_checks(
            env(&[
                ("TERM", "screen-256color"),
                ("TMUX", "/tmp/t,1,0"),
                ("SSH_TTY", "/dev/pts/1"),
            ]),
            Some((70, 20)),
            true,
        );
        let text = render(&t, false);
        assert!(text.contains("TERM=screen-256color"));
        assert!(text.contains("256 colours"));
        assert!(text.contains("warn  size"));
        assert!(text.contains("set-clipboard on"));
        assert!(text.contains("OSC 52"));
        let dumb = terminal_checks(env(&[("TERM", "dumb")]), None, false);
        assert_eq!(worst(&dumb), Status::Fail);
    }
}
