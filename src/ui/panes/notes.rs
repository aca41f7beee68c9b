//! A contact's notes, newest first, bodies wrapped to the pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::Note;
use crate::app::state::{Pane, State};
use crate::sanitize::{self, Lines};
use crate::ui::{text, theme};

use super::placeholder;

pub fn ordered(notes: &[Note]) -> Vec<&Note> {
    let mut v: Vec<&Note> = notes.iter().collect();
    v.sort_by_key(|n| std::cmp::Reverse(n.added()));
    v
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let load = state.selected_extras().map(|e| &e.notes);
    if let Some(lines) = placeholder(load, "Notes", spinner) {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let Some(notes) = load.and_then(|l| l.ready()) else {
        return;
    };
    if notes.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled("No notes", theme::dim())), area);
        return;
    }
    let cursor = state.cursor(Pane::Notes);
    let focused = state.focus == Pane::Notes;
    let mut lines: Vec<Line> = Vec::new();
    // The selected note is drawn first so it is always fully in view; earlier ones are a
    // key-press away.
    for (i, note) in ordered(notes).into_iter().enumerate().skip(cursor.selected) {
        if lines.len() > usize::from(area.height) {
            break;
        }
        let when = note
            .added()
            .map_or_else(|| "undated".to_string(), |t| text::when_short(t, state.now));
        let mut header = vec![Span::styled(format!("── {when} "), theme::label())];
        if let Some(t) = note.title.as_deref().filter(|t| !t.is_empty()) {
            header.push(Span::styled(
                sanitize::line(t).into_owned(),
                theme::title(false),
            ));
        }
        if note.pinned == Some(true) {
            header.push(Span::styled(" (pinned)", theme::warn()));
        }
        if note
            .id
            .as_deref()
            .is_some_and(|id| state.marks.contains(id))
        {
            header.push(Span::styled(" ⇡ saving", theme::warn()));
        }
        let mut header = Line::from(header);
        if i == cursor.selected && focused {
            header = header.style(theme::selected(true));
        }
        lines.push(header);
        let body = sanitize::clean(note.body.as_deref().unwrap_or(""), Lines::Multi).into_owned();
        for l in body.lines() {
            lines.push(Line::raw(l.to_string()));
        }
        lines.push(Line::raw(""));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
