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
    // While typing a search.
    RunSearch,
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
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Browsing",
            Scope::Search => "Search line",
            Scope::Help => "Help",
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
    /// How the keys are written in help, e.g. `j/↓`.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the one-line hint bar.
    pub hint: Option<&'static str>,
}

pub static BINDINGS: &[Binding] = &[
    Binding {
        scope: Scope::Global,
        keys: &[ch('j'), k(KeyCode::Down)],
        label: "j/↓",
        action: Action::Down,
        help: "Move down",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('k'), k(KeyCode::Up)],
        label: "k/↑",
        action: Action::Up,
        help: "Move up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('g'), k(KeyCode::Home)],
        label: "g/Home",
        action: Action::Top,
        help: "Go to the top",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('G'), k(KeyCode::End)],
        label: "G/End",
        action: Action::Bottom,
        help: "Go to the bottom (loads more contacts)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::PageDown), ctrl('d')],
        label: "PgDn/^D",
        action: Action::PageDown,
        help: "Page down",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::PageUp), ctrl('u')],
        label: "PgUp/^U",
        action: Action::PageUp,
        help: "Page up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Enter), ch('l'), k(KeyCode::Right)],
        label: "Enter/l",
        action: Action::Open,
        help: "Open the selected contact",
        hint: Some("open"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Tab)],
        label: "Tab",
        action: Action::NextPane,
        help: "Next pane",
        hint: Some("pane"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::BackTab)],
        label: "S-Tab",
        action: Action::PrevPane,
        help: "Previous pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('1')],
        label: "1",
        action: Action::Focus(1),
        help: "Contacts pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('2')],
        label: "2",
        action: Action::Focus(2),
        help: "Details pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('3')],
        label: "3",
        action: Action::Focus(3),
        help: "Tasks pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('4')],
        label: "4",
        action: Action::Focus(4),
        help: "Notes pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('5')],
        label: "5",
        action: Action::Focus(5),
        help: "Appointments pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('/')],
        label: "/",
        action: Action::Search,
        help: "Search: filter as you type, Enter asks the server",
        hint: Some("search"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('r'), k(KeyCode::F(5))],
        label: "r",
        action: Action::Refresh,
        help: "Refresh (retry what failed)",
        hint: Some("refresh"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('?'), k(KeyCode::F(1))],
        label: "?",
        action: Action::Help,
        help: "Show or hide this help",
        hint: Some("help"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Esc), ch('h'), k(KeyCode::Left)],
        label: "Esc/h",
        action: Action::Back,
        help: "Back: to the list, then clear the search",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('q'), ctrl('c')],
        label: "q/^C",
        action: Action::Quit,
        help: "Quit",
        hint: Some("quit"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Enter)],
        label: "Enter",
        action: Action::RunSearch,
        help: "Search the whole account on the server",
        hint: Some("server search"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Esc)],
        label: "Esc",
        action: Action::ClearSearch,
        help: "Clear the search",
        hint: Some("clear"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Down), ctrl('n')],
        label: "↓/^N",
        action: Action::Down,
        help: "Move down in the results",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Up), ctrl('p')],
        label: "↑/^P",
        action: Action::Up,
        help: "Move up in the results",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Backspace)],
        label: "Bksp",
        action: Action::DeleteChar,
        help: "Delete a character",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('u'), ctrl('w')],
        label: "^U",
        action: Action::ClearInput,
        help: "Clear the line",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('c')],
        label: "^C",
        action: Action::Quit,
        help: "Quit",
        hint: None,
    },
    Binding {
        scope: Scope::Help,
        keys: &[ch('j'), k(KeyCode::Down)],
        label: "j/↓",
        action: Action::Down,
        help: "Scroll down",
        hint: Some("scroll"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[ch('k'), k(KeyCode::Up)],
        label: "k/↑",
        action: Action::Up,
        help: "Scroll up",
        hint: None,
    },
    Binding {
        scope: Scope::Help,
        keys: &[k(KeyCode::Esc), ch('?'), ch('q'), k(KeyCode::F(1))],
        label: "Esc/?/q",
        action: Action::Help,
        help: "Close help",
        hint: Some("close"),
    },
];

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    if key.code != ev.code {
        return false;
    }
    // Shift is implied by the character itself (`G`, `?`), so it is ignored for characters.
    let relevant = if matches!(ev.code, KeyCode::Char(_)) {
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
pub fn hints(scope: Scope) -> Vec<(&'static str, &'static str)> {
    bindings(scope)
        .filter_map(|b| b.hint.map(|h| (first_key(b.label), h)))
        .collect()
}

/// The first key of a label like `j/↓`; a label that is only `/` is the slash key itself.
fn first_key(label: &'static str) -> &'static str {
    match label.split('/').next() {
        Some(first) if !first.is_empty() => first,
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_a_scope() {
        for scope in [Scope::Global, Scope::Search, Scope::Help] {
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
        let ev = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Global, &ev), None);
    }
}
