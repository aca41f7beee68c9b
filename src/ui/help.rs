//! The `?` overlay, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{text, theme};
use crate::app::keymap::{self, Action, Scope};

const SCOPES: [Scope; 7] = [
    Scope::Global,
    Scope::Search,
    Scope::Form,
    Scope::Confirm,
    Scope::Picker,
    Scope::Finder,
    Scope::Help,
];

/// One thing the help says, before it is laid out to a width.
enum Item {
    Title(&'static str),
    Entry(String, String),
    Blank,
    Note(&'static str),
}

/// The help of some scopes. The five pane keys share one line.
fn scope_items(scopes: &[Scope]) -> Vec<Item> {
    let mut out = Vec::new();
    for &scope in scopes {
        if !out.is_empty() {
            out.push(Item::Blank);
        }
        out.push(Item::Title(scope.title()));
        let mut panes: Vec<&str> = Vec::new();
        for b in keymap::bindings(scope) {
            if let Action::Focus(_) = b.action {
                panes.push(b.help.trim_end_matches(" pane"));
                if panes.len() == 5 {
                    out.push(Item::Entry(
                        "1-5".into(),
                        format!("Panes: {}", panes.join(", ")),
                    ));
                }
                continue;
            }
            out.push(Item::Entry(b.label(), b.help.to_string()));
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
            Item::Entry(k, _) => Some(text::width(k)),
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
                for (i, piece) in text::wrap(help, text_w).into_iter().enumerate() {
                    let key = if i == 0 { k.as_str() } else { "" };
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
fn columns(size: Rect) -> (Vec<Line<'static>>, Option<Vec<Line<'static>>>, u16) {
    if size.width >= 110 {
        let inner = size.width.min(170).saturating_sub(4);
        let col = inner.saturating_sub(3) / 2;
        let mut right = scope_items(&SCOPES[1..]);
        right.extend(footer());
        (
            render(&scope_items(&SCOPES[..1]), col),
            Some(render(&right, col)),
            col,
        )
    } else {
        let col = size.width.min(100).saturating_sub(4);
        let mut all = scope_items(&SCOPES);
        all.extend(footer());
        (render(&all, col), None, col)
    }
}

/// Every line of the help, in one column `width` wide.
pub fn lines(width: u16) -> Vec<Line<'static>> {
    let mut all = scope_items(&SCOPES);
    all.extend(footer());
    render(&all, width)
}

fn box_height(size: Rect, rows: u16) -> u16 {
    (rows + 2)
        .min(size.height.saturating_sub(2))
        .max(size.height.min(3))
}

/// How far the help can scroll on a screen of `size`.
pub fn scroll_limit(size: Rect) -> u16 {
    let (left, right, _) = columns(size);
    let rows = left.len().max(right.as_ref().map_or(0, Vec::len)) as u16;
    max_scroll(rows, box_height(size, rows))
}

pub fn draw(frame: &mut Frame, size: Rect, scroll: u16) {
    let (left, right, col) = columns(size);
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
}

/// How far the help can scroll when `rows` lines show in a box `h` tall.
pub fn max_scroll(rows: u16, h: u16) -> u16 {
    rows.saturating_sub(h.saturating_sub(2))
}
