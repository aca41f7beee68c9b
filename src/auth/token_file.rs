//! OAuth tokens on disk: one JSON file per profile, readable by the user alone (0600), written
//! atomically (temporary file, fsync, rename) so a crash never leaves half a token, and a new
//! refresh token is never lost once the server has spent the old one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::Secret;

/// What `/oauth/token` answered, kept between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    #[serde(with = "secret_string")]
    pub access_token: Secret,
    #[serde(
        default,
        with = "opt_secret_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<Secret>,
    /// Seconds since the epoch when the access token stops working.
    pub expires_at: i64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub user_type: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    /// The signed-in user, as an OAuth answer names them (the queue's "mine").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The OAuth app that signed in, so refreshes work without it in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(
        default,
        with = "opt_secret_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_secret: Option<Secret>,
}

impl TokenSet {
    /// An agency (Company) sign-in: it works in one of its locations at a time.
    pub fn is_agency(&self) -> bool {
        self.user_type == super::oauth::UserType::Company.as_str()
    }

    /// From a token answer, received at `now` (seconds since the epoch).
    pub fn from_answer(v: &serde_json::Value, now: i64) -> Option<TokenSet> {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
        Some(TokenSet {
            access_token: Secret::new(text("access_token")?),
            refresh_token: text("refresh_token").map(Secret::new),
            expires_at: now.saturating_add(lifetime(v.get("expires_in"))),
            scope: text("scope").unwrap_or_default(),
            user_type: text("userType").unwrap_or_default(),
            location_id: text("locationId"),
            company_id: text("companyId"),
            user_id: text("userId"),
            client_id: None,
            client_secret: None,
        })
    }
}

/// Seconds a token lives, from the server's `expires_in` (a number, maybe a float or a string),
/// kept within reason: an hour if absent, never negative, never more than ten years.
pub fn lifetime(v: Option<&serde_json::Value>) -> i64 {
    const TEN_YEARS: f64 = 10.0 * 365.0 * 86_400.0;
    let secs = match v {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    secs.filter(|s| s.is_finite())
        .map_or(3600, |s| s.clamp(0.0, TEN_YEARS) as i64)
}

mod secret_string {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::api::Secret;

    pub fn serialize<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

mod opt_secret_string {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::api::Secret;

    pub fn serialize<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.expose()),
            None => ser.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Option::<String>::deserialize(d).map(|o| o.map(Secret::new))
    }
}

/// The token file of one profile.
#[derive(Clone, Debug)]
pub struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    pub fn new(path: impl Into<PathBuf>) -> TokenFile {
        TokenFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> std::io::Result<Option<TokenSet>> {
        match std::fs::read_to_string(&self.path) {
            Ok(raw) => serde_json::from_str(&raw)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the whole set atomically, mode 0600.
    pub fn save(&self, set: &TokenSet) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::private::create_dir(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tokens-")
            .tempfile_in(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        tmp.write_all(
            serde_json::to_string_pretty(set)
                .map_err(std::io::Error::other)?
                .as_bytes(),
        )?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        // The rename is durable once the directory is synced too.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn remove(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn set(access: &str) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new("refresh-1")),
            expires_at: 1_900_000_000,
            scope: "contacts.readonly".into(),
            user_type: "Location".into(),
            location_id: Some("L1".into()),
            company_id: None,
            user_id: None,
            client_id: Some("app-1".into()),
            client_secret: Some(Secret::new("app-secret")),
        }
    }

    #[test]
    fn the_signed_in_user_is_kept_from_the_answer() {
        let v = serde_json::json!({
            "access_token": "a", "refresh_token": "r", "expires_in": 86399,
            "userType": "Location", "locationId": "L1", "userId": "U1"
        });
        let set = TokenSet::from_answer(&v, 0).expect("a set");
        assert_eq!(set.user_id.as_deref(), Some("U1"));
        // A set stored before the field existed still reads.
        let old = r#"{"access_token":"a","expires_at":1,"location_id":"L1"}"#;
        let back: TokenSet = serde_json::from_str(old).expect("old set");
        assert_eq!(back.user_id, None);
    }

    #[test]
    fn lifetimes_from_the_server_stay_within_reason() {
        use serde_json::json;
        assert_eq!(lifetime(Some(&json!(86399))), 86399);
        assert_eq!(lifetime(Some(&json!(86399.7))), 86399);
        assert_eq!(lifetime(Some(&json!("3600"))), 3600);
        assert_eq!(lifetime(None), 3600);
        assert_eq!(lifetime(Some(&json!(-5))), 0);
        assert_eq!(lifetime(Some(&json!(1e300))), 10 * 365 * 86_400);
        let set = TokenSet::from_answer(
            &json!({"access_token": "a", "expires_in": 9.2e18}),
            i64::MAX - 10,
        )
        .expect("set");
        assert_eq!(set.expires_at, i64::MAX, "no overflow");
    }

    #[test]
    fn saves_privately_reloads_and_removes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = TokenFile::new(dir.path().join("tokens").join("default.json"));
        assert_eq!(file.load().expect("load"), None);
        file.save(&set("a1")).expect("save");
        file.save(&set("a2")).expect("save again");
        assert_eq!(file.load().expect("load"), Some(set("a2")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path())
                .expect("stat")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers = std::fs::read_dir(file.path().parent().expect("dir"))
            .expect("ls")
            .count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
        file.remove().expect("remove");
        assert_eq!(file.load().expect("load"), None);
    }

    #[test]
    fn a_token_set_never_prints_its_tokens() {
        let shown = format!("{:?}", set("secret-access"));
        assert!(
            !shown.contains("secret-access") && !shown.contains("refresh-1"),
            "{shown}"
        );
    }
}
