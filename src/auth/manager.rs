//! Keeping an OAuth access token working: refreshed 30 s before it expires and once after a
//! 401 that says it expired; one refresh at a time however many requests need it; the new pair
//! is stored before the new access token is used (each refresh token works once).

use std::sync::Arc;

use tokio::sync::Mutex;

use super::token_file::{TokenFile, TokenSet};
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
    file: Option<TokenFile>,
    set: Mutex<TokenSet>,
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
        file: Option<TokenFile>,
    ) -> Arc<TokenManager> {
        Arc::new(TokenManager {
            http: reqwest::Client::new(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            file,
            set: Mutex::new(set),
        })
    }

    pub async fn current(&self) -> TokenSet {
        self.set.lock().await.clone()
    }

    /// Spends the refresh token for a new pair; called with the lock held, so never twice at
    /// once.
    async fn refresh(&self, set: &mut TokenSet) -> Result<Secret, ApiError> {
        let Some(refresh) = set.refresh_token.clone() else {
            return Err(ApiError::Unauthorized {
                message: "the access token expired and cannot be refreshed; sign in again (ghl-tui login)".into(),
            });
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
                let why = body
                    .get("error_description")
                    .or_else(|| body.get("message"))
                    .and_then(|m| m.as_str())
                    .unwrap_or("the sign-in was refused");
                return Err(ApiError::Unauthorized {
                    message: format!(
                        "{} — sign in again (ghl-tui login)",
                        crate::sanitize::line(why)
                    ),
                });
            }
        };
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

impl TokenSource for TokenManager {
    fn bearer(&self) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut set = self.set.lock().await;
            if set.expires_at - EARLY_SECS > now() {
                return Ok(set.access_token.clone());
            }
            self.refresh(&mut set).await
        })
    }

    fn renew(&self, rejected: Secret) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut set = self.set.lock().await;
            // Another request already replaced the refused token: use the new one.
            if set.access_token != rejected {
                return Ok(set.access_token.clone());
            }
            self.refresh(&mut set).await
        })
    }
}
