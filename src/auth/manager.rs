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
    /// Itself, so the work on the tokens can run in a task of its own that a cancelled
    /// request does not take down mid-refresh (the server would spend the refresh token and
    /// the new pair would be lost with the dropped answer).
    me: std::sync::Weak<TokenManager>,
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    store: Option<TokenStore>,
    set: Mutex<TokenSet>,
    /// Why the sign-in ended, once a refresh was refused: no more refreshes until a new login
    /// stores other tokens.
    ended: std::sync::Mutex<Option<ApiError>>,
    /// A refreshed pair that could not be stored: tried again at the next request, since the
    /// old refresh token is spent and an exit now would sign the user out.
    unsaved: std::sync::atomic::AtomicBool,
    /// The command that signs this profile in again, for the message when the sign-in ends.
    relogin: std::sync::OnceLock<String>,
    /// Set at exit: no refresh starts that the runtime's shutdown could cut off.
    closing: std::sync::atomic::AtomicBool,
}

/// What the profile's store holds.
enum Stored {
    Pair(Box<TokenSet>),
    /// Every store answered, and none holds a sign-in: the profile was signed out.
    Nothing,
    /// No store, or one that could not be read.
    Unknown,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whether `stored` is a later pair of the same sign-in than `held`: a refresh by another
/// copy of the app, or a new login to the same account. An older pair (a stale copy) never is.
fn newer(stored: &TokenSet, held: &TokenSet) -> bool {
    same_account(stored, held)
        && stored.access_token != held.access_token
        && stored.expires_at > held.expires_at
}

fn same_account(stored: &TokenSet, held: &TokenSet) -> bool {
    stored.user_type == held.user_type
        && stored.company_id == held.company_id
        && (held.is_agency() || stored.location_id == held.location_id)
}

/// Whether the token in hand is still good for a while (a corrupt expiry cannot overflow).
fn fresh_enough(set: &TokenSet) -> bool {
    set.expires_at.saturating_sub(EARLY_SECS) > now()
}

impl TokenManager {
    /// `token_url` is the API base's `/oauth/token`; `store`, where refreshed tokens are kept.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
        set: TokenSet,
        store: Option<TokenStore>,
    ) -> Arc<TokenManager> {
        Arc::new_cyclic(|me| TokenManager {
            me: me.clone(),
            // No redirects (they would resend the refresh token and secret elsewhere) and
            // timeouts (a stalled endpoint would hold every request behind the lock).
            http: super::oauth::http_client().unwrap_or_default(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            store,
            set: Mutex::new(set),
            ended: std::sync::Mutex::new(None),
            unsaved: std::sync::atomic::AtomicBool::new(false),
            relogin: std::sync::OnceLock::new(),
            closing: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Names the login command of this profile (`ghl-tui --profile work login --write`).
    pub fn relogin_with(&self, command: impl Into<String>) {
        let _ = self.relogin.set(command.into());
    }

    /// Remembers the agency's current location with the tokens, for the next start. A newer
    /// pair another session stored is taken first, so it is never overwritten by an older one;
    /// a profile signed out meanwhile stays signed out.
    pub async fn set_location(&self, location_id: &str) {
        let mut set = self.set.lock().await;
        let _saving = self.exclusive().await;
        match self.stored().await {
            // Signed out, or signed in elsewhere: nothing of this session is written back.
            // (Whether this session's sign-in ended is for its next refresh to find out.)
            Stored::Nothing => return,
            Stored::Pair(stored) if !same_account(&stored, &set) => return,
            Stored::Pair(stored) => {
                adopt(&mut set, *stored);
            }
            Stored::Unknown => {}
        }
        set.location_id = Some(location_id.to_string());
        if let Err(e) = self.save(&set).await {
            tracing::error!(error = %e, "could not remember the location");
        }
    }

    /// At exit: lets a refresh under way finish and store its pair, stores one that could not
    /// be stored before, and starts no other. `false` if a refreshed pair is still not stored.
    pub async fn close(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.closing.store(true, Ordering::SeqCst);
        // The lock is held for a whole refresh, its save included.
        let mut set = self.set.lock().await;
        if self.unsaved.load(Ordering::SeqCst) {
            self.store_unsaved(&mut set).await;
        }
        !self.unsaved.load(Ordering::SeqCst)
    }

    /// The store's read and write run off the runtime's threads: a keyring may take seconds.
    async fn stored(&self) -> Stored {
        let Some(store) = self.store.clone() else {
            return Stored::Unknown;
        };
        match tokio::task::spawn_blocking(move || store.load_sure()).await {
            Ok(Ok(Some(set))) => Stored::Pair(Box::new(set)),
            Ok(Ok(None)) => Stored::Nothing,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not read the stored sign-in");
                Stored::Unknown
            }
            Err(_) => Stored::Unknown,
        }
    }

    async fn save(&self, set: &TokenSet) -> Result<(), String> {
        let Some(store) = self.store.clone() else {
            return Ok(());
        };
        let set = set.clone();
        let saved = tokio::task::spawn_blocking(move || store.save(&set))
            .await
            .map_err(|e| e.to_string())?
            .map(drop)
            .map_err(|e| e.to_string());
        self.unsaved
            .store(saved.is_err(), std::sync::atomic::Ordering::SeqCst);
        saved
    }

    /// Takes the stored pair if it is a newer one of this sign-in. Keeps the location the
    /// user is in.
    async fn adopt_stored(&self, set: &mut TokenSet) -> bool {
        let Stored::Pair(stored) = self.stored().await else {
            return false;
        };
        adopt(set, *stored)
    }

    /// Checked with the refresh lock held, before this session spends its refresh token or
    /// writes the store: takes a newer pair of this sign-in if one was stored; ends the
    /// sign-in if the profile was signed out (`ghl-tui logout`, maybe in another terminal) or
    /// signed in to another account, since a save now would bring back what the user removed.
    /// `Ok(true)` if a newer pair was taken.
    async fn still_ours(&self, set: &mut TokenSet) -> Result<bool, ApiError> {
        match self.stored().await {
            Stored::Nothing => Err(self.end("this profile was signed out")),
            Stored::Pair(stored) if !same_account(&stored, set) => {
                Err(self
                    .end("the profile now signs in to another account; restart ghl-tui to use it"))
            }
            Stored::Pair(stored) => Ok(adopt(set, *stored)),
            Stored::Unknown => Ok(false),
        }
    }

    /// After the sign-in ended: the tokens a new `ghl-tui login` stored meanwhile, if any.
    async fn revived(&self, set: &mut TokenSet) -> Result<(), ApiError> {
        let ended = crate::private::lock(&self.ended).clone();
        let Some(why) = ended else {
            return Ok(());
        };
        if self.adopt_stored(set).await {
            *crate::private::lock(&self.ended) = None;
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
        self.not_closing()?;
        // One refresh at a time across every copy of the app on this profile (released when
        // dropped, after the new pair is stored).
        let _refreshing = self.exclusive().await;
        // Another copy may have refreshed already, maybe while this one waited for the lock,
        // and spent the refresh token this one holds: its stored pair is the one to use.
        if self.still_ours(set).await? && fresh_enough(set) {
            return Ok(set.access_token.clone());
        }
        // The lock may have taken long: an exit that stopped waiting must not see a refresh
        // token spent after it.
        self.not_closing()?;
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
        let mut resp = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(ApiError::from)?;
        let status = resp.status();
        let limit = crate::api::body::TOKEN_ANSWER;
        // Too large to be a token answer: a broken or hostile server, not a refusal, so the
        // sign-in is not ended for it.
        let Some(bytes) = crate::api::body::capped(&mut resp, limit)
            .await
            .map_err(ApiError::from)?
        else {
            return Err(ApiError::TooLarge { limit });
        };
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let fresh = match TokenSet::from_answer(&body, now()) {
            Some(fresh) if status.is_success() => fresh,
            _ => {
                // A refused refresh ends the sign-in; a server that could not answer does not.
                // Its body is not passed on: a token endpoint's answer may hold tokens.
                if status.is_server_error() || status.as_u16() == 429 {
                    return Err(ApiError::from_response(status.as_u16(), "", None));
                }
                // Refused because another copy spent it a moment ago: take its new pair.
                if self.adopt_stored(set).await {
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
        // The answer need not repeat who signed in, and never names the app or the location an
        // agency is in: they stay, or the next start could not refresh or would open elsewhere.
        if set.is_agency() || fresh.location_id.is_none() {
            fresh.location_id = set.location_id.clone();
        }
        if fresh.user_type.is_empty() {
            fresh.user_type = set.user_type.clone();
        }
        if fresh.company_id.is_none() {
            fresh.company_id = set.company_id.clone();
        }
        if fresh.user_id.is_none() {
            fresh.user_id = set.user_id.clone();
        }
        if fresh.scope.is_empty() {
            fresh.scope = set.scope.clone();
        }
        fresh.client_id = set.client_id.clone();
        fresh.client_secret = set.client_secret.clone();
        // The old refresh token is spent: the new pair must be stored before anything else,
        // or a crash now would sign the user out.
        if let Err(e) = self.save(&fresh).await {
            tracing::error!(error = %e, "could not store the refreshed tokens; will try again");
        }
        tracing::info!(expires_at = fresh.expires_at, "access token refreshed");
        *set = fresh;
        Ok(set.access_token.clone())
    }

    /// The profile's refresh lock, waited for off the runtime's threads. Without a store, or if
    /// the lock cannot be had in time, the refresh goes ahead: the stored-pair checks remain.
    async fn exclusive(&self) -> Option<std::fs::File> {
        let path = self.store.as_ref()?.lock_path();
        let taking = tokio::task::spawn_blocking(move || crate::private::lock_file(&path));
        match tokio::time::timeout(std::time::Duration::from_secs(45), taking).await {
            Ok(Ok(Ok(file))) => Some(file),
            Ok(Ok(Err(e))) => {
                tracing::warn!(error = %e, "no refresh lock; refreshing without it");
                None
            }
            _ => {
                tracing::warn!("the refresh lock was not free in time; refreshing without it");
                None
            }
        }
    }

    /// No refresh starts once the app is closing (see `close`).
    fn not_closing(&self) -> Result<(), ApiError> {
        if self.closing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ApiError::Network {
                message: "ghl-tui is closing".into(),
            });
        }
        Ok(())
    }

    fn end(&self, why: &str) -> ApiError {
        let command = self.relogin.get().map_or("ghl-tui login", String::as_str);
        let err = ApiError::SignedOut {
            command: command.to_string(),
            why: crate::sanitize::line(why).into_owned(),
        };
        tracing::warn!(error = %err, "the sign-in ended");
        *crate::private::lock(&self.ended) = Some(err.clone());
        err
    }

    /// Everything a request does before it may use the token in hand.
    async fn ready(&self, set: &mut TokenSet) -> Result<(), ApiError> {
        if self.unsaved.load(std::sync::atomic::Ordering::SeqCst) {
            self.store_unsaved(set).await;
        }
        self.revived(set).await
    }

    /// Tries again to store a refreshed pair, as carefully as a refresh stores one.
    async fn store_unsaved(&self, set: &mut TokenSet) {
        let _saving = self.exclusive().await;
        match self.still_ours(set).await {
            // Signed out meanwhile: nothing to keep. Taken a newer one: it is stored already.
            Err(_) | Ok(true) => self
                .unsaved
                .store(false, std::sync::atomic::Ordering::SeqCst),
            Ok(false) => {
                if let Err(e) = self.save(set).await {
                    tracing::error!(error = %e, "the refreshed tokens are still not stored");
                }
            }
        }
    }

    /// The bearer for a request, worked out in a task of its own (see `me`).
    async fn detached(&self, rejected: Option<Secret>) -> Result<Secret, ApiError> {
        let Some(me) = self.me.upgrade() else {
            return self.token(rejected).await;
        };
        tokio::spawn(async move { me.token(rejected).await })
            .await
            .unwrap_or_else(|e| {
                Err(ApiError::Network {
                    message: format!("the sign-in task failed: {e}"),
                })
            })
    }

    async fn token(&self, rejected: Option<Secret>) -> Result<Secret, ApiError> {
        let mut set = self.set.lock().await;
        self.ready(&mut set).await?;
        match rejected {
            // Another request already replaced the refused token: use the new one.
            Some(rejected) if set.access_token != rejected => Ok(set.access_token.clone()),
            None if fresh_enough(&set) => Ok(set.access_token.clone()),
            _ => self.refresh(&mut set).await,
        }
    }
}

impl TokenSource for TokenManager {
    fn bearer(&self) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(self.detached(None))
    }

    fn renew(&self, rejected: Secret) -> BoxFuture<'_, Result<Secret, ApiError>> {
        Box::pin(self.detached(Some(rejected)))
    }
}

/// Takes `stored` if it is a newer pair of the sign-in in `set`, keeping the location the user
/// is in.
fn adopt(set: &mut TokenSet, stored: TokenSet) -> bool {
    if !newer(&stored, set) {
        return false;
    }
    tracing::info!("using the tokens another session or a new login stored");
    let here = set.location_id.clone();
    *set = stored;
    if set.is_agency() {
        set.location_id = here.or(set.location_id.take());
    }
    true
}
