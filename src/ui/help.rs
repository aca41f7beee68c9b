//! The `?` overlay, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{text, theme};
use crate::app::keymap::{self, Scope};

pub fn lines() -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for scope in [Scope::Global, Scope::Search, Scope::Help] {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(scope.title(), theme::header()));
        for b in keymap::bindings(scope) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<10}", b.label), theme::key()),
                Span::raw(b.help),
            ]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Mouse: click a row or a tab; the wheel scrolls.",
        theme::dim(),
    ));
    out
}

pub fn draw(frame: &mut Frame, size: Rect, scroll: u16) {
    let all = lines();
    let want_w = all
        .iter()
        .map(|l| text::width(&l.to_string()))
        .max()
        .unwrap_or(20) as u16
        + 4;
    let w = want_w.min(size.width);
    let h = (all.len() as u16 + 2)
        .min(size.height.saturating_sub(2))
        .max(size.height.min(3));
    let area = Rect {
        x: size.x + (size.width - w) / 2,
        y: size.y + (size.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, area);
    super::clear_straddlers(frame.buffer_mut(), area);
    let max_scroll = (all.len() as u16).saturating_sub(h.saturating_sub(2));
    let block = Block::bordered()
        .border_style(theme::border(true))
        .title(Span::styled(" Keys ", theme::title(true)));
    frame.render_widget(
        Paragraph::new(all)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        area,
    );
}
