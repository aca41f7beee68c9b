//! The location switcher (`L`): an agency's locations, searched by typing; Enter opens one.
//! Opening happens in two steps so nothing is switched until the new location works: the
//! runtime gets its token and outbox ready, then the state starts over in it.

use super::input::LineInput;
use super::keymap::Action;
use super::msg::Effect;
use super::state::{Cursor, Elsewhere, Modal, Overlay, State};
use crate::api::InstalledLocation;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picker {
    /// `None` while the list loads.
    pub all: Option<Vec<InstalledLocation>>,
    pub query: LineInput,
    pub cursor: usize,
    /// Why the list could not load.
    pub error: Option<String>,
    /// The location being opened; keys wait until it is ready or failed.
    pub opening: Option<String>,
}

impl Picker {
    /// The locations whose name, id or address holds every word of the query (any case).
    pub fn matches(&self) -> Vec<&InstalledLocation> {
        let words: Vec<String> = self
            .query
            .text()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.all
            .iter()
            .flatten()
            .filter(|l| {
                let hay = format!("{} {} {}", l.name, l.id, l.address).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect()
    }
}

const SINGLE: &str = "This sign-in is for one location; to switch, sign in as an agency: \
                      ghl-tui login --agency";

/// `L`: opens the switcher and asks for the list.
pub fn open(state: &mut State, fx: &mut Vec<Effect>) {
    if !state.switchable {
        state.say(SINGLE, false);
        return;
    }
    state.open(Overlay::Locations(Picker::default()));
    fx.push(Effect::ListLocations);
}

pub fn on_list(state: &mut State, result: Result<Vec<InstalledLocation>, String>) {
    // The modal by its field, so the label and the location id stay free to read.
    let Modal::Overlay(Overlay::Locations(picker)) = &mut state.modal else {
        return;
    };
    match result {
        Ok(mut all) => {
            all.sort_by_key(|l| l.name.to_lowercase());
            // Started from a stored id: now the header can name the place.
            if let Some(here) = all.iter().find(|l| l.id == state.location_id)
                && !here.name.is_empty()
            {
                state.account_label = labelled(&state.account_label, &here.name);
            }
            picker.all = Some(all);
            picker.error = None;
            // Start on the current location, so Enter by mistake changes nothing; among what
            // is shown, since the user may have typed while the list loaded.
            picker.cursor = picker
                .matches()
                .iter()
                .position(|l| l.id == state.location_id)
                .unwrap_or(0);
        }
        Err(e) => picker.error = Some(e),
    }
}

/// An action while the switcher is open; `true` when it means something there.
pub fn on_act(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    use Action::*;
    match action {
        Up | Down | Pick | Back | Quit | CursorLeft | CursorRight | LineStart | LineEnd
        | WordLeft | WordRight | DeleteChar | DeleteForward | DeleteWord | ClearInput => {}
        Top | Bottom | PageUp | PageDown | Open | NextPane | PrevPane | Focus(_) | Search
        | Refresh | Help | New | Edit | Delete | Toggle | AddTag | RemoveTag | ShowPending
        | Messages | SwitchLocation | Changed | QueueAssignee | QueueOverdue | QueueCallable
        | Copy | CopySummary | OpenWeb | Mask | Mark | MarkAll | Disposition | Snooze
        | QuickAdd | Save | Cancel | NextField | PrevField | ExternalEditor | Yes | No
        | Discard | RunSearch | AcceptFilter | ClearSearch => {
            return false;
        }
    }
    let Some(Overlay::Locations(mut picker)) = state.take_overlay() else {
        return false;
    };
    if action == Action::Quit {
        state.open(Overlay::Locations(picker));
        super::update::ask_quit(state, fx);
        return true;
    }
    if picker.opening.is_some() {
        // Only Esc is taken while a location opens, and it calls the switch off.
        if action == Action::Back {
            state.switching_to = None;
        } else {
            state.open(Overlay::Locations(picker));
        }
        return true;
    }
    let shown = picker.matches().len();
    match action {
        Action::Down => picker.cursor = Cursor::moved(picker.cursor, 1, shown),
        Action::Up => picker.cursor = Cursor::moved(picker.cursor, -1, shown),
        Action::Back => return true,
        Action::Pick => {
            let chosen = picker.matches().get(picker.cursor).map(|l| (*l).clone());
            match chosen {
                Some(l) if l.id == state.location_id => return true,
                Some(l) => {
                    picker.opening = Some(l.name.clone());
                    state.switching_to = Some(l.id.clone());
                    fx.push(Effect::OpenLocation {
                        id: l.id,
                        name: l.name,
                    });
                }
                None => {}
            }
        }
        // Editing the search line: the list is searched again from its top.
        CursorLeft | CursorRight | LineStart | LineEnd | WordLeft | WordRight | DeleteChar
        | DeleteForward | DeleteWord | ClearInput => {
            let before = picker.query.text().to_string();
            picker.query.apply(action);
            if picker.query.text() != before {
                picker.cursor = 0;
            }
        }
        // Quit was taken above; the others were turned away at the top.
        Quit | Top | Bottom | PageUp | PageDown | Open | NextPane | PrevPane | Focus(_)
        | Search | Refresh | Help | New | Edit | Delete | Toggle | AddTag | RemoveTag
        | ShowPending | Messages | SwitchLocation | Changed | QueueAssignee | QueueOverdue
        | QueueCallable | Copy | CopySummary | OpenWeb | Mask | Mark | MarkAll | Disposition
        | Snooze | QuickAdd | Save | Cancel | NextField | PrevField | ExternalEditor | Yes | No
        | Discard | RunSearch | AcceptFilter | ClearSearch => {}
    }
    state.open(Overlay::Locations(picker));
    true
}

/// Text typed or pasted into the search line.
pub fn on_text(state: &mut State, text: &str) {
    if let Some(Overlay::Locations(picker)) = state.overlay_mut()
        && picker.opening.is_none()
        && !text.is_empty()
    {
        picker.query.insert(text);
        picker.cursor = 0;
    }
}

/// The location is ready: start over in it, keeping only what belongs to the terminal and
/// the user (size, zone), and never reusing a generation an old answer might carry.
pub fn on_opened(state: &mut State, id: String, name: String) -> Vec<Effect> {
    // Called off, or overtaken by a later choice: stay where the user is.
    if state.switching_to.as_deref() != Some(id.as_str()) {
        return Vec::new();
    }
    let label = labelled(&state.account_label, &name);
    // The place left behind keeps sending what it still had; remember what and where.
    let mut elsewhere = std::mem::take(&mut state.elsewhere);
    let left = elsewhere.entry(state.location_id.clone()).or_default();
    left.name = place_name(state);
    left.waiting = state.pending.len();
    elsewhere.remove(&id);
    let mut fresh = State::new(label, id.clone(), state.now);
    fresh.elsewhere = elsewhere;
    fresh.size = state.size;
    fresh.zone = state.zone;
    fresh.look = state.look;
    // Presenter mode stays on across a switch: the screen is still being shared.
    fresh.mask = state.mask;
    fresh.no_browser = state.no_browser;
    fresh.web_url = state.web_url.clone();
    fresh.outcomes = state.outcomes.clone();
    fresh.date_order = state.date_order;
    fresh.switchable = state.switchable;
    // The same settings hold there; its replica is read when the switch is made.
    fresh.sync.syncing_enabled = state.sync.syncing_enabled;
    // The user's keys are the user's, wherever they are.
    fresh.keymap = state.keymap.clone();
    fresh.generations = state.generations;
    fresh.selection_gen = state.selection_gen;
    // What was said stays readable with `!` across the switch.
    fresh.said = std::mem::take(&mut state.said);
    *state = fresh;
    let mut fx = vec![Effect::UseLocation { id }];
    fx.extend(super::update::init(state));
    state.say(format!("Now in {}", crate::sanitize::line(&name)), false);
    fx
}

/// The current location's name: from the switcher's list, else the status bar's label.
fn place_name(state: &State) -> String {
    let listed = match state.overlay() {
        Some(Overlay::Locations(picker)) => picker
            .all
            .iter()
            .flatten()
            .find(|l| l.id == state.location_id && !l.name.is_empty())
            .map(|l| l.name.clone()),
        _ => None,
    };
    listed
        .or_else(|| {
            state
                .account_label
                .split_once(" · ")
                .map(|(_, p)| p.to_string())
        })
        .unwrap_or_else(|| state.location_id.clone())
}

/// Word from a location left behind: changes saved, or not saved (drafts there). Never put
/// over an error the status bar already shows, unless it is itself one.
pub fn on_elsewhere(state: &mut State, location: String, waiting: usize, refused: usize) {
    // Back in that location: its own outbox is on screen.
    if location == state.location_id {
        return;
    }
    let place = state
        .elsewhere
        .entry(location.clone())
        .or_insert_with(|| Elsewhere {
            name: location,
            ..Elsewhere::default()
        });
    let (was_waiting, was_refused) = (place.waiting, place.refused);
    place.waiting = waiting;
    place.refused = refused;
    let name = crate::sanitize::line(&place.name).into_owned();
    let news = if refused > was_refused {
        Some((
            not_saved(refused, &name, &state.key(Action::SwitchLocation)),
            true,
        ))
    } else if waiting == 0 && was_waiting > 0 && refused == 0 {
        Some((format!("Changes in {name} saved"), false))
    } else {
        None
    };
    if let Some((text, error)) = news
        && (error || !state.status.as_ref().is_some_and(|s| s.error))
    {
        state.say(text, error);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "2 changes in Main not saved", and what to do.
fn not_saved(n: usize, place: &str, switch: &str) -> String {
    format!(
        "{n} change{} in {place} not saved; open it ({switch}) to see them",
        plural(n)
    )
}

/// At exit: what is still waiting, or was refused, in locations the user left, one line each.
pub fn left_behind(state: &State) -> Vec<String> {
    let mut lines = Vec::new();
    let switch = state.key(Action::SwitchLocation);
    if !state.pending.is_empty() {
        let n = state.pending.len();
        lines.push(format!(
            "{n} change{} not yet sent; they go out at the next start:",
            plural(n)
        ));
        for p in &state.pending {
            let who = p
                .contact_id
                .as_deref()
                .and_then(|id| state.browse.find(id).and_then(|i| state.browse.row(i)))
                .map(|c| format!(" ({})", c.name()))
                .unwrap_or_default();
            lines.push(crate::sanitize::line(&format!("  {}{who}", p.what)).into_owned());
        }
    }
    for place in state.elsewhere.values() {
        let name = crate::sanitize::line(&place.name);
        if place.waiting > 0 {
            lines.push(format!(
                "{} change{} in {name} still waiting; they are sent when you next open it ({switch})",
                place.waiting,
                plural(place.waiting)
            ));
        }
        if place.refused > 0 {
            lines.push(not_saved(place.refused, &name, &switch));
        }
    }
    lines
}

/// `demo · Old` becomes `demo · New`: the kind of sign-in stays, the place changes.
fn labelled(label: &str, name: &str) -> String {
    let kind = label.split(" · ").next().unwrap_or("agency");
    format!("{kind} · {}", crate::sanitize::line(name))
}

/// The status bar's label with the location's name for its id (`location Dm0Loc…` becomes
/// `location · Northwind Realty`).
pub fn relabel(label: &str, name: &str) -> String {
    match label.split_once(" · ") {
        Some(_) => labelled(label, name),
        None => {
            let kind = label.split(' ').next().unwrap_or("location");
            format!("{kind} · {}", crate::sanitize::line(name))
        }
    }
}

pub fn on_failed(state: &mut State, id: String, why: String) {
    // A choice called off or overtaken: its failure is no news.
    if state.switching_to.as_deref() != Some(id.as_str()) {
        return;
    }
    if let Some(Overlay::Locations(picker)) = state.overlay_mut() {
        picker.opening = None;
    }
    state.switching_to = None;
    state.say(format!("Could not open that location: {why}"), true);
}
