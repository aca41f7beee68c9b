//! A contact's appointments: upcoming first, then past ones.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Pane, State};
use crate::sanitize;
use crate::ui::{text, theme};

use super::placeholder;

fn status_style(status: &str) -> ratatui::style::Style {
    match status {
        "confirmed" | "showed" => theme::good(),
        "cancelled" | "noshow" | "invalid" => theme::error(),
        _ => theme::warn(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let load = state.shown_extras().map(|e| &e.appointments);
    if let Some(lines) = placeholder(state, load, "Appointments", spinner) {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let Some(events) = load.and_then(|l| l.ready()) else {
        return;
    };
    if events.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No appointments", theme::dim())),
            area,
        );
        return;
    }
    let cursor = state.cursor(Pane::Appointments);
    let focused = state.focus == Pane::Appointments;
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    for (i, a) in crate::app::order::appointments(events, state.now)
        .into_iter()
        .enumerate()
        .skip(cursor.offset)
    {
        if lines.len() + 2 > usize::from(area.height) + 1 {
            break;
        }
        let local = |raw: &Option<String>| {
            raw.as_deref()
                .and_then(|t| crate::api::time::local(t, state.zone))
        };
        let start = local(&a.start_time).map_or_else(
            || sanitize::line(a.start_time.as_deref().unwrap_or("?")).into_owned(),
            |s| text::when_short(s, state.local_now()),
        );
        let end = match (local(&a.start_time), local(&a.end_time)) {
            (Some(s), Some(e)) if s.date() == e.date() => e.format("–%H:%M").to_string(),
            (_, Some(e)) => format!(" – {}", text::when_short(e, state.local_now())),
            _ => String::new(),
        };
        let status = sanitize::line(a.state().unwrap_or("unknown")).into_owned();
        let title = sanitize::line(a.title.as_deref().unwrap_or("(no title)")).into_owned();
        let past = a.start().is_some_and(|s| s < state.now);
        let when_style = if past {
            theme::dim()
        } else {
            ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD)
        };
        let mut first = Line::from(vec![
            Span::styled(format!("{start}{end}  "), when_style),
            Span::styled(format!("{status:<10}"), status_style(&status)),
            Span::raw(title),
        ]);
        if i == cursor.selected {
            first = first.style(theme::selected(focused));
        }
        lines.push(first);
        let mut place =
            sanitize::line(a.address.as_deref().or(a.notes.as_deref()).unwrap_or("")).into_owned();
        // Whose calendar it is on, by name where the location's users can be read.
        if let Some(owner) = a.assigned_user_id.as_deref().filter(|o| !o.is_empty()) {
            let owner = sanitize::line(state.user_name(owner)).into_owned();
            place = if place.is_empty() {
                format!("with {owner}")
            } else {
                format!("with {owner} · {place}")
            };
        }
        lines.push(Line::styled(
            format!("  {}", text::fit(&place, width.saturating_sub(2))),
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
