//! Keys as data: every action means what `Scope::allows` says in every state it can be pressed
//! in (no action bound in a scope can fall through unhandled), and a user's keymap is honoured.

mod common;

use common::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ghl_tui::api::InstalledLocation;
use ghl_tui::app::form::Form;
use ghl_tui::app::keymap::{Action, Keymap, Scope};
use ghl_tui::app::locations::Picker;
use ghl_tui::app::state::{Modal, Overlay};
use ghl_tui::app::{Effect, Msg, State};

/// Five contacts loaded at 120x40, drawn once (so the view's measurements are in).
fn loaded() -> State {
    let mut s = State::new("test", "Loc1", common::fixed_now());
    s.size = (120, 40);
    s.switchable = true;
    common::first_page(&mut s, common::people(0..5), 5);
    s.pending = vec![common::waiting(1, "New note", None)];
    s
}

/// A state keys can be pressed in: its name, its scope, and how to make it afresh.
type Place = (&'static str, Scope, Box<dyn Fn() -> State>);

/// Every state keys can be pressed in.
fn places() -> Vec<Place> {
    let now = common::fixed_now();
    let with = move |o: fn(chrono::NaiveDateTime) -> Overlay| {
        move || {
            let mut s = loaded();
            s.open(o(now));
            s
        }
    };
    vec![
        ("the panes", Scope::Browse, Box::new(loaded)),
        (
            "the search line",
            Scope::Search,
            Box::new(|| {
                let mut s = loaded();
                s.modal = Modal::Search;
                s
            }),
        ),
        (
            "the help",
            Scope::Help,
            Box::new(|| {
                let mut s = loaded();
                s.modal = Modal::Help { scroll: 0 };
                s
            }),
        ),
        (
            "a note editor",
            Scope::Form,
            Box::new(with(|now| {
                Overlay::Form(Box::new(Form::new_note("c0", now)))
            })),
        ),
        (
            "a task editor",
            Scope::Form,
            Box::new(with(|now| {
                Overlay::Form(Box::new(Form::new_task("c0", now)))
            })),
        ),
        (
            "discard your changes?",
            Scope::Question,
            Box::new(with(|now| {
                Overlay::Discard(Box::new(Form::new_note("c0", now)))
            })),
        ),
        (
            "a confirmation",
            Scope::Question,
            Box::new(with(|_| Overlay::Confirm {
                prompt: "Delete?".into(),
                ops: vec![],
                form: None,
            })),
        ),
        (
            "a question",
            Scope::Question,
            Box::new(with(|_| Overlay::Ask {
                prompt: "Quit?".into(),
                yes: vec![Effect::Quit],
            })),
        ),
        (
            "the tags to remove",
            Scope::List,
            Box::new(with(|_| Overlay::RemoveTag {
                contact_id: "c0".into(),
                tags: vec!["a".into(), "b".into()],
                cursor: 0,
            })),
        ),
        (
            "the changes waiting",
            Scope::List,
            Box::new(with(|_| Overlay::Pending { cursor: 0 })),
        ),
        (
            "the messages",
            Scope::List,
            Box::new(with(|_| Overlay::Messages { scroll: 0 })),
        ),
        (
            "the drafts",
            Scope::List,
            Box::new(with(|_| Overlay::Drafts {
                drafts: vec![(
                    "note:new:c0".into(),
                    serde_json::json!({"kind": "note", "values": {"body": "x"}}),
                )],
                cursor: 0,
            })),
        ),
        (
            "the location switcher",
            Scope::Locations,
            Box::new(with(|_| {
                Overlay::Locations(Picker {
                    all: Some(vec![InstalledLocation {
                        id: "Loc2".into(),
                        name: "Denver".into(),
                        address: String::new(),
                    }]),
                    ..Picker::default()
                })
            })),
        ),
    ]
}

/// An action is taken exactly where the scope allows it: in every state of that scope, every
/// allowed action is handled (none falls into a catch-all), and no other action does anything.
#[test]
fn every_action_is_handled_exactly_where_its_scope_allows_it() {
    let mut seen = std::collections::HashSet::new();
    for (name, scope, make) in places() {
        seen.insert(scope);
        assert_eq!(make().scope(), scope, "{name}");
        for action in Action::all() {
            let mut s = make();
            let (taken, _) = ghl_tui::app::update::act(&mut s, action);
            assert_eq!(
                taken,
                scope.allows(action),
                "{action:?} in {name} ({})",
                scope.name()
            );
        }
    }
    assert_eq!(seen.len(), Scope::ALL.len(), "every scope was tried");
    // And the default map binds nothing a scope does not take (the parser refuses it too).
    let map = Keymap::default();
    for scope in Scope::ALL {
        for b in map.bindings(scope) {
            assert!(
                scope.allows(b.action),
                "{:?} in [{}]",
                b.action,
                scope.name()
            );
        }
    }
}

/// The hint line follows the scope and the pane.
#[test]
fn hints_follow_the_scope_and_the_pane() {
    let mut s = loaded();
    let words = |s: &State| -> Vec<String> {
        s.keymap
            .hints(s.scope(), s.focus)
            .into_iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect()
    };
    assert!(
        words(&s).contains(&"Enter open".to_string()),
        "{:?}",
        words(&s)
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE)),
    );
    assert!(
        words(&s).contains(&"x complete".to_string()),
        "{:?}",
        words(&s)
    );
    assert!(!words(&s).contains(&"Enter open".to_string()));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)),
    );
    assert!(
        words(&s).contains(&"Esc close".to_string()),
        "{:?}",
        words(&s)
    );
}

/// A user's bindings drive the real state machine, and show in the help.
#[test]
fn a_users_keymap_moves_the_list_and_shows_in_the_help() {
    let mut s = loaded();
    s.keymap = std::sync::Arc::new(
        Keymap::with_user(
            "[browse]\nprepend_keymap = [\n  { on = \"ctrl-j\", run = \"down\", desc = \"Down, my way\", hint = \"mine\" },\n]\n",
            "keymap.toml",
        )
        .expect("parses"),
    );
    let hints = s.keymap.hints(s.scope(), s.focus);
    assert!(
        hints.contains(&("^J".to_string(), "mine".to_string())),
        "the user's hint is on the line: {hints:?}"
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL)),
    );
    assert_eq!(s.selected_id(), Some("c1"));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)),
    );
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| {
        ghl_tui::ui::view(&s, f);
    })
    .expect("draw");
    let screen: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("Down, my way"), "{screen}");
}

/// The README's example keymap is one the app accepts.
#[test]
fn the_readme_example_keymap_parses() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\n[browse]")
        .expect("the README has an example keymap")
        + "```toml\n".len();
    let len = readme[start..].find("```").expect("the block ends");
    let map = Keymap::with_user(&readme[start..start + len], "README.md").expect("it parses");
    let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
    assert_eq!(map.lookup(Scope::Browse, &ctrl_j), Some(Action::Down));
    assert_eq!(map.lookup(Scope::List, &ctrl_j), Some(Action::Down));
}
