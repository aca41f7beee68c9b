//! Reading keymap files: the defaults, then the user's over them. Every mistake stops the start
//! with one line naming the file, the line and what is wrong: an unknown scope, action, pane or
//! field, a key that cannot be read, a key bound twice in one scope.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crokey::KeyCombination;
use serde::Deserialize;
use toml::Spanned;

use super::{Action, Binding, Keymap, Scope, normal};
use crate::app::pane::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {what}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub what: String,
}

/// `on = "j"` or `on = ["j", "down"]`.
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key (\"j\") or a list of keys ([\"j\", \"down\"])")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<String>()? {
                    keys.push(k);
                }
                Ok(OneOrMany::Many(keys))
            }
        }
        d.deserialize_any(Keys)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    // Spans do not survive an untagged enum, so the line of a bad key is the line of its `on`.
    on: Spanned<OneOrMany>,
    run: Spanned<String>,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    panes: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default)]
    keymap: Option<Vec<Spanned<Entry>>>,
    #[serde(default)]
    prepend_keymap: Vec<Spanned<Entry>>,
    #[serde(default)]
    append_keymap: Vec<Spanned<Entry>>,
}

struct Source<'a> {
    text: &'a str,
    name: &'a str,
}

impl Source<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].matches('\n').count() + 1
    }

    fn err(&self, span: Range<usize>, what: impl Into<String>) -> KeymapError {
        KeymapError {
            file: self.name.to_string(),
            line: self.line(span),
            what: what.into(),
        }
    }
}

/// A key as written in a file: crokey's syntax (`ctrl-d`, `alt-b`, `enter`, `j`), optionally in
/// angle brackets (`<Esc>`), an uppercase letter meaning Shift (`G`), and `shift-tab` for the
/// back-tab terminals send.
fn key(raw: &str) -> Option<KeyCombination> {
    let mut raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        raw = inner;
    }
    if raw.is_empty() {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    let spelled = match raw.chars().collect::<Vec<_>>().as_slice() {
        [c] if c.is_ascii_uppercase() => format!("shift-{}", c.to_ascii_lowercase()),
        // Any other single character is itself (`é`, `ß`, `ü`), as a keyboard types it.
        [c] if !c.is_ascii() => {
            return Some(KeyCombination::from(KeyEvent::new(
                KeyCode::Char(*c),
                KeyModifiers::NONE,
            )));
        }
        _ if lower == "shift-tab" || lower == "s-tab" => "backtab".into(),
        _ => raw.to_string(),
    };
    let combo = crokey::parse(&spelled).ok()?;
    // crokey reads `j-k` as two keys pressed together; a terminal sends one key at a time, so
    // such a binding could never be pressed.
    (combo.codes.len() == 1).then_some(combo)
}

fn pane(name: &str) -> Option<Pane> {
    match name.trim() {
        "queue" => Some(Pane::Queue),
        "contacts" => Some(Pane::Contacts),
        "details" => Some(Pane::Details),
        "tasks" => Some(Pane::Tasks),
        "notes" => Some(Pane::Notes),
        "appointments" => Some(Pane::Appointments),
        _ => None,
    }
}

/// One file's bindings for one scope, checked: no key twice.
fn bindings(
    src: &Source<'_>,
    scope: Scope,
    entries: Vec<Spanned<Entry>>,
) -> Result<Vec<Binding>, KeymapError> {
    let mut out: Vec<Binding> = Vec::new();
    let mut seen: HashMap<KeyCombination, String> = HashMap::new();
    for entry in entries {
        let entry = entry.into_inner();
        let run_span = entry.run.span();
        let run = entry.run.into_inner();
        let action = Action::parse(&run).ok_or_else(|| {
            src.err(
                run_span.clone(),
                format!("`{run}` is not an action (see the help, or the default keymap)"),
            )
        })?;
        if !scope.allows(action) {
            return Err(src.err(
                run_span,
                format!("`{run}` does nothing in [{}]", scope.name()),
            ));
        }
        let on_span = entry.on.span();
        let keys = match entry.on.into_inner() {
            OneOrMany::One(k) => vec![k],
            OneOrMany::Many(ks) => ks,
        };
        if keys.is_empty() {
            return Err(src.err(run_span, format!("`{run}` has no key in `on`")));
        }
        let mut parsed = Vec::new();
        for text in keys {
            // The line of this key: its quoted text inside `on`, else `on` itself.
            let span = src
                .text
                .get(on_span.clone())
                .and_then(|on| on.find(&format!("\"{text}\"")))
                .map_or(on_span.clone(), |at| {
                    on_span.start + at..on_span.start + at + text.len()
                });
            let combo = key(&text).ok_or_else(|| {
                src.err(
                    span.clone(),
                    format!(
                        "`{text}` is not a key (try `j`, `G`, `ctrl-d`, `alt-b`, `enter`, `esc`)"
                    ),
                )
            })?;
            if let Some(first) = seen.insert(normal(combo), text.clone()) {
                return Err(src.err(
                    span,
                    format!(
                        "`{text}` is bound twice in [{}] (also as `{first}`)",
                        scope.name()
                    ),
                ));
            }
            parsed.push(combo);
        }
        let mut panes = Vec::new();
        for p in entry.panes {
            let span = p.span();
            let name = p.into_inner();
            panes.push(pane(&name).ok_or_else(|| {
                src.err(
                    span,
                    format!(
                        "`{name}` is not a pane (contacts, details, tasks, notes, appointments)"
                    ),
                )
            })?);
        }
        out.push(Binding {
            keys: parsed,
            action,
            desc: entry.desc.unwrap_or_else(|| run.clone()),
            hint: entry.hint,
            panes,
        });
    }
    Ok(out)
}

fn tables(src: &Source<'_>) -> Result<Vec<(Scope, Range<usize>, Table)>, KeymapError> {
    let raw: BTreeMap<String, Spanned<Table>> = toml::from_str(src.text).map_err(|e| {
        let line = e.span().map_or(1, |s| src.line(s));
        KeymapError {
            file: src.name.to_string(),
            line,
            what: e.message().trim().to_string(),
        }
    })?;
    let mut out = Vec::new();
    for (name, table) in raw {
        let span = table.span();
        let scope = Scope::from_name(&name).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
            src.err(
                span.clone(),
                format!("[{name}] is not a scope ({})", known.join(", ")),
            )
        })?;
        out.push((scope, span, table.into_inner()));
    }
    Ok(out)
}

/// The defaults, and the user's file over them when given.
pub fn parse(
    default: &str,
    default_name: &str,
    user: Option<(&str, &str)>,
) -> Result<Keymap, KeymapError> {
    let base = Source {
        text: default,
        name: default_name,
    };
    let mut scopes: HashMap<Scope, Vec<Binding>> = HashMap::new();
    for (scope, _, table) in tables(&base)? {
        let entries = table.keymap.unwrap_or_default();
        scopes.insert(scope, bindings(&base, scope, entries)?);
    }
    let Some((text, name)) = user else {
        return Ok(Keymap { scopes });
    };
    let src = Source { text, name };
    for (scope, span, table) in tables(&src)? {
        let current = scopes.entry(scope).or_default();
        if let Some(whole) = table.keymap {
            *current = bindings(&src, scope, whole)?;
        }
        // Checked together: a key may not be both prepended and appended.
        let first: Vec<Spanned<Entry>> = table.prepend_keymap;
        let last: Vec<Spanned<Entry>> = table.append_keymap;
        let n_first = first.len();
        let mut added = bindings(&src, scope, first.into_iter().chain(last).collect())?;
        let appended = added.split_off(n_first);
        // The user's keys win: they leave the bindings they were in.
        let taken: Vec<KeyCombination> = added
            .iter()
            .chain(&appended)
            .flat_map(|b| b.keys.iter().map(|k| normal(*k)))
            .collect();
        for b in current.iter_mut() {
            b.keys.retain(|k| !taken.contains(&normal(*k)));
        }
        current.retain(|b| !b.keys.is_empty());
        let mut merged = added;
        merged.append(current);
        merged.extend(appended);
        *current = merged;
        for need in ways_out(scope) {
            if !current.iter().any(|b| b.action == *need) {
                let name = super::NAMES
                    .iter()
                    .find(|(_, a)| a == need)
                    .map_or("?", |(n, _)| n);
                return Err(src.err(
                    span.clone(),
                    format!(
                        "[{}] keeps no key for `{name}`: every scope keeps its way out",
                        scope.name()
                    ),
                ));
            }
        }
    }
    Ok(Keymap { scopes })
}

/// What a scope must keep a key for, so no keymap can lock a user in: out of the app and to
/// the help from the panes, and out of every dialog.
fn ways_out(scope: Scope) -> &'static [Action] {
    match scope {
        Scope::Browse => &[Action::Quit, Action::Help],
        Scope::Search => &[Action::ClearSearch],
        Scope::Form => &[Action::Save, Action::Cancel],
        Scope::Question => &[Action::Yes, Action::No],
        Scope::List => &[Action::Back],
        Scope::Locations => &[Action::Back],
        Scope::Help => &[Action::Help],
    }
}

#[cfg(test)]
mod tests {
    use super::super::DEFAULT;
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn user(text: &str) -> Result<Keymap, KeymapError> {
        parse(DEFAULT, "default.toml", Some((text, "keymap.toml")))
    }

    #[test]
    fn a_users_keys_are_added_and_win() {
        let map = user(
            r#"
[browse]
prepend_keymap = [
  { on = ["ctrl-j"], run = "down", desc = "Down" },
  { on = "ctrl-k", run = "up" },
  { on = ["j"], run = "refresh", desc = "j refreshes now" },
]
"#,
        )
        .expect("parses");
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Scope::Browse, &ctrl('j')), Some(Action::Down));
        assert_eq!(map.lookup(Scope::Browse, &ctrl('k')), Some(Action::Up));
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Scope::Browse, &j), Some(Action::Refresh));
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(
            map.lookup(Scope::Browse, &down),
            Some(Action::Down),
            "the other key of the binding stays"
        );
        // A whole scope replaced.
        let map = user("[help]\nkeymap = [ { on = [\"x\"], run = \"help\" } ]\n").expect("parses");
        assert_eq!(map.bindings(Scope::Help).len(), 1);
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let e = user("[browse]\nprepend_keymap = [\n  { on = [\"j\"], run = \"fly\" },\n]\n")
            .expect_err("unknown action");
        assert_eq!(
            e.to_string(),
            "keymap.toml:3: `fly` is not an action (see the help, or the default keymap)"
        );
        let e = user("[browse]\nprepend_keymap = [\n  { on = [\"ctrl-\"], run = \"up\" },\n]\n")
            .expect_err("bad key");
        assert!(
            e.to_string()
                .starts_with("keymap.toml:3: `ctrl-` is not a key"),
            "{e}"
        );
        let e = user(
            "[browse]\nprepend_keymap = [\n  { on = [\"z\"], run = \"up\" },\n  { on = [\"z\"], run = \"down\" },\n]\n",
        )
        .expect_err("twice");
        assert_eq!(
            e.to_string(),
            "keymap.toml:4: `z` is bound twice in [browse] (also as `z`)"
        );
        let e = user("[browse]\nappend_keymap = [ { on = \"ctrl-s\", run = \"save\" } ]\n")
            .expect_err("wrong scope");
        assert_eq!(
            e.to_string(),
            "keymap.toml:2: `save` does nothing in [browse]"
        );
        let e = user("[browse]\nkeymap = [\n  { on = \"j\", run = \"down\" },\n]\n")
            .expect_err("no way out");
        assert_eq!(
            e.to_string(),
            "keymap.toml:1: [browse] keeps no key for `quit`: every scope keeps its way out"
        );
        let e = user(
            "[browse]\nprepend_keymap = [\n  { on = [\"q\", \"ctrl-c\"], run = \"refresh\" },\n]\n",
        )
        .expect_err("quit taken away");
        assert!(e.to_string().contains("keeps no key for `quit`"), "{e}");
        let e = user("[browse]\nprepend_keymap = [\n  { on = [\n    \"z\",\n    \"ctrl-\",\n  ], run = \"up\" },\n]\n")
            .expect_err("bad key on its own line");
        assert!(
            e.to_string()
                .starts_with("keymap.toml:5: `ctrl-` is not a key"),
            "{e}"
        );
        let e = user("[browse]\nprepend_keymap = [ { on = 5, run = \"up\" } ]\n")
            .expect_err("a number");
        assert!(
            e.to_string().contains("expected a key") && !e.to_string().contains("OneOrMany"),
            "{e}"
        );
        let e = user("[browse]\nprepend_keymap = [ { on = \"j-k\", run = \"up\" } ]\n")
            .expect_err("two keys at once");
        assert!(e.to_string().contains("`j-k` is not a key"), "{e}");
        let e = user("[nowhere]\nkeymap = []\n").expect_err("scope");
        assert!(
            e.to_string()
                .starts_with("keymap.toml:1: [nowhere] is not a scope"),
            "{e}"
        );
        let e = user("[browse]\nprepend_keymap = [ { on = [\"z\"], run = \"up\", colour = 1 } ]\n")
            .expect_err("field");
        assert!(e.to_string().starts_with("keymap.toml:2:"), "{e}");
        let e = user("[browse\n").expect_err("toml");
        assert!(e.to_string().starts_with("keymap.toml:1:"), "{e}");
    }

    #[test]
    fn keys_are_read_as_people_write_them() {
        let k = |s| key(s).map(normal);
        assert_eq!(k("G"), k("shift-g"));
        assert_eq!(k("<Esc>"), k("esc"));
        assert!(matches!(
            key("shift-tab").map(|k| *k.codes.first()),
            Some(KeyCode::BackTab)
        ));
        assert!(key("").is_none() && key("hyperdrive").is_none());
        assert_eq!(
            key("é").map(|k| *k.codes.first()),
            Some(KeyCode::Char('é')),
            "a letter of any alphabet"
        );
    }
}
