//! The `?` overlay, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{text, theme};
use crate::app::keymap::{Action, Keymap, Scope};

/// The order the help tells them in: browsing on its own (the left column on a wide screen),
/// then what a new user meets soonest.
const SCOPES: [Scope; 7] = [
    Scope::Browse,
    Scope::Search,
    Scope::Question,
    Scope::List,
    Scope::Form,
    Scope::Locations,
    Scope::Help,
];

/// Keys wider than this take a line of their own, so one long label does not push every
/// description right.
const KEY_COLUMN: usize = 11;

/// One thing the help says, before it is laid out to a width.
enum Item {
    Title(&'static str),
    Entry(String, String),
    Blank,
    Note(&'static str),
}

/// The moves every list shares, said on one line outside the panes: the keys, then the words
/// in the same order.
const MOVES: [(Action, &str); 6] = [
    (Action::Down, "down"),
    (Action::Up, "up"),
    (Action::Top, "first"),
    (Action::Bottom, "last"),
    (Action::PageDown, "page down"),
    (Action::PageUp, "page up"),
];

/// The help of some scopes. The five pane keys share one line; outside the panes the moves
/// share one; the keys that edit a line are said once (the search line's), after the
/// location switcher's.
fn scope_items(map: &Keymap, scopes: &[Scope]) -> Vec<Item> {
    let mut out = Vec::new();
    for &scope in scopes {
        if !out.is_empty() {
            out.push(Item::Blank);
        }
        out.push(Item::Title(scope.title()));
        let mut panes: Vec<&str> = Vec::new();
        let bindings = map.bindings(scope);
        // The queue (`focus 0`) says its own line.
        let focus_keys = bindings
            .iter()
            .filter(|b| matches!(b.action, Action::Focus(n) if n > 0))
            .count();
        let moves: Vec<(String, &str)> = MOVES
            .iter()
            .filter(|_| scope != Scope::Browse)
            .filter_map(|(a, word)| Some((map.key_for(scope, *a)?, *word)))
            .collect();
        let mut moves_said = false;
        for b in bindings {
            // The pane keys as they come by default (1 to 5, in order) share a line; rebound,
            // each says its own.
            if let Action::Focus(n) = b.action
                && n > 0
                && focus_keys == 5
                && b.label().len() == 1
            {
                panes.push(b.desc.trim_end_matches(" pane"));
                if panes.len() == 5 {
                    out.push(Item::Entry(
                        "1-5".into(),
                        format!("Panes: {}", panes.join(", ")),
                    ));
                }
                continue;
            }
            if b.action.edits_line() && scope != Scope::Form {
                continue;
            }
            if moves.len() > 1 && MOVES.iter().any(|(a, _)| *a == b.action) {
                if !moves_said {
                    moves_said = true;
                    let keys: Vec<&str> = moves.iter().map(|(k, _)| k.as_str()).collect();
                    let words: Vec<&str> = moves.iter().map(|(_, w)| *w).collect();
                    let mut words = words.join(", ");
                    if let Some(first) = words.get(..1) {
                        words = first.to_uppercase() + &words[1..];
                    }
                    out.push(Item::Entry(keys.join(" "), words));
                }
                continue;
            }
            out.push(Item::Entry(b.label(), b.desc.clone()));
        }
        if scope == Scope::Locations {
            out.push(Item::Blank);
            out.push(Item::Title("Typing a line (search, location search)"));
            let search = map.bindings(Scope::Search);
            for b in search.iter().filter(|b| b.action.edits_line()) {
                out.push(Item::Entry(b.label(), b.desc.clone()));
            }
        }
    }
    out
}

/// Keys that are not commands (they edit text or change a choice) and the mouse.
fn footer() -> Vec<Item> {
    vec![
        Item::Blank,
        Item::Note(
            "In an editor field, keys edit the text; Enter goes to the next field (a new line in \
             notes and details, and saves a one-line box); Space or ←/→ changes a choice.",
        ),
        Item::Note("Mouse: click a row or a tab; the wheel scrolls."),
    ]
}

/// Lays `items` out `width` cells wide: the key column as wide as the longest key, each
/// description wrapped beside it (never cut, never run into its key).
fn render(items: &[Item], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width).max(12);
    let key_w = items
        .iter()
        .filter_map(|i| match i {
            Item::Entry(k, _) => Some(text::width(k)).filter(|w| *w <= KEY_COLUMN),
            _ => None,
        })
        .max()
        .unwrap_or(4)
        .min(width / 3)
        + 2;
    let text_w = width.saturating_sub(key_w + 2).max(8);
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Title(t) => out.push(Line::styled(t.to_string(), theme::header())),
            Item::Blank => out.push(Line::raw("")),
            Item::Note(n) => out.extend(
                text::wrap(n, width)
                    .into_iter()
                    .map(|l| Line::styled(l, theme::dim())),
            ),
            Item::Entry(k, help) => {
                let own_line = text::width(k) + 2 > key_w;
                if own_line {
                    out.push(Line::styled(format!("  {k}"), theme::key()));
                }
                for (i, piece) in text::wrap(help, text_w).into_iter().enumerate() {
                    let key = if i == 0 && !own_line { k.as_str() } else { "" };
                    let pad = key_w.saturating_sub(text::width(key));
                    out.push(Line::from(vec![
                        Span::styled(format!("  {key}{}", " ".repeat(pad)), theme::key()),
                        Span::raw(piece),
                    ]));
                }
            }
        }
    }
    out
}

/// The columns of the help on a screen of `size`, and how wide each is. Wide screens get two:
/// browsing keys on the left, the rest on the right.
fn columns(map: &Keymap, size: Rect) -> (Vec<Line<'static>>, Option<Vec<Line<'static>>>, u16) {
    if size.width >= 110 {
        let inner = size.width.min(170).saturating_sub(4);
        let col = inner.saturating_sub(3) / 2;
        let mut right = scope_items(map, &SCOPES[1..]);
        right.extend(footer());
        (
            render(&scope_items(map, &SCOPES[..1]), col),
            Some(render(&right, col)),
            col,
        )
    } else {
        let col = size.width.min(100).saturating_sub(4);
        let mut all = scope_items(map, &SCOPES);
        all.extend(footer());
        (render(&all, col), None, col)
    }
}

/// Every line of the help, in one column `width` wide.
pub fn lines(map: &Keymap, width: u16) -> Vec<Line<'static>> {
    let mut all = scope_items(map, &SCOPES);
    all.extend(footer());
    render(&all, width)
}

fn box_height(size: Rect, rows: u16) -> u16 {
    (rows + 2)
        .min(size.height.saturating_sub(2))
        .max(size.height.min(3))
}

/// Draws the help scrolled by `scroll`; returns how far it can scroll and how many of its
/// lines show.
pub fn draw(frame: &mut Frame, map: &Keymap, size: Rect, scroll: u16) -> (u16, usize) {
    let (left, right, col) = columns(map, size);
    let want_w = col + right.as_ref().map_or(0, |_| col + 3) + 2;
    let rows = left.len().max(right.as_ref().map_or(0, Vec::len)) as u16;
    let w = want_w.min(size.width);
    let h = box_height(size, rows);
    let inner = super::centered_box(frame, w, h, "Keys");
    let scroll = scroll.min(max_scroll(rows, h));
    let left_area = Rect {
        width: inner.width.min(col),
        ..inner
    };
    frame.render_widget(Paragraph::new(left).scroll((scroll, 0)), left_area);
    if let Some(right) = right {
        let x = inner.x + col + 3;
        let right_area = Rect {
            x,
            width: inner.right().saturating_sub(x),
            ..inner
        };
        frame.render_widget(Paragraph::new(right).scroll((scroll, 0)), right_area);
    }
    (max_scroll(rows, h), usize::from(inner.height))
}

/// How far the help can scroll when `rows` lines show in a box `h` tall.
pub fn max_scroll(rows: u16, h: u16) -> u16 {
    rows.saturating_sub(h.saturating_sub(2))
}
