//! `ghl-tui login --token`, `logout` and `auth status`: what they do, apart from the terminal.

use crate::api::{ApiError, Client, ClientConfig, SearchRequest, Secret};
use crate::auth::{Kept, TokenSet, TokenStore};

/// Checks a Private Integration token with one API call, then stores it for the profile.
/// Returns what to tell the user.
pub async fn login_with_token(
    base_url: &str,
    token: Secret,
    location_id: &str,
    file: &TokenStore,
) -> Result<String, String> {
    let token = Secret::new(token.expose().trim());
    if token.expose().is_empty() {
        return Err("no token given".into());
    }
    if location_id.trim().is_empty() {
        return Err("a location id is needed: pass --location or set GHL_LOCATION_ID".into());
    }
    let client = Client::new(ClientConfig::new(
        base_url,
        token.clone(),
        location_id.trim(),
    ))
    .map_err(|e| e.one_line())?;
    let total = count_contacts(&client, location_id.trim())
        .await
        .map_err(|e| match e {
            ApiError::MissingScope { .. } => {
                "the token works but lacks contacts.readonly; add that scope to the integration"
                    .to_string()
            }
            other => format!("the token was not accepted: {}", other.one_line()),
        })?;
    let set = TokenSet {
        access_token: token,
        refresh_token: None,
        // Private Integration tokens do not expire on their own.
        expires_at: i64::MAX,
        scope: String::new(),
        user_type: "PrivateIntegration".into(),
        location_id: Some(location_id.trim().into()),
        company_id: None,
        user_id: None,
        client_id: None,
        client_secret: None,
    };
    let kept = file
        .save(&set)
        .map_err(|e| format!("could not store the token: {e}"))?;
    let count = total.map_or_else(String::new, |t| format!(" ({t} contacts)"));
    Ok(format!(
        "Signed in to location {}{count}. Token kept in {}",
        location_id.trim(),
        kept_in(&kept, file)
    ))
}

/// One cheap read that proves a token works for `location`: how many contacts it holds.
async fn count_contacts(client: &Client, location: &str) -> Result<Option<u64>, ApiError> {
    let probe = SearchRequest {
        location_id: location.into(),
        page_limit: 1,
        page: Some(1),
        ..Default::default()
    };
    client.search(&probe).await.map(|p| p.total)
}

/// What is stored for the profile, never the secrets themselves.
/// What `auth status` found: a sign-in (and what to say of it), or none at all.
pub enum Status {
    SignedIn(String),
    NotSignedIn(String),
}

/// The token the app would use, and where it comes from: the environment or the config file
/// first (as the app reads them), then the stored sign-in.
pub fn status(cfg: &crate::config::Config, file: &TokenStore) -> Result<Status, String> {
    let stored = file.load_sure();
    if let (Some(_), Some(from)) = (&cfg.token, &cfg.token_from) {
        let location = cfg
            .location_id
            .clone()
            .map(|l| format!("{l} (set with it)"))
            .or_else(|| {
                stored
                    .as_ref()
                    .ok()
                    .and_then(|s| s.as_ref())
                    .and_then(|s| s.location_id.clone())
                    .map(|l| format!("{l} (from the stored sign-in)"))
            })
            .unwrap_or_else(|| format!("- (set {})", crate::config::ENV_LOCATION));
        let shadowed = match &stored {
            Ok(Some(_)) => {
                "\n  note:      a stored sign-in is kept too; this token is used instead"
            }
            _ => "",
        };
        return Ok(Status::SignedIn(format!(
            "Signed in with a token from {from}\n  location:  {location}\n  token:     as set (never shown){shadowed}"
        )));
    }
    let set = stored.map_err(|e| format!("can't read the stored sign-in: {e}"))?;
    let Some(set) = set else {
        return Ok(Status::NotSignedIn(
            "Not signed in. Run `ghl-tui login` (OAuth), `ghl-tui login --token` \
             (a Private Integration token), or set GHL_TOKEN."
                .into(),
        ));
    };
    let expiry = if set.expires_at == i64::MAX {
        "does not expire".to_string()
    } else {
        chrono::DateTime::from_timestamp(set.expires_at, 0).map_or_else(
            || "unknown".into(),
            |t| format!("expires {}", t.format("%Y-%m-%d %H:%M UTC")),
        )
    };
    let scopes = if set.scope.is_empty() {
        "as set on the integration".to_string()
    } else {
        set.scope.clone()
    };
    Ok(Status::SignedIn(format!(
        "Signed in (the stored sign-in)\n  account:   {}\n  location:  {}\n  user type: {}\n  scopes:    {}\n  token:     {} (kept in {})",
        set.company_id.as_deref().unwrap_or("-"),
        set.location_id.as_deref().unwrap_or("-"),
        set.user_type,
        scopes,
        expiry,
        file.describe()
    )))
}

pub fn logout(file: &TokenStore) -> Result<String, String> {
    let had = file.load().ok().flatten().is_some();
    file.remove()
        .map_err(|e| format!("could not remove the stored sign-in: {e}"))?;
    Ok(if had {
        "Signed out: the stored token is gone.".into()
    } else {
        "Nothing to remove: not signed in.".into()
    })
}

/// What `ghl-tui login` (OAuth) needs besides the terminal.
#[derive(Clone, Debug)]
pub struct OAuthLogin {
    pub settings: super::oauth::OAuthSettings,
    pub mode: super::login::Mode,
    /// Why that mode, in words for the user.
    pub why: String,
    pub api_base_url: String,
    /// For an agency: the location to open first (default: the one used last, else the first).
    pub location: Option<String>,
    /// The marketplace app's id, for listing an agency's locations.
    pub app_id: String,
}

/// The whole OAuth sign-in: approval in the browser (caught on 127.0.0.1, or pasted back from
/// `input`), the code traded for tokens, a check that they work, and the tokens stored.
/// `tell` shows progress to the user. Returns what to tell the user at the end.
pub async fn login_oauth(
    mut opts: OAuthLogin,
    input: impl tokio::io::AsyncBufRead + Unpin,
    mut tell: impl FnMut(&str),
    file: &TokenStore,
) -> Result<String, String> {
    use super::login::{self, Answer, Mode};
    let mut mode = opts.mode.clone();
    let mut listener = None;
    if matches!(mode, Mode::Browser { .. }) {
        match login::listen(&opts.settings.redirect_uri).await {
            Ok((l, uri, path)) => {
                opts.settings.redirect_uri = uri;
                listener = Some((l, path));
            }
            Err(why) => {
                opts.why = why;
                mode = Mode::Paste;
            }
        }
    }
    let attempt = super::oauth::start(&opts.settings)?;
    let answer = match (mode, listener) {
        (Mode::Browser { opener }, Some((listener, path))) => {
            tell(&format!("Signing in with your browser ({}).", opts.why));
            let open_it = match login::open_browser(&opener, &attempt.url) {
                Ok(()) => "If no browser opened, open this address yourself".to_string(),
                Err(why) => {
                    format!("The browser did not start ({why}). Open this address yourself")
                }
            };
            tell(&format!(
                "{open_it}:\n\n  {}\n\n\
                 Waiting for the approval… (or paste here the address the browser ends on)",
                attempt.url
            ));
            let pasted = async {
                match login::read_pasted(input, &attempt.state, &mut tell).await {
                    Ok(a) => a,
                    // No terminal to paste into: the browser's redirect is the only way back.
                    Err(_) => std::future::pending().await,
                }
            };
            tokio::select! {
                a = login::catch_redirect(listener, &path, &attempt.state) => a?,
                a = pasted => a,
                () = tokio::time::sleep(LOGIN_WAIT) => return Err(waited_too_long()),
            }
        }
        _ => {
            tell(&format!(
                "Signing in by pasting ({}).\n\n\
                 1. Open this address in a browser and approve:\n\n  {}\n\n\
                 2. The browser then goes to {} (it may show an error page: that is expected).\n\
                 3. Paste that whole address here (or just the code) and press Enter:",
                opts.why, attempt.url, opts.settings.redirect_uri
            ));
            tokio::select! {
                a = login::read_pasted(input, &attempt.state, &mut tell) => a?,
                () = tokio::time::sleep(LOGIN_WAIT) => return Err(waited_too_long()),
            }
        }
    };
    let code = match answer {
        Answer::Code(code) => code,
        Answer::Denied(why) => return Err(format!("the sign-in was turned down: {why}")),
    };
    let now = chrono::Utc::now().timestamp();
    let mut set = super::oauth::exchange(&opts.settings, &code, now).await?;
    let mut client_cfg = ClientConfig::new(&opts.api_base_url, set.access_token.clone(), "");
    let where_ = if set.is_agency() {
        let company = set
            .company_id
            .clone()
            .ok_or("the agency token names no company")?;
        let client = Client::new(client_cfg).map_err(|e| e.one_line())?;
        let locations = client
            .installed_locations(&company, &opts.app_id)
            .await
            .map_err(|e| format!("could not list the agency's locations: {}", e.one_line()))?;
        let remembered = file.load().ok().flatten().and_then(|s| s.location_id);
        let wanted = opts.location.clone().or(remembered);
        let chosen = wanted
            .as_ref()
            .and_then(|w| locations.iter().find(|l| &l.id == w))
            .or(locations.first())
            .ok_or("the app is not installed in any location of this agency")?;
        // A mistyped `--location` is said, not fatal: the approval is not thrown away.
        let missing = match &opts.location {
            Some(w) if w != &chosen.id => format!(
                "; location {} is not among the agency's locations",
                crate::sanitize::line(w)
            ),
            _ => String::new(),
        };
        set.location_id = Some(chosen.id.clone());
        format!(
            "agency {}, starting in {} ({} of {} locations; L in the app switches){missing}",
            crate::sanitize::line(&company),
            crate::sanitize::line(&chosen.name),
            crate::sanitize::line(&chosen.id),
            locations.len()
        )
    } else {
        let location = set
            .location_id
            .clone()
            .ok_or("the token names no location")?;
        client_cfg.location_id = location.clone();
        let client = Client::new(client_cfg).map_err(|e| e.one_line())?;
        let total = count_contacts(&client, &location)
            .await
            .map_err(|e| format!("the new token does not work: {}", e.one_line()))?;
        let count = total.map_or_else(String::new, |t| format!(", {t} contacts"));
        format!("location {location}{count}")
    };
    let kept = file
        .save(&set)
        .map_err(|e| format!("could not store the tokens: {e}"))?;
    let scopes: Vec<&str> = set.scope.split_whitespace().collect();
    let access = if scopes.contains(&"contacts.write") {
        "read and write".to_string()
    } else {
        "read-only: to make changes, run `ghl-tui login --write`".to_string()
    };
    Ok(format!(
        "Signed in to {where_}.\nAccess: {access}.\nTokens kept in {}; they refresh themselves.",
        kept_in(&kept, file)
    ))
}

fn kept_in(kept: &Kept, store: &TokenStore) -> String {
    match kept {
        Kept::Keyring => "the OS keyring".into(),
        Kept::File(why) => format!("{} (mode 0600; {why})", store.file().path().display()),
    }
}

/// How long a login waits for the approval before giving up.
const LOGIN_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

fn waited_too_long() -> String {
    "no approval came within 10 minutes; run `ghl-tui login` again".into()
}
