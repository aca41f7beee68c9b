//! Keeping an OAuth access token working: refreshed 30 s before it expires and once after a
//! 401 that says it expired; one refresh at a time however many requests need it; the new pair
//! is stored before the new access token is used (each refresh token works once).

use std::sync::Arc;

use tokio::sync::Mutex;

use super::token_file::TokenSet;
use super::token_store::TokenStore;
use crate::api::token_source::{BoxFuture, TokenSource};
use crate::api::{ApiError, Secret};

/// Refresh this long before the access token expires.
const EARLY_SECS: i64 = 30;

#[derive(Debug)]
pub struct TokenManager {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    file: Option<TokenStore>,
    set: Mutex<TokenSet>,
    /// Why the sign-in ended, once a refresh was refused: no more refreshes until a new login
    /// stores other tokens.
    ended: std::sync::Mutex<Option<ApiError>>,
    /// The command that signs this profile in again, for the message when the sign-in ends.
    relogin: std::sync::OnceLock<String>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl TokenManager {
    /// `token_url` is the API base's `/oauth/token`; `file`, where refreshed tokens are kept.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
        set: TokenSet,
        file: Option<TokenStore>,
    ) -> Arc<TokenManager> {
        Arc::new(TokenManager {
            http: reqwest::Client::new(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            file,
            set: Mutex::new(set),
            ended: std::sync::Mutex::new(None),
            relogin: std::sync::OnceLock::new(),
        })
    }

    /// Names the login command of this profile (`ghl-tui --profile work login --write`).
    pub fn relogin_with(&self, command: impl Into<String>) {
        let _ = self.relogin.set(command.into());
    }

    /// Remembers the agency's current location with the tokens, for the next start.
    pub async fn set_location(&self, location_id: &str) {
        let mut set = self.set.lock().await;
        set.location_id = Some(location_id.to_string());
        if let Some(file) = &self.file
            && let Err(e) = file.save(&set)
        {
            tracing::error!(error = %e, "could not remember the location");
        }
    }

    /// Takes the stored pair if it is not the one in hand (another copy of the app stored a
    /// newer one, or a new login did). Keeps the location the user is in.
    fn adopt_stored(&self, set: &mut TokenSet) -> bool {
        let Some(stored) = self.file.as_ref().and_then(|f| f.load().ok().flatten()) else {
            return false;
        };
        if stored.access_token == set.access_token || stored.refresh_token == set.refresh_token {
            return false;
        }
        tracing::info!("using the tokens another session stored");
        let here = set.location_id.clone();
        *set = stored;
        if set.user_type == "Company" {
            set.location_id = here.or(set.location_id.take());
        }
        true
    }

    /// After the sign-in ended: the tokens a new `ghl-tui login` stored meanwhile, if any.
    fn revived(&self, set: &mut TokenSet) -> Result<(), ApiError> {
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        let Some(why) = ended.clone() else {
            return Ok(());
        };
        if self.adopt_stored(set) {
            *ended = None;
            Ok(())
        } else {
            Err(why)
        }
    }

    pub async fn current(&self) -> TokenSet {
        self.set.lock().await.clone()
    }

    /// Spends the refresh token for a new pair; called with the lock held, so never twice at
    /// once.
    async fn refresh(&self, set: &mut TokenSet) -> Result<Secret, ApiError> {
        // Another copy of the app on this profile may have refreshed already (and spent the
        // refresh token this one holds): its stored pair is the one to use.
        if self.adopt_stored(set) && set.expires_at - EARLY_SECS > now() {
            return Ok(set.access_token.clone());
        }
        let Some(refresh) = set.refresh_token.clone() else {
            return Err(self.end("the access token expired and came with no refresh token"));
        };
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("user_type", set.user_type.as_str()),
        ];
        let resp = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(ApiError::from)?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let fresh = match TokenSet::from_answer(&body, now()) {
            Some(fresh) if status.is_success() => fresh,
            _ => {
                // A refused refresh ends the sign-in; a server that could not answer does not.
                if status.is_server_error() || status.as_u16() == 429 {
                    return Err(ApiError::from_response(
                        status.as_u16(),
                        &body.to_string(),
                        None,
                    ));
                }
                // Refused because another copy spent it a moment ago: take its new pair.
                if self.adopt_stored(set) {
                    return Ok(set.access_token.clone());
                }
                let why = body
                    .get("error_description")
                    .or_else(|| body.get("message"))
                    .and_then(|m| m.as_str())
                    .unwrap_or("the sign-in was refused");
                return Err(self.end(&format!("the refresh was refused ({why})")));
            }
        };
        let mut fresh = fresh;
        // The answer names neither the app nor, for an agency, the location the user is in:
        // both stay, or the next start could not refresh or would open elsewhere.
        if fresh.location_id.is_none() {
            fresh.location_id = set.location_id.clone();
        }
        fresh.client_id = set.client_id.clone();
        fresh.client_secret = set.client_secret.clone();
        // The old refresh token is spent: the new pair must reach the disk before anything
        // else, or a crash now would sign the user out.
        if let Some(file) = &self.file
            && let Err(e) = file.save(&fresh)
        {
            tracing::error!(error = %e, "could not store the refreshed tokens");
        }
        tracing::info!(expires_at = fresh.expires_at, "access token refreshed");
        *set = fresh;
        Ok(set.access_token.clone())
    }
}

impl TokenManager {
    fn end(&self, why: &str) -> ApiError {
        let command = self.relogin.get().map_or("ghl-tui login", String::as_str);
        let err = ApiError::SignedOut {
            command: command.to_string(),
            why: crate::sanitize::line(why).into_owned(),
        };
        tracing::warn!(error = %err, "the sign-in ended");
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(err.clone());
        err
    }
}

impl TokenSource for TokenManager {
    fn bearer(&self) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut set = self.set.lock().await;
            self.revived(&mut set)?;
            if set.expires_at - EARLY_SECS > now() {
                return Ok(set.access_token.clone());
            }
            self.refresh(&mut set).await
        })
    }

    fn renew(&self, rejected: Secret) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut set = self.set.lock().await;
            self.revived(&mut set)?;
            // Another request already replaced the refused token: use the new one.
            if set.access_token != rejected {
                return Ok(set.access_token.clone());
            }
            self.refresh(&mut set).await
        })
    }
}
