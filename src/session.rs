//! What the event loop works with: one location's client and outbox, and for an agency
//! sign-in, a way to open another location.

use std::sync::Arc;

use crate::api::token_source::BoxFuture;
use crate::api::{ApiError, Client, InstalledLocation};
use crate::auth::agency::Agency;
use crate::store::{Store, StoreHandle};

/// What is kept of the account on this machine (config `cache`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheMode {
    /// The whole location, synced in the background.
    #[default]
    Full,
    /// Only the contacts opened here (no background sync).
    Viewed,
    /// Nothing: no replica at all.
    Off,
}

impl std::str::FromStr for CacheMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(CacheMode::Full),
            "viewed" => Ok(CacheMode::Viewed),
            "off" | "none" => Ok(CacheMode::Off),
            other => Err(format!(
                "cache must be \"full\", \"viewed\" or \"off\", not {other:?}"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncSettings {
    pub cache: CacheMode,
    /// How often an incremental sync runs while the app runs.
    pub interval: std::time::Duration,
    /// How often a full pass finds deleted contacts; `None`: only on demand.
    pub reconcile_every: Option<std::time::Duration>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            cache: CacheMode::Full,
            interval: std::time::Duration::from_secs(60),
            reconcile_every: Some(std::time::Duration::from_secs(24 * 3600)),
        }
    }
}

/// A location's replica as opened: the handle, or nothing (cache off, no file, or it could not
/// be made), and what to say once.
#[derive(Clone, Default)]
pub struct OpenedReplica {
    pub replica: Option<crate::store::ReplicaHandle>,
    pub notice: Option<String>,
}

/// Opens the replica beside the outbox at `store` (unless the cache is off). A damaged one is
/// set aside and a new one made; one that cannot be made at all leaves the app working
/// without it (the outbox is not affected either way).
pub fn open_replica(store: Option<&std::path::Path>, cache: CacheMode) -> OpenedReplica {
    let Some(store) = store.filter(|_| cache != CacheMode::Off) else {
        return OpenedReplica::default();
    };
    let path = crate::store::replica_path(store);
    match crate::store::Replica::open(&path) {
        Ok((replica, aside)) => OpenedReplica {
            replica: Some(crate::store::Worker::spawn("ghl-tui-replica", replica)),
            notice: aside.map(|a| {
                format!(
                    "The local copy of the account could not be read ({}); it was moved to {} and is being fetched again",
                    a.why,
                    a.to.display()
                )
            }),
        },
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "no replica");
            OpenedReplica {
                replica: None,
                notice: Some(format!(
                    "No local copy of the account ({}: {e}); working online only",
                    path.display()
                )),
            }
        }
    }
}

/// The store as the event loop holds it: a handle to the thread that owns it.
pub type SharedStore = StoreHandle;

/// A location's outbox and drafts as opened: the store, or why there is none, and what the
/// user must be told about it once (a damaged file moved aside).
pub struct LocalStore {
    pub store: Option<SharedStore>,
    /// Where it lives, to try again.
    pub path: Option<std::path::PathBuf>,
    /// Said once: the file was damaged and a new one made (naming both files).
    pub notice: Option<String>,
    /// Why changes cannot be recorded (naming the file), when there is no store.
    pub problem: Option<String>,
}

impl LocalStore {
    /// Opens the store at `path`, moving a damaged file aside; without one the app still
    /// browses and refuses to pretend that changes are saved.
    pub fn open(path: std::path::PathBuf) -> LocalStore {
        match crate::store::open_or_recover(&path) {
            Ok(opened) => LocalStore {
                store: Some(StoreHandle::spawn(opened.store)),
                path: Some(path),
                notice: opened.notice,
                problem: None,
            },
            Err(e) => {
                tracing::error!(error = %e, "no local store");
                LocalStore {
                    store: None,
                    path: Some(path),
                    notice: None,
                    problem: Some(e.to_string()),
                }
            }
        }
    }

    /// An in-memory store (tests, and callers that keep nothing).
    pub fn memory(store: Store) -> LocalStore {
        LocalStore {
            store: Some(StoreHandle::spawn(store)),
            path: None,
            notice: None,
            problem: None,
        }
    }

    pub fn none() -> LocalStore {
        LocalStore {
            store: None,
            path: None,
            notice: None,
            problem: Some("no local store was opened".into()),
        }
    }
}

pub struct Session {
    pub client: Client,
    /// The outbox and drafts, or why there are none.
    pub store: LocalStore,
    /// Set for agency sign-ins: `L` switches locations.
    pub switcher: Option<Arc<dyn Switcher>>,
    /// OAuth tokens that refresh themselves: a refresh under way at exit is let finish, or
    /// the spent refresh token's successor could be lost.
    pub tokens: Option<Arc<crate::auth::TokenManager>>,
    /// The location's replica (see `open_replica`).
    pub replica: OpenedReplica,
    pub sync: SyncSettings,
    /// The signed-in user, when the sign-in says (OAuth answers do).
    pub user_id: Option<String>,
}

impl Session {
    /// Who the user said they are for this location, when the sign-in did not say (kept by
    /// the queue's one-time question).
    pub async fn remembered_me(&self) -> Option<String> {
        let store = self.store.store.clone()?;
        let key = format!("me:{}", self.client.location_id());
        store
            .call(move |s| s.meta(&key))
            .await
            .ok()?
            .ok()
            .flatten()
            .filter(|id| !id.trim().is_empty())
    }

    pub fn new(client: Client, store: LocalStore) -> Session {
        Session {
            client,
            store,
            switcher: None,
            tokens: None,
            replica: OpenedReplica::default(),
            sync: SyncSettings::default(),
            user_id: None,
        }
    }
}

/// Opens the other locations of a sign-in.
pub trait Switcher: Send + Sync {
    fn locations(&self) -> BoxFuture<'_, Result<Vec<InstalledLocation>, ApiError>>;
    /// A client for the location (its token already obtained) and its own outbox.
    fn open(&self, location_id: String) -> BoxFuture<'_, Result<(Client, LocalStore), ApiError>>;
    /// The user is now in this location: the next start opens it.
    fn remember(&self, location_id: String) -> BoxFuture<'_, ()>;
}

/// An agency's locations, each with the outbox `open_store` gives for its id.
pub struct AgencySwitcher {
    pub agency: Arc<Agency>,
    pub open_store: fn(&str) -> LocalStore,
}

impl Switcher for AgencySwitcher {
    fn locations(&self) -> BoxFuture<'_, Result<Vec<InstalledLocation>, ApiError>> {
        Box::pin(self.agency.locations())
    }

    fn open(&self, location_id: String) -> BoxFuture<'_, Result<(Client, LocalStore), ApiError>> {
        Box::pin(async move {
            let client = self.agency.open(&location_id).await?;
            let open_store = self.open_store;
            // SQLite opens a file and may wait on a lock: not on the event loop's thread.
            let store = tokio::task::spawn_blocking(move || open_store(&location_id))
                .await
                .unwrap_or_else(|_| LocalStore::none());
            Ok((client, store))
        })
    }

    fn remember(&self, location_id: String) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.agency.remember(&location_id).await })
    }
}
