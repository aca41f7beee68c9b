//! What every request passes before a handler: injected faults, the `Version` header, the
//! bearer token and its scopes, and the burst limit.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::faults::Fault;
use super::limits;
use super::reply;
use super::rules::{
    SCOPE_EVENTS_READ, SCOPE_FIELDS_READ, SCOPE_LOCATIONS_READ, SCOPE_READ, SCOPE_TAGS_READ,
    SCOPE_TASKS_READ, SCOPE_USERS_READ, SCOPE_WRITE, version_for,
};
use super::{Grant, Recorded, Shared, lock};

/// The scope the official files name for `method path` (each path's `security`).
fn required_scope(method: &Method, path: &str) -> &'static str {
    if path.starts_with("/oauth/") {
        return if method == Method::GET {
            "oauth.readonly"
        } else {
            "oauth.write"
        };
    }
    if path.starts_with("/users/") {
        return if method == Method::GET {
            SCOPE_USERS_READ
        } else {
            "users.write"
        };
    }
    if path.starts_with("/calendars/events") {
        return if method == Method::GET {
            SCOPE_EVENTS_READ
        } else {
            "calendars/events.write"
        };
    }
    if let Some(rest) = path.strip_prefix("/locations/") {
        // `{locationId}` then what follows it, if anything.
        let sub = rest.split_once('/').map_or("", |(_, sub)| sub);
        match (sub.trim_end_matches('/'), method == Method::GET) {
            ("" | "timezones", true) => return SCOPE_LOCATIONS_READ,
            ("", false) => return "locations.write",
            ("tasks/search", _) => return SCOPE_TASKS_READ,
            _ => {}
        }
        return match (path.ends_with("/tags"), method == Method::GET) {
            (true, true) => SCOPE_TAGS_READ,
            (true, false) => "locations/tags.write",
            (false, true) => SCOPE_FIELDS_READ,
            (false, false) => "locations/customFields.write",
        };
    }
    if method == Method::GET
        || (method == Method::POST && path.trim_end_matches('/') == "/contacts/search")
    {
        SCOPE_READ
    } else {
        SCOPE_WRITE
    }
}

impl Shared {
    /// Waits until the test releases held answers.
    async fn held(&self) {
        let mut released = self.released.subscribe();
        let _ = released.wait_for(|go| *go).await;
    }
}

pub async fn gate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    // Read what is needed up front: a borrow of the request (its body is not Sync) must not
    // live across an await.
    let (version, bearer, user_agent) = {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let bearer = header(header::AUTHORIZATION.as_str())
            .and_then(|a| a.strip_prefix("Bearer ").map(|t| t.trim().to_string()));
        (header("version"), bearer, header("user-agent"))
    };
    // Keep the body for tests to inspect, then hand the handler an identical request.
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let token_location = bearer
        .as_ref()
        .and_then(|t| lock(&shared.tokens).get(t).map(|g| g.location_id.clone()));
    shared.record(Recorded {
        method: method.to_string(),
        path: path.clone(),
        query: parts.uri.query().unwrap_or("").to_string(),
        version: version.clone(),
        user_agent,
        body: serde_json::from_slice(&bytes).ok(),
        token_location,
    });
    let mut req = Request::from_parts(parts, Body::from(bytes));

    let (fault, latency) = {
        let mut faults = lock(&shared.faults);
        (
            faults.take_next(method.as_str(), &path),
            faults.rates.latency,
        )
    };
    let delay = latency
        + if let Some(Fault::Delay(d)) = &fault {
            *d
        } else {
            Default::default()
        };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    // The OAuth endpoints that take client credentials (not a bearer) stand outside the API.
    if matches!(path.as_str(), "/oauth/token" | "/oauth/chooselocation") {
        let answer = next.run(req).await;
        if fault == Some(Fault::HeldAnswer) {
            shared.held().await;
        }
        return answer;
    }
    let wanted = version_for(&path);
    if version.as_deref() != Some(wanted) {
        return reply::bad_request(&format!(
            "Version header is missing or not supported; send Version: {wanted}"
        ));
    }
    let Some(grant) = bearer.and_then(|t| lock(&shared.tokens).get(&t).cloned()) else {
        return reply::unauthorized("Invalid JWT");
    };
    if grant
        .expires_at
        .is_some_and(|t| t <= std::time::Instant::now())
    {
        return reply::unauthorized("jwt expired");
    }
    if !grant
        .scopes
        .iter()
        .any(|s| s == required_scope(&method, &path))
    {
        return reply::missing_scope();
    }

    let rate = shared.config.rate;
    let verdict = lock(&shared.limiter).check(&rate, &grant.location_id);
    let mut response = if !verdict.allowed {
        shared.count_rate_limited();
        reply::too_many_requests()
    } else {
        match fault {
            Some(Fault::Status(429)) => reply::too_many_requests(),
            Some(Fault::Status(s)) => reply::server_error(s),
            Some(Fault::RateLimited(after)) => {
                shared.count_rate_limited();
                let mut r = reply::too_many_requests();
                if let Some(secs) = after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                    r.headers_mut().insert(header::RETRY_AFTER, secs);
                }
                r
            }
            Some(Fault::Drop) => dropped(),
            Some(Fault::DropAfter) => {
                req.extensions_mut().insert::<Grant>(grant);
                let _done = next.run(req).await;
                dropped()
            }
            Some(Fault::Malformed) => (
                [(header::CONTENT_TYPE, "application/json")],
                "{\"contacts\": [{\"id\": ",
            )
                .into_response(),
            Some(Fault::CaptivePortal) => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><body><h1>Welcome to Airport Wi-Fi</h1>\
                 <form action=/login>Accept the terms to continue</form></body></html>",
            )
                .into_response(),
            Some(Fault::HeldAnswer) => {
                req.extensions_mut().insert::<Grant>(grant);
                let answer = next.run(req).await;
                shared.held().await;
                answer
            }
            Some(Fault::Delay(_)) | None => {
                req.extensions_mut().insert::<Grant>(grant);
                next.run(req).await
            }
        }
    };
    limits::headers(&rate, &verdict, response.headers_mut());
    response
}

/// Sends the status line and headers, then breaks the body: the client sees the connection
/// die mid-answer, as on a dropped link.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by --faults",
        ))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| reply::server_error(500))
}
