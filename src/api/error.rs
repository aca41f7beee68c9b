//! One error type for everything the API can do to us, each variant renderable as one line.

use std::time::Duration;

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401 for a bad or expired token.
    #[error("Token refused: {message} (check GHL_TOKEN, or sign in again)")]
    Unauthorized { message: String },
    /// 401 "The token is not authorized for this scope." (GHL answers 401, not 403.)
    /// The sign-in ended (its refresh was refused); a new `login` brings it back.
    #[error("Signed out: run `{command}`; changes wait until then ({why})")]
    SignedOut { command: String, why: String },
    #[error("The token lacks the scope for this ({message})")]
    MissingScope { message: String },
    /// 403: the token is valid but not for this location or resource.
    #[error("Access denied: {message}")]
    Forbidden { message: String },
    /// 400 "This location does not allow duplicated contacts." with the existing contact.
    #[error("Duplicate: {message}")]
    Duplicate {
        message: String,
        contact_id: Option<String>,
        field: Option<String>,
    },
    #[error("Not found: {message}")]
    NotFound { message: String },
    /// 400/422 with the server's messages.
    #[error("Rejected: {}", messages.join("; "))]
    Validation { status: u16, messages: Vec<String> },
    #[error("Rate limited by the API; retry in {}", wait_words(*retry_after))]
    RateLimited { retry_after: Duration },
    /// The day's allowance (200,000 requests) is spent; requests wait until it comes back.
    #[error("The day's API allowance is spent; requests resume at {} UTC", resets_at.format("%H:%M"))]
    DailyLimit {
        resets_at: chrono::DateTime<chrono::Utc>,
    },
    /// A 3xx that is not followed: to another site, or for a write.
    #[error(
        "The API answered with a redirect ({status}) to {to}, which was not followed (a proxy, or a wrong API address?)"
    )]
    Redirected { status: u16, to: String },
    /// The answer was bigger than any real one; reading stopped at the cap.
    #[error("The answer was too large (over {} MB); it was not read", limit / (1024 * 1024))]
    TooLarge { limit: usize },
    #[error("Server error {status}: {message}")]
    Server { status: u16, message: String },
    #[error("Network error: {message}")]
    Network { message: String },
    #[error("Timed out waiting for the API")]
    Timeout,
    /// What arrived, described (never the body itself).
    #[error("Unreadable answer from the API (HTTP {status}): {what}")]
    Decode { status: u16, what: String },
    /// Any other status, kept so nothing is silently swallowed.
    #[error("Unexpected HTTP {status}: {message}")]
    Unexpected { status: u16, message: String },
}

const SCOPE_MESSAGE: &str = "not authorized for this scope";

impl ApiError {
    /// Maps a non-success answer to an error, reading GHL's `{statusCode, message, error}` body
    /// where `message` may be a string or a list of strings.
    pub fn from_response(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        let messages = error_messages(body);
        let message = if messages.is_empty() {
            default_reason(status).to_string()
        } else {
            messages.join("; ")
        };
        match status {
            401 if message.to_ascii_lowercase().contains(SCOPE_MESSAGE) => {
                ApiError::MissingScope { message }
            }
            401 => ApiError::Unauthorized { message },
            403 => ApiError::Forbidden { message },
            404 => ApiError::NotFound { message },
            400 if message.to_ascii_lowercase().contains("duplicated contacts") => {
                let meta = serde_json::from_str::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("meta").cloned());
                let text = |k: &str| {
                    meta.as_ref()
                        .and_then(|m| m.get(k))
                        .and_then(Value::as_str)
                        .map(String::from)
                };
                ApiError::Duplicate {
                    message,
                    contact_id: text("contactId"),
                    field: text("matchingField"),
                }
            }
            400 if message.to_ascii_lowercase().contains("not found") => {
                ApiError::NotFound { message }
            }
            400 | 422 => ApiError::Validation {
                status,
                messages: if messages.is_empty() {
                    vec![message]
                } else {
                    messages
                },
            },
            429 => ApiError::RateLimited {
                retry_after: retry_after.unwrap_or(Duration::from_secs(10)),
            },
            500..=599 => ApiError::Server { status, message },
            _ => ApiError::Unexpected { status, message },
        }
    }

    /// Worth trying again for an idempotent request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Network { .. }
                | ApiError::Timeout
                | ApiError::RateLimited { .. }
        )
    }

    /// The one line shown in the status bar, with any secret-looking or control text removed.
    pub fn one_line(&self) -> String {
        let text = crate::sanitize::line(&self.to_string()).into_owned();
        truncate_chars(&crate::redact::text(&text), 160)
    }
}

/// `45 s`, `12 min`, `3 h 5 min`.
fn wait_words(d: Duration) -> String {
    let s = d.as_secs().max(1);
    match s {
        0..=119 => format!("{s} s"),
        120..=5399 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// What a body that is not the JSON expected looks like, in words: never the body itself,
/// which can be a whole page (or carry a token a proxy echoed).
pub fn what_arrived(
    content_type: Option<&str>,
    body: &[u8],
    e: Option<&serde_json::Error>,
) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    let start = text.trim_start().to_ascii_lowercase();
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        return "an empty answer".into();
    }
    if ct.contains("html") || start.starts_with("<!doctype html") || start.starts_with("<html") {
        return "an HTML page, not JSON: a captive portal or proxy?".into();
    }
    if start.starts_with('<') {
        return "XML or markup, not JSON: a proxy?".into();
    }
    let size = if body.len() < 1024 {
        format!("{} bytes", body.len())
    } else {
        format!("{} KB", body.len() / 1024)
    };
    use serde_json::error::Category;
    match e.map(serde_json::Error::classify) {
        Some(Category::Data) => format!("JSON of another shape than expected ({size})"),
        Some(Category::Eof) => format!("JSON cut short ({size})"),
        _ if !ct.is_empty() && !ct.contains("json") => {
            format!(
                "{}, not JSON ({size})",
                crate::sanitize::line(&ct)
                    .chars()
                    .take(40)
                    .collect::<String>()
            )
        }
        _ => format!("not JSON ({size})"),
    }
}

fn default_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "no message",
    }
}

fn error_messages(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        let trimmed = body.trim();
        return if trimmed.is_empty() || trimmed.starts_with('<') {
            Vec::new()
        } else {
            vec![excerpt(trimmed)]
        };
    };
    match value
        .get("message")
        .or_else(|| value.get("error"))
        .or_else(|| value.get("msg"))
    {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A short, single-line piece of a body for error messages.
pub fn excerpt(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_chars(&one_line, 80)
}

fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl From<reqwest::Error> for ApiError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return ApiError::Timeout;
        }
        // reqwest's Display includes the URL, which is fine (no secret in our URLs), but the
        // innermost cause is what tells a user what happened.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message = s.to_string();
            source = s.source();
        }
        ApiError::Network {
            message: excerpt(&crate::redact::text(&message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_may_be_string_or_array() {
        let e = ApiError::from_response(
            422,
            r#"{"statusCode":422,"message":["a","b"],"error":"Unprocessable Entity"}"#,
            None,
        );
        assert_eq!(
            e,
            ApiError::Validation {
                status: 422,
                messages: vec!["a".into(), "b".into()]
            }
        );
        let e = ApiError::from_response(400, r#"{"statusCode":400,"message":"Bad thing"}"#, None);
        assert_eq!(e.one_line(), "Rejected: Bad thing");
    }

    #[test]
    fn scope_401_is_distinct_from_bad_token() {
        let scope = ApiError::from_response(
            401,
            r#"{"statusCode":401,"message":"The token is not authorized for this scope."}"#,
            None,
        );
        assert!(matches!(scope, ApiError::MissingScope { .. }));
        let bad = ApiError::from_response(
            401,
            r#"{"statusCode":401,"message":"Invalid JWT","error":"Unauthorized"}"#,
            None,
        );
        assert!(matches!(bad, ApiError::Unauthorized { .. }));
    }

    #[test]
    fn html_error_pages_do_not_leak_into_the_status_bar() {
        let e = ApiError::from_response(502, "<html><body>Bad gateway</body></html>", None);
        assert_eq!(e.one_line(), "Server error 502: Bad Gateway");
    }

    #[test]
    fn one_line_strips_controls() {
        let e =
            ApiError::from_response(400, "{\"message\":\"bad\\u001b]0;x\\u0007\\nname\"}", None);
        assert_eq!(e.one_line(), "Rejected: bad name");
    }
}
