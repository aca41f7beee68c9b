//! A contact's tasks: open ones first by due date, overdue in red, done ones dimmed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Pane, State};
use crate::sanitize;
use crate::ui::{text, theme};

use super::placeholder;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let load = state.shown_extras().map(|e| &e.tasks);
    if let Some(lines) = placeholder(state, load, "Tasks", spinner) {
        let mut shown = super::waiting_lines(state, Pane::Tasks);
        shown.extend(lines);
        frame.render_widget(Paragraph::new(shown), area);
        return;
    }
    let Some(tasks) = load.and_then(|l| l.ready()) else {
        return;
    };
    if tasks.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled("No tasks", theme::dim())), area);
        return;
    }
    let cursor = state.cursor(Pane::Tasks);
    let focused = state.focus == Pane::Tasks;
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    // Two lines a task: title and due date, then the body.
    // Kept in the order shown (see app::order).
    for (i, task) in tasks.iter().enumerate().skip(cursor.offset) {
        if lines.len() + 2 > usize::from(area.height) + 1 {
            break;
        }
        let overdue = task.is_overdue(state.now);
        let (mark, mark_style) = if task.is_done() {
            ("✓", theme::good())
        } else if overdue {
            ("!", theme::error())
        } else {
            ("○", ratatui::style::Style::new())
        };
        // Shown in the user's local time; compared (overdue) in UTC.
        let shown = task
            .due_date
            .as_deref()
            .and_then(|t| crate::api::time::local(t, state.zone));
        let due = match shown {
            Some(d) if overdue => Span::styled(
                format!("  overdue since {}", text::when_short(d, state.local_now())),
                theme::error(),
            ),
            Some(d) => Span::styled(
                format!("  due {}", text::when_short(d, state.local_now())),
                if task.is_done() {
                    theme::dim()
                } else {
                    theme::warn()
                },
            ),
            None => Span::styled("  no due date", theme::dim()),
        };
        let title = sanitize::line(task.title.as_deref().unwrap_or("(untitled)")).into_owned();
        let saving = task
            .id
            .as_deref()
            .is_some_and(|id| state.marks.contains(id));
        // The title gives way to the due date and the saving mark, and ends in "…" when cut.
        let taken = text::width(theme::marker(false))
            + 2
            + text::width(&due.content)
            + if saving { 10 } else { 0 };
        let title = text::fit(&title, width.saturating_sub(taken).max(8));
        let title_style = if task.is_done() {
            theme::done()
        } else {
            ratatui::style::Style::new()
        };
        let mut spans = vec![
            Span::raw(theme::marker(i == cursor.selected)),
            Span::styled(format!("{mark} "), mark_style),
            Span::styled(title, title_style),
            due,
        ];
        if saving {
            spans.push(Span::styled("  ⇡ saving", theme::warn()));
        }
        let mut first = Line::from(spans);
        if i == cursor.selected {
            first = first.style(theme::selected(focused));
        }
        lines.push(first);
        let mut body = sanitize::line(task.body.as_deref().unwrap_or("")).into_owned();
        // Whose task it is, by name where the location's users can be read.
        if let Some(who) = task.assigned_to.as_deref().filter(|w| !w.is_empty()) {
            let who = sanitize::line(state.user_name(who)).into_owned();
            body = if body.is_empty() {
                format!("for {who}")
            } else {
                format!("for {who} · {body}")
            };
        }
        lines.push(Line::styled(
            format!("  {}", text::fit(&body, width.saturating_sub(2))),
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
