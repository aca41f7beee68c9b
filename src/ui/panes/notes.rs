//! A contact's notes, newest first, bodies wrapped to the pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::Note;
use crate::app::state::{Pane, State};
use crate::sanitize::{self, Lines};
use crate::ui::{text, theme};

use super::placeholder;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let load = state.shown_extras().map(|e| &e.notes);
    if let Some(lines) = placeholder(state, load, "Notes", spinner) {
        let mut shown = super::waiting_lines(state, Pane::Notes);
        shown.extend(lines);
        frame.render_widget(Paragraph::new(shown), area);
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
    let width = usize::from(area.width);
    let mut lines: Vec<Line> = Vec::new();
    // Every note, wrapped here (not by the widget) so update knows each note's height and can
    // scroll through a note taller than the pane line by line.
    // Kept in the order shown (see app::order).
    for (i, note) in notes.iter().enumerate() {
        let when = note
            .date_added
            .as_deref()
            .and_then(|t| crate::api::time::local(t, state.zone))
            .map_or_else(
                || "undated".to_string(),
                |t| text::when_short(t, state.local_now()),
            );
        let mut header = vec![Span::styled(format!("── {when} "), theme::label())];
        if let Some(t) = note.title.as_deref().filter(|t| !t.is_empty()) {
            header.push(Span::styled(
                sanitize::line(t).into_owned(),
                theme::title(false),
            ));
        }
        if let Some(by) = note.user_id.as_deref().filter(|u| !u.is_empty()) {
            header.push(Span::styled(
                format!(" by {}", sanitize::line(state.user_name(by))),
                theme::dim(),
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
        lines.extend(body_lines(note, width).into_iter().map(Line::raw));
        lines.push(Line::raw(""));
    }
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(cursor.offset)
        .take(usize::from(area.height))
        .collect();
    frame.render_widget(Paragraph::new(visible), area);
}

fn body_lines(note: &Note, width: usize) -> Vec<String> {
    let body = sanitize::clean(note.body.as_deref().unwrap_or(""), Lines::Multi).into_owned();
    body.split('\n')
        .flat_map(|l| text::wrap(l, width))
        .collect()
}

/// Where each note starts and how many lines it takes at `width` (header, body, blank line),
/// in the order the pane shows them.
pub fn spans(notes: &[Note], width: usize) -> Vec<(usize, usize)> {
    let mut start = 0;
    notes
        .iter()
        .map(|n| {
            let h = body_lines(n, width).len() + 2;
            let span = (start, h);
            start += h;
            span
        })
        .collect()
}
