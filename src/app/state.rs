//! Everything the app knows, owned by the update loop alone.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDateTime;

use super::rows::Row;
use crate::api::{ApiError, Appointment, Contact, Note, RateBudget, SearchRequest, Task};

pub use super::pane::Pane;

/// Data that is fetched on demand.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Load<T> {
    #[default]
    Idle,
    Loading,
    Ready(T),
    Failed(ApiError),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading)
    }

    /// Needs a request: never asked, or failed last time.
    pub fn wanted(&self) -> bool {
        matches!(self, Load::Idle | Load::Failed(_))
    }
}

/// A contact's tasks, notes, appointments and full record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    pub detail: Load<Contact>,
    pub tasks: Load<Vec<Task>>,
    pub notes: Load<Vec<Note>>,
    pub appointments: Load<Vec<Appointment>>,
}

impl Extras {
    pub fn any_loading(&self) -> bool {
        self.detail.is_loading()
            || self.tasks.is_loading()
            || self.notes.is_loading()
            || self.appointments.is_loading()
    }
}

/// One list of contacts as the server pages it: the whole account, or one server search.
#[derive(Clone, Debug, Default)]
pub struct ContactSet {
    /// The server-side `query`, if this is a search.
    pub query: Option<String>,
    /// The rows' text, which the `/` filter also searches (shared with the search worker).
    pub index: std::sync::Arc<crate::search::Index>,
    /// What each row needs beyond its text, one per row of `index` (see `rows`).
    pub meta: Vec<super::rows::RowMeta>,
    /// The contacts of the pages the server sent, whole, by id: the right side shows them
    /// until their full record arrives. Empty for a list read from the replica, where the
    /// full record is a read away and a copy of every contact would cost a gigabyte.
    pub pages: HashMap<String, Contact>,
    pub total: Option<u64>,
    /// The request for the next page; `None` when everything is loaded.
    pub next: Option<SearchRequest>,
    /// The request under way, if any.
    pub in_flight: Option<SearchRequest>,
    pub error: Option<ApiError>,
    /// Answers for an older generation (before a refresh or a new search) are ignored.
    pub generation: u64,
    pub seen: HashSet<String>,
    /// A refresh keeps showing the old rows until the new first page replaces them.
    pub replace_on_next_page: bool,
}

impl ContactSet {
    pub fn loaded(&self) -> usize {
        self.len()
    }

    pub fn is_loading(&self) -> bool {
        self.in_flight.is_some()
    }
}

/// What takes the keys, one at a time: the panes, the `/` line, the help, or an overlay. One
/// enum, so no two can be open at once.
#[derive(Clone, Debug, Default)]
pub enum Modal {
    #[default]
    None,
    /// Typing in the `/` line.
    Search,
    /// The help, scrolled by `scroll` lines.
    Help {
        scroll: u16,
    },
    Overlay(Overlay),
}

/// Cursor and scroll of a list-like pane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` items and keeps the selection inside a `height` window.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.select(Cursor::moved(self.selected, delta, len), len, height);
    }

    /// The index `delta` items from `index` in a list of `len`, held inside it: the one rule
    /// for every list (the panes, the overlays, the location switcher).
    pub fn moved(index: usize, delta: isize, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        (index as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize
    }

    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        self.selected = index.min(len.saturating_sub(1));
        self.follow(len, height);
    }

    /// As `step`, but when the selection leaves the window the window jumps, as `less` and
    /// vim's `scrolloff` do: the selection lands `keep` rows from the edge it came in by, so
    /// the next moves stay inside and a terminal is not rewritten for every row passed.
    pub fn step_jumping(&mut self, delta: isize, len: usize, height: usize, keep: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.select_jumping(Cursor::moved(self.selected, delta, len), len, height, keep);
    }

    pub fn select_jumping(&mut self, index: usize, len: usize, height: usize, keep: usize) {
        let height = height.max(1);
        let keep = keep.min(height.saturating_sub(1) / 2);
        self.selected = index.min(len.saturating_sub(1));
        if self.selected >= self.offset + height {
            self.offset = self.selected.saturating_sub(keep);
        } else if self.selected < self.offset {
            self.offset = (self.selected + keep + 1).saturating_sub(height);
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Keeps the selection visible after the window or the list changed size.
    pub fn follow(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

pub const EXTRAS_CACHE: usize = 256;

#[derive(Debug)]
pub struct State {
    /// What the status bar calls this account.
    pub account_label: String,
    pub location_id: String,
    pub browse: ContactSet,
    pub search: Option<ContactSet>,
    pub page_limit: u32,
    /// What takes the keys now.
    pub modal: Modal,
    /// The `/` line as typed.
    pub filter: super::input::LineInput,
    /// The keys, as data (defaults and the user's).
    pub keymap: std::sync::Arc<super::keymap::Keymap>,
    /// What the view measured when it last drew.
    pub geometry: super::geometry::Geometry,
    /// Indices into the active set's rows that match `input`, best first; `None` shows all.
    pub visible: Option<Vec<u32>>,
    /// Bumped on every change of the `/` text: results for an older one are stale.
    pub filter_gen: u64,
    /// A search of a large list is running off the event loop (`Effect::Find`).
    pub finding: bool,
    /// Rows whose cached notes match the `/` text, for `filter_gen`.
    pub note_hits: Vec<u32>,
    /// The `/` text as a query, parsed once when it changed (the view marks its matches).
    pub query: crate::search::Query,
    pub list: Cursor,
    pub focus: Pane,
    /// The right-hand pane on show (the last one focused).
    pub tab: Pane,
    pub pane_cursor: HashMap<Pane, Cursor>,
    pub extras: HashMap<String, Extras>,
    pub extras_order: VecDeque<String>,
    /// Bumped on every selection change; a settle timer for an older value is stale.
    pub selection_gen: u64,
    /// The selection moves faster than a person reads (a held key, a paste of moves): the
    /// right side stays on the contact it showed (`preview`) until the moves pause.
    pub moving: bool,
    /// The contact the right side last showed, as the list has it.
    pub preview: Option<Box<Contact>>,
    /// Source of set generations.
    pub generations: u64,
    /// The contact whose parts are being fetched (only one load runs at a time).
    pub loading_for: Option<String>,
    /// Custom field id -> name, when the token may read them.
    pub field_names: std::collections::HashMap<String, String>,
    /// Tags in use in the location, when the token may read them.
    pub location_tags: Vec<String>,
    /// Custom field id -> its data type (`NUMERICAL`, `MONETORY`, ...), to show values as such.
    pub field_types: HashMap<String, String>,
    /// The location itself (name, country, timezone, company), when the token may read it.
    pub place: Option<crate::api::LocationInfo>,
    /// The timezones the location offers (empty: any IANA name).
    pub zones: Vec<String>,
    /// User id -> name, when the location's users can be read.
    pub users: HashMap<String, String>,
    /// Who the signed-in user is (`user_id` in config), for "assigned to me".
    pub me: Option<String>,
    /// The work queue (`0`): open tasks across the location, today's appointments.
    pub queue: super::queue::Queue,
    /// What `D` offers (config.toml's `[[outcomes]]`; the defaults when it names none).
    pub outcomes: Vec<super::form::Outcome>,
    /// What the app opens on (the list, unless configured: the binary's default is `Auto`).
    pub start_view: super::queue::StartView,
    /// The outbox: changes made here and not yet confirmed by the server.
    pub pending: Vec<PendingView>,
    /// Ids of contacts, tasks and notes with a change on the way, drawn as pending.
    pub marks: HashSet<String>,
    /// Source of ids for things created here and not yet known to the server.
    pub local_seq: u64,
    /// Wait before the next automatic replay after a change had to wait.
    pub retry_secs: u64,
    /// A `ReplayAfter` timer is running (one at a time).
    pub retry_scheduled: bool,
    pub size: (u16, u16),
    /// UTC now; times are compared in UTC.
    pub now: NaiveDateTime,
    /// The user's zone, for showing times and reading typed ones (the runtime sets it).
    pub zone: chrono::FixedOffset,
    pub spinner: usize,
    /// The message in the status bar (see `say`).
    pub status: Option<Status>,
    /// The last messages, newest first, for `!`.
    pub said: super::say::History,
    pub budget: RateBudget,
    /// An agency sign-in: `L` can switch locations.
    pub switchable: bool,
    /// The location asked for last, while it opens: an older request that finishes later is
    /// not followed.
    pub switching_to: Option<String>,
    /// Changes left in locations the user switched away from, by location id: they are still
    /// sent in the background, and counted here so they are never out of sight.
    pub elsewhere: std::collections::BTreeMap<String, Elsewhere>,
    /// Why changes cannot be recorded now (the local store, naming its file): saves are
    /// refused with this reason and the text stays in its editor.
    pub store_down: Option<String>,
    /// The local store was damaged and made anew at start: what happened, for the `o` list.
    pub store_notice: Option<String>,
    /// What requests wait for now.
    pub net: Net,
    /// Colour or none.
    pub look: crate::look::Look,
    /// Contacts marked (`v`, `V`) for a change to all of them (`t`, `T`).
    pub marked: std::collections::BTreeSet<String>,
    /// Presenter mode (`P`): emails, phones, addresses and custom field values masked on
    /// screen; `y` still copies the real value.
    pub mask: bool,
    /// No browser would reach the user from here (over SSH, or no graphical session): `O`
    /// copies the link instead.
    pub no_browser: bool,
    /// The GHL web app's address (`O`), e.g. `https://app.gohighlevel.com`.
    pub web_url: String,
    /// How the user writes numeric dates (config `date_order`, else the locale's).
    pub date_order: super::dates::DateOrder,
    /// `q` was pressed while changes were on their first way out: quit once they are sent.
    pub quit_when_sent: bool,
    /// Forms saved whose writes the store has not yet recorded, by write token: if the store
    /// fails, the form comes back as it was (its text, its draft key).
    pub saving: HashMap<u64, Box<super::form::Form>>,
    /// Forms given back while another overlay was open: opened when it closes.
    pub parked: Vec<Box<super::form::Form>>,
    /// Source of write tokens.
    pub write_seq: u64,
    /// The replica and its sync.
    pub sync: super::sync_view::SyncView,
}

/// What the client is waiting for, on the UTC clock: said in the status bar whenever a
/// request waits longer than about a second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Net {
    /// Requests held back by a limit: which, and until when.
    pub held: Option<(crate::api::pacer::Hold, NaiveDateTime)>,
    /// The oldest request sent and not answered yet: since when.
    pub answer_since: Option<NaiveDateTime>,
    /// A failed request will be tried again then.
    pub retry_at: Option<NaiveDateTime>,
    /// The day's API allowance is spent until then.
    pub daily_resets: Option<NaiveDateTime>,
}

impl Net {
    pub fn is_idle(&self) -> bool {
        *self == Net::default()
    }
}

/// What waits in a location the user has left.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Elsewhere {
    pub name: String,
    /// Changes not yet saved.
    pub waiting: usize,
    /// Changes not saved for good (refused, or taken back to edit): drafts there, offered
    /// when the location is opened.
    pub refused: usize,
}

/// An overlay over the panes; it takes the keys while open.
#[derive(Clone, Debug)]
pub enum Overlay {
    Form(Box<super::form::Form>),
    /// "Discard your changes?" over a form that changed.
    Discard(Box<super::form::Form>),
    /// A y/N question; yes sends the writes (and `form`, if they came from one, is what a
    /// store that cannot record them gives back).
    Confirm {
        prompt: String,
        ops: Vec<crate::api::WriteOp>,
        form: Option<Box<super::form::Form>>,
    },
    /// A y/N question; yes runs the effects.
    Ask {
        prompt: String,
        yes: Vec<super::msg::Effect>,
    },
    /// Who the user is, asked once when neither the sign-in nor the config says: the
    /// location's users (id, name), by name.
    WhoAmI {
        users: Vec<(String, String)>,
        cursor: usize,
    },
    /// Choose a tag of the contact to remove.
    RemoveTag {
        contact_id: String,
        tags: Vec<String>,
        cursor: usize,
    },
    /// The changes waiting for the server.
    Pending {
        cursor: usize,
    },
    /// The last messages, whole (`!`), scrolled by `scroll` lines.
    Messages {
        scroll: usize,
    },
    /// Drafts left by a crash or a closed session, offered back at start.
    Drafts {
        drafts: Vec<(String, serde_json::Value)>,
        cursor: usize,
    },
    /// The agency's locations, searched by typing.
    Locations(super::locations::Picker),
}

/// A write in the outbox, as the pending list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingView {
    pub id: i64,
    /// The contact it is about, to name them in the list.
    pub contact_id: Option<String>,
    pub what: String,
    pub attempts: u32,
    pub error: Option<String>,
    /// Waits with this outbox row, which was set aside.
    pub waits_for: Option<i64>,
    /// This version cannot read the row: why. It is kept and can be retried or discarded.
    pub aside: Option<String>,
    /// The write itself, to show it again over data reloaded from the server.
    pub op: Option<crate::api::WriteOp>,
}

pub use super::say::{Said, Status, Topic};

impl State {
    pub fn new(
        account_label: impl Into<String>,
        location_id: impl Into<String>,
        now: NaiveDateTime,
    ) -> State {
        State {
            account_label: account_label.into(),
            location_id: location_id.into(),
            browse: ContactSet::default(),
            search: None,
            me: None,
            queue: Default::default(),
            outcomes: Vec::new(),
            start_view: Default::default(),
            page_limit: 500,
            modal: Modal::None,
            filter: Default::default(),
            keymap: Default::default(),
            geometry: Default::default(),
            visible: None,
            filter_gen: 0,
            finding: false,
            note_hits: Vec::new(),
            query: Default::default(),
            list: Cursor::default(),
            focus: Pane::Contacts,
            tab: Pane::Details,
            pane_cursor: HashMap::new(),
            extras: HashMap::new(),
            extras_order: VecDeque::new(),
            selection_gen: 0,
            moving: false,
            preview: None,
            generations: 0,
            loading_for: None,
            field_names: HashMap::new(),
            location_tags: Vec::new(),
            field_types: HashMap::new(),
            place: None,
            zones: Vec::new(),
            users: HashMap::new(),
            pending: Vec::new(),
            marks: HashSet::new(),
            local_seq: 0,
            retry_secs: 0,
            retry_scheduled: false,
            size: (80, 24),
            now,
            zone: chrono::FixedOffset::east_opt(0)
                .unwrap_or_else(|| unreachable!("0 is a valid offset")),
            spinner: 0,
            status: None,
            said: Default::default(),
            budget: RateBudget::default(),
            switchable: false,
            switching_to: None,
            elsewhere: Default::default(),
            store_down: None,
            store_notice: None,
            net: Net::default(),
            look: crate::look::Look::default(),
            marked: Default::default(),
            mask: false,
            no_browser: false,
            web_url: crate::config::DEFAULT_WEB_URL.to_string(),
            date_order: super::dates::DateOrder::default(),
            quit_when_sent: false,
            saving: HashMap::new(),
            parked: Vec::new(),
            write_seq: 0,
            sync: Default::default(),
        }
    }

    /// The overlay open, if one is.
    pub fn overlay(&self) -> Option<&Overlay> {
        match &self.modal {
            Modal::Overlay(o) => Some(o),
            _ => None,
        }
    }

    pub fn overlay_mut(&mut self) -> Option<&mut Overlay> {
        match &mut self.modal {
            Modal::Overlay(o) => Some(o),
            _ => None,
        }
    }

    /// Takes the overlay out (to handle a key with it); nothing is open after.
    pub fn take_overlay(&mut self) -> Option<Overlay> {
        match std::mem::take(&mut self.modal) {
            Modal::Overlay(o) => Some(o),
            other => {
                self.modal = other;
                None
            }
        }
    }

    /// Opens `overlay` over whatever was open (the `/` line or the help close).
    pub fn open(&mut self, overlay: Overlay) {
        self.modal = Modal::Overlay(overlay);
    }

    /// Whether nothing but the panes takes the keys.
    pub fn idle(&self) -> bool {
        matches!(self.modal, Modal::None)
    }

    pub fn searching(&self) -> bool {
        matches!(self.modal, Modal::Search)
    }

    /// Where keys go now: the scope that both key handling and the hint line use.
    pub fn scope(&self) -> super::keymap::Scope {
        use super::keymap::Scope;
        match &self.modal {
            Modal::None => Scope::Browse,
            Modal::Search => Scope::Search,
            Modal::Help { .. } => Scope::Help,
            Modal::Overlay(o) => match o {
                Overlay::Form(_) => Scope::Form,
                Overlay::Discard(_) | Overlay::Confirm { .. } | Overlay::Ask { .. } => {
                    Scope::Question
                }
                Overlay::Locations(_) => Scope::Locations,
                Overlay::RemoveTag { .. }
                | Overlay::WhoAmI { .. }
                | Overlay::Pending { .. }
                | Overlay::Messages { .. }
                | Overlay::Drafts { .. } => Scope::List,
            },
        }
    }

    pub fn set(&self) -> &ContactSet {
        self.search.as_ref().unwrap_or(&self.browse)
    }

    pub fn set_mut(&mut self) -> &mut ContactSet {
        self.search.as_mut().unwrap_or(&mut self.browse)
    }

    /// How many rows the list shows (after the `/` filter).
    pub fn visible_len(&self) -> usize {
        self.visible.as_ref().map_or(self.set().len(), Vec::len)
    }

    /// Row index in the active set for a position in the visible list.
    pub fn row_index(&self, visible_pos: usize) -> Option<usize> {
        match &self.visible {
            Some(v) => v.get(visible_pos).map(|&i| i as usize),
            None => (visible_pos < self.set().len()).then_some(visible_pos),
        }
    }

    pub fn selected_row(&self) -> Option<Row<'_>> {
        self.row_index(self.list.selected)
            .and_then(|i| self.set().row(i))
    }

    /// The selected contact as the list knows it.
    pub fn selected_contact(&self) -> Option<Contact> {
        self.row_index(self.list.selected)
            .and_then(|i| self.set().contact(i))
    }

    pub fn selected_id(&self) -> Option<&str> {
        self.selected_row().map(|r| r.id())
    }

    pub fn selected_extras(&self) -> Option<&Extras> {
        self.selected_id().and_then(|id| self.extras.get(id))
    }

    /// The best record of the selected contact: the full one when loaded, else the list's.
    pub fn selected_detail(&self) -> Option<Cow<'_, Contact>> {
        match self.selected_extras().and_then(|e| e.detail.ready()) {
            Some(c) => Some(Cow::Borrowed(c)),
            None => self.selected_contact().map(Cow::Owned),
        }
    }

    /// The contact the right side shows: the selected one, except while the selection is
    /// moving, when it stays on the one it showed.
    pub fn shown_id(&self) -> Option<&str> {
        match (&self.preview, self.moving) {
            (Some(p), true) => Some(p.id()),
            _ => self.selected_id(),
        }
    }

    pub fn shown_extras(&self) -> Option<&Extras> {
        self.shown_id().and_then(|id| self.extras.get(id))
    }

    /// The best record of the contact shown: the full one when loaded, else the list's.
    pub fn shown_detail(&self) -> Option<Cow<'_, Contact>> {
        match (&self.preview, self.moving) {
            (Some(p), true) => Some(Cow::Borrowed(
                self.extras
                    .get(p.id())
                    .and_then(|e| e.detail.ready())
                    .unwrap_or(p),
            )),
            _ => self.selected_detail(),
        }
    }

    /// The right side catches up with the selection.
    pub fn show_selected(&mut self) {
        self.moving = false;
        self.preview = self.selected_contact().map(Box::new);
    }

    /// The key for `action` in the panes, as messages name it (`r`, or the user's own); the
    /// action's name where no key is bound.
    pub fn key(&self, action: super::keymap::Action) -> String {
        self.key_in(super::keymap::Scope::Browse, action)
    }

    pub fn key_in(&self, scope: super::keymap::Scope, action: super::keymap::Action) -> String {
        self.keymap
            .key_for(scope, action)
            .unwrap_or_else(|| format!("{action:?}"))
    }

    /// The location's users (id, name), by name.
    pub fn users_by_name(&self) -> Vec<(String, String)> {
        let mut users: Vec<(String, String)> = self
            .users
            .iter()
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect();
        users.sort_by(|a, b| (a.1.to_lowercase(), &a.0).cmp(&(b.1.to_lowercase(), &b.0)));
        users
    }

    /// A user's name where the location's users are known, else the id as it came.
    pub fn user_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.users.get(id).map_or(id, String::as_str)
    }

    pub fn cursor(&self, pane: Pane) -> Cursor {
        self.pane_cursor.get(&pane).copied().unwrap_or_default()
    }

    /// Now on the user's clock.
    pub fn local_now(&self) -> NaiveDateTime {
        self.now + chrono::Duration::seconds(i64::from(self.zone.local_minus_utc()))
    }

    pub fn is_busy(&self) -> bool {
        self.set().is_loading()
            || self.selected_extras().is_some_and(Extras::any_loading)
            || !self.net.is_idle()
    }
}
