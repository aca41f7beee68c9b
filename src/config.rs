//! Configuration from the environment and `config.toml`; the environment wins.

use std::path::{Path, PathBuf};

use crate::api::{DEFAULT_BASE_URL, Secret};

pub const ENV_BASE_URL: &str = "GHL_API_BASE_URL";
pub const ENV_TOKEN: &str = "GHL_TOKEN";
pub const ENV_LOCATION: &str = "GHL_LOCATION_ID";
pub const ENV_CLIENT_ID: &str = "GHL_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "GHL_CLIENT_SECRET";
pub const ENV_AUTHORIZE_URL: &str = "GHL_AUTHORIZE_URL";
pub const ENV_TOKEN_URL: &str = "GHL_TOKEN_URL";
pub const ENV_REDIRECT_URI: &str = "GHL_REDIRECT_URI";
pub const ENV_APP_ID: &str = "GHL_APP_ID";
pub const ENV_USER_ID: &str = "GHL_USER_ID";
pub const ENV_START_VIEW: &str = "GHL_START_VIEW";
/// `file` keeps sign-ins in the 0600 file even where an OS keyring answers.
pub const ENV_TOKEN_STORE: &str = "GHL_TOKEN_STORE";
/// `mdy`, `dmy` or `ymd`: how numeric dates are typed.
pub const ENV_DATE_ORDER: &str = "GHL_DATE_ORDER";

/// GHL's authorize page (FACTS.md); white-label accounts use `marketplace.leadconnectorhq.com`.
pub const DEFAULT_AUTHORIZE_URL: &str =
    "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";
/// Where the browser is sent back to. It must be one of the app's registered redirect URLs;
/// port 0 means any free port (for tests and apps that allow any loopback port).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8976/oauth/callback";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub api_base_url: String,
    pub token: Option<Secret>,
    pub location_id: Option<String>,
    /// The OAuth app `login` signs in with.
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub authorize_url: String,
    /// Defaults to the API base's `/oauth/token`.
    pub token_url: String,
    pub redirect_uri: String,
    /// The marketplace app's id; by default the part of the client id before its first `-`.
    pub app_id: Option<String>,
    /// Who the user is in the location (a user id), for the queue's "assigned to me".
    pub user_id: Option<String>,
    /// What `D` offers; empty: the defaults.
    pub outcomes: Vec<crate::app::form::Outcome>,
    /// What the app opens on (`auto`: the queue when work is due).
    pub start_view: crate::app::queue::StartView,
    /// How numeric dates are typed (`12/01`); by default the locale's.
    pub date_order: crate::app::dates::DateOrder,
    /// Where `token` came from, for `auth status`: the environment or the file.
    pub token_from: Option<String>,
    /// What is kept of the account on this machine, and how often it is brought up to date.
    pub sync: crate::session::SyncSettings,
    /// The colours.
    pub theme: crate::look::Palette,
    /// The app takes the mouse (clicks, the wheel); `false` leaves it to the terminal.
    pub mouse: bool,
    /// The GHL web app's address, for `O`.
    pub web_url: String,
    /// Presenter mode from the start.
    pub mask: bool,
}

/// The GHL web app, where `O` opens a contact (white-label accounts configure their own).
pub const DEFAULT_WEB_URL: &str = "https://app.gohighlevel.com";

/// The keys of `config.toml`: the environment's names, or their lowercase short forms. A key
/// not listed here is a mistake (a typo would otherwise be ignored in silence).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(alias = "GHL_API_BASE_URL")]
    api_base_url: Option<String>,
    #[serde(alias = "GHL_TOKEN")]
    token: Option<String>,
    #[serde(alias = "GHL_LOCATION_ID")]
    location_id: Option<String>,
    #[serde(alias = "GHL_CLIENT_ID")]
    client_id: Option<String>,
    #[serde(alias = "GHL_CLIENT_SECRET")]
    client_secret: Option<String>,
    #[serde(alias = "GHL_AUTHORIZE_URL")]
    authorize_url: Option<String>,
    #[serde(alias = "GHL_TOKEN_URL")]
    token_url: Option<String>,
    #[serde(alias = "GHL_REDIRECT_URI")]
    redirect_uri: Option<String>,
    #[serde(alias = "GHL_APP_ID")]
    app_id: Option<String>,
    #[serde(alias = "GHL_USER_ID")]
    user_id: Option<String>,
    #[serde(alias = "GHL_DATE_ORDER")]
    date_order: Option<String>,
    /// `full` (default), `viewed` or `off`.
    #[serde(alias = "GHL_CACHE")]
    cache: Option<String>,
    /// Seconds between background syncs (default 60).
    #[serde(alias = "GHL_SYNC_INTERVAL")]
    sync_interval: Option<u64>,
    /// Hours between reconciliations of ids (which find deleted contacts; default 24).
    #[serde(alias = "GHL_RECONCILE_HOURS")]
    reconcile_hours: Option<u64>,
    /// What `D` offers, in order (`[[outcomes]]`).
    outcomes: Option<Vec<OutcomeFile>>,
    /// `auto` (default), `queue` or `contacts`.
    #[serde(alias = "GHL_START_VIEW")]
    start_view: Option<String>,
    /// `theme = "light"`, or a `[theme]` table: `base` and colours by role (read by `theme`,
    /// which can say what is wrong in words).
    theme: Option<toml::Value>,
    /// `false` leaves the mouse to the terminal, so its own selection works.
    mouse: Option<bool>,
    /// The web app's address, for `O` (white-label accounts have their own).
    #[serde(alias = "GHL_WEB_URL")]
    web_url: Option<String>,
    /// Start in presenter mode (`P`): contact details masked.
    mask: Option<bool>,
}

/// `theme = "16"`, or `[theme]` with `base = "light"` and roles (`focus = "#0969da"`).
fn theme(file: Option<toml::Value>) -> Result<crate::look::Palette, String> {
    use crate::look::Palette;
    let text = |v: &toml::Value, what: &str| -> Result<String, String> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            format!(
                "theme: {what} is {v}, not a quoted name: write {what} = \"{}\"",
                v.to_string().trim_matches('"')
            )
        })
    };
    match file {
        None => Ok(Palette::DARK),
        Some(toml::Value::Table(roles)) => {
            let mut p = match roles.get("base") {
                Some(base) => Palette::named(&text(base, "base")?)?,
                None => Palette::DARK,
            };
            for (role, value) in roles.iter().filter(|(k, _)| k.as_str() != "base") {
                p.set(role, &text(value, role)?)?;
            }
            Ok(p)
        }
        Some(v) => Palette::named(&text(&v, "theme")?),
    }
}

/// One `[[outcomes]]` table: `name`, and optionally `note` (a template with `{outcome}`,
/// `{name}`, `{date}`) and `follow_up` (a friendly date; empty or absent: none).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeFile {
    name: String,
    note: Option<String>,
    follow_up: Option<String>,
}

/// The configured outcomes, checked: names given once each, follow-ups that read as dates.
fn outcomes(file: Option<Vec<OutcomeFile>>) -> Result<Vec<crate::app::form::Outcome>, String> {
    let Some(list) = file else {
        return Ok(Vec::new());
    };
    let mut out: Vec<crate::app::form::Outcome> = Vec::new();
    // Any fixed moment checks that a follow-up reads as a date.
    let probe = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default();
    for o in list {
        let name = o.name.trim().to_string();
        if name.is_empty() {
            return Err("an [[outcomes]] entry has no name".into());
        }
        if out.iter().any(|x| x.name == name) {
            return Err(format!("the outcome “{name}” is named twice"));
        }
        let follow_up = o.follow_up.unwrap_or_default().trim().to_string();
        if !follow_up.is_empty() {
            crate::app::dates::parse(&follow_up, probe)
                .map_err(|e| format!("outcome “{name}”: follow_up: {e}"))?;
        }
        out.push(crate::app::form::Outcome {
            name,
            note: o
                .note
                .unwrap_or_else(|| "{outcome}: {name}, {date}.".into()),
            follow_up,
        });
    }
    Ok(out)
}

/// A mistake in the file as an editor jumps to it: `path:line:column: what is wrong`.
fn at_line(path: &Path, raw: &str, e: &toml::de::Error) -> String {
    let what = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &raw[..span.start.min(raw.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{}:{line}:{column}: {what}", path.display())
        }
        None => format!("{}: {what}", path.display()),
    }
}

/// A marketplace app's id from its client id (`<appId>-<suffix>`).
pub fn app_id_of(client_id: &str) -> Option<String> {
    client_id
        .split('-')
        .next()
        .filter(|a| !a.is_empty())
        .map(String::from)
}

/// Where this app keeps its files, per the platform's conventions.
pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("com", "ghl-tui", "ghl-tui")
}

pub fn default_config_path() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The user's keymap: `keymap.toml` beside the config file.
pub fn keymap_path(config: Option<&Path>) -> Option<PathBuf> {
    Some(config?.parent()?.join("keymap.toml"))
}

/// The keys: the defaults, with the user's `keymap.toml` over them when there is one. A file
/// that cannot be read or has a mistake is one line naming it (and the line).
pub fn load_keymap(path: Option<&Path>) -> Result<crate::app::keymap::Keymap, String> {
    let Some(path) = path.filter(|p| p.exists()) else {
        return Ok(crate::app::keymap::Keymap::default());
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    crate::app::keymap::Keymap::with_user(&text, &path.display().to_string())
        .map_err(|e| e.to_string())
}

/// Where the log file goes: the state directory where the platform has one, else the cache.
pub fn log_dir() -> PathBuf {
    match dirs() {
        Some(d) => d.state_dir().unwrap_or_else(|| d.cache_dir()).to_path_buf(),
        None => std::env::temp_dir().join("ghl-tui"),
    }
}

/// Where a profile's sign-in is kept (mode 0600).
pub fn token_path(profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = dirs().map_or_else(
        || std::env::temp_dir().join("ghl-tui"),
        |d| d.config_dir().to_path_buf(),
    );
    dir.join("profiles").join(format!("{safe}.tokens.json"))
}

/// Where the location a profile was last in is noted (beside its sign-in, not in it: it is
/// read at start before the sign-in, which an OS keyring can take seconds to give).
pub fn last_location_path(profile: &str) -> PathBuf {
    token_path(profile).with_extension("last-location")
}

/// The location the profile was last in, if noted.
pub fn last_location(profile: &str) -> Option<String> {
    let text = std::fs::read_to_string(last_location_path(profile)).ok()?;
    let id = text.trim();
    // An id as GHL makes them; anything else is not a location of ours.
    (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| id.to_string())
}

/// Notes the location the profile is in now (0600; a failure costs only a slower next start).
pub fn note_last_location(profile: &str, location: &str) {
    let path = last_location_path(profile);
    if last_location(profile).as_deref() == Some(location) {
        return;
    }
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir)?;
        }
        let tmp = path.with_extension("last-location.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut f = crate::private::open_append(&tmp)?;
        std::io::Write::write_all(&mut f, location.as_bytes())?;
        std::fs::rename(&tmp, &path)
    };
    if let Err(e) = write() {
        tracing::warn!(error = %e, "could not note the location for the next start");
    }
}

/// The local store (outbox and drafts) of an account, in the platform's data directory.
pub fn store_path(account: &str) -> PathBuf {
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = dirs().map_or_else(
        || std::env::temp_dir().join("ghl-tui"),
        |d| d.data_dir().to_path_buf(),
    );
    dir.join(format!("{safe}.sqlite3"))
}

impl Config {
    /// The marketplace app id: configured, else derived from the client id.
    pub fn app_id(&self) -> Option<String> {
        self.app_id
            .clone()
            .or_else(|| self.client_id.as_deref().and_then(app_id_of))
    }

    /// Reads `file` (if it exists) and then `env`, which overrides it.
    pub fn load(
        env: impl Fn(&str) -> Option<String>,
        file: Option<&Path>,
    ) -> Result<Config, String> {
        let from_file = match file {
            Some(path) if path.exists() => {
                let raw = std::fs::read_to_string(path)
                    .map_err(|e| format!("can't read {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&raw).map_err(|e| at_line(path, &raw, &e))?
            }
            _ => FileConfig::default(),
        };
        let pick = |key: &str, file: Option<String>| {
            env(key)
                .filter(|v| !v.trim().is_empty())
                .or(file)
                .map(|v| v.trim().to_string())
        };
        let api_base_url = pick(ENV_BASE_URL, from_file.api_base_url)
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let token_url = pick(ENV_TOKEN_URL, from_file.token_url)
            .unwrap_or_else(|| format!("{}/oauth/token", api_base_url.trim_end_matches('/')));
        let date_order = match pick(ENV_DATE_ORDER, from_file.date_order) {
            Some(v) => v.parse().map_err(|e: String| match file {
                Some(path) => format!("{}: {e}", path.display()),
                None => e,
            })?,
            None => crate::app::dates::DateOrder::from_locale(&env),
        };
        let token_from = if env(ENV_TOKEN).is_some_and(|v| !v.trim().is_empty()) {
            Some(format!("the environment ({ENV_TOKEN})"))
        } else if from_file
            .token
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            file.map(|p| format!("the config file ({})", p.display()))
        } else {
            None
        };
        let in_file = |e: String| match file {
            Some(path) => format!("{}: {e}", path.display()),
            None => e,
        };
        let mut sync = crate::session::SyncSettings::default();
        if let Some(v) = pick("GHL_CACHE", from_file.cache) {
            sync.cache = v.parse().map_err(in_file)?;
        }
        let number = |key: &str, file: Option<u64>| -> Result<Option<u64>, String> {
            match env(key).filter(|v| !v.trim().is_empty()) {
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{key} must be a whole number, not {v:?}")),
                None => Ok(file),
            }
        };
        if let Some(secs) = number("GHL_SYNC_INTERVAL", from_file.sync_interval)? {
            // Faster than every 10 s would spend the rate limit on nothing.
            sync.interval = std::time::Duration::from_secs(secs.max(10));
        }
        if let Some(hours) = number("GHL_RECONCILE_HOURS", from_file.reconcile_hours)? {
            sync.reconcile_every =
                (hours > 0).then(|| std::time::Duration::from_secs(hours * 3600));
        }
        let outcomes = outcomes(from_file.outcomes).map_err(|e| format!("config.toml: {e}"))?;
        let start_view = match pick(ENV_START_VIEW, from_file.start_view) {
            Some(v) => v.parse()?,
            None => crate::app::queue::StartView::Auto,
        };
        let theme = theme(from_file.theme).map_err(in_file)?;
        let web_url =
            pick("GHL_WEB_URL", from_file.web_url).unwrap_or_else(|| DEFAULT_WEB_URL.to_string());
        Ok(Config {
            theme,
            mouse: from_file.mouse.unwrap_or(true),
            web_url,
            mask: from_file.mask.unwrap_or(false),
            outcomes,
            start_view,
            sync,
            token_from,
            token: pick(ENV_TOKEN, from_file.token).map(Secret::new),
            location_id: pick(ENV_LOCATION, from_file.location_id),
            client_id: pick(ENV_CLIENT_ID, from_file.client_id),
            client_secret: pick(ENV_CLIENT_SECRET, from_file.client_secret).map(Secret::new),
            authorize_url: pick(ENV_AUTHORIZE_URL, from_file.authorize_url)
                .unwrap_or_else(|| DEFAULT_AUTHORIZE_URL.to_string()),
            redirect_uri: pick(ENV_REDIRECT_URI, from_file.redirect_uri)
                .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string()),
            app_id: pick(ENV_APP_ID, from_file.app_id),
            user_id: pick(ENV_USER_ID, from_file.user_id),
            date_order,
            token_url,
            api_base_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "GHL_TOKEN = \"file-token\"\nlocation_id = \"FileLoc\"\n",
        )
        .expect("write");
        let env = |k: &str| (k == ENV_TOKEN).then(|| "env-token".to_string());
        let cfg = Config::load(env, Some(&path)).expect("load");
        assert_eq!(cfg.token, Some(Secret::new("env-token")));
        assert_eq!(cfg.location_id.as_deref(), Some("FileLoc"));
        assert_eq!(cfg.api_base_url, DEFAULT_BASE_URL);
        assert_eq!(cfg.token_url, format!("{DEFAULT_BASE_URL}/oauth/token"));
    }

    #[test]
    fn the_token_url_follows_the_api_base() {
        let env = |k: &str| match k {
            ENV_BASE_URL => Some("http://127.0.0.1:9/".to_string()),
            ENV_CLIENT_ID => Some("65f0abc-lq4sb5".to_string()),
            _ => None,
        };
        let cfg = Config::load(env, None).expect("load");
        assert_eq!(cfg.token_url, "http://127.0.0.1:9/oauth/token");
        assert_eq!(cfg.authorize_url, DEFAULT_AUTHORIZE_URL);
        assert_eq!(cfg.app_id().as_deref(), Some("65f0abc"));
    }

    #[test]
    fn outcomes_come_from_the_file_checked() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[[outcomes]]\nname = \"Gatekeeper\"\nnote = \"{outcome}: ask {name} for a time\"\nfollow_up = \"tomorrow 9am\"\n\n[[outcomes]]\nname = \"Wrong number\"\n",
        )
        .expect("write");
        let cfg = Config::load(|_| None, Some(&path)).expect("load");
        let names: Vec<&str> = cfg.outcomes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Gatekeeper", "Wrong number"]);
        assert_eq!(cfg.outcomes[0].follow_up, "tomorrow 9am");
        assert_eq!(cfg.outcomes[1].follow_up, "");
        std::fs::write(
            &path,
            "[[outcomes]]\nname = \"Soon\"\nfollow_up = \"whenever\"\n",
        )
        .expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("a follow-up that is no date");
        assert!(err.contains("Soon") && err.contains("follow_up"), "{err}");
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "token = [").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("must fail");
        assert!(err.contains("config.toml:1:"), "{err}");
    }

    #[test]
    fn a_theme_by_name_or_by_role() {
        use crate::look::{Colour, Palette};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"light\"\n").expect("write");
        assert_eq!(
            Config::load(|_| None, Some(&path)).expect("load").theme,
            Palette::LIGHT
        );
        std::fs::write(
            &path,
            "[theme]\nbase = \"16\"\nfocus = \"#ff8800\"\nerror = \"light_red\"\n",
        )
        .expect("write");
        let t = Config::load(|_| None, Some(&path)).expect("load").theme;
        assert_eq!(t.focus, Some(Colour::Rgb(0xff, 0x88, 0x00)));
        assert_eq!(t.error, Some(Colour::Index(9)));
        assert_eq!(t.dim, Palette::SIXTEEN.dim);
        std::fs::write(&path, "[theme]\nfocus = \"puce\"\n").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("not a colour");
        assert!(err.contains("config.toml") && err.contains("puce"), "{err}");
        std::fs::write(&path, "theme = 16\n").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("a number");
        assert!(err.contains("theme = \"16\""), "{err}");
        std::fs::write(
            &path,
            "mouse = false\nweb_url = \"https://crm.example.com\"\n",
        )
        .expect("write");
        let cfg = Config::load(|_| None, Some(&path)).expect("load");
        assert!(!cfg.mouse);
        assert_eq!(cfg.web_url, "https://crm.example.com");
    }

    #[test]
    fn an_unknown_key_or_a_bad_value_names_the_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "location_id = \"L1\"\n\nsync_intervall = 30\n").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("a typo is a mistake");
        assert!(err.contains("config.toml:3:1:"), "{err}");
        assert!(err.contains("sync_intervall"), "{err}");
        std::fs::write(&path, "user_id = \"u\"\nsync_interval = \"soon\"\n").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("not a number");
        assert!(err.contains("config.toml:2:"), "{err}");
    }
}
