//! What the event loop works with: one location's client and outbox, and for an agency
//! sign-in, a way to open another location.

use std::sync::{Arc, Mutex};

use crate::api::token_source::BoxFuture;
use crate::api::{ApiError, Client, InstalledLocation};
use crate::auth::agency::Agency;
use crate::store::Store;

pub type SharedStore = Arc<Mutex<Store>>;

pub struct Session {
    pub client: Client,
    /// The outbox and drafts; `None` when the local store could not be opened.
    pub store: Option<SharedStore>,
    /// Set for agency sign-ins: `L` switches locations.
    pub switcher: Option<Arc<dyn Switcher>>,
    /// OAuth tokens that refresh themselves: a refresh under way at exit is let finish, or
    /// the spent refresh token's successor could be lost.
    pub tokens: Option<Arc<crate::auth::TokenManager>>,
}

impl Session {
    pub fn new(client: Client, store: Option<SharedStore>) -> Session {
        Session {
            client,
            store,
            switcher: None,
            tokens: None,
        }
    }
}

/// Opens the other locations of a sign-in.
pub trait Switcher: Send + Sync {
    fn locations(&self) -> BoxFuture<'_, Result<Vec<InstalledLocation>, ApiError>>;
    /// A client for the location (its token already obtained) and its own outbox.
    fn open(
        &self,
        location_id: String,
    ) -> BoxFuture<'_, Result<(Client, Option<SharedStore>), ApiError>>;
    /// The user is now in this location: the next start opens it.
    fn remember(&self, location_id: String) -> BoxFuture<'_, ()>;
}

/// An agency's locations, each with the outbox `open_store` gives for its id.
pub struct AgencySwitcher {
    pub agency: Arc<Agency>,
    pub open_store: fn(&str) -> Option<SharedStore>,
}

impl Switcher for AgencySwitcher {
    fn locations(&self) -> BoxFuture<'_, Result<Vec<InstalledLocation>, ApiError>> {
        Box::pin(self.agency.locations())
    }

    fn open(
        &self,
        location_id: String,
    ) -> BoxFuture<'_, Result<(Client, Option<SharedStore>), ApiError>> {
        Box::pin(async move {
            let client = self.agency.open(&location_id).await?;
            let open_store = self.open_store;
            // SQLite opens a file and may wait on a lock: not on the event loop's thread.
            let store = tokio::task::spawn_blocking(move || open_store(&location_id))
                .await
                .ok()
                .flatten();
            Ok((client, store))
        })
    }

    fn remember(&self, location_id: String) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.agency.remember(&location_id).await })
    }
}
