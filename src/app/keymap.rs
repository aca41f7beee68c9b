//! The keymap as data: one table drives key handling, the help overlay and the hint line, so
//! the help can never list a key that does nothing or miss one that does something.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    DeleteWord,
    ClearSearch,
    DeleteChar,
    ClearInput,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere outside text input.
    Global,
    /// While typing in the `/` search line.
    Search,
    /// While the help overlay is open.
    Help,
    /// In a contact, task, note or tag editor.
    Form,
    /// A y/N question.
    Confirm,
    /// A list to choose from (tags to remove, pending changes, drafts).
    Picker,
    /// A list searched by typing (the location switcher).
    Finder,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Browsing",
            Scope::Search => "Search line",
            Scope::Help => "Help",
            Scope::Form => "Editors",
            Scope::Confirm => "Questions",
            Scope::Picker => "Lists",
            Scope::Finder => "Location switcher",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    k(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// Shown in the one-line hint bar.
    pub hint: Option<&'static str>,
}

pub static BINDINGS: &[Binding] = &[
    Binding {
        scope: Scope::Global,
        keys: &[ch('j'), k(KeyCode::Down)],
        action: Action::Down,
        help: "Move down",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('k'), k(KeyCode::Up)],
        action: Action::Up,
        help: "Move up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('g'), k(KeyCode::Home)],
        action: Action::Top,
        help: "Go to the top",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('G'), k(KeyCode::End)],
        action: Action::Bottom,
        help: "Go to the bottom (loads more contacts)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::PageDown), ctrl('d')],
        action: Action::PageDown,
        help: "Page down",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::PageUp), ctrl('u')],
        action: Action::PageUp,
        help: "Page up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Enter), ch('l'), k(KeyCode::Right)],
        action: Action::Open,
        help: "Open the selected contact",
        hint: Some("open"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Tab)],
        action: Action::NextPane,
        help: "Next pane",
        hint: Some("pane"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::BackTab)],
        action: Action::PrevPane,
        help: "Previous pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('1')],
        action: Action::Focus(1),
        help: "Contacts pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('2')],
        action: Action::Focus(2),
        help: "Details pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('3')],
        action: Action::Focus(3),
        help: "Tasks pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('4')],
        action: Action::Focus(4),
        help: "Notes pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('5')],
        action: Action::Focus(5),
        help: "Appointments pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('/')],
        action: Action::Search,
        help: "Search: filter as you type, Enter asks the server",
        hint: Some("search"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('r'), k(KeyCode::F(5))],
        action: Action::Refresh,
        help: "Refresh (retry what failed)",
        hint: Some("refresh"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('?'), k(KeyCode::F(1))],
        action: Action::Help,
        help: "Show or hide this help",
        hint: Some("help"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Esc), ch('h'), k(KeyCode::Left)],
        action: Action::Back,
        help: "Back: to the list, then clear the search",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('n')],
        action: Action::New,
        help: "New contact, task or note (by pane)",
        hint: Some("new"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('e')],
        action: Action::Edit,
        help: "Edit the contact, task or note",
        hint: Some("edit"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('d')],
        action: Action::Delete,
        help: "Delete, after a y/N question naming what goes",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('x'), ch(' ')],
        action: Action::Toggle,
        help: "Complete or reopen the selected task",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('t')],
        action: Action::AddTag,
        help: "Add tags to the contact",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('T')],
        action: Action::RemoveTag,
        help: "Remove a tag from the contact",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('o')],
        action: Action::ShowPending,
        help: "Changes waiting for the server",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('!')],
        action: Action::Messages,
        help: "The last messages, whole",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('L')],
        action: Action::SwitchLocation,
        help: "Switch location (agency sign-in)",
        hint: None,
    },
    Binding {
        scope: Scope::Finder,
        keys: &[k(KeyCode::Down), ctrl('n')],
        action: Action::Down,
        help: "Move down",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Finder,
        keys: &[k(KeyCode::Up), ctrl('p')],
        action: Action::Up,
        help: "Move up",
        hint: None,
    },
    Binding {
        scope: Scope::Finder,
        keys: &[k(KeyCode::Enter)],
        action: Action::Pick,
        help: "Open the location",
        hint: Some("open"),
    },
    Binding {
        scope: Scope::Finder,
        keys: &[k(KeyCode::Backspace)],
        action: Action::DeleteChar,
        help: "Delete a character of the search",
        hint: None,
    },
    Binding {
        scope: Scope::Finder,
        keys: &[ctrl('u')],
        action: Action::ClearInput,
        help: "Clear the search (type to search)",
        hint: None,
    },
    Binding {
        scope: Scope::Finder,
        keys: &[k(KeyCode::Esc)],
        action: Action::Back,
        help: "Close, or call off a switch",
        hint: Some("close"),
    },
    Binding {
        scope: Scope::Finder,
        keys: &[ctrl('c')],
        action: Action::Quit,
        help: "Quit",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('q'), ctrl('c')],
        action: Action::Quit,
        help: "Quit",
        hint: Some("quit"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Enter)],
        action: Action::RunSearch,
        help: "Search the whole account on the server",
        hint: Some("server search"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Tab)],
        action: Action::AcceptFilter,
        help: "Keep the filter and go to the results",
        hint: Some("keep filter"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Esc)],
        action: Action::ClearSearch,
        help: "Clear the line (a server search stays; Esc again leaves it)",
        hint: Some("clear"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Down), ctrl('n')],
        action: Action::Down,
        help: "Move down in the results",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Up), ctrl('p')],
        action: Action::Up,
        help: "Move up in the results",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Backspace)],
        action: Action::DeleteChar,
        help: "Delete a character",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('u')],
        action: Action::ClearInput,
        help: "Clear the line",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('w')],
        action: Action::DeleteWord,
        help: "Delete the last word",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('c')],
        action: Action::Quit,
        help: "Quit",
        hint: None,
    },
    Binding {
        scope: Scope::Help,
        keys: &[ch('j'), k(KeyCode::Down)],
        action: Action::Down,
        help: "Scroll down",
        hint: Some("scroll"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[ch('k'), k(KeyCode::Up)],
        action: Action::Up,
        help: "Scroll up",
        hint: None,
    },
    Binding {
        scope: Scope::Help,
        keys: &[k(KeyCode::Esc), ch('?'), ch('q'), k(KeyCode::F(1))],
        action: Action::Help,
        help: "Close help",
        hint: Some("close"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('s')],
        action: Action::Save,
        help: "Save (checked before anything is sent)",
        hint: Some("save"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::Esc)],
        action: Action::Cancel,
        help: "Close; asks first if anything changed",
        hint: Some("cancel"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::Tab)],
        action: Action::NextField,
        help: "Next field (completes first: tags, timezone, country)",
        hint: Some("next field"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::BackTab)],
        action: Action::PrevField,
        help: "Previous field",
        hint: None,
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('e')],
        action: Action::ExternalEditor,
        help: "Edit the field in $VISUAL/$EDITOR",
        hint: Some("$EDITOR"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('u')],
        action: Action::ClearInput,
        help: "Clear the field up to the cursor",
        hint: None,
    },
    Binding {
        scope: Scope::Confirm,
        keys: &[ch('y'), ch('Y')],
        action: Action::Yes,
        help: "Yes",
        hint: Some("yes"),
    },
    Binding {
        scope: Scope::Confirm,
        keys: &[ch('n'), ch('N'), k(KeyCode::Esc), k(KeyCode::Enter)],
        action: Action::No,
        help: "No (the default)",
        hint: Some("no"),
    },
    Binding {
        scope: Scope::Confirm,
        keys: &[ctrl('c')],
        action: Action::Quit,
        help: "Quit at once (changes waiting stay in the outbox)",
        hint: None,
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('j'), k(KeyCode::Down)],
        action: Action::Down,
        help: "Move down",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('k'), k(KeyCode::Up)],
        action: Action::Up,
        help: "Move up",
        hint: None,
    },
    Binding {
        scope: Scope::Picker,
        keys: &[k(KeyCode::Enter)],
        action: Action::Pick,
        help: "Choose",
        hint: Some("choose"),
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('D')],
        action: Action::Discard,
        help: "Drafts: throw away; waiting changes: take back to edit",
        hint: None,
    },
    Binding {
        scope: Scope::Picker,
        keys: &[k(KeyCode::Esc), ch('q'), ch('!')],
        action: Action::Back,
        help: "Close",
        hint: Some("close"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[ctrl('c')],
        action: Action::Quit,
        help: "Quit",
        hint: None,
    },
];

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    if key.code != ev.code {
        return false;
    }
    // Shift is implied by the character itself (`G`, `?`) and by BackTab (terminals send
    // Shift-Tab as BackTab with SHIFT), so it is ignored for those.
    let relevant = if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
        ev.modifiers - KeyModifiers::SHIFT
    } else {
        ev.modifiers
    };
    relevant == key.mods
}

/// The action a key has in a scope.
pub fn lookup(scope: Scope, ev: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .filter(|b| b.scope == scope)
        .find(|b| b.keys.iter().any(|k| matches(k, ev)))
        .map(|b| b.action)
}

/// The bindings of a scope in table order.
pub fn bindings(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scope == scope)
}

/// `key label` pairs for the hint bar of a scope.
pub fn hints(scope: Scope) -> Vec<(String, &'static str)> {
    bindings(scope)
        .filter_map(|b| b.hint.map(|h| (key_name(&b.keys[0]), h)))
        .collect()
}

/// How a key is written in help and hints: `j`, `^S`, `Enter`, `S-Tab`.
pub fn key_name(k: &Key) -> String {
    let base = match k.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Backspace => "Bksp".into(),
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
    if k.mods.contains(KeyModifiers::CONTROL) {
        format!("^{}", base.to_uppercase())
    } else {
        base
    }
}

impl Binding {
    /// Every key of the binding, as help shows them: `j/↓`. Written from `keys`, so help can
    /// never name a key that does something else, or miss one.
    pub fn label(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for k in self.keys {
            let name = key_name(k);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_a_scope() {
        for scope in [
            Scope::Global,
            Scope::Search,
            Scope::Help,
            Scope::Form,
            Scope::Confirm,
            Scope::Picker,
            Scope::Finder,
        ] {
            let keys: Vec<&Key> = bindings(scope).flat_map(|b| b.keys.iter()).collect();
            for (i, a) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(a), "{a:?} bound twice in {scope:?}");
            }
        }
    }

    #[test]
    fn shifted_characters_match_without_naming_shift() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Scope::Global, &ev), Some(Action::Bottom));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Scope::Global, &ev), Some(Action::Quit));
        let ev = KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Scope::Global, &ev), Some(Action::RemoveTag));
        let ev = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Global, &ev), None);
    }
}
