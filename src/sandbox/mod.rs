//! A faithful stand-in for the GHL API v2 (contacts, and the locations, users, tasks search and
//! calendar events around them): the official paths, JSON shapes, errors, scopes, `Version`
//! headers, paging rules and rate-limit headers, over real HTTP on loopback. `--demo` and the
//! tests run against it.

mod calendars;
pub mod faults;
mod gate;
mod limits;
mod locations;
pub mod oauth;
mod reply;
mod routes;
pub mod rules;
mod search_rules;
pub mod seed;
mod store;
mod synthetic;
mod task_search;
mod users;
mod writes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post, put};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faults::{Fault, FaultRates};
pub use limits::RateConfig;
pub use oauth::{BRANCH_LOCATION_ID, BRANCH_LOCATION_NAME, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
pub use rules::{
    SCOPE_EVENTS_READ, SCOPE_FIELDS_READ, SCOPE_LOCATIONS_READ, SCOPE_READ, SCOPE_TAGS_READ,
    SCOPE_TASKS_READ, SCOPE_USERS_READ, SCOPE_WRITE,
};
pub use seed::Seed;

/// The token `--demo` and `ghl-tui sandbox` hand out (a fake Private Integration token).
pub const DEMO_TOKEN: &str = "pit-sandbox-demo-token";
/// A token that reads contacts, their custom fields and tags, and writes nothing.
pub const READONLY_TOKEN: &str = "pit-sandbox-readonly-token";
/// A Private Integration token with `contacts.readonly` and `contacts.write` only: none of the
/// location, users, tasks-search or calendar scopes, for tests of what a missing scope answers.
pub const NARROW_TOKEN: &str = "pit-sandbox-narrow-token";

/// What a bearer token may do.
#[derive(Clone, Debug, Default)]
pub struct Grant {
    /// Empty for an agency (Company) token.
    pub location_id: String,
    pub scopes: Vec<String>,
    pub company_id: String,
    /// When an OAuth access token stops working; `None` for Private Integration tokens.
    pub expires_at: Option<std::time::Instant>,
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub tokens: HashMap<String, Grant>,
    /// OAuth apps (client id and secret) and how long access tokens live.
    pub oauth: oauth::OAuthConfig,
    pub rate: RateConfig,
    pub faults: FaultRates,
}

impl SandboxConfig {
    /// The demo, read-only and narrow tokens for the seed's location.
    pub fn for_seed(seed: &Seed) -> Self {
        let grant = |scopes: &[&str]| Grant {
            location_id: seed.location_id.clone(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            company_id: seed.company_id.clone(),
            expires_at: None,
        };
        let mut tokens = HashMap::new();
        tokens.insert(
            DEMO_TOKEN.to_string(),
            grant(&[
                SCOPE_READ,
                SCOPE_WRITE,
                SCOPE_FIELDS_READ,
                SCOPE_TAGS_READ,
                SCOPE_LOCATIONS_READ,
                SCOPE_USERS_READ,
                SCOPE_TASKS_READ,
                SCOPE_EVENTS_READ,
            ]),
        );
        tokens.insert(
            READONLY_TOKEN.to_string(),
            grant(&[SCOPE_READ, SCOPE_FIELDS_READ, SCOPE_TAGS_READ]),
        );
        tokens.insert(NARROW_TOKEN.to_string(), grant(&[SCOPE_READ, SCOPE_WRITE]));
        SandboxConfig {
            tokens,
            oauth: oauth::OAuthConfig::for_seed(seed),
            rate: RateConfig::default(),
            faults: FaultRates::default(),
        }
    }
}

/// One request as the sandbox saw it, for tests to inspect.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub version: Option<String>,
    pub user_agent: Option<String>,
    /// The JSON body, if the request had one.
    pub body: Option<serde_json::Value>,
    /// The location the bearer token was issued for (empty for an agency token), if known.
    pub token_location: Option<String>,
}

pub struct Shared {
    config: SandboxConfig,
    /// Every bearer token, the configured ones and those issued by `/oauth/token`.
    tokens: Mutex<HashMap<String, Grant>>,
    oauth: Mutex<oauth::OAuthState>,
    db: Mutex<store::Db>,
    limiter: Mutex<limits::Limiter>,
    faults: Mutex<faults::Faults>,
    log: Mutex<Vec<Recorded>>,
    rate_limited: std::sync::atomic::AtomicU64,
    /// Custom field definitions per location (Locations API).
    custom_fields: HashMap<String, Vec<serde_json::Value>>,
    /// Every location of the agency by id, as `GET /locations/{id}` answers it.
    locations: HashMap<String, store::Object>,
    /// The company's users (Users API), in the seed's order.
    users: Vec<store::Object>,
    time_zones: Vec<String>,
    /// Opened by the test to let held answers (`Fault::HeldAnswer`) go.
    released: tokio::sync::watch::Sender<bool>,
}

use crate::private::lock;

impl Shared {
    fn db(&self) -> MutexGuard<'_, store::Db> {
        lock(&self.db)
    }

    fn record(&self, r: Recorded) {
        lock(&self.log).push(r);
    }

    fn count_rate_limited(&self) {
        self.rate_limited
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    location_id: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Serves `seed` on `bind` (use port 0 for any free port).
    pub async fn start(
        seed: &Seed,
        config: SandboxConfig,
        bind: SocketAddr,
    ) -> std::io::Result<Sandbox> {
        let shared = Arc::new(Shared {
            db: Mutex::new(store::Db::from_seed(seed)),
            limiter: Mutex::default(),
            faults: Mutex::new(faults::Faults {
                rates: config.faults.clone(),
                ..Default::default()
            }),
            log: Mutex::default(),
            released: tokio::sync::watch::Sender::new(false),
            rate_limited: Default::default(),
            tokens: Mutex::new(config.tokens.clone()),
            oauth: Mutex::default(),
            custom_fields: HashMap::from([(seed.location_id.clone(), seed.custom_fields.clone())]),
            locations: locations::directory(seed, &config.oauth),
            users: seed
                .users
                .iter()
                .filter_map(|u| u.as_object().cloned())
                .collect(),
            time_zones: seed.time_zones.clone(),
            config,
        });
        let app = router(shared.clone());
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            shared,
            location_id: seed.location_id.clone(),
            stop: Some(stop),
        })
    }

    /// The demo data on 127.0.0.1 with an OS-chosen port and the given faults.
    pub async fn demo(seed: &Seed, faults: FaultRates) -> std::io::Result<Sandbox> {
        let mut config = SandboxConfig::for_seed(seed);
        config.faults = faults;
        Sandbox::start(seed, config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn location_id(&self) -> &str {
        &self.location_id
    }

    /// Queues faults for the next requests, in order.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).script.extend(faults);
    }

    /// Fails every `method` request to `path` with `fault` until `stop_failing`.
    pub fn fail_always(&self, method: &str, path: &str, fault: Fault) {
        lock(&self.shared.faults)
            .standing
            .push((method.into(), path.into(), fault));
    }

    pub fn stop_failing(&self, method: &str, path: &str) {
        lock(&self.shared.faults)
            .standing
            .retain(|(m, p, _)| !(m == method && p == path));
    }

    /// Lets every answer held by `Fault::HeldAnswer` go, and any held later.
    pub fn release_answers(&self) {
        self.shared.released.send_replace(true);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.log).clone()
    }

    /// How many refresh-token grants `/oauth/token` has answered.
    pub fn refresh_count(&self) -> u64 {
        lock(&self.shared.oauth).refreshes
    }

    /// Changes a contact as the web app would (its company, and `dateUpdated` to now), for
    /// tests of incremental sync. Whether it exists.
    pub fn touch(&self, id: &str) -> bool {
        let mut db = self.shared.db();
        let Some(c) = db.contact_mut(id) else {
            return false;
        };
        let company = c
            .json
            .get("companyName")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string();
        c.json.insert(
            "companyName".into(),
            serde_json::json!(format!("{company} (edited)").trim().to_string()),
        );
        c.json
            .insert("dateUpdated".into(), serde_json::json!(writes::now_iso()));
        c.refresh();
        true
    }

    /// Adds `n` new synthetic contacts to the seed's location, created now; their ids.
    pub fn add_contacts(&self, n: usize) -> Vec<String> {
        let location = self.location_id().to_string();
        let mut db = self.shared.db();
        let mut rng = fastrand::Rng::with_seed(db.contacts.len() as u64);
        let now = writes::now_iso();
        (0..n)
            .filter_map(|k| {
                let i = 900_000_000 + db.contacts.len() + k;
                let mut c = synthetic::contact(&mut rng, i, &location, &[]);
                c.insert("dateAdded".into(), serde_json::json!(now));
                c.insert("dateUpdated".into(), serde_json::json!(now));
                let stored = store::StoredContact::new(c, &location)?;
                let id = stored.id.clone();
                db.insert(stored);
                Some(id)
            })
            .collect()
    }

    /// Deletes a contact as the web app would. Whether it existed.
    pub fn remove_contact(&self, id: &str) -> bool {
        self.shared.db().remove(id)
    }

    /// How many contacts the seed's location has.
    pub fn contact_count(&self) -> usize {
        let location = self.location_id().to_string();
        self.shared
            .db()
            .contacts
            .iter()
            .filter(|c| c.location_id == location)
            .count()
    }

    /// How many 429s the sandbox has sent.
    pub fn rate_limited_count(&self) -> u64 {
        self.shared
            .rate_limited
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/contacts/", get(routes::list).post(writes::create_contact))
        .route("/contacts/upsert", post(writes::upsert_contact))
        .route("/contacts/search", post(routes::search))
        .route("/contacts/business/{business_id}", get(routes::business))
        .route(
            "/contacts/{contact_id}",
            get(routes::get_contact)
                .put(writes::update_contact)
                .delete(writes::delete_contact),
        )
        .route(
            "/contacts/{contact_id}/tags",
            post(writes::add_tags).delete(writes::remove_tags),
        )
        .route("/contacts/bulk/tags/update/{kind}", post(writes::bulk_tags))
        .route(
            "/contacts/{contact_id}/tasks",
            get(routes::tasks).post(writes::create_task),
        )
        .route(
            "/contacts/{contact_id}/tasks/{task_id}",
            get(routes::task)
                .put(writes::update_task)
                .delete(writes::delete_task),
        )
        .route(
            "/contacts/{contact_id}/tasks/{task_id}/completed",
            put(writes::complete_task),
        )
        .route(
            "/contacts/{contact_id}/notes",
            get(routes::notes).post(writes::create_note),
        )
        .route(
            "/contacts/{contact_id}/notes/{note_id}",
            get(routes::note)
                .put(writes::update_note)
                .delete(writes::delete_note),
        )
        .route(
            "/contacts/{contact_id}/appointments",
            get(routes::appointments),
        )
        .route(
            "/locations/{location_id}/customFields",
            get(routes::custom_fields),
        )
        .route("/locations/{location_id}/tags", get(routes::location_tags))
        .route("/locations/{location_id}", get(locations::location))
        .route(
            "/locations/{location_id}/timezones",
            get(locations::time_zones),
        )
        .route(
            "/locations/{location_id}/tasks/search",
            post(task_search::search),
        )
        .route("/users/search", get(users::search))
        .route("/users/", get(users::by_location))
        .route("/users/{user_id}", get(users::user))
        .route("/calendars/events", get(calendars::events))
        .route("/oauth/chooselocation", get(oauth::authorize))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/locationToken", post(oauth::location_token))
        .route("/oauth/installedLocations", get(oauth::installed_locations))
        .fallback(routes::fallback)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            gate::gate,
        ))
        .with_state(shared)
}
