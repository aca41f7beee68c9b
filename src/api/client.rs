//! The typed GHL client: headers, pacing, retries and error mapping in one place, so each
//! endpoint is a one-liner. No UI types here.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::activity::{Appointment, Note, Task};
use super::contact::Contact;
use super::envelopes::{
    ContactEnvelope, CustomFieldDef, CustomFieldsEnvelope, EventsEnvelope, ListEnvelope, ListMeta,
    NoteEnvelope, NotesEnvelope, SearchRequest, TaskEnvelope, TasksEnvelope,
};
use super::error::{ApiError, what_arrived};
use super::pacer::{Pacer, RateBudget};
use super::secret::Secret;
use super::waits::{Calls, Waiting};

/// What a request carries: JSON for the Contacts API, a form for the OAuth endpoints.
#[derive(Clone, Copy)]
pub(super) enum Body<'a> {
    Json(&'a Value),
    Form(&'a [(&'a str, &'a str)]),
}

pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";
/// The `Version` of the Contacts API (each family has its own: `rules::version_for`).
pub const API_VERSION: &str = super::rules::CONTACTS_VERSION;

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Extra attempts for 5xx, timeouts and connection errors on idempotent requests.
    pub max_retries: u32,
    /// Extra attempts after a 429, for any request (a 429 means the request was not processed).
    pub max_rate_limit_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_rate_limit_retries: 5,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with equal jitter: half the step is fixed, half random, so clients
    /// that failed together do not come back together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let step = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_delay);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    /// The bearer token, unless `source` gives them.
    pub token: Secret,
    /// OAuth tokens that refresh themselves; `None` sends `token` as it is.
    pub source: Option<std::sync::Arc<dyn super::token_source::TokenSource>>,
    pub location_id: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// The largest answer read, for a search page and for anything else: well above the
    /// largest real answer (a page of 500 contacts is about 1 MB), so only a broken or hostile
    /// server meets it. Checked while the body arrives; the connection is dropped at the cap.
    pub max_search_body: usize,
    pub max_body: usize,
}

/// The longest a 429 is waited out inside one request: a read waits up to a minute, a write
/// only briefly (it waits in the outbox instead, which says so).
const MAX_READ_WAIT: Duration = Duration::from_secs(60);
const MAX_WRITE_WAIT: Duration = Duration::from_secs(10);
/// Redirects followed for reads, on the same origin only.
const MAX_REDIRECTS: usize = 5;

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: Secret, location_id: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            token,
            source: None,
            location_id: location_id.into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            max_search_body: 16 * 1024 * 1024,
            max_body: 4 * 1024 * 1024,
        }
    }
}

/// A page of contacts from any of the listing endpoints.
#[derive(Clone, Debug, Default)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub total: Option<u64>,
    /// Paging cursor of the deprecated list endpoint.
    pub meta: Option<ListMeta>,
}

/// Query of the deprecated `GET /contacts/`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub query: Option<String>,
    pub limit: Option<u32>,
    pub start_after_id: Option<String>,
    pub start_after: Option<i64>,
}

#[derive(serde::Deserialize)]
struct LocationTag {
    #[serde(default)]
    name: Option<String>,
}

#[derive(serde::Deserialize)]
struct LocationTags {
    #[serde(default)]
    tags: Vec<LocationTag>,
}

#[derive(Clone, Debug)]
pub struct Client {
    /// Reads: redirects followed on the same origin only.
    http: reqwest::Client,
    /// Writes: no redirect followed, ever (a 307 would send the body somewhere else, whose
    /// 201 would empty the outbox while the real API never got the change).
    http_writes: reqwest::Client,
    base: Url,
    cfg: Arc<ClientConfig>,
    pacer: Arc<Pacer>,
    calls: Arc<Calls>,
    lane: super::pacer::Lane,
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `scheme://host[:port]` of where a redirect points, for the message.
fn origin_of(base: &Url, location: Option<&str>) -> String {
    let Some(to) = location.and_then(|l| base.join(l).ok()) else {
        return "somewhere unnamed".into();
    };
    let host = to.host_str().unwrap_or("?");
    let origin = match to.port() {
        Some(p) => format!("{}://{host}:{p}", to.scheme()),
        None => format!("{}://{host}", to.scheme()),
    };
    crate::sanitize::line(&origin).chars().take(80).collect()
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Self, ApiError> {
        let base =
            Url::parse(cfg.base_url.trim_end_matches('/')).map_err(|e| ApiError::Network {
                message: format!("bad API base URL: {e}"),
            })?;
        // `Version` is per request: each API family takes its own.
        let mut headers = header::HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            header::HeaderValue::from_static("application/json"),
        );
        let builder = || {
            reqwest::Client::builder()
                .default_headers(headers.clone())
                .user_agent(concat!("ghl-tui/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(cfg.connect_timeout)
                .timeout(cfg.request_timeout)
        };
        let reads = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().cloned();
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.stop()
            } else if first.is_some_and(|f| same_origin(&f, attempt.url())) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let http = builder().redirect(reads).build().map_err(ApiError::from)?;
        let http_writes = builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ApiError::from)?;
        Ok(Client {
            http,
            http_writes,
            base,
            cfg: Arc::new(cfg),
            pacer: Arc::new(Pacer::ghl_default()),
            calls: Arc::default(),
            lane: super::pacer::Lane::Interactive,
        })
    }

    pub fn location_id(&self) -> &str {
        &self.cfg.location_id
    }

    /// This client for background work (sync): the same pacer, in the lane that yields to the
    /// user's requests.
    pub fn background(&self) -> Client {
        Client {
            lane: super::pacer::Lane::Background,
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn budget(&self) -> RateBudget {
        self.pacer.budget()
    }

    /// What requests wait for right now.
    pub fn waiting(&self) -> Waiting {
        super::waits::waiting(&self.calls, &self.pacer)
    }

    /// `r`: every hold is forgotten and every wait cut short; requests go now.
    pub fn wake(&self) {
        self.pacer.wake();
    }

    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            // IDs come from the API: as path segments they are percent-encoded, so an id like
            // `../x` cannot reach another endpoint.
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `url`'s path below the base (a base may sit under a path of its own, as a proxy's does).
    fn api_path<'u>(&self, url: &'u Url) -> &'u str {
        let base = self.base.path().trim_end_matches('/');
        url.path().strip_prefix(base).unwrap_or(url.path())
    }

    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<T, ApiError> {
        let body = body.map(Body::Json);
        self.call_with(method, url, body, idempotent).await
    }

    pub(super) async fn call_with<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
        idempotent: bool,
    ) -> Result<T, ApiError> {
        let policy = &self.cfg.retry;
        // Searching is a POST that changes nothing.
        let reading = method == Method::GET || url.path().ends_with("/search");
        let http = if reading {
            &self.http
        } else {
            &self.http_writes
        };
        let cap = if url.path().ends_with("/search") {
            self.cfg.max_search_body
        } else {
            self.cfg.max_body
        };
        let version = super::rules::version_for(self.api_path(&url));
        let call = self.calls.start();
        let mut retries = 0;
        let mut rate_retries = 0;
        let mut bearer = match &self.cfg.source {
            Some(source) => source.bearer().await?,
            None => self.cfg.token.clone(),
        };
        let mut renewed = false;
        loop {
            call.queued();
            if let Err(spent) = self.pacer.acquire_in(self.lane).await {
                return Err(ApiError::DailyLimit {
                    resets_at: spent.resets_at,
                });
            }
            let mut auth = header::HeaderValue::from_str(&format!("Bearer {}", bearer.expose()))
                .map_err(|_| ApiError::Unauthorized {
                    message: "the token has characters a header cannot carry".into(),
                })?;
            // Marked sensitive so no debug output of the request shows it.
            auth.set_sensitive(true);
            let mut req = http
                .request(method.clone(), url.clone())
                .header(header::AUTHORIZATION, auth)
                .header("Version", version);
            match body {
                Some(Body::Json(b)) => req = req.json(b),
                Some(Body::Form(f)) => req = req.form(f),
                None => {}
            }
            call.sent();
            let sent = tokio::time::Instant::now();
            let outcome = match req.send().await {
                Ok(resp) => self.read(resp, cap, sent).await,
                Err(e) => Err(ApiError::from(e)),
            };
            let err = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            match &err {
                // An expired OAuth token: renewed once (one refresh for everyone), then again.
                ApiError::Unauthorized { message }
                    if !renewed && message.to_ascii_lowercase().contains("expired") =>
                {
                    let Some(source) = &self.cfg.source else {
                        return Err(err);
                    };
                    renewed = true;
                    bearer = source.renew(bearer).await?;
                }
                // A read waits out the server's wait, a minute at most each time (then asks
                // again); the status bar says so meanwhile. A write waits only briefly: past
                // that it waits in the outbox, which says until when.
                ApiError::RateLimited { retry_after } => {
                    let wait = self
                        .pacer
                        .pause_from((*retry_after).min(MAX_READ_WAIT), sent);
                    if (!reading && *retry_after > MAX_WRITE_WAIT)
                        || rate_retries >= policy.max_rate_limit_retries
                    {
                        tracing::warn!(%url, ?retry_after, "rate limited; giving up for now");
                        return Err(err);
                    }
                    rate_retries += 1;
                    tracing::warn!(%url, ?wait, "rate limited; waiting");
                }
                e if idempotent && e.is_transient() && retries < policy.max_retries => {
                    let wait = policy.delay(retries);
                    retries += 1;
                    tracing::warn!(%url, error = %e, ?wait, retries, "transient failure; retrying");
                    call.backoff(tokio::time::Instant::now() + wait);
                    self.pacer.nap(wait).await;
                }
                _ => {
                    tracing::info!(%url, error = %err, "request failed");
                    return Err(err);
                }
            }
        }
    }

    /// Reads an answer of at most `cap` bytes, checked as it arrives.
    async fn read<T: DeserializeOwned>(
        &self,
        mut resp: reqwest::Response,
        cap: usize,
        sent: tokio::time::Instant,
    ) -> Result<T, ApiError> {
        let status = resp.status();
        self.pacer
            .observe_from(resp.headers(), status.is_success(), sent);
        let retry_after = retry_after(resp.headers());
        let header = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let content_type = header(header::CONTENT_TYPE);
        if status.is_redirection() {
            let to = origin_of(resp.url(), header(header::LOCATION).as_deref());
            return Err(ApiError::Redirected {
                status: status.as_u16(),
                to,
            });
        }
        let Some(body) = super::body::capped(&mut resp, cap)
            .await
            .map_err(ApiError::from)?
        else {
            // Dropping the answer closes the connection: nothing more is read.
            return Err(ApiError::TooLarge { limit: cap });
        };
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| ApiError::Decode {
                status: status.as_u16(),
                what: what_arrived(content_type.as_deref(), &body, Some(&e)),
            });
        }
        // Without a Retry-After, waiting out the server's own interval is the documented remedy.
        let retry_after = match retry_after {
            None if status == StatusCode::TOO_MANY_REQUESTS => Some(self.pacer.interval()),
            other => other,
        };
        let text = String::from_utf8_lossy(&body);
        Err(ApiError::from_response(status.as_u16(), &text, retry_after))
    }

    // --- Read endpoints -------------------------------------------------------------------

    /// `GET /contacts/{contactId}`
    pub async fn contact(&self, id: &str) -> Result<Contact, ApiError> {
        let env: ContactEnvelope = self
            .call(Method::GET, self.url(&["contacts", id]), None, true)
            .await?;
        Ok(env.contact)
    }

    /// `GET /contacts/{contactId}`, the contact as sent (every field kept).
    pub async fn contact_raw(&self, id: &str) -> Result<Value, ApiError> {
        #[derive(serde::Deserialize)]
        struct Envelope {
            contact: Value,
        }
        let env: Envelope = self
            .call(Method::GET, self.url(&["contacts", id]), None, true)
            .await?;
        Ok(env.contact)
    }

    /// `GET /contacts/{contactId}/tasks`
    pub async fn tasks(&self, contact_id: &str) -> Result<Vec<Task>, ApiError> {
        let env: TasksEnvelope = self
            .call(
                Method::GET,
                self.url(&["contacts", contact_id, "tasks"]),
                None,
                true,
            )
            .await?;
        Ok(env.tasks)
    }

    /// `GET /contacts/{contactId}/tasks/{taskId}`
    pub async fn task(&self, contact_id: &str, task_id: &str) -> Result<Task, ApiError> {
        let url = self.url(&["contacts", contact_id, "tasks", task_id]);
        let env: TaskEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(env.task)
    }

    /// `GET /contacts/{contactId}/notes`
    pub async fn notes(&self, contact_id: &str) -> Result<Vec<Note>, ApiError> {
        let env: NotesEnvelope = self
            .call(
                Method::GET,
                self.url(&["contacts", contact_id, "notes"]),
                None,
                true,
            )
            .await?;
        Ok(env.notes)
    }

    /// `GET /contacts/{contactId}/notes/{id}`
    pub async fn note(&self, contact_id: &str, note_id: &str) -> Result<Note, ApiError> {
        let url = self.url(&["contacts", contact_id, "notes", note_id]);
        let env: NoteEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(env.note)
    }

    /// `GET /contacts/{contactId}/appointments`
    pub async fn appointments(&self, contact_id: &str) -> Result<Vec<Appointment>, ApiError> {
        let url = self.url(&["contacts", contact_id, "appointments"]);
        let env: EventsEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(env.events)
    }

    /// `GET /locations/{locationId}/customFields?model=contact` (Locations API): the names of
    /// the location's contact fields. Needs the `locations/customFields.readonly` scope.
    pub async fn custom_fields(&self) -> Result<Vec<CustomFieldDef>, ApiError> {
        let mut url = self.url(&["locations", &self.cfg.location_id, "customFields"]);
        url.query_pairs_mut().append_pair("model", "contact");
        let env: CustomFieldsEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(env.custom_fields)
    }

    /// `GET /locations/{locationId}/tags` (Locations API): the tags in use in the location,
    /// for completion. Needs `locations/tags.readonly`.
    pub async fn location_tags(&self) -> Result<Vec<String>, ApiError> {
        let url = self.url(&["locations", &self.cfg.location_id, "tags"]);
        let env: LocationTags = self.call(Method::GET, url, None, true).await?;
        Ok(env.tags.into_iter().filter_map(|t| t.name).collect())
    }

    /// `POST /contacts/search`. Read-only on the server, so it is retried like a GET.
    pub async fn search(&self, req: &SearchRequest) -> Result<ContactPage, ApiError> {
        let (contacts, total) = self.search_raw(req).await?;
        Ok(ContactPage {
            // A contact that does not read as one is left out, as the list endpoints do.
            contacts: contacts
                .into_iter()
                .filter_map(|c| serde_json::from_value(c).ok())
                .collect(),
            total,
            meta: None,
        })
    }

    /// `POST /contacts/search`, the contacts as sent (every field kept) and the total.
    pub async fn search_raw(
        &self,
        req: &SearchRequest,
    ) -> Result<(Vec<Value>, Option<u64>), ApiError> {
        let body = serde_json::to_value(req).map_err(|e| ApiError::Decode {
            status: 0,
            what: e.to_string(),
        })?;
        let env: super::envelopes::SearchEnvelope<Value> = self
            .call(
                Method::POST,
                self.url(&["contacts", "search"]),
                Some(&body),
                true,
            )
            .await?;
        let contacts = env.contacts.into_iter().filter(Value::is_object).collect();
        Ok((contacts, env.total.map(|t| t as u64)))
    }

    /// `GET /contacts/` (deprecated by GHL in favour of search, still widely used).
    pub async fn list_contacts(&self, q: &ListQuery) -> Result<ContactPage, ApiError> {
        let mut url = self.url(&["contacts", ""]);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("locationId", &self.cfg.location_id);
            if let Some(v) = &q.query {
                pairs.append_pair("query", v);
            }
            if let Some(v) = q.limit {
                pairs.append_pair("limit", &v.to_string());
            }
            if let Some(v) = &q.start_after_id {
                pairs.append_pair("startAfterId", v);
            }
            if let Some(v) = q.start_after {
                pairs.append_pair("startAfter", &v.to_string());
            }
        }
        let env: ListEnvelope = self.call(Method::GET, url, None, true).await?;
        let total = env
            .meta
            .as_ref()
            .and_then(|m| m.total)
            .or(env.count)
            .map(|t| t as u64);
        Ok(ContactPage {
            contacts: env.contacts,
            total,
            meta: env.meta,
        })
    }

    /// `GET /contacts/business/{businessId}`
    pub async fn business_contacts(
        &self,
        business_id: &str,
        limit: Option<u32>,
        skip: Option<u32>,
        query: Option<&str>,
    ) -> Result<ContactPage, ApiError> {
        let mut url = self.url(&["contacts", "business", business_id]);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("locationId", &self.cfg.location_id);
            if let Some(v) = limit {
                pairs.append_pair("limit", &v.to_string());
            }
            if let Some(v) = skip {
                pairs.append_pair("skip", &v.to_string());
            }
            if let Some(v) = query {
                pairs.append_pair("query", v);
            }
        }
        let env: ListEnvelope = self.call(Method::GET, url, None, true).await?;
        Ok(ContactPage {
            contacts: env.contacts,
            total: env.count.map(|t| t as u64),
            meta: env.meta,
        })
    }
}

/// The longest `Retry-After` taken as it is; past it (a day, or garbage) a day is assumed.
const MAX_RETRY_AFTER: f64 = 86_400.0;

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let raw = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(
        delta
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs_f64(MAX_RETRY_AFTER)),
    )
}
