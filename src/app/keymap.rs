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
        label: "Enter/l/→",
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
        label: "r/F5",
        action: Action::Refresh,
        help: "Refresh (retry what failed)",
        hint: Some("refresh"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('?'), k(KeyCode::F(1))],
        label: "?/F1",
        action: Action::Help,
        help: "Show or hide this help",
        hint: Some("help"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[k(KeyCode::Esc), ch('h'), k(KeyCode::Left)],
        label: "Esc/h/←",
        action: Action::Back,
        help: "Back: to the list, then clear the search",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('n')],
        label: "n",
        action: Action::New,
        help: "New contact, task or note (by pane)",
        hint: Some("new"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('e')],
        label: "e",
        action: Action::Edit,
        help: "Edit the contact, task or note",
        hint: Some("edit"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('d')],
        label: "d",
        action: Action::Delete,
        help: "Delete, after a y/N question naming what goes",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('x'), ch(' ')],
        label: "x/Space",
        action: Action::Toggle,
        help: "Complete or reopen the selected task",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('t')],
        label: "t",
        action: Action::AddTag,
        help: "Add tags to the contact",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('T')],
        label: "T",
        action: Action::RemoveTag,
        help: "Remove a tag from the contact",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[ch('o')],
        label: "o",
        action: Action::ShowPending,
        help: "Changes waiting for the server",
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
        keys: &[k(KeyCode::Tab)],
        label: "Tab",
        action: Action::AcceptFilter,
        help: "Keep the filter and go to the results",
        hint: Some("keep filter"),
    },
    Binding {
        scope: Scope::Search,
        keys: &[k(KeyCode::Esc)],
        label: "Esc",
        action: Action::ClearSearch,
        help: "Clear the line (a server search stays; Esc again leaves it)",
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
        keys: &[ctrl('u')],
        label: "^U",
        action: Action::ClearInput,
        help: "Clear the line",
        hint: None,
    },
    Binding {
        scope: Scope::Search,
        keys: &[ctrl('w')],
        label: "^W",
        action: Action::DeleteWord,
        help: "Delete the last word",
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
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('s')],
        label: "^S",
        action: Action::Save,
        help: "Save (checked before anything is sent)",
        hint: Some("save"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::Esc)],
        label: "Esc",
        action: Action::Cancel,
        help: "Close; asks first if anything changed",
        hint: Some("cancel"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::Tab)],
        label: "Tab",
        action: Action::NextField,
        help: "Next field (completes a tag first)",
        hint: Some("next field"),
    },
    Binding {
        scope: Scope::Form,
        keys: &[k(KeyCode::BackTab)],
        label: "S-Tab",
        action: Action::PrevField,
        help: "Previous field",
        hint: None,
    },
    Binding {
        scope: Scope::Form,
        keys: &[ctrl('e')],
        label: "^E",
        action: Action::ExternalEditor,
        help: "Edit the field in $VISUAL/$EDITOR",
        hint: Some("$EDITOR"),
    },
    Binding {
        scope: Scope::Confirm,
        keys: &[ch('y'), ch('Y')],
        label: "y",
        action: Action::Yes,
        help: "Yes",
        hint: Some("yes"),
    },
    Binding {
        scope: Scope::Confirm,
        keys: &[ch('n'), ch('N'), k(KeyCode::Esc), k(KeyCode::Enter)],
        label: "n/Esc",
        action: Action::No,
        help: "No (the default)",
        hint: Some("no"),
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('j'), k(KeyCode::Down)],
        label: "j/↓",
        action: Action::Down,
        help: "Move down",
        hint: Some("move"),
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('k'), k(KeyCode::Up)],
        label: "k/↑",
        action: Action::Up,
        help: "Move up",
        hint: None,
    },
    Binding {
        scope: Scope::Picker,
        keys: &[k(KeyCode::Enter)],
        label: "Enter",
        action: Action::Pick,
        help: "Choose",
        hint: Some("choose"),
    },
    Binding {
        scope: Scope::Picker,
        keys: &[ch('D')],
        label: "D",
        action: Action::Discard,
        help: "Throw away the selected draft",
        hint: None,
    },
    Binding {
        scope: Scope::Picker,
        keys: &[k(KeyCode::Esc), ch('q')],
        label: "Esc",
        action: Action::Back,
        help: "Close",
        hint: Some("close"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[ctrl('c')],
        label: "^C",
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
        for scope in [
            Scope::Global,
            Scope::Search,
            Scope::Help,
            Scope::Form,
            Scope::Confirm,
            Scope::Picker,
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
