//! Runs effects: requests to the API on tokio tasks (newest wins where the user moved on),
//! the store's work through `Local`, and the switch to another location. Every result comes
//! back as a message marked with the location it belongs to.

use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use super::local::Local;
use super::replay::drain;
use super::{ANY_EPOCH, Tx, now};
use crate::api::Client;
use crate::app::{Effect, Msg, Parts};
use crate::private::lock;
use crate::session::{LocalStore, Session, Switcher};

/// A location opened in the background, waiting for the state to switch to it.
type Prepared = (String, Client, LocalStore, crate::session::OpenedReplica);

/// Runs effects against the API and the store, and reports each result as a message.
pub struct Executor {
    client: Client,
    pub(super) tx: Tx,
    switcher: Option<Arc<dyn Switcher>>,
    prepared: Arc<Mutex<Vec<Prepared>>>,
    /// Locations being opened.
    opening: Arc<Mutex<std::collections::HashSet<String>>>,
    /// The requests of the contact whose parts are loading; replaced by the next load.
    contact_jobs: Vec<(u8, JoinHandle<()>)>,
    jobs_for: Option<String>,
    /// Page fetches under way, by set generation: a refresh calls off the one it replaces.
    page_jobs: Vec<(u64, JoinHandle<()>)>,
    /// The location's extras being fetched (fields, tags, details, zones, users): called off
    /// when the user switches location, so nothing more is asked of the old one.
    extras_job: Option<JoinHandle<()>>,
    /// The work queue's fetch under way: a newer one calls it off.
    queue_job: Option<JoinHandle<()>>,
    /// The outbox and drafts of the location in use.
    local: Local,
    /// What the client waited for at the last look.
    last_waits: crate::api::waits::Waiting,
    /// The location talked to now.
    location: String,
    /// Locations left with changes still to send, each sent by a task of its own; told to
    /// stop when the user comes back (the state's replays take over).
    draining: std::collections::HashMap<String, tokio::sync::watch::Sender<bool>>,
    /// The replica of the location in use, and its background sync.
    syncer: super::syncer::Syncer,
    sync_settings: crate::session::SyncSettings,
    finder: super::finder::Finder,
}

/// The client's waits on the UTC wall clock, for the state.
fn net_view(w: &crate::api::waits::Waiting) -> crate::app::state::Net {
    let (now, wall) = (tokio::time::Instant::now(), now());
    let at = |t: tokio::time::Instant| {
        let ahead = t.saturating_duration_since(now);
        let behind = now.saturating_duration_since(t);
        wall + chrono::Duration::from_std(ahead).unwrap_or_default()
            - chrono::Duration::from_std(behind).unwrap_or_default()
    };
    crate::app::state::Net {
        held: w.held.map(|(h, t)| (h, at(t))),
        answer_since: w.answer_since.map(at),
        retry_at: w.retry_at.map(at),
        daily_resets: w.daily_resets.map(|t| t.naive_utc()),
    }
}

impl Executor {
    /// Must be made inside the tokio runtime.
    pub fn new(session: Session, tx: tokio::sync::mpsc::UnboundedSender<(u64, Msg)>) -> Self {
        let Session {
            client,
            store,
            switcher,
            replica,
            sync,
            ..
        } = session;
        let tx = Tx { epoch: 0, tx };
        Executor {
            local: Local::new(store, client.clone(), tx.clone()),
            last_waits: Default::default(),
            location: client.location_id().to_string(),
            draining: Default::default(),
            client,
            tx,
            switcher,
            prepared: Arc::default(),
            opening: Arc::default(),
            contact_jobs: Vec::new(),
            jobs_for: None,
            page_jobs: Vec::new(),
            extras_job: None,
            queue_job: None,
            syncer: super::syncer::Syncer::new(replica, sync.clone()),
            sync_settings: sync,
            finder: super::finder::Finder::start(),
        }
    }

    /// The replica's list and sync mark, read before the first frame (so it can show them).
    pub async fn read_replica(&self) -> Option<Msg> {
        super::syncer::read(self.syncer.replica()?, true).await
    }

    /// Whether a background sync runs for this location.
    pub fn syncing(&self) -> bool {
        self.syncer.syncing()
    }

    /// Starts the background sync of the location in use.
    pub fn start_sync(&mut self) {
        let tx = self.tx.clone();
        self.syncer.start(&self.client, tx);
    }

    /// What the state must know of the store before anything else: that it was rebuilt, or
    /// that there is none.
    pub fn announce_store(&mut self) {
        self.local.announce();
    }

    /// Waits (at most `wait`) for the store to write everything it was sent, drafts held for
    /// a pause included: on the way out, so what was typed is on disk before the process ends.
    pub fn flush_store(&self, wait: std::time::Duration) {
        self.local.flush(wait);
    }

    pub fn run(&mut self, effect: Effect) {
        self.local.adopt_reopened();
        match effect {
            Effect::SyncNow { full } => self.syncer.now(full),
            Effect::LoadReplica => self.syncer.reload(self.tx.clone()),
            Effect::ForgetContact { id } => {
                if let Some(replica) = self.syncer.replica() {
                    replica.run(move |r| {
                        if let Err(e) = r.remove(&id) {
                            tracing::warn!(error = %e, "could not drop a deleted contact from the replica");
                        }
                    });
                }
            }
            Effect::Find {
                generation,
                index,
                query,
                within,
            } => self
                .finder
                .find(generation, index, query, within, self.tx.clone()),
            Effect::FindNotes { generation, text } => {
                let Some(replica) = self.syncer.replica().cloned() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    if let Ok(Ok(ids)) = replica.call(move |r| r.notes_matching(&text, 200)).await {
                        let _ = tx.send(Msg::NoteHits { generation, ids });
                    }
                });
            }
            Effect::Write { ops, draft, token } => self.local.write(ops, draft, token),
            Effect::ReopenStore => self.local.reopen(),
            Effect::RetryAside { id } => self.local.aside(id, true),
            Effect::DiscardAside { id } => self.local.aside(id, false),
            Effect::Replay => self.local.replay(),
            Effect::Wake => self.client.wake(),
            Effect::ReloadContact { id } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = client.contact(&id).await;
                    let _ = tx.send(Msg::Contact { id, result });
                });
            }
            Effect::Withdraw { id } => self.local.withdraw(id),
            Effect::ReplayAfter(after) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::ReplayDue);
                });
            }
            Effect::SaveDraft { key, payload, now } => self.local.save_draft(key, payload, now),
            Effect::DiscardDraft { key } => self.local.discard_draft(key),
            Effect::LoadDrafts => self.local.load_drafts(),
            // The event loop runs the editor: it owns the terminal.
            Effect::OpenEditor { .. } => {}
            Effect::FetchPage {
                generation,
                request,
            } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                self.page_jobs.retain(|(_, j)| !j.is_finished());
                let job = tokio::spawn(async move {
                    let result = client.search(&request).await;
                    let _ = tx.send(Msg::Budget(client.budget()));
                    let _ = tx.send(Msg::Page {
                        generation,
                        request,
                        result,
                    });
                });
                self.page_jobs.push((generation, job));
            }
            Effect::CancelFetch { generation } => {
                for (_, job) in self.page_jobs.iter().filter(|(g, _)| *g == generation) {
                    job.abort();
                }
                self.page_jobs.retain(|(g, _)| *g != generation);
            }
            Effect::LoadContact { id, parts } => self.load_contact(id, parts),
            Effect::FetchQueue {
                generation,
                filter,
                events,
            } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                let replica = self.syncer.replica().cloned();
                if let Some(old) = self.queue_job.take() {
                    old.abort();
                }
                self.queue_job = Some(tokio::spawn(async move {
                    // Kept in the replica like a contact's parts: offline, the last queue
                    // fetched (for this filter) is shown.
                    let tasks = async {
                        let key = format!("~queue:{}", filter.assigned_to.join(","));
                        // What was kept, on screen at once, while the server is asked.
                        if let Some(replica) = replica.as_ref() {
                            let owned = key.clone();
                            let kept = replica.call(move |r| r.part(&owned, "queue_tasks")).await;
                            if let Ok(Ok(Some((json, fetched_ms)))) = kept
                                && let Ok(tasks) = serde_json::from_value(json)
                            {
                                let _ = tx.send(Msg::QueueCached {
                                    generation,
                                    tasks,
                                    fetched_ms,
                                });
                            }
                        }
                        let result = client.location_tasks(&filter).await;
                        let result =
                            cached(replica.as_ref(), &key, "queue_tasks", result, &tx).await;
                        let _ = tx.send(Msg::QueueTasks { generation, result });
                    };
                    let today = async {
                        if let Some((user, from, to)) = events {
                            let key = format!("~queue:{user}:{from}");
                            let result = client.user_events(&user, from, to).await;
                            let result =
                                cached(replica.as_ref(), &key, "queue_events", result, &tx).await;
                            let _ = tx.send(Msg::QueueEvents { generation, result });
                        }
                    };
                    tokio::join!(tasks, today);
                    let _ = tx.send(Msg::Budget(client.budget()));
                }));
            }
            Effect::ReadClocks { contact_ids } => {
                if let Some(replica) = self.syncer.replica().cloned() {
                    tokio::spawn(clocks(replica, contact_ids, self.tx.clone()));
                }
            }
            // The event loop writes to the terminal.
            Effect::Copy { .. } => {}
            Effect::OpenUrl { url } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(why) = crate::launch::browse(&url) {
                        let _ = tx.send(Msg::NotOpened { url, why });
                    }
                });
            }
            Effect::RememberMe { user_id } => {
                let key = format!("me:{}", self.client.location_id());
                self.local.remember(key, user_id);
            }
            Effect::FetchFields => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                let replica = self.syncer.replica().cloned();
                if let Some(old) = self.extras_job.take() {
                    old.abort();
                }
                self.extras_job = Some(tokio::spawn(async move {
                    // Extras, each needing a scope a token may lack: without one the app
                    // shows ids (fields, users), completes tags from what is loaded and takes
                    // any zone name; the log says why. Asked side by side; the users wait for
                    // the location, whose company the current endpoint needs.
                    fn noted<T>(what: &str, r: &Result<T, crate::api::ApiError>) {
                        if let Err(e) = r {
                            tracing::info!(error = %e, "{what} unavailable");
                        }
                    }
                    let fields = async {
                        let fields = client.custom_fields().await;
                        noted("custom field names", &fields);
                        let _ = tx.send(Msg::Fields(fields));
                    };
                    let tags = async {
                        let tags = client.location_tags().await;
                        noted("location tags", &tags);
                        let _ = tx.send(Msg::LocationTags(tags));
                    };
                    let zones = async {
                        let zones = client.timezones().await;
                        noted("the location's timezones", &zones);
                        let _ = tx.send(Msg::Zones(zones));
                    };
                    let people = async {
                        let place = client.location().await;
                        noted("the location's details", &place);
                        let company = place.as_ref().ok().and_then(|p| p.company_id.clone());
                        let _ = tx.send(Msg::Place(place));
                        let users = client.users(company.as_deref()).await;
                        noted("the location's users", &users);
                        // Kept: offline, people still have names.
                        let users = cached(replica.as_ref(), "~users", "users", users, &tx).await;
                        let _ = tx.send(Msg::Users(users));
                    };
                    tokio::join!(fields, tags, zones, people);
                }));
            }
            Effect::Settle { generation, after } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::Settled(generation));
                });
            }
            Effect::ListLocations => {
                let tx = self.tx.clone();
                let Some(switcher) = self.switcher.clone() else {
                    let _ = tx.send(Msg::Locations(Err("this sign-in has one location".into())));
                    return;
                };
                tokio::spawn(async move {
                    let result = switcher.locations().await.map_err(|e| e.one_line());
                    let _ = tx.send(Msg::Locations(result));
                });
            }
            Effect::OpenLocation { id, name } => {
                let (tx, prepared) = (self.tx.clone(), self.prepared.clone());
                let Some(switcher) = self.switcher.clone() else {
                    return;
                };
                // Picked again (after Esc) while still opening: the one answer serves both,
                // so the first attempt's failure cannot be taken for the second's.
                if !lock(&self.opening).insert(id.clone()) {
                    return;
                }
                let opening = self.opening.clone();
                let cache = self.sync_settings.cache;
                tokio::spawn(async move {
                    let opened = switcher.open(id.clone()).await;
                    lock(&opening).remove(&id);
                    match opened {
                        Ok((client, store)) => {
                            // An agency's other locations get their own replica, opened
                            // (off the event loop) when the user goes there.
                            let path = store.path.clone();
                            let replica = tokio::task::spawn_blocking(move || {
                                crate::session::open_replica(path.as_deref(), cache)
                            })
                            .await
                            .unwrap_or_default();
                            lock(&prepared).push((id.clone(), client, store, replica));
                            let _ = tx.send(Msg::LocationOpened { id, name });
                        }
                        Err(e) => {
                            let why = e.one_line();
                            let _ = tx.send(Msg::LocationFailed { id, why });
                        }
                    }
                });
            }
            Effect::UseLocation { id } => self.use_location(&id),
            // The event loop stops on it.
            Effect::Quit => {}
        }
    }

    /// Talks to `id` from now on. Loads under way are stopped and anything still on its way
    /// from the old location is dropped; its outbox keeps sending on its own until done.
    fn use_location(&mut self, id: &str) {
        let mut prepared = lock(&self.prepared);
        let Some(i) = prepared.iter().position(|(p, _, _, _)| p == id) else {
            tracing::error!(location = id, "switch to a location that was not opened");
            return;
        };
        let (_, client, local, replica) = prepared.remove(i);
        prepared.clear();
        drop(prepared);
        tracing::info!(location = id, "switched location");
        if let Some(switcher) = self.switcher.clone() {
            let id = id.to_string();
            tokio::spawn(async move { switcher.remember(id).await });
        }
        for (_, job) in self.contact_jobs.drain(..) {
            job.abort();
        }
        for (_, job) in self.page_jobs.drain(..) {
            job.abort();
        }
        if let Some(job) = self.extras_job.take() {
            job.abort();
        }
        if let Some(job) = self.queue_job.take() {
            job.abort();
        }
        self.jobs_for = None;
        if let Some(stop) = self.draining.remove(id) {
            let _ = stop.send(true);
        }
        let left = std::mem::replace(&mut self.location, id.to_string());
        let old_client = std::mem::replace(&mut self.client, client);
        // Answers for the old location carry the old epoch from here on, and are dropped.
        self.tx.epoch += 1;
        let fresh = Local::new(local, self.client.clone(), self.tx.clone());
        // Always: a replay of the old location may be under way, and only a pass after it
        // (the outbox's send lock orders them) can tell what it left.
        if let Some(old_store) = std::mem::replace(&mut self.local, fresh).store() {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            if let Some(earlier) = self.draining.insert(left.clone(), stop) {
                let _ = earlier.send(true);
            }
            let tx = self.tx.anywhere();
            tokio::spawn(drain(left, old_client, old_store, tx, stopped));
        }
        self.announce_store();
        if let Some(notice) = replica.notice.clone() {
            let _ = self.tx.send(Msg::ReplicaNotice(notice));
        }
        self.syncer = super::syncer::Syncer::new(replica, self.sync_settings.clone());
        if let Some(handle) = self.syncer.replica().cloned() {
            let tx = self.tx.clone();
            tokio::spawn(async move {
                if let Some(msg) = super::syncer::read(&handle, true).await {
                    let _ = tx.send(msg);
                }
                if let Some(msg) = super::syncer::read(&handle, false).await {
                    let _ = tx.send(msg);
                }
            });
        }
        self.start_sync();
    }

    /// Which location's answers count now.
    pub fn epoch(&self) -> u64 {
        self.tx.epoch
    }

    /// Tells the state what requests wait for, when that changed since the last call.
    pub fn poll_waits(&mut self) {
        let waits = self.client.waiting();
        if waits == self.last_waits {
            return;
        }
        self.last_waits = waits;
        // The clock first, so the waits are measured against now, not the last tick.
        let _ = self.tx.send(Msg::Tick(now()));
        let _ = self.tx.send(Msg::Net(net_view(&waits)));
    }

    /// Whether a message sent under `epoch` still counts: it is about the location the user is
    /// in, or about any location (news from those left behind).
    pub fn accepts(&self, epoch: u64) -> bool {
        epoch == self.tx.epoch || epoch == ANY_EPOCH
    }

    fn load_contact(&mut self, id: String, parts: Parts) {
        // Newest contact wins: the user moved on, so the old answers are not worth waiting
        // for. More parts of the same contact join the requests already under way.
        if self.jobs_for.as_deref() != Some(id.as_str()) {
            for (_, job) in self.contact_jobs.drain(..) {
                job.abort();
            }
            self.jobs_for = Some(id.clone());
        }
        self.contact_jobs.retain(|(_, j)| !j.is_finished());
        macro_rules! part {
            ($want:expr, $n:expr, $call:ident, $msg:ident) => {
                if $want {
                    // Asked again (a refresh): the request still under way is called off, so
                    // a stalled one stops counting as waited for.
                    for (_, job) in self.contact_jobs.iter().filter(|(p, _)| *p == $n) {
                        job.abort();
                    }
                    self.contact_jobs.retain(|(p, _)| *p != $n);
                    let (client, tx, id) = (self.client.clone(), self.tx.clone(), id.clone());
                    let replica = self.syncer.replica().cloned();
                    self.contact_jobs.push((
                        $n,
                        tokio::spawn(async move {
                            let result = client.$call(&id).await;
                            let _ = tx.send(Msg::Budget(client.budget()));
                            let result =
                                cached(replica.as_ref(), &id, stringify!($call), result, &tx).await;
                            let _ = tx.send(Msg::$msg { id, result });
                        }),
                    ));
                }
            };
        }
        part!(parts.detail, 0, contact, Contact);
        part!(parts.tasks, 1, tasks, Tasks);
        part!(parts.notes, 2, notes, Notes);
        part!(parts.appointments, 3, appointments, Appointments);
    }
}

/// A contact's part through the replica: what arrived is kept there; when the server cannot
/// be reached, the copy kept last time is shown instead; a contact the server no longer has
/// leaves it (and the list).
/// The timezone and DND of each of `ids`, from the replica's record of the contact. Read on
/// the store's thread; a contact not kept yet is left out.
async fn clocks(replica: crate::store::ReplicaHandle, ids: Vec<String>, tx: super::Tx) {
    let found = replica
        .call(move |r| {
            let mut out = std::collections::HashMap::new();
            for id in ids {
                if out.contains_key(&id) {
                    continue;
                }
                if let Ok(Some((json, _))) = r.contact(&id)
                    && let Ok(c) = serde_json::from_value::<crate::api::Contact>(json)
                {
                    let dnd = crate::app::callable::dnd_blocks(&c);
                    let zone = c.timezone.filter(|z| !z.trim().is_empty());
                    out.insert(id, (zone, dnd));
                }
            }
            out
        })
        .await;
    if let Ok(found) = found
        && !found.is_empty()
    {
        let _ = tx.send(Msg::QueueClocks(found));
    }
}

async fn cached<T>(
    replica: Option<&crate::store::ReplicaHandle>,
    id: &str,
    kind: &'static str,
    result: Result<T, crate::api::ApiError>,
    tx: &super::Tx,
) -> Result<T, crate::api::ApiError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    use crate::api::ApiError;
    let Some(replica) = replica else {
        return result;
    };
    let now = chrono::Utc::now().timestamp_millis();
    let owned = id.to_string();
    match result {
        Ok(v) => {
            if let Ok(json) = serde_json::to_value(&v) {
                // Kept in the background: the answer is not held up by the disk.
                replica.run(move |r| {
                    let stored = if kind == "contact" {
                        r.put_contact(&json, now).map(|_| ())
                    } else {
                        r.put_part(&owned, kind, &json, now)
                    };
                    if let Err(e) = stored {
                        tracing::warn!(error = %e, kind, "could not keep it in the replica");
                    }
                });
            }
            Ok(v)
        }
        Err(ApiError::NotFound { message }) if kind == "contact" => {
            let removed = replica.call(move |r| r.remove(&owned)).await;
            if matches!(removed, Ok(Ok(true))) {
                let _ = tx.send(Msg::ContactGone { id: id.to_string() });
            }
            Err(ApiError::NotFound { message })
        }
        Err(e) if e.is_transient() => {
            let copy = replica
                .call(move |r| {
                    if kind == "contact" {
                        r.contact(&owned)
                    } else {
                        r.part(&owned, kind)
                    }
                })
                .await;
            match copy {
                Ok(Ok(Some((json, _at)))) => serde_json::from_value(json).or(Err(e)),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
