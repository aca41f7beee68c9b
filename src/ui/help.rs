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

fn entry(label: &str, help: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label:<11}"), theme::key()),
        Span::raw(help.to_string()),
    ])
}

/// The help of some scopes. The five pane keys share one line.
fn scope_lines(scopes: &[Scope]) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for &scope in scopes {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(scope.title(), theme::header()));
        let mut panes: Vec<&str> = Vec::new();
        for b in keymap::bindings(scope) {
            if let Action::Focus(_) = b.action {
                panes.push(b.help.trim_end_matches(" pane"));
                if panes.len() == 5 {
                    out.push(entry("1-5", &format!("Panes: {}", panes.join(", "))));
                }
                continue;
            }
            out.push(entry(&b.label(), b.help));
        }
    }
    out
}

/// Keys that are not commands (they edit text or change a choice) and the mouse.
fn footer() -> Vec<Line<'static>> {
    vec![
        Line::styled(
            "In an editor field, keys edit the text; Enter goes to the next field",
            theme::dim(),
        ),
        Line::styled(
            "(a new line in notes and details); Space or ←/→ changes a choice.",
            theme::dim(),
        ),
        Line::styled(
            "Mouse: click a row or a tab; the wheel scrolls.",
            theme::dim(),
        ),
    ]
}

/// Every line of the help, in one column.
pub fn lines() -> Vec<Line<'static>> {
    let mut out = scope_lines(&SCOPES);
    out.push(Line::raw(""));
    out.extend(footer());
    out
}

/// Wide screens get two columns: browsing keys on the left, the rest on the right.
fn columns(size: Rect) -> (Vec<Line<'static>>, Option<Vec<Line<'static>>>) {
    if size.width >= 110 {
        let mut right = scope_lines(&SCOPES[1..]);
        right.push(Line::raw(""));
        right.extend(footer());
        (scope_lines(&SCOPES[..1]), Some(right))
    } else {
        (lines(), None)
    }
}

fn box_height(size: Rect, rows: u16) -> u16 {
    (rows + 2)
        .min(size.height.saturating_sub(2))
        .max(size.height.min(3))
}

/// How far the help can scroll on a screen of `size`.
pub fn scroll_limit(size: Rect) -> u16 {
    let (left, right) = columns(size);
    let rows = left.len().max(right.as_ref().map_or(0, Vec::len)) as u16;
    max_scroll(rows, box_height(size, rows))
}

pub fn draw(frame: &mut Frame, size: Rect, scroll: u16) {
    let (left, right) = columns(size);
    let col_w = |ls: &[Line]| {
        ls.iter()
            .map(|l| text::width(&l.to_string()))
            .max()
            .unwrap_or(20) as u16
    };
    let left_w = col_w(&left);
    let want_w = left_w + right.as_ref().map_or(0, |r| col_w(r) + 3) + 4;
    let rows = left.len().max(right.as_ref().map_or(0, Vec::len)) as u16;
    let w = want_w.min(size.width);
    let h = box_height(size, rows);
    let inner = super::centered_box(frame, w, h, "Keys");
    let scroll = scroll.min(max_scroll(rows, h));
    let left_area = Rect {
        width: inner.width.min(left_w + 1),
        ..inner
    };
    frame.render_widget(Paragraph::new(left).scroll((scroll, 0)), left_area);
    if let Some(right) = right {
        let x = inner.x + left_w + 3;
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
