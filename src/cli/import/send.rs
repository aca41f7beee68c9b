//! One row to the API: `POST /contacts/upsert` with the row's fields, then its tags through
//! `POST /contacts/{id}/tags` (upsert's own `tags` would replace every tag the contact has).
//! Upsert finds the contact by email or phone, so sending a row again (a retry, or a resume
//! after a kill) updates the contact it made instead of making a second: it is retried after
//! a dropped answer or a server error, which a plain create could not be.

use std::time::Duration;

use super::prepare::Prepared;
use crate::api::{ApiError, Client};

/// What became of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    Done {
        created: bool,
    },
    /// The API refused it, with its reason.
    Refused(String),
    /// Nothing more can be sent now (the network, the sign-in, the day's allowance).
    Stopped(ApiError),
}

const MAX_ATTEMPTS: u32 = 4;
/// A 429 to a write is waited out here, a minute at most each time: a batch has time.
const MAX_RATE_WAIT: Duration = Duration::from_secs(60);
const MAX_RATE_ATTEMPTS: u32 = 10;

/// What became of `row`, and the requests it took.
pub async fn send(client: &Client, row: &Prepared) -> (Sent, u64) {
    let mut requests = 0;
    let upserted = match retried(|| client.upsert_contact(&row.input), &mut requests).await {
        Ok(u) => u,
        Err(e) => return (refused_or_stopped(e, None), requests),
    };
    let created = upserted.created == Some(true);
    if row.tags.is_empty() {
        return (Sent::Done { created }, requests);
    }
    let Some(id) = upserted.contact.id.filter(|i| !i.is_empty()) else {
        let why = "the API answered without the contact's id, so its tags were not added";
        return (Sent::Refused(why.into()), requests);
    };
    let sent = match retried(|| client.add_tags(&id, &row.tags), &mut requests).await {
        Ok(_) => Sent::Done { created },
        Err(e) => {
            let made = if created { "created" } else { "updated" };
            let prefix = format!("the contact was {made} ({id}), but its tags were refused: ");
            refused_or_stopped(e, Some(prefix))
        }
    };
    (sent, requests)
}

fn refused_or_stopped(e: ApiError, prefix: Option<String>) -> Sent {
    let why = match &e {
        ApiError::Validation { messages, .. } => messages.join("; "),
        ApiError::Duplicate { message, .. } | ApiError::NotFound { message } => message.clone(),
        _ => return Sent::Stopped(e),
    };
    Sent::Refused(format!("{}{why}", prefix.unwrap_or_default()))
}

/// `call` until it answers, waiting out rate limits and retrying failures that may pass.
/// Counts each attempt in `requests`.
async fn retried<T, F, Fut>(call: F, requests: &mut u64) -> Result<T, ApiError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let (mut failures, mut limited) = (0, 0);
    loop {
        *requests += 1;
        match call().await {
            Err(ApiError::RateLimited { retry_after }) if limited < MAX_RATE_ATTEMPTS => {
                limited += 1;
                tokio::time::sleep(retry_after.min(MAX_RATE_WAIT)).await;
            }
            Err(e @ (ApiError::Server { .. } | ApiError::Network { .. } | ApiError::Timeout))
                if failures + 1 < MAX_ATTEMPTS =>
            {
                tracing::warn!(error = %e, "import: retrying a row");
                tokio::time::sleep(Duration::from_millis(500) * 2u32.pow(failures)).await;
                failures += 1;
            }
            other => return other,
        }
    }
}
