//! Keys as data. The default bindings are a TOML file in the source tree (`default.toml`), one
//! table per scope, each binding with `on`, `run` and `desc`, as yazi's keymap is; a user's
//! `keymap.toml` adds to them or replaces them per scope (`parse.rs`). The runtime turns keys
//! into actions with `lookup` before `update` sees them, and the help and the hint line are
//! made from the same map, the user's bindings included.

mod parse;

use std::collections::HashMap;

use crokey::KeyCombination;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use parse::KeymapError;

use super::pane::Pane;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    NextPane,
    PrevPane,
    Focus(u8),
    Search,
    Refresh,
    Help,
    Back,
    Quit,
    // Changes.
    New,
    Edit,
    Delete,
    Toggle,
    AddTag,
    RemoveTag,
    ShowPending,
    /// The last messages, whole.
    Messages,
    SwitchLocation,
    /// The contacts changed since the previous session (`changed:`).
    Changed,
    /// In the queue: the user's tasks, or everyone's.
    QueueAssignee,
    /// In the queue: only the overdue, or all.
    QueueOverdue,
    /// In the queue: the contacts it is a good time to call first, within each group.
    QueueCallable,
    /// Copy the focused value (OSC 52); `CopySummary` a one-line summary.
    Copy,
    CopySummary,
    /// The contact in the GHL web app.
    OpenWeb,
    /// Presenter mode: contact details masked on screen.
    Mask,
    /// Mark the selected contact (`MarkAll`: everything the list shows) for `t`/`T` on all.
    Mark,
    MarkAll,
    /// A call's outcome on a task: complete, note, follow-up.
    Disposition,
    /// A task due later.
    Snooze,
    /// One line for a task or a note, `@name` for whom.
    QuickAdd,
    // In an editor overlay.
    Save,
    Cancel,
    NextField,
    PrevField,
    ExternalEditor,
    // In a prompt or a list overlay.
    Yes,
    No,
    Pick,
    Discard,
    // While typing a search.
    RunSearch,
    AcceptFilter,
    ClearSearch,
    // In a one-line input (the search line, the location search).
    CursorLeft,
    CursorRight,
    LineStart,
    LineEnd,
    WordLeft,
    WordRight,
    DeleteChar,
    DeleteForward,
    DeleteWord,
    ClearInput,
}

/// Every action by its name in the keymap files (`run = "..."`); `focus N` takes a pane number.
const NAMES: &[(&str, Action)] = &[
    ("up", Action::Up),
    ("down", Action::Down),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("page_up", Action::PageUp),
    ("page_down", Action::PageDown),
    ("open", Action::Open),
    ("next_pane", Action::NextPane),
    ("prev_pane", Action::PrevPane),
    ("search", Action::Search),
    ("refresh", Action::Refresh),
    ("changed", Action::Changed),
    ("queue_assignee", Action::QueueAssignee),
    ("queue_overdue", Action::QueueOverdue),
    ("queue_callable", Action::QueueCallable),
    ("copy", Action::Copy),
    ("copy_summary", Action::CopySummary),
    ("open_web", Action::OpenWeb),
    ("mask", Action::Mask),
    ("mark", Action::Mark),
    ("mark_all", Action::MarkAll),
    ("disposition", Action::Disposition),
    ("snooze", Action::Snooze),
    ("quick_add", Action::QuickAdd),
    ("help", Action::Help),
    ("back", Action::Back),
    ("quit", Action::Quit),
    ("new", Action::New),
    ("edit", Action::Edit),
    ("delete", Action::Delete),
    ("toggle", Action::Toggle),
    ("add_tag", Action::AddTag),
    ("remove_tag", Action::RemoveTag),
    ("show_pending", Action::ShowPending),
    ("messages", Action::Messages),
    ("switch_location", Action::SwitchLocation),
    ("save", Action::Save),
    ("cancel", Action::Cancel),
    ("next_field", Action::NextField),
    ("prev_field", Action::PrevField),
    ("external_editor", Action::ExternalEditor),
    ("yes", Action::Yes),
    ("no", Action::No),
    ("pick", Action::Pick),
    ("discard", Action::Discard),
    ("run_search", Action::RunSearch),
    ("accept_filter", Action::AcceptFilter),
    ("clear_search", Action::ClearSearch),
    ("cursor_left", Action::CursorLeft),
    ("cursor_right", Action::CursorRight),
    ("line_start", Action::LineStart),
    ("line_end", Action::LineEnd),
    ("word_left", Action::WordLeft),
    ("word_right", Action::WordRight),
    ("delete_char", Action::DeleteChar),
    ("delete_forward", Action::DeleteForward),
    ("delete_word", Action::DeleteWord),
    ("clear_input", Action::ClearInput),
];

impl Action {
    /// The action a keymap file's `run` names.
    pub fn parse(run: &str) -> Option<Action> {
        let run = run.trim();
        if let Some(n) = run.strip_prefix("focus ") {
            let n: u8 = n.trim().parse().ok()?;
            return Pane::from_number(n).map(|_| Action::Focus(n));
        }
        NAMES.iter().find(|(n, _)| *n == run).map(|(_, a)| *a)
    }

    /// Whether it edits a one-line input (the search line, the location search).
    pub fn edits_line(self) -> bool {
        matches!(
            self,
            Action::CursorLeft
                | Action::CursorRight
                | Action::LineStart
                | Action::LineEnd
                | Action::WordLeft
                | Action::WordRight
                | Action::DeleteChar
                | Action::DeleteForward
                | Action::DeleteWord
                | Action::ClearInput
        )
    }

    /// Every action, for checks over all of them.
    pub fn all() -> Vec<Action> {
        let mut v: Vec<Action> = NAMES.iter().map(|(_, a)| *a).collect();
        v.extend((1..=5).map(Action::Focus));
        v
    }
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The panes, outside any text input.
    Browse,
    /// While typing in the `/` search line.
    Search,
    /// In a contact, task or note editor.
    Form,
    /// A y/N question.
    Question,
    /// A list to choose from (tags to remove, pending changes, drafts, messages).
    List,
    /// A list searched by typing (the location switcher).
    Locations,
    /// While the help is open.
    Help,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::Browse,
        Scope::Search,
        Scope::Form,
        Scope::Question,
        Scope::List,
        Scope::Locations,
        Scope::Help,
    ];

    /// The table's name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Browse => "browse",
            Scope::Search => "search",
            Scope::Form => "form",
            Scope::Question => "question",
            Scope::List => "list",
            Scope::Locations => "locations",
            Scope::Help => "help",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The heading in the help.
    pub fn title(self) -> &'static str {
        match self {
            Scope::Browse => "Browsing",
            Scope::Search => "Search line",
            Scope::Help => "Help",
            Scope::Form => "Editors",
            Scope::Question => "Questions",
            Scope::List => "Lists",
            Scope::Locations => "Location switcher",
        }
    }

    /// Keys in this scope that are not bound type text (the search line, a field).
    pub fn takes_text(self) -> bool {
        matches!(self, Scope::Search | Scope::Form | Scope::Locations)
    }

    /// Whether `action` means anything here. A keymap file binding it elsewhere is refused, and
    /// a test holds the handlers to this: each takes exactly these.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Scope::Browse => matches!(
                action,
                Up | Down
                    | Top
                    | Bottom
                    | PageUp
                    | PageDown
                    | Open
                    | NextPane
                    | PrevPane
                    | Focus(_)
                    | Search
                    | Refresh
                    | Help
                    | Back
                    | Quit
                    | New
                    | Edit
                    | Delete
                    | Toggle
                    | AddTag
                    | RemoveTag
                    | ShowPending
                    | Messages
                    | SwitchLocation
                    | Changed
                    | QueueAssignee
                    | QueueOverdue
                    | QueueCallable
                    | Copy
                    | CopySummary
                    | OpenWeb
                    | Mask
                    | Mark
                    | MarkAll
                    | Disposition
                    | Snooze
                    | QuickAdd
            ),
            Scope::Search => {
                matches!(
                    action,
                    RunSearch | AcceptFilter | ClearSearch | Up | Down | PageUp | PageDown | Quit
                ) || action.edits_line()
            }
            Scope::Form => matches!(
                action,
                Save | Cancel | NextField | PrevField | ExternalEditor | ClearInput
            ),
            Scope::Question => matches!(action, Yes | No | Quit),
            Scope::List => matches!(
                action,
                Up | Down | Top | Bottom | PageUp | PageDown | Pick | Discard | Back | Quit
            ),
            Scope::Locations => {
                matches!(action, Up | Down | Pick | Back | Quit) || action.edits_line()
            }
            Scope::Help => matches!(
                action,
                Up | Down | Top | Bottom | PageUp | PageDown | Help | Quit
            ),
        }
    }
}

/// Keys compared as the terminal sends them: the case of a letter says whether Shift was held,
/// and a symbol (`?`, `!`) comes with or without SHIFT depending on the terminal, so Shift is
/// not compared for characters.
fn normal(k: KeyCombination) -> KeyCombination {
    let k = k.normalized();
    match k.codes.first() {
        KeyCode::Char(_) => KeyCombination {
            modifiers: k.modifiers - KeyModifiers::SHIFT,
            ..k
        },
        _ => k,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub keys: Vec<KeyCombination>,
    pub action: Action,
    pub desc: String,
    /// Shown in the hint line.
    pub hint: Option<String>,
    /// The panes whose hint line shows it (`Browse` only); empty for every pane.
    pub panes: Vec<Pane>,
}

impl Binding {
    /// The keys as the help shows them: `j/↓`, `^S`, `S-Tab`.
    pub fn label(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for k in &self.keys {
            let name = key_name(*k);
            // `y` and `Y` both answer yes; help names the key once.
            if !names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&name) && n.chars().count() == 1)
            {
                names.push(name);
            }
        }
        names.join("/")
    }
}

/// The whole map: each scope's bindings, in order (the first that matches wins).
#[derive(Clone, Debug, PartialEq)]
pub struct Keymap {
    scopes: HashMap<Scope, Vec<Binding>>,
}

const DEFAULT: &str = include_str!("default.toml");

impl Default for Keymap {
    fn default() -> Self {
        // The file is part of the source tree and a test parses it: it cannot fail here.
        parse::parse(DEFAULT, "default.toml", None)
            .unwrap_or_else(|e| unreachable!("the default keymap is tested: {e}"))
    }
}

impl Keymap {
    /// The defaults with the user's `keymap.toml` (`text`, read from `path`) over them.
    pub fn with_user(text: &str, path: &str) -> Result<Keymap, KeymapError> {
        parse::parse(DEFAULT, "default.toml", Some((text, path)))
    }

    pub fn bindings(&self, scope: Scope) -> &[Binding] {
        self.scopes.get(&scope).map_or(&[], Vec::as_slice)
    }

    /// The action `ev` is bound to in `scope`, if any.
    pub fn lookup(&self, scope: Scope, ev: &KeyEvent) -> Option<Action> {
        let pressed = normal(KeyCombination::from(*ev));
        self.bindings(scope)
            .iter()
            .find(|b| b.keys.iter().any(|k| normal(*k) == pressed))
            .map(|b| b.action)
    }

    /// The hint line's `(key, word)` pairs for `scope`, with the focused `pane` (browsing).
    pub fn hints(&self, scope: Scope, pane: Pane) -> Vec<(String, String)> {
        self.bindings(scope)
            .iter()
            .filter(|b| b.panes.is_empty() || b.panes.contains(&pane))
            .filter_map(|b| {
                let hint = b.hint.clone()?;
                Some((key_name(*b.keys.first()?), hint))
            })
            .collect()
    }

    /// Every key bound to `action` in `scope`, as the help writes them (`n/Esc/Enter`).
    pub fn label_for(&self, scope: Scope, action: Action) -> Option<String> {
        self.bindings(scope)
            .iter()
            .find(|b| b.action == action)
            .map(Binding::label)
    }

    /// The first key bound to `action` in `scope`, as the help writes it.
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<String> {
        self.bindings(scope)
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| key_name(*k))
    }
}

/// A key as the help writes it: `j`, `G`, `↓`, `^S`, `M-b`, `S-Tab`, `PgDn`.
pub fn key_name(k: KeyCombination) -> String {
    let k = k.normalized();
    let base = match k.codes.first() {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Backspace => "Bksp".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if k.modifiers.contains(KeyModifiers::CONTROL) {
        format!("^{}", base.to_uppercase())
    } else if k.modifiers.contains(KeyModifiers::ALT) {
        format!("M-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_default_map_parses_and_binds_the_usual_keys() {
        let map = Keymap::default();
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Scope::Browse, &j), Some(Action::Down));
        let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Scope::Browse, &ctrl_c), Some(Action::Quit));
        // Shift held or not, `G` and `?` are the same key.
        let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Scope::Browse, &g), Some(Action::Bottom));
        let q = ev(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Scope::Browse, &q), Some(Action::Help));
        let q = ev(KeyCode::Char('?'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Scope::Browse, &q), Some(Action::Help));
        let back = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Scope::Browse, &back), Some(Action::PrevPane));
        let alt_b = ev(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(map.lookup(Scope::Search, &alt_b), Some(Action::WordLeft));
        assert_eq!(
            map.lookup(Scope::Browse, &ev(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn hints_follow_the_pane() {
        let map = Keymap::default();
        let words = |p: Pane| -> Vec<String> {
            map.hints(Scope::Browse, p)
                .into_iter()
                .map(|(_, w)| w)
                .collect()
        };
        assert!(words(Pane::Tasks).contains(&"complete".to_string()));
        assert!(!words(Pane::Contacts).contains(&"complete".to_string()));
        assert!(words(Pane::Contacts).contains(&"open".to_string()));
        assert!(!words(Pane::Tasks).contains(&"open".to_string()));
    }

    #[test]
    fn every_action_has_a_name_that_reads_back() {
        for a in Action::all() {
            let name = match a {
                Action::Focus(n) => format!("focus {n}"),
                other => NAMES
                    .iter()
                    .find(|(_, x)| *x == other)
                    .map(|(n, _)| n.to_string())
                    .unwrap_or_default(),
            };
            assert_eq!(Action::parse(&name), Some(a), "{name}");
        }
        assert_eq!(Action::parse("focus 9"), None);
    }
}
