//! What the app knows of the replica and its sync, and the words the status bar says of it:
//! `sync 42,000/100,000 · 8 s left`, `synced 2 min ago`, `offline · cached 3 h ago`.

use chrono::NaiveDateTime;

use crate::sync::pull::Phase;

/// The `/` prefix of the contacts changed since the previous session.
pub const CHANGED: &str = "changed:";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncView {
    /// A replica is kept for this location.
    pub on: bool,
    /// Background sync runs (config `cache = "full"`).
    pub syncing_enabled: bool,
    /// The first full pass has finished: the list comes from the replica.
    pub complete: bool,
    /// A pass under way.
    pub pass: Option<PassView>,
    /// When a pass last finished.
    pub last_sync: Option<NaiveDateTime>,
    /// The server could not be reached since then.
    pub offline_since: Option<NaiveDateTime>,
    /// When the user's previous session here started, for "changed since".
    pub previous_session: Option<NaiveDateTime>,
    /// Contacts the replica saw change since the previous session (read at start), newest
    /// first.
    pub changes: Vec<String>,
    /// What changed of each, as the list shows it (sanitised once, when read).
    pub what_changed: std::collections::HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PassView {
    pub phase: Phase,
    pub done: u64,
    pub total: Option<u64>,
    pub started: NaiveDateTime,
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `8 s`, `2 min`, `3 h`, `4 d`.
pub fn span(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => format!("{} h", secs / 3600),
        _ => format!("{} d", secs / 86_400),
    }
}

impl SyncView {
    /// The status bar's words, if there is anything to say.
    pub fn line(&self, now: NaiveDateTime) -> Option<String> {
        if !self.on {
            return None;
        }
        if let Some(p) = &self.pass {
            // Only the first sync is worth a progress line; later passes are quiet.
            if p.phase == crate::sync::pull::Phase::First {
                let total = p.total.map(|t| t.max(p.done));
                let mut line = match total {
                    Some(t) => format!("sync {}/{}", thousands(p.done), thousands(t)),
                    None => format!("sync {}", thousands(p.done)),
                };
                let elapsed = (now - p.started).num_milliseconds().max(1);
                if let Some(t) = total
                    && p.done > 0
                    && t > p.done
                {
                    let left = elapsed as f64 * (t - p.done) as f64 / p.done as f64 / 1000.0;
                    line.push_str(&format!(" · {} left", span(left.ceil() as i64)));
                }
                return Some(line);
            }
        }
        if let Some(since) = self.offline_since {
            return Some(match self.last_sync {
                Some(at) => format!("offline · cached {} ago", span((now - at).num_seconds())),
                None => format!("offline since {}", since.format("%H:%M")),
            });
        }
        let at = self.last_sync?;
        let ago = (now - at).num_seconds();
        Some(if ago < 60 {
            "synced just now".to_string()
        } else {
            format!("synced {} ago", span(ago))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    #[test]
    fn says_progress_then_age_then_offline() {
        let now = at("2026-12-01 10:00:10");
        let mut v = SyncView {
            on: true,
            pass: Some(PassView {
                phase: Phase::First,
                done: 42_000,
                total: Some(100_000),
                started: at("2026-12-01 10:00:00"),
            }),
            ..Default::default()
        };
        assert_eq!(
            v.line(now).as_deref(),
            Some("sync 42,000/100,000 · 14 s left")
        );
        v.pass = None;
        v.last_sync = Some(at("2026-12-01 09:58:00"));
        assert_eq!(v.line(now).as_deref(), Some("synced 2 min ago"));
        v.offline_since = Some(at("2026-12-01 09:59:00"));
        v.last_sync = Some(at("2026-12-01 07:00:00"));
        assert_eq!(v.line(now).as_deref(), Some("offline · cached 3 h ago"));
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
