//! OAuth 2.0 as GHL runs it (FACTS.md): an authorize page that approves at once and redirects
//! with a code, `/oauth/token` for the authorization_code and refresh_token grants (each refresh
//! token works once), agency tokens that list their locations and get location tokens. Access
//! tokens can be made short-lived so tests can watch them expire.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::writes::new_id;
use super::{Grant, Seed, Shared, lock, reply};

/// An OAuth app allowed to sign users in.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Clone, Debug)]
pub struct OAuthConfig {
    pub apps: Vec<OAuthApp>,
    /// How long an access token works (GHL: about a day).
    pub access_ttl: Duration,
    pub company_id: String,
    pub user_id: String,
    /// The agency's locations: `(id, name)`.
    pub locations: Vec<(String, String)>,
}

/// The agency's second location: a handful of the demo's contacts, copied, so switching
/// locations shows a different list.
pub const BRANCH_LOCATION_ID: &str = "DemoBranchLocation01";
pub const BRANCH_LOCATION_NAME: &str = "Northside Branch";

/// The demo OAuth app.
pub const DEMO_CLIENT_ID: &str = "demo-client-id";
pub const DEMO_CLIENT_SECRET: &str = "demo-client-secret";

impl OAuthConfig {
    pub fn for_seed(seed: &Seed) -> OAuthConfig {
        OAuthConfig {
            apps: vec![OAuthApp {
                client_id: DEMO_CLIENT_ID.into(),
                client_secret: DEMO_CLIENT_SECRET.into(),
            }],
            access_ttl: Duration::from_secs(86_399),
            company_id: if seed.company_id.is_empty() {
                "DemoCompany000000000".into()
            } else {
                seed.company_id.clone()
            },
            // The signed-in user is the company's first (the demo's admin), so a client can
            // find "my" tasks and appointments by it.
            user_id: seed
                .users
                .first()
                .and_then(|u| u.get("id")?.as_str())
                .unwrap_or("DemoUser000000000000")
                .into(),
            locations: vec![
                (seed.location_id.clone(), seed.location_name.clone()),
                (BRANCH_LOCATION_ID.into(), BRANCH_LOCATION_NAME.into()),
            ],
        }
    }
}

#[derive(Clone, Debug)]
struct Issued {
    client_id: String,
    scopes: Vec<String>,
    redirect_uri: String,
}

#[derive(Debug, Default)]
pub struct OAuthState {
    codes: HashMap<String, Issued>,
    /// Refresh token -> what it renews; `used` once spent.
    refresh: HashMap<String, (Issued, String, bool)>,
    pub refreshes: u64,
}

#[derive(serde::Deserialize)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
}

/// `GET /oauth/chooselocation`: approves at once and redirects back with a code.
pub async fn authorize(State(s): State<Arc<Shared>>, Query(q): Query<AuthorizeQuery>) -> Response {
    let (Some(client_id), Some(redirect_uri)) = (q.client_id, q.redirect_uri) else {
        return reply::bad_request("client_id and redirect_uri are required");
    };
    if !s.config.oauth.apps.iter().any(|a| a.client_id == client_id) {
        return reply::bad_request("Unknown client_id");
    }
    let code = new_id();
    let scopes = q
        .scope
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    lock(&s.oauth).codes.insert(
        code.clone(),
        Issued {
            client_id,
            scopes,
            redirect_uri: redirect_uri.clone(),
        },
    );
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let mut target = format!("{redirect_uri}{sep}code={code}");
    if let Some(state) = q.state {
        target.push_str(&format!("&state={}", encode(&state)));
    }
    (StatusCode::FOUND, [(header::LOCATION, target)]).into_response()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    user_type: Option<String>,
    redirect_uri: Option<String>,
}

/// The error shape OAuth clients read (`error`, `error_description`), with GHL's fields too.
fn grant_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": description,
        "statusCode": status.as_u16(),
        "message": description,
    });
    (status, axum::Json(body)).into_response()
}

/// `POST /oauth/token` (form-encoded).
pub async fn token(State(s): State<Arc<Shared>>, Form(f): Form<TokenForm>) -> Response {
    let cfg = &s.config.oauth;
    let client_ok = cfg.apps.iter().any(|a| {
        Some(&a.client_id) == f.client_id.as_ref()
            && Some(&a.client_secret) == f.client_secret.as_ref()
    });
    if !client_ok {
        return grant_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
        );
    }
    let client_id = f.client_id.unwrap_or_default();
    let (issued, user_type) = match f.grant_type.as_deref() {
        Some("authorization_code") => {
            let Some(issued) = f.code.and_then(|c| lock(&s.oauth).codes.remove(&c)) else {
                return grant_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid authorization code",
                );
            };
            if issued.client_id != client_id
                || Some(&issued.redirect_uri) != f.redirect_uri.as_ref()
            {
                return grant_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The redirect_uri does not match",
                );
            }
            (issued, f.user_type.unwrap_or_else(|| "Location".into()))
        }
        Some("refresh_token") => {
            let mut st = lock(&s.oauth);
            st.refreshes += 1;
            match f
                .refresh_token
                .as_deref()
                .and_then(|r| st.refresh.get_mut(r))
            {
                Some((issued, user_type, used)) if !*used && issued.client_id == client_id => {
                    // Each refresh token works once.
                    *used = true;
                    (issued.clone(), user_type.clone())
                }
                _ => {
                    return grant_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Invalid grant: refresh token is invalid",
                    );
                }
            }
        }
        _ => {
            return grant_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let company = user_type == "Company";
    let location_id = if company {
        String::new()
    } else {
        cfg.locations
            .first()
            .map(|l| l.0.clone())
            .unwrap_or_default()
    };
    let access = format!("oauth-{}", new_id());
    let refresh = format!("refresh-{}", new_id());
    lock(&s.tokens).insert(
        access.clone(),
        Grant {
            location_id: location_id.clone(),
            scopes: issued.scopes.clone(),
            company_id: cfg.company_id.clone(),
            expires_at: Some(Instant::now() + cfg.access_ttl),
        },
    );
    lock(&s.oauth)
        .refresh
        .insert(refresh.clone(), (issued.clone(), user_type.clone(), false));
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": cfg.access_ttl.as_secs(),
        "refresh_token": refresh,
        "scope": issued.scopes.join(" "),
        "userType": user_type,
        "companyId": cfg.company_id,
        "userId": cfg.user_id,
    });
    if !company {
        body["locationId"] = json!(location_id);
    }
    reply::ok(body)
}

#[derive(serde::Deserialize)]
pub struct LocationTokenForm {
    #[serde(rename = "companyId")]
    company_id: Option<String>,
    #[serde(rename = "locationId")]
    location_id: Option<String>,
}

/// `POST /oauth/locationToken`: an agency token buys a token for one of its locations.
pub async fn location_token(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Form(f): Form<LocationTokenForm>,
) -> Response {
    let cfg = &s.config.oauth;
    if !g.location_id.is_empty() || Some(&g.company_id) != f.company_id.as_ref() {
        return reply::unauthorized("This token cannot get location tokens for that company");
    }
    let Some(location) = f
        .location_id
        .filter(|l| cfg.locations.iter().any(|(id, _)| id == l))
    else {
        return reply::bad_request("Location not found for this company");
    };
    let access = format!("oauth-{}", new_id());
    let scopes: Vec<String> = g
        .scopes
        .iter()
        .filter(|s| is_location_scope(s))
        .cloned()
        .collect();
    lock(&s.tokens).insert(
        access.clone(),
        Grant {
            location_id: location.clone(),
            scopes: scopes.clone(),
            company_id: g.company_id.clone(),
            expires_at: Some(Instant::now() + cfg.access_ttl),
        },
    );
    reply::ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": cfg.access_ttl.as_secs(),
        "scope": scopes.join(" "),
        "locationId": location,
        "userId": cfg.user_id,
    }))
}

/// A scope a location token keeps from the agency token it was bought with: those of the
/// location-level APIs the sandbox serves (not `oauth.*`, nor company-only ones).
fn is_location_scope(scope: &str) -> bool {
    [
        "contacts.",
        "locations/",
        "locations.",
        "users.",
        "calendars/events.",
    ]
    .iter()
    .any(|p| scope.starts_with(p))
}

/// `GET /oauth/installedLocations`: the agency's locations with the app installed.
pub async fn installed_locations(
    State(s): State<Arc<Shared>>,
    Extension(g): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !g.location_id.is_empty() {
        return reply::unauthorized("This route is for agency (Company) tokens");
    }
    let given = |k: &str| q.get(k).is_some_and(|v| !v.is_empty());
    if !given("companyId") || !given("appId") {
        return reply::unprocessable(vec![
            "companyId should not be empty".into(),
            "appId should not be empty".into(),
        ]);
    }
    if q.get("companyId") != Some(&g.company_id) {
        return reply::unauthorized("This token cannot list locations of that company");
    }
    let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100);
    let locations: Vec<_> = s
        .config
        .oauth
        .locations
        .iter()
        .skip(skip)
        .take(limit)
        .map(|(id, name)| json!({"_id": id, "name": name, "address": "", "isInstalled": true}))
        .collect();
    reply::ok(json!({
        "count": s.config.oauth.locations.len(),
        "locations": locations,
        "installToFutureLocations": true,
    }))
}
