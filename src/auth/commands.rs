//! `ghl-tui login --token`, `logout` and `auth status`: what they do, apart from the terminal.

use crate::api::{ApiError, Client, ClientConfig, SearchRequest, Secret};
use crate::auth::{TokenFile, TokenSet};

/// Checks a Private Integration token with one API call, then stores it for the profile.
/// Returns what to tell the user.
pub async fn login_with_token(
    base_url: &str,
    token: Secret,
    location_id: &str,
    file: &TokenFile,
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
    let probe = SearchRequest {
        location_id: location_id.trim().into(),
        page_limit: 1,
        page: Some(1),
        ..Default::default()
    };
    let total = client
        .search(&probe)
        .await
        .map(|p| p.total)
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
    };
    file.save(&set)
        .map_err(|e| format!("could not store the token: {e}"))?;
    let count = total.map_or_else(String::new, |t| format!(" ({t} contacts)"));
    Ok(format!(
        "Signed in to location {}{count}. Token stored in {}",
        location_id.trim(),
        file.path().display()
    ))
}

/// What is stored for the profile, never the secrets themselves.
pub fn status(file: &TokenFile) -> Result<String, String> {
    let set = file
        .load()
        .map_err(|e| format!("can't read {}: {e}", file.path().display()))?;
    let Some(set) = set else {
        return Ok("Not signed in. Run `ghl-tui login --token` (or use GHL_TOKEN).".into());
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
    Ok(format!(
        "Signed in\n  account:   {}\n  location:  {}\n  user type: {}\n  scopes:    {}\n  token:     {} (kept in {})",
        set.company_id.as_deref().unwrap_or("-"),
        set.location_id.as_deref().unwrap_or("-"),
        set.user_type,
        scopes,
        expiry,
        file.path().display()
    ))
}

pub fn logout(file: &TokenFile) -> Result<String, String> {
    let had = file.load().ok().flatten().is_some();
    file.remove()
        .map_err(|e| format!("could not remove {}: {e}", file.path().display()))?;
    Ok(if had {
        "Signed out: the stored token is gone.".into()
    } else {
        "Nothing to remove: not signed in.".into()
    })
}
