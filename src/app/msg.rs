//! Messages into the state machine and effects out of it. Both are plain data, so update can be
//! tested without a terminal or a network.

use std::time::Duration;

use chrono::NaiveDateTime;
use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::{
    ApiError, Appointment, Contact, ContactPage, CustomFieldDef, Note, RateBudget, SearchRequest,
    Task,
};

// Messages are moved once each, from a channel into update; boxing the big ones would cost
// more code than the bytes it saves.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    /// A key as the terminal sent it; `keys::resolve` makes it one of the two below.
    Key(KeyEvent),
    /// A key bound to `Action` where the state is.
    Act(super::keymap::Action),
    /// A key bound to nothing where text is typed: it goes into the text.
    Type(KeyEvent),
    /// The view drew, and measured this.
    Drawn(super::geometry::Geometry),
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    Resize(u16, u16),
    /// Spinner frame and clock.
    Tick(NaiveDateTime),
    /// A page of the contact list (or of a search) arrived.
    Page {
        generation: u64,
        request: SearchRequest,
        result: Result<ContactPage, ApiError>,
    },
    Contact {
        id: String,
        result: Result<Contact, ApiError>,
    },
    Tasks {
        id: String,
        result: Result<Vec<Task>, ApiError>,
    },
    Notes {
        id: String,
        result: Result<Vec<Note>, ApiError>,
    },
    Appointments {
        id: String,
        result: Result<Vec<Appointment>, ApiError>,
    },
    /// The tags in use in the location (for completion).
    LocationTags(Result<Vec<String>, ApiError>),
    /// The location's custom field definitions (for their names).
    Fields(Result<Vec<CustomFieldDef>, ApiError>),
    /// The location itself: its name, country, timezone, company.
    Place(Result<crate::api::LocationInfo, ApiError>),
    /// The timezones the location offers.
    Zones(Result<Vec<String>, ApiError>),
    /// The location's users, to show people by name.
    Users(Result<Vec<crate::api::User>, ApiError>),
    /// The work queue's open tasks, across the location.
    QueueTasks {
        generation: u64,
        result: Result<Vec<crate::api::QueueTask>, ApiError>,
    },
    /// The queue as kept in the replica (fetched at `fetched_ms`), shown while it is asked
    /// again.
    QueueCached {
        generation: u64,
        tasks: Vec<crate::api::QueueTask>,
        fetched_ms: i64,
    },
    /// The queue's contacts' timezones and DND, from the replica: id -> (timezone, DND).
    QueueClocks(std::collections::HashMap<String, (Option<String>, bool)>),
    /// The user's appointments today.
    QueueEvents {
        generation: u64,
        result: Result<Vec<crate::api::Appointment>, ApiError>,
    },
    /// The selection has stayed put for the debounce time.
    Settled(u64),
    Budget(RateBudget),
    /// What requests wait for changed.
    Net(super::state::Net),
    /// The outbox was replayed: what happened to each write sent, and what still waits.
    Synced {
        sent: Vec<crate::sync::Sent>,
        pending: Vec<super::state::PendingView>,
    },
    /// Changes cannot be recorded: the local store is unavailable (why, naming the file).
    StoreDown(String),
    /// The local store takes changes again.
    StoreUp,
    /// Said once: the local store was damaged, moved aside and made anew.
    StoreNotice(String),
    /// These writes could not be recorded, so they were not sent: what was shown is undone
    /// and the text goes back to its editor (the form kept under `token`).
    NotRecorded {
        ops: Vec<crate::api::WriteOp>,
        why: String,
        token: u64,
    },
    /// The writes under `token` are recorded: from here on they survive anything.
    Recorded {
        token: u64,
    },
    /// The outbox as it is now (after a change was recorded, or another window sent some).
    OutboxChanged(Vec<super::state::PendingView>),
    /// Drafts found at start.
    Drafts(Vec<(String, serde_json::Value)>),
    /// A waiting change was taken out of the outbox to edit: its draft, under `key`.
    Withdrawn {
        key: String,
        payload: serde_json::Value,
    },
    /// Time for another replay of waiting changes.
    ReplayDue,
    /// The external editor closed: the new text, or why it could not run.
    EditorDone(Result<String, String>),
    /// The browser could not be started for `url` (why).
    NotOpened {
        url: String,
        why: String,
    },
    /// The agency's locations, for the switcher.
    Locations(Result<Vec<crate::api::InstalledLocation>, String>),
    /// Another location is ready (its token fetched, its outbox open): switch to it.
    LocationOpened {
        id: String,
        name: String,
    },
    /// How a location the user left is doing with the changes it still had to send: how
    /// many still wait, and how many the server refused (all told, not since last time).
    Elsewhere {
        location: String,
        waiting: usize,
        refused: usize,
    },
    /// The location could not be opened; the current one stays.
    LocationFailed {
        id: String,
        why: String,
    },
    /// The replica as read from disk (at start, or after the first sync finished): the list
    /// newest first, and what sync has reached.
    ReplicaLoaded {
        /// Made ready where it was read (`rows::SetBuilder`), off the event loop.
        list: Box<super::state::ContactSet>,
        mark: crate::store::SyncMark,
        /// Contacts seen to change since the previous session, newest first: id, when (ms),
        /// what changed.
        changes: Vec<(String, i64, String)>,
        /// How many contacts the replica holds; more than `entries` for the first screen.
        total: usize,
    },
    /// Said once: the replica was set aside and is being rebuilt, or cannot be kept.
    ReplicaNotice(String),
    /// A sync pass began.
    SyncStarted(crate::sync::pull::Phase),
    /// A page of a sync pass is stored.
    SyncPage(crate::sync::pull::PageDone),
    /// A sync pass ended: how, or why not (and whether the server could not be reached).
    SyncDone(Result<crate::sync::pull::Pulled, SyncFailed>),
    /// The search worker's answer for the `/` text of `generation`: rows, best first.
    Found {
        generation: u64,
        rows: Vec<u32>,
    },
    /// Contacts whose cached notes match the `/` text of `generation`.
    NoteHits {
        generation: u64,
        ids: Vec<String>,
    },
    /// The server says this contact is gone; it has left the replica.
    ContactGone {
        id: String,
    },
    /// SIGTERM, SIGHUP or similar: leave cleanly.
    Shutdown,
}

/// Why a sync pass stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncFailed {
    pub why: String,
    /// The network or the API is down (not a refusal): the app works from the replica.
    pub offline: bool,
}

/// Which parts of a contact to fetch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    pub detail: bool,
    pub tasks: bool,
    pub notes: bool,
    pub appointments: bool,
}

impl Parts {
    pub fn any(self) -> bool {
        self.detail || self.tasks || self.notes || self.appointments
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Run a sync pass now (`r`), and a reconciliation of ids when `full`.
    SyncNow {
        full: bool,
    },
    /// Read the replica's list again (`Msg::ReplicaLoaded`).
    LoadReplica,
    /// The server confirmed this contact's deletion: it leaves the replica.
    ForgetContact {
        id: String,
    },
    /// Search a large list off the event loop (`Msg::Found`); the newest search wins.
    Find {
        generation: u64,
        index: std::sync::Arc<crate::search::Index>,
        query: crate::search::Query,
        within: Option<std::sync::Arc<Vec<u32>>>,
    },
    /// Look for the `/` text in the replica's note text (`Msg::NoteHits`).
    FindNotes {
        generation: u64,
        text: String,
    },
    /// Fetch a page of contacts for a set generation.
    FetchPage {
        generation: u64,
        request: SearchRequest,
    },
    /// Call off the page fetch of an old set generation (replaced by a refresh).
    CancelFetch {
        generation: u64,
    },
    /// Load a contact's parts. Starting one cancels the previous load of this kind: the user
    /// has moved on, so its answers are not worth the rate-limit budget.
    LoadContact {
        id: String,
        parts: Parts,
    },
    /// Fetch the custom field definitions.
    FetchFields,
    /// Fetch the work queue: the location's tasks, and a user's appointments in a span of
    /// milliseconds.
    FetchQueue {
        generation: u64,
        filter: crate::api::TaskFilter,
        events: Option<(String, i64, i64)>,
    },
    /// Put `text` on the clipboard of the terminal the user sits at (OSC 52: through SSH and
    /// tmux too).
    Copy {
        text: String,
    },
    /// Open `url` in the browser (`$BROWSER`, else the platform's opener).
    OpenUrl {
        url: String,
    },
    /// Keep who the user is for this location (picked once, when nothing else said).
    RememberMe {
        user_id: String,
    },
    /// Read these contacts' timezones and DND from the replica (the task search names
    /// neither).
    ReadClocks {
        contact_ids: Vec<String>,
    },
    /// Record writes in the outbox (and drop the draft they came from, in the same
    /// transaction), then send it.
    Write {
        ops: Vec<crate::api::WriteOp>,
        draft: Option<String>,
        /// Names the form the writes came from, kept until they are recorded.
        token: u64,
    },
    /// Try the local store again (after it failed): `Msg::StoreUp` or `Msg::StoreDown`.
    ReopenStore,
    /// Read an outbox row that was set aside again, at the next send.
    RetryAside {
        id: i64,
    },
    /// Delete an outbox row that was set aside (the user said yes).
    DiscardAside {
        id: i64,
    },
    /// Send what waits in the outbox.
    Replay,
    /// Cut every wait short (rate-limit holds, backoffs): requests go now.
    Wake,
    /// Send `Msg::ReplayDue` after the delay.
    ReplayAfter(Duration),
    /// Keep what a form holds. `now: false` while typing: the store keeps it once the keys
    /// pause (a newer draft of the same form replaces it); `now: true` when a field is left
    /// or the terminal is handed over, and it is written at once.
    SaveDraft {
        key: String,
        payload: serde_json::Value,
        now: bool,
    },
    DiscardDraft {
        key: String,
    },
    LoadDrafts,
    /// List the agency's locations (`Msg::Locations`).
    ListLocations,
    /// Get a location ready (`Msg::LocationOpened` or `Msg::LocationFailed`).
    OpenLocation {
        id: String,
        name: String,
    },
    /// From now on talk to this location (opened before): earlier answers are dropped.
    UseLocation {
        id: String,
    },
    /// Fetch one contact's full record without touching other loads (after a refused change).
    ReloadContact {
        id: String,
    },
    /// Take a waiting write out of the outbox as a draft.
    Withdraw {
        id: i64,
    },
    /// Suspend the UI and edit `text` in $VISUAL/$EDITOR.
    OpenEditor {
        text: String,
    },
    /// Send `Msg::Settled(generation)` after the delay.
    Settle {
        generation: u64,
        after: Duration,
    },
    Quit,
}

/// How long the selection must rest before its tasks, notes and appointments load.
pub const SETTLE: Duration = Duration::from_millis(150);
