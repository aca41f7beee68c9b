//! The event loop: terminal events, API results, signals and a tick become messages; update
//! turns them into effects; effects run on tokio and report back as messages. One owner of the
//! state, one draw per batch of messages.

use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::api::Client;
use crate::app::geometry::Geometry;
use crate::app::state::PendingView;
use crate::app::{self, Effect, Msg, Parts, State};
use crate::session::{LocalStore, Session, SharedStore, Switcher};
use crate::store::Store;

/// Sends results back to the loop, marked with the location they belong to: answers for a
/// location the user has left are dropped, however late they come.
#[derive(Clone)]
pub struct Tx {
    epoch: u64,
    tx: mpsc::UnboundedSender<(u64, Msg)>,
}

/// Marks messages that hold whatever location is current (news from locations left behind).
const ANY_EPOCH: u64 = u64::MAX;

/// How often the store is checked for commits by another copy of the app.
const STORE_WATCH: Duration = Duration::from_secs(2);

impl Tx {
    pub fn send(&self, msg: Msg) -> Result<(), Box<mpsc::error::SendError<(u64, Msg)>>> {
        self.tx.send((self.epoch, msg)).map_err(Box::new)
    }

    fn anywhere(&self) -> Tx {
        Tx {
            epoch: ANY_EPOCH,
            tx: self.tx.clone(),
        }
    }
}

/// A location opened in the background, waiting for the state to switch to it.
type Prepared = (String, Client, LocalStore);

/// Runs effects against the API and reports each result as a message.
pub struct Executor {
    client: Client,
    tx: Tx,
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
    /// The outbox and drafts; `None` when the local store could not be opened.
    store: Option<SharedStore>,
    /// Where the store lives (to open it again after a failure), and what to say of it once.
    store_path: Option<std::path::PathBuf>,
    store_said: Option<Msg>,
    /// Watches the store for what another copy of the app on the same profile does to it.
    store_watch: Option<JoinHandle<()>>,
    /// A store opened again in the background, waiting to be taken into use.
    reopened: Arc<Mutex<Option<SharedStore>>>,
    /// What the client waited for at the last look.
    last_waits: crate::api::waits::Waiting,
    /// One replay at a time: a second request while one runs makes it go round again.
    replaying: Arc<AtomicBool>,
    replay_again: Arc<AtomicBool>,
    /// The location talked to now.
    location: String,
    /// Locations left with changes still to send, each sent by a task of its own; told to
    /// stop when the user comes back (the state's replays take over).
    draining: std::collections::HashMap<String, tokio::sync::watch::Sender<bool>>,
}

use crate::private::lock;

/// A store error as the user reads it: which file, and why.
fn why(store: &Store, e: impl std::fmt::Display) -> String {
    match store.path() {
        Some(p) => format!("{}: {e}", p.display()),
        None => e.to_string(),
    }
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

/// What a newly opened store has to say: that there is none, or that it was rebuilt.
fn first_word(local: &LocalStore) -> Option<Msg> {
    match (&local.problem, &local.notice) {
        (Some(problem), _) => Some(Msg::StoreDown(problem.clone())),
        (None, Some(notice)) => Some(Msg::StoreNotice(notice.clone())),
        (None, None) => None,
    }
}

fn pending_views(store: &Mutex<Store>) -> Result<Vec<PendingView>, String> {
    let store = lock(store);
    let outbox = store.outbox().map_err(|e| why(&store, e))?;
    let blocked = outbox.blocked();
    let mut views: Vec<PendingView> = outbox
        .ready
        .into_iter()
        .map(|p| PendingView {
            id: p.id,
            contact_id: p.op.contact_id().map(String::from),
            what: p.op.describe(),
            attempts: p.attempts,
            // Written by any version, or salvaged: redacted before anything shows it.
            error: p.last_error.map(|e| crate::redact::text(&e).into_owned()),
            waits_for: blocked.get(&p.id).copied(),
            aside: None,
            op: Some(p.op),
        })
        .collect();
    views.extend(outbox.aside.into_iter().map(|a| PendingView {
        id: a.id,
        contact_id: None,
        what: format!("A change this version cannot read (#{})", a.id),
        attempts: 0,
        error: None,
        waits_for: None,
        aside: Some(a.why),
        op: None,
    }));
    views.sort_by_key(|v| v.id);
    Ok(views)
}

impl Executor {
    pub fn new(session: Session, tx: mpsc::UnboundedSender<(u64, Msg)>) -> Self {
        let Session {
            client,
            store: local,
            switcher,
            ..
        } = session;
        let store_said = first_word(&local);
        let (store, store_path) = (local.store, local.path);
        Executor {
            store_path,
            store_said,
            store_watch: None,
            reopened: Arc::default(),
            last_waits: Default::default(),
            location: client.location_id().to_string(),
            draining: Default::default(),
            client,
            tx: Tx { epoch: 0, tx },
            switcher,
            prepared: Arc::default(),
            opening: Arc::default(),
            contact_jobs: Vec::new(),
            jobs_for: None,
            page_jobs: Vec::new(),
            extras_job: None,
            store,
            replaying: Arc::new(AtomicBool::new(false)),
            replay_again: Arc::new(AtomicBool::new(false)),
        }
    }

    /// What the state must know of the store before anything else: that it was rebuilt, or
    /// that there is none.
    pub fn announce_store(&mut self) {
        if let Some(msg) = self.store_said.take() {
            let _ = self.tx.send(msg);
        }
        self.watch_store();
    }

    /// Another copy of the app on this profile sends and records too: when it commits, the
    /// waiting count here is read again, so both windows tell the truth.
    fn watch_store(&mut self) {
        if let Some(old) = self.store_watch.take() {
            old.abort();
        }
        let Some(store) = self.store.clone() else {
            return;
        };
        let tx = self.tx.clone();
        self.store_watch = Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(STORE_WATCH);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                every.tick().await;
                let changed = lock(&store).changed_elsewhere().unwrap_or(false);
                if changed && let Ok(pending) = pending_views(&store) {
                    let _ = tx.send(Msg::OutboxChanged(pending));
                }
            }
        }));
    }

    fn store_failed(&self, store: &Store, e: impl std::fmt::Display) {
        let why = why(store, e);
        tracing::error!(error = %why, "local store");
        let _ = self.tx.send(Msg::StoreDown(why));
    }

    /// Sends the outbox as it is now, so the counts are right at once (without touching the
    /// retry schedule, which only an answer from the server moves).
    fn report_pending(&self, store: &Mutex<Store>) {
        match pending_views(store) {
            Ok(pending) => {
                let _ = self.tx.send(Msg::OutboxChanged(pending));
            }
            Err(why) => {
                let _ = self.tx.send(Msg::StoreDown(why));
            }
        }
    }

    /// A store opened again in the background, taken into use at the next effect.
    fn adopt_reopened(&mut self) {
        let Some(store) = lock(&self.reopened).take() else {
            return;
        };
        self.store = Some(store.clone());
        self.watch_store();
        self.report_pending(&store);
        self.replay();
    }

    /// Tries the store again, off the event loop (opening can mean a check of the whole file,
    /// a salvage, or a wait on a lock): `Msg::StoreUp` or `Msg::StoreDown`.
    fn reopen_store(&self) {
        let (tx, slot, store, path) = (
            self.tx.clone(),
            self.reopened.clone(),
            self.store.clone(),
            self.store_path.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let answer = match (store, path) {
                (Some(store), _) => {
                    let s = lock(&store);
                    s.probe().map_err(|e| why(&s, e))
                }
                (None, Some(path)) => {
                    let local = LocalStore::open(path);
                    match (local.store, local.problem) {
                        (Some(store), _) => {
                            if let Some(notice) = local.notice {
                                let _ = tx.send(Msg::StoreNotice(notice));
                            }
                            *lock(&slot) = Some(store);
                            Ok(())
                        }
                        (None, problem) => Err(problem.unwrap_or_default()),
                    }
                }
                (None, None) => Err("no local store was opened".into()),
            };
            let _ = tx.send(match answer {
                Ok(()) => Msg::StoreUp,
                Err(why) => Msg::StoreDown(why),
            });
        });
    }

    /// Records writes before anything is sent; from then on they survive a crash. What cannot
    /// be recorded goes back to the state (`token` names the form it came from), which gives
    /// the text back.
    fn write(&mut self, ops: Vec<crate::api::WriteOp>, draft: Option<String>, token: u64) {
        let Some(store) = self.store.clone() else {
            let why = "the local store is not open".to_string();
            let _ = self.tx.send(Msg::NotRecorded { ops, why, token });
            self.reopen_store();
            return;
        };
        let recorded = {
            let s = lock(&store);
            s.record_all(&ops, draft.as_deref()).map_err(|e| why(&s, e))
        };
        match recorded {
            Ok(_) => {
                let _ = self.tx.send(Msg::Recorded { token });
                self.report_pending(&store);
                self.replay();
            }
            Err(why) => {
                tracing::error!(error = %why, "a change could not be recorded");
                let _ = self.tx.send(Msg::NotRecorded { ops, why, token });
            }
        }
    }

    fn replay(&self) {
        let Some(store) = self.store.clone() else {
            return;
        };
        if self.replaying.swap(true, Ordering::SeqCst) {
            self.replay_again.store(true, Ordering::SeqCst);
            return;
        }
        let (client, tx, replaying, again) = (
            self.client.clone(),
            self.tx.clone(),
            self.replaying.clone(),
            self.replay_again.clone(),
        );
        tokio::spawn(async move {
            loop {
                let sent = match crate::sync::replay(&client, &store).await {
                    Ok(sent) => sent,
                    Err(e) => {
                        let _ = tx.send(Msg::StoreDown(why(&lock(&store), e)));
                        Vec::new()
                    }
                };
                match pending_views(&store) {
                    Ok(pending) => {
                        let _ = tx.send(Msg::Synced { sent, pending });
                    }
                    Err(e) => {
                        let _ = tx.send(Msg::StoreDown(e));
                    }
                }
                let _ = tx.send(Msg::Budget(client.budget()));
                if again.swap(false, Ordering::SeqCst) {
                    continue;
                }
                replaying.store(false, Ordering::SeqCst);
                // A request that came between the check and the store found `replaying` still
                // set and only raised `again`: take it, unless another replay already has.
                if again.swap(false, Ordering::SeqCst) && !replaying.swap(true, Ordering::SeqCst) {
                    continue;
                }
                break;
            }
        });
    }

    pub fn run(&mut self, effect: Effect) {
        self.adopt_reopened();
        match effect {
            Effect::Write { ops, draft, token } => self.write(ops, draft, token),
            Effect::ReopenStore => self.reopen_store(),
            Effect::RetryAside { id } | Effect::DiscardAside { id } => {
                if let Some(store) = self.store.clone() {
                    let done = {
                        let s = lock(&store);
                        let r = if matches!(effect, Effect::RetryAside { .. }) {
                            s.retry_aside(id)
                        } else {
                            s.discard_aside(id)
                        };
                        r.map_err(|e| why(&s, e))
                    };
                    match done {
                        Ok(()) => {
                            self.report_pending(&store);
                            self.replay();
                        }
                        Err(why) => {
                            let _ = self.tx.send(Msg::StoreDown(why));
                        }
                    }
                }
            }
            Effect::Replay => self.replay(),
            Effect::Wake => self.client.wake(),
            Effect::ReloadContact { id } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = client.contact(&id).await;
                    let _ = tx.send(Msg::Contact { id, result });
                });
            }
            Effect::Withdraw { id } => {
                if let Some(store) = self.store.clone() {
                    let taken = lock(&store).withdraw(id);
                    match taken {
                        Ok(Some((key, payload))) => {
                            self.report_pending(&store);
                            let _ = self.tx.send(Msg::Withdrawn { key, payload });
                        }
                        // Sent meanwhile: nothing to take back.
                        Ok(None) => self.report_pending(&store),
                        Err(e) => self.store_failed(&lock(&store), e),
                    }
                }
            }
            Effect::ReplayAfter(after) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::ReplayDue);
                });
            }
            Effect::SaveDraft { key, payload, .. } => {
                if let Some(store) = &self.store {
                    let s = lock(store);
                    if let Err(e) = s.save_draft(&key, &payload) {
                        self.store_failed(&s, e);
                    }
                }
            }
            Effect::DiscardDraft { key } => {
                if let Some(store) = &self.store {
                    let s = lock(store);
                    if let Err(e) = s.discard_draft(&key) {
                        self.store_failed(&s, e);
                    }
                }
            }
            Effect::LoadDrafts => {
                if let Some(store) = &self.store {
                    let s = lock(store);
                    match s.drafts() {
                        Ok(d) => {
                            let _ = self.tx.send(Msg::Drafts(
                                d.into_iter().map(|d| (d.key, d.payload)).collect(),
                            ));
                        }
                        Err(e) => self.store_failed(&s, e),
                    }
                }
            }
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
            Effect::FetchFields => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
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
                tokio::spawn(async move {
                    let opened = switcher.open(id.clone()).await;
                    lock(&opening).remove(&id);
                    match opened {
                        Ok((client, store)) => {
                            lock(&prepared).push((id.clone(), client, store));
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
            Effect::Quit => {}
        }
    }

    /// Talks to `id` from now on. Loads under way are stopped and anything still on its way
    /// from the old location is dropped; its outbox keeps sending on its own until done.
    fn use_location(&mut self, id: &str) {
        let mut prepared = lock(&self.prepared);
        let Some(i) = prepared.iter().position(|(p, _, _)| p == id) else {
            tracing::error!(location = id, "switch to a location that was not opened");
            return;
        };
        let (_, client, local) = prepared.remove(i);
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
        self.jobs_for = None;
        if let Some(stop) = self.draining.remove(id) {
            let _ = stop.send(true);
        }
        let left = std::mem::replace(&mut self.location, id.to_string());
        let old_client = std::mem::replace(&mut self.client, client);
        // Always: a replay of the old location may be under way, and only a pass after it
        // (the outbox's send lock orders them) can tell what it left.
        self.store_said = first_word(&local);
        self.store_path = local.path;
        if let Some(old_store) = std::mem::replace(&mut self.store, local.store) {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            if let Some(earlier) = self.draining.insert(left.clone(), stop) {
                let _ = earlier.send(true);
            }
            let tx = self.tx.anywhere();
            tokio::spawn(drain(left, old_client, old_store, tx, stopped));
        }
        self.replaying = Arc::new(AtomicBool::new(false));
        self.replay_again = Arc::new(AtomicBool::new(false));
        self.tx.epoch += 1;
        self.announce_store();
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
                    self.contact_jobs.push((
                        $n,
                        tokio::spawn(async move {
                            let result = client.$call(&id).await;
                            let _ = tx.send(Msg::Budget(client.budget()));
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

/// Sends the outbox of a location the user has left until it is empty, waiting longer after
/// each pass that leaves something (2 s up to a minute), and says after each pass what is
/// still waiting and what was refused (refused changes are drafts in that location's store,
/// offered when it is opened again).
async fn drain(
    location: String,
    client: Client,
    store: SharedStore,
    tx: Tx,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = Duration::from_secs(2);
    while !*stop.borrow() {
        if let Err(e) = crate::sync::replay(&client, &store).await {
            tracing::error!(error = %e, %location, "outbox of a location left behind");
        }
        let counts = {
            let store = lock(&store);
            store
                .pending_count()
                .and_then(|w| Ok((w, store.rejected_count()?)))
        };
        let (waiting, refused) = match counts {
            Ok(counts) => counts,
            Err(e) => {
                tracing::error!(error = %e, %location, "outbox of a location left behind");
                return;
            }
        };
        tracing::info!(%location, waiting, refused, "sent what a location left behind had");
        let _ = tx.send(Msg::Elsewhere {
            location: location.clone(),
            waiting,
            refused,
        });
        if waiting == 0 {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

fn event_to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        _ => None,
    }
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Resolves on SIGTERM or SIGHUP (a closed SSH session). The handlers are installed when this
/// is called, not when it is first polled, so call it before the terminal enters raw mode: a
/// signal in between would otherwise kill the process with the terminal left broken.
pub fn termination() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let hup = signal(SignalKind::hangup()).ok();
        async move {
            match (term, hup) {
                (Some(mut term), Some(mut hup)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = hup.recv() => {}
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>()
}

/// Runs the app until the user quits, the terminal closes or a signal arrives; gives back the
/// last state, for what to say after the terminal is restored.
/// `make_events` gives a fresh terminal event stream: the stream is dropped while an external
/// editor runs, so it cannot steal the editor's keystrokes.
pub async fn run<B, E, S, F>(
    terminal: &mut Terminal<B>,
    mut state: State,
    session: Session,
    mut make_events: F,
    termination: S,
) -> anyhow::Result<State>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    S: std::future::Future<Output = ()>,
    F: FnMut() -> E,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.switchable = session.switcher.is_some();
    let mut exec = Executor::new(session, tx);
    exec.announce_store();
    let mut events = make_events();
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    for effect in app::init(&mut state) {
        exec.run(effect);
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_clock = std::time::Instant::now();
    tokio::pin!(termination);
    let mut dirty = true;
    loop {
        if dirty {
            let geometry = draw(terminal, &state)?;
            dirty = false;
            if geometry != state.geometry {
                // What the view measured comes back as a message; when it moves a cursor (the
                // first frame, a resize), the screen is drawn again to show it.
                let before = (state.list, state.pane_cursor.clone());
                for effect in app::update(&mut state, Msg::Drawn(geometry)) {
                    exec.run(effect);
                }
                dirty = before != (state.list, state.pane_cursor.clone());
            }
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => event_to_msg(ev).map(|m| (exec.epoch(), m)),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal input failed");
                    return Err(e.into());
                }
                // Input closed: the terminal is gone.
                None => break,
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = tick.tick() => {
                exec.poll_waits();
                // Idle screens are not redrawn for the spinner; the clock moves once a minute
                // so overdue marks stay true.
                if state.is_busy() || last_clock.elapsed() >= Duration::from_secs(60) {
                    last_clock = std::time::Instant::now();
                    Some((exec.epoch(), Msg::Tick(now())))
                } else {
                    None
                }
            }
            _ = &mut termination => Some((exec.epoch(), Msg::Shutdown)),
        };
        let mut batch: Vec<(u64, Msg)> = first.into_iter().collect();
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut quitting = false;
        for (epoch, msg) in batch {
            // Checked here, not when drained: a switch earlier in this batch makes the rest of
            // the old location's answers stale.
            if !exec.accepts(epoch) {
                continue;
            }
            // A key becomes an action for the scope the state is in now (an earlier key of
            // this batch may have opened a dialog).
            let Some(msg) = app::keys::resolve(&state, msg) else {
                continue;
            };
            dirty = true;
            for effect in app::update(&mut state, msg) {
                if effect == Effect::Quit {
                    quitting = true;
                    continue;
                }
                if let Effect::OpenEditor { text } = effect {
                    // The old stream is dropped first: its reader thread may be blocked in a
                    // poll holding crossterm's global reader lock, which a new stream takes
                    // when created (so creating it first could hang until a key came). The
                    // drop wakes that poll and the thread lets go; the new stream is made once
                    // the editor has exited, so nothing reads the editor's keystrokes.
                    drop(events);
                    crate::terminal::settle_input();
                    let result = suspended(terminal, || edit_externally(&text));
                    events = make_events();
                    let result = result?;
                    let _ = exec.tx.send(Msg::EditorDone(result));
                } else {
                    exec.run(effect);
                }
            }
        }
        if quitting {
            break;
        }
    }
    Ok(state)
}

/// Gives the terminal back to the shell while `f` runs (an editor), then takes it again and
/// redraws everything.
fn suspended<B, T>(terminal: &mut Terminal<B>, f: impl FnOnce() -> T) -> anyhow::Result<T>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    crate::terminal::restore()?;
    let out = f();
    crate::terminal::resume()?;
    // `clear()` would ask the terminal where its cursor is and wait for the answer on stdin;
    // a resize to the same size clears and forces a full redraw without asking anything.
    let area = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, area.width, area.height))?;
    Ok(out)
}

fn draw<B>(terminal: &mut Terminal<B>, state: &State) -> anyhow::Result<Geometry>
where
    B: Backend + Write,
    B::Error: Send + Sync + 'static,
{
    // Synchronized output: the terminal shows the finished frame at once, never a half-drawn
    // one, which matters on slow links.
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let mut geometry = Geometry::default();
    terminal.draw(|f| geometry = crate::ui::view(state, f))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(geometry)
}

/// Runs `$VISUAL`/`$EDITOR` (else `vi`) on `text` in a private temporary file and returns what
/// the user saved. The caller has left raw mode and the alternate screen.
pub fn edit_externally(text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let mut file = tempfile::Builder::new()
        .prefix("ghl-tui-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| format!("temporary file: {e}"))?;
    // Ending in a line break, as editors and tools expect: a line appended by `echo >>`
    // would otherwise join the last one.
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(|e| format!("temporary file: {e}"))?;
    file.flush().map_err(|e| format!("temporary file: {e}"))?;
    // The editor may be a command with arguments (`code --wait`).
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(file.path())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{program} exited with {status}; the text was not changed"
        ));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("reading back: {e}"))
}
