//! The export's loop: pages of the search, oldest contact first, each page (or with `--deep`
//! each contact, once its notes, tasks and appointments are in) written and checkpointed
//! before the next. A few contacts are fetched at once so the burst limit, not the network's
//! latency, sets the pace; they are written in the search's order all the same.

use std::collections::VecDeque;

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use indicatif::ProgressBar;
use serde_json::{Value, json};

use super::allowance::Allowance;
use super::columns::{Activity, Record};
use super::progress::Progress;
use super::sink::Sink;
use crate::api::{ApiError, Client, SearchRequest};

/// Contacts a search page holds (the endpoint's most).
pub const PAGE: u32 = crate::api::envelopes::MAX_PAGE_LIMIT;
/// Requests a contact costs with `--deep`.
pub const PER_CONTACT: u64 = 3;
/// Contacts fetched at once with `--deep`: enough to keep 100 requests per 10 s going at a
/// second of latency.
const AT_ONCE: usize = 4;

/// One page of the search.
pub struct Page {
    pub contacts: Vec<Value>,
    pub total: Option<u64>,
}

impl Page {
    fn cursor(&self) -> Option<Vec<Value>> {
        self.contacts
            .last()
            .and_then(|c| c.get("searchAfter"))
            .and_then(Value::as_array)
            .cloned()
    }
}

/// Contacts by `dateAdded`, oldest first, after `after`. Not by `dateUpdated`: a contact
/// changed during a long export would move behind the cursor and come twice; here it keeps its
/// place, and contacts added meanwhile come at the end.
pub async fn page(client: &Client, after: Option<&Vec<Value>>) -> Result<Page, ApiError> {
    let req = SearchRequest {
        location_id: client.location_id().to_string(),
        page_limit: PAGE,
        search_after: after.cloned(),
        sort: vec![json!({"field": "dateAdded", "direction": "asc"})],
        ..Default::default()
    };
    let (contacts, total) = client.search_raw(&req).await?;
    Ok(Page { contacts, total })
}

/// How the loop ended.
pub enum End {
    Finished,
    /// The team's share of the day is reached.
    Paused,
    Failed(ApiError),
    /// The output could not be written (or its reader went away).
    Io(std::io::Error),
}

pub struct Job<'a> {
    pub client: &'a Client,
    pub sink: &'a mut dyn Sink,
    pub progress: &'a mut Progress,
    pub allowance: &'a mut Allowance,
    pub bar: &'a ProgressBar,
}

impl Job<'_> {
    /// Writes `first` and every page after it.
    pub async fn run(mut self, first: Page) -> End {
        let mut page = first;
        loop {
            self.progress.total = page.total.or(self.progress.total);
            if let Some(t) = self.progress.total {
                self.bar.set_length(t.max(self.seen()));
            }
            let cursor = page.cursor();
            // Not ended by the total: contacts deleted meanwhile would end it early, before
            // those added at the end. A full last page costs one request answered empty.
            let last = page.contacts.len() < PAGE as usize
                || cursor.is_none()
                || cursor == self.progress.after;
            let end = if self.progress.identity.deep {
                self.deep(page.contacts).await
            } else {
                self.shallow(page.contacts)
            };
            if let Some(end) = end {
                return end;
            }
            if last {
                return End::Finished;
            }
            if !self.allowance.may_send(self.client.budget(), 0, 1) {
                return End::Paused;
            }
            self.allowance.started(1);
            page = match self::page(self.client, self.progress.after.as_ref()).await {
                Ok(p) => p,
                Err(e) => return End::Failed(e),
            };
            self.progress.requests += 1;
        }
    }

    fn seen(&self) -> u64 {
        self.progress.done + self.progress.gone
    }

    fn shallow(&mut self, contacts: Vec<Value>) -> Option<End> {
        if contacts.is_empty() {
            return None;
        }
        if let Some(after) = contacts
            .last()
            .and_then(|c| c.get("searchAfter"))
            .and_then(Value::as_array)
        {
            self.progress.after = Some(after.clone());
        }
        let records: Vec<Record> = contacts
            .into_iter()
            .map(|contact| Record {
                contact,
                deep: None,
            })
            .collect();
        self.progress.done += records.len() as u64;
        if let Err(e) = self.sink.commit(&records, self.progress) {
            return Some(End::Io(e));
        }
        self.bar.set_position(self.seen());
        None
    }

    /// Each contact of the page with what belongs to it, written one by one.
    async fn deep(&mut self, contacts: Vec<Value>) -> Option<End> {
        let mut queue: VecDeque<Value> = contacts.into();
        let mut in_flight = FuturesOrdered::new();
        let mut paused = false;
        loop {
            while !paused && in_flight.len() < AT_ONCE && !queue.is_empty() {
                let busy = in_flight.len() as u64 * PER_CONTACT;
                if !self
                    .allowance
                    .may_send(self.client.budget(), busy, PER_CONTACT)
                {
                    paused = true;
                    break;
                }
                if let Some(contact) = queue.pop_front() {
                    self.allowance.started(PER_CONTACT);
                    in_flight.push_back(activity_of(self.client, contact));
                }
            }
            let Some((contact, got)) = in_flight.next().await else {
                return paused.then_some(End::Paused);
            };
            self.progress.requests += PER_CONTACT;
            let records = match got {
                Ok(Some(a)) => {
                    self.progress.done += 1;
                    self.progress.notes += a.notes.len() as u64;
                    self.progress.tasks += a.tasks.len() as u64;
                    self.progress.appointments += a.appointments.len() as u64;
                    vec![Record {
                        contact: contact.clone(),
                        deep: Some(a),
                    }]
                }
                Ok(None) => {
                    self.progress.gone += 1;
                    Vec::new()
                }
                // What was written before it stays; the contacts after it are read again.
                Err(e) => return Some(End::Failed(e)),
            };
            if let Some(after) = contact.get("searchAfter").and_then(Value::as_array) {
                self.progress.after = Some(after.clone());
            }
            if let Err(e) = self.sink.commit(&records, self.progress) {
                return Some(End::Io(e));
            }
            self.bar.set_position(self.seen());
        }
    }
}

/// A contact's notes, tasks and appointments, read at once; `None` when the contact was
/// deleted after the search listed it (all three not found).
async fn activity_of(
    client: &Client,
    contact: Value,
) -> (Value, Result<Option<Activity>, ApiError>) {
    let id = contact
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if id.is_empty() {
        return (contact, Ok(Some(Activity::default())));
    }
    let (notes, tasks, events) = tokio::join!(
        client.notes(&id),
        client.tasks(&id),
        client.appointments(&id)
    );
    if gone(&notes) && gone(&tasks) && gone(&events) {
        return (contact, Ok(None));
    }
    let got = (|| {
        Ok(Some(Activity {
            notes: values(notes)?,
            tasks: values(tasks)?,
            appointments: values(events)?,
        }))
    })();
    (contact, got)
}

fn gone<T>(got: &Result<T, ApiError>) -> bool {
    matches!(got, Err(ApiError::NotFound { .. }))
}

/// The API's records back in the API's shape; one kind not found is none of that kind.
fn values<T: serde::Serialize>(got: Result<Vec<T>, ApiError>) -> Result<Vec<Value>, ApiError> {
    match got {
        Ok(items) => Ok(items
            .iter()
            .filter_map(|i| serde_json::to_value(i).ok())
            .collect()),
        Err(ApiError::NotFound { .. }) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}
