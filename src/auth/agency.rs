//! An agency (Company) sign-in: its own token (refreshed by the `TokenManager`) lists the
//! locations that installed the app and buys a token for the one being worked in. Location
//! tokens come without a refresh token; when one expires, the agency token buys another.

use std::sync::Arc;

use tokio::sync::Mutex;

use super::TokenManager;
use crate::api::token_source::{BoxFuture, TokenSource};
use crate::api::{ApiError, Client, ClientConfig, InstalledLocation, Secret};

/// Get a new location token this long before the old one expires.
const EARLY_SECS: i64 = 30;

#[derive(Debug)]
pub struct Agency {
    /// Calls made as the agency: `/oauth/*`.
    api: Client,
    manager: Arc<TokenManager>,
    base_url: String,
    company_id: String,
    app_id: String,
}

impl Agency {
    pub fn new(
        base_url: &str,
        manager: Arc<TokenManager>,
        company_id: impl Into<String>,
        app_id: impl Into<String>,
    ) -> Result<Arc<Agency>, ApiError> {
        let mut cfg = ClientConfig::new(base_url, Secret::new(""), "");
        cfg.source = Some(manager.clone());
        Ok(Arc::new(Agency {
            api: Client::new(cfg)?,
            manager,
            base_url: base_url.to_string(),
            company_id: company_id.into(),
            app_id: app_id.into(),
        }))
    }

    pub async fn locations(&self) -> Result<Vec<InstalledLocation>, ApiError> {
        self.api
            .installed_locations(&self.company_id, &self.app_id)
            .await
    }

    /// A client for one of the agency's locations that gets its token when first used.
    pub fn client_for(self: &Arc<Self>, location_id: &str) -> Result<Client, ApiError> {
        self.client_with(self.tokens_for(location_id), location_id)
    }

    /// A client for one of the agency's locations. Its first token is fetched now, so a
    /// location that cannot be opened says so before anything is switched.
    pub async fn open(self: &Arc<Self>, location_id: &str) -> Result<Client, ApiError> {
        let tokens = self.tokens_for(location_id);
        tokens.bearer().await?;
        self.client_with(tokens, location_id)
    }

    /// Keeps `location_id` with the sign-in: the next start opens it.
    pub async fn remember(&self, location_id: &str) {
        self.manager.set_location(location_id).await;
    }

    fn tokens_for(self: &Arc<Self>, location_id: &str) -> Arc<LocationTokens> {
        Arc::new(LocationTokens {
            agency: self.clone(),
            location_id: location_id.to_string(),
            current: Mutex::new(None),
        })
    }

    fn client_with(
        &self,
        tokens: Arc<LocationTokens>,
        location_id: &str,
    ) -> Result<Client, ApiError> {
        let mut cfg = ClientConfig::new(&self.base_url, Secret::new(""), location_id);
        cfg.source = Some(tokens);
        Client::new(cfg)
    }
}

/// The token of one location, bought with the agency's.
#[derive(Debug)]
struct LocationTokens {
    agency: Arc<Agency>,
    location_id: String,
    current: Mutex<Option<(Secret, i64)>>,
}

impl LocationTokens {
    async fn buy(&self, slot: &mut Option<(Secret, i64)>) -> Result<Secret, ApiError> {
        let (token, ttl) = self
            .agency
            .api
            .location_token(&self.agency.company_id, &self.location_id)
            .await?;
        tracing::info!(location = %self.location_id, "location token obtained");
        *slot = Some((
            token.clone(),
            chrono::Utc::now().timestamp().saturating_add(ttl),
        ));
        Ok(token)
    }
}

impl TokenSource for LocationTokens {
    fn bearer(&self) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut slot = self.current.lock().await;
            match &*slot {
                Some((token, expires)) if expires - EARLY_SECS > chrono::Utc::now().timestamp() => {
                    Ok(token.clone())
                }
                _ => self.buy(&mut slot).await,
            }
        })
    }

    fn renew(&self, rejected: Secret) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(async move {
            let mut slot = self.current.lock().await;
            match &*slot {
                Some((token, _)) if *token != rejected => Ok(token.clone()),
                _ => self.buy(&mut slot).await,
            }
        })
    }
}
