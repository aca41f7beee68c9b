//! `contacts list`, `contacts search QUERY`, `contacts show ID`: from the server, or with
//! `--cached` from the replica without a request. The JSON is the API's: `show` gives the
//! single contact's shape (`GET /contacts/{id}`), `list` and `search` the search results'
//! (`POST /contacts/search`), which differ (FACTS.md: `address` for `address1`, no
//! `dndSettings`, `dateOfBirth` in ms).

use serde_json::Value;

use super::output::{self, Column, text};
use super::{Failure, exit};
use crate::api::SearchRequest;
use crate::api::envelopes::{MAX_PAGE_LIMIT, MAX_QUERY_CHARS};
use crate::session::Session;

/// The columns of a contact in a table or CSV.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "NAME",
        cell: name,
    },
    Column {
        header: "EMAIL",
        cell: |v| text(v, "email"),
    },
    Column {
        header: "PHONE",
        cell: |v| text(v, "phone"),
    },
    Column {
        header: "COMPANY",
        cell: |v| text(v, "companyName"),
    },
    Column {
        header: "TAGS",
        cell: |v| output::list(v, "tags"),
    },
    output::ID,
];

/// A contact's name in either shape: first and last, else `contactName` (search) or `name`.
pub fn name(v: &Value) -> String {
    let full =
        crate::api::contact::full_name(Some(&text(v, "firstName")), Some(&text(v, "lastName")));
    [full, text(v, "contactName"), text(v, "name")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

/// Where the contacts come from.
pub enum Source<'a> {
    Server(&'a Session),
    /// The replica, without a request.
    Cached(&'a crate::store::ReplicaHandle),
}

impl<'a> Source<'a> {
    pub fn of(session: &'a Session, cached: bool) -> Result<Source<'a>, Failure> {
        if !cached {
            return Ok(Source::Server(session));
        }
        session
            .replica
            .replica
            .as_ref()
            .map(Source::Cached)
            .ok_or_else(|| {
                Failure::new(
                    exit::ERROR,
                    "no local copy of this account to answer from (cache = \"off\", or none made yet: run ghl-tui once)",
                )
            })
    }
}

/// Says, on stderr and only to a person, that an answer came from the local copy and how old
/// it is: a script reading stdout sees the data alone.
pub async fn say_cached(from: &Source<'_>) {
    use std::io::IsTerminal;
    let Source::Cached(replica) = from else {
        return;
    };
    if !std::io::stderr().is_terminal() {
        return;
    }
    let mark = replica.call(|r| r.mark()).await.ok().and_then(Result::ok);
    let when = mark
        .and_then(|m| m.last_sync_ms)
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(
            || "not synced yet".to_string(),
            |t| {
                let local = t.with_timezone(&chrono::Local);
                format!("synced {}", local.format("%Y-%m-%d %H:%M"))
            },
        );
    eprintln!("(from the local copy, {when})");
}

fn store_failed(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        exit::ERROR,
        format!("the local copy could not be read: {e}"),
    )
}

/// Up to `limit` contacts (0: all), newest first.
pub async fn list(from: &Source<'_>, limit: usize) -> Result<Vec<Value>, Failure> {
    let limit = (limit > 0).then_some(limit);
    match from {
        Source::Cached(replica) => {
            let got = replica
                .call(move |r| {
                    let mut out = Vec::new();
                    r.each_json(limit, |v| out.push(v)).map(|()| out)
                })
                .await
                .map_err(store_failed)?;
            got.map_err(store_failed)
        }
        Source::Server(session) => search_server(session, None, limit).await,
    }
}

/// Contacts matching `query`, best first on the replica (the list's own search, fuzzy, with
/// `tag:` and `company:`), the server's order otherwise.
pub async fn search(from: &Source<'_>, query: &str, limit: usize) -> Result<Vec<Value>, Failure> {
    let limit = (limit > 0).then_some(limit);
    match from {
        Source::Cached(replica) => {
            let query = query.to_string();
            let got = replica
                .call(move |r| -> Result<Vec<Value>, crate::store::StoreError> {
                    let mut builder = crate::app::rows::SetBuilder::with_capacity(0);
                    r.each_entry(None, |e| builder.push(e))?;
                    let set = builder.finish(0);
                    let rows = crate::app::update::search_list(&set, &query);
                    let mut out = Vec::new();
                    for row in rows.into_iter().take(limit.unwrap_or(usize::MAX)) {
                        if let Some(id) = set.row(row as usize).map(|r| r.id().to_string())
                            && let Some((v, _)) = r.contact(&id)?
                        {
                            out.push(v);
                        }
                    }
                    Ok(out)
                })
                .await
                .map_err(store_failed)?;
            got.map_err(store_failed)
        }
        Source::Server(session) => {
            if query.chars().count() > MAX_QUERY_CHARS {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "the server searches at most {MAX_QUERY_CHARS} characters; --cached searches any"
                    ),
                ));
            }
            search_server(session, Some(query), limit).await
        }
    }
}

/// Pages of the search endpoint, by `searchAfter`, until `limit` or the end.
async fn search_server(
    session: &Session,
    query: Option<&str>,
    limit: Option<usize>,
) -> Result<Vec<Value>, Failure> {
    let client = &session.client;
    let mut out: Vec<Value> = Vec::new();
    let mut after: Option<Vec<Value>> = None;
    loop {
        let want = limit.map_or(MAX_PAGE_LIMIT as usize, |l| l - out.len());
        let req = SearchRequest {
            location_id: client.location_id().to_string(),
            page_limit: want.clamp(1, MAX_PAGE_LIMIT as usize) as u32,
            page: after.is_none().then_some(1),
            query: query.map(str::to_string),
            search_after: after.clone(),
            ..Default::default()
        };
        let (page, _) = client
            .search_raw(&req)
            .await
            .map_err(|e| Failure::api(&e))?;
        let n = page.len();
        // The next page starts after the last contact's `searchAfter` pair.
        let next = page
            .last()
            .and_then(|c| c.get("searchAfter"))
            .and_then(Value::as_array)
            .filter(|a| a.len() == 2)
            .cloned();
        out.extend(page);
        let full = limit.is_some_and(|l| out.len() >= l);
        if full || n < req.page_limit as usize || next.is_none() || next == after {
            break;
        }
        after = next;
    }
    if let Some(l) = limit {
        out.truncate(l);
    }
    Ok(out)
}

/// One contact, whole.
pub async fn show(from: &Source<'_>, id: &str) -> Result<Value, Failure> {
    match from {
        Source::Cached(replica) => {
            let owned = id.to_string();
            let got = replica
                .call(move |r| r.contact(&owned))
                .await
                .map_err(store_failed)?
                .map_err(store_failed)?;
            got.map(|(v, _)| v).ok_or_else(|| {
                Failure::new(
                    exit::NOT_FOUND,
                    format!("no contact {id} in the local copy"),
                )
            })
        }
        Source::Server(session) => session
            .client
            .contact_raw(id)
            .await
            .map_err(|e| Failure::api(&e)),
    }
}

/// The contact a command names: an id as it is, or an email (one `@`), looked for.
pub async fn resolve(session: &Session, who: &str) -> Result<String, Failure> {
    let who = who.trim();
    if !who.contains('@') {
        return Ok(who.to_string());
    }
    let found = match search_server(session, Some(who), Some(5)).await {
        Ok(found) => found,
        // Out of reach: the local copy knows the email, so the write can still be recorded.
        Err(f) => match local_email(session, who).await {
            Some(ids) => ids
                .into_iter()
                .map(|id| serde_json::json!({"id": id, "email": who}))
                .collect(),
            None => return Err(f),
        },
    };
    let exact: Vec<&Value> = found
        .iter()
        .filter(|c| text(c, "email").eq_ignore_ascii_case(who))
        .collect();
    match exact.as_slice() {
        [one] => Ok(text(one, "id")),
        [] => Err(Failure::new(
            exit::NOT_FOUND,
            format!("no contact has the email {who}"),
        )),
        _ => Err(Failure::new(
            exit::ERROR,
            format!("several contacts have the email {who}: name one by id"),
        )),
    }
}

/// The contacts the local copy has with this email (`None` without a local copy).
async fn local_email(session: &Session, email: &str) -> Option<Vec<String>> {
    let replica = session.replica.replica.as_ref()?;
    let email = email.to_string();
    replica
        .call(move |r| r.contact_by_email(&email))
        .await
        .ok()?
        .ok()
}
