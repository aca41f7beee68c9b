//! Configuration from the environment and `config.toml`; the environment wins.

use std::path::{Path, PathBuf};

use crate::api::{DEFAULT_BASE_URL, Secret};

pub const ENV_BASE_URL: &str = "GHL_API_BASE_URL";
pub const ENV_TOKEN: &str = "GHL_TOKEN";
pub const ENV_LOCATION: &str = "GHL_LOCATION_ID";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub api_base_url: String,
    pub token: Option<Secret>,
    pub location_id: Option<String>,
}

/// The keys of `config.toml`: the environment's names, or their lowercase short forms.
#[derive(Debug, Default, serde::Deserialize)]
struct FileConfig {
    #[serde(alias = "GHL_API_BASE_URL")]
    api_base_url: Option<String>,
    #[serde(alias = "GHL_TOKEN")]
    token: Option<String>,
    #[serde(alias = "GHL_LOCATION_ID")]
    location_id: Option<String>,
}

/// Where this app keeps its files, per the platform's conventions.
pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("com", "ghl-tui", "ghl-tui")
}

pub fn default_config_path() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
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
    /// Reads `file` (if it exists) and then `env`, which overrides it.
    pub fn load(
        env: impl Fn(&str) -> Option<String>,
        file: Option<&Path>,
    ) -> Result<Config, String> {
        let from_file = match file {
            Some(path) if path.exists() => {
                let raw = std::fs::read_to_string(path)
                    .map_err(|e| format!("can't read {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&raw)
                    .map_err(|e| format!("{} is not valid: {}", path.display(), e.message()))?
            }
            _ => FileConfig::default(),
        };
        let pick = |key: &str, file: Option<String>| {
            env(key)
                .filter(|v| !v.trim().is_empty())
                .or(file)
                .map(|v| v.trim().to_string())
        };
        Ok(Config {
            api_base_url: pick(ENV_BASE_URL, from_file.api_base_url)
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            token: pick(ENV_TOKEN, from_file.token).map(Secret::new),
            location_id: pick(ENV_LOCATION, from_file.location_id),
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
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "token = [").expect("write");
        let err = Config::load(|_| None, Some(&path)).expect_err("must fail");
        assert!(err.contains("config.toml is not valid"), "{err}");
    }
}
