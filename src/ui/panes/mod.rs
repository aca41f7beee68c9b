//! One module per pane.

pub mod appointments;
pub mod contacts;
pub mod details;
pub mod notes;
pub mod queue;
pub mod tasks;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout::{self, TAB_DIVIDER};
use super::theme;
use crate::api::ApiError;
use crate::app::state::{Load, Pane, State};

/// A pane's frame with its title, drawn as focused or not.
pub fn frame_block(title: String, focused: bool) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::bordered()
        .border_type(theme::border_type(focused))
        .border_style(theme::border(focused))
        .title(Span::styled(title, theme::title(focused)))
}

/// The right side's tab labels with counts where known, as long as fits in `width` cells.
pub fn tab_labels(state: &State, width: u16) -> Vec<(Pane, String)> {
    let extras = state.shown_extras();
    let counts: Vec<(Pane, Option<usize>)> = Pane::TABS
        .iter()
        .map(|&p| {
            let count = extras.and_then(|e| match p {
                Pane::Tasks => e.tasks.ready().map(Vec::len),
                Pane::Notes => e.notes.ready().map(Vec::len),
                Pane::Appointments => e.appointments.ready().map(Vec::len),
                _ => None,
            });
            (p, count)
        })
        .collect();
    let build = |compact| -> Vec<(Pane, String)> {
        counts
            .iter()
            .map(|&(p, n)| (p, layout::tab_label(p, n, compact)))
            .collect()
    };
    for compact in 0..3 {
        let labels = build(compact);
        let total: usize = labels.iter().map(|(_, l)| super::text::width(l) + 1).sum();
        if total <= usize::from(width) + 1 {
            return labels;
        }
    }
    build(3)
}

pub fn draw_tab_bar(frame: &mut Frame, area: Rect, state: &State) {
    let focused_right = state.focus != Pane::Contacts;
    let mut spans = Vec::new();
    for (i, (pane, label)) in tab_labels(state, area.width).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(TAB_DIVIDER, theme::dim()));
        }
        let style = if pane == state.tab {
            theme::selected(focused_right)
        } else {
            ratatui::style::Style::new()
        };
        spans.push(Span::styled(label, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What a pane shows while its data is not there: a spinner, an error with the retry key, or
/// a note that nothing is selected.
pub fn placeholder<T>(
    state: &State,
    load: Option<&Load<T>>,
    what: &str,
    spinner: &str,
) -> Option<Vec<Line<'static>>> {
    match load {
        None | Some(Load::Idle) => Some(vec![Line::styled(
            format!("{what} load when you stop on a contact"),
            theme::dim(),
        )]),
        Some(Load::Loading) => Some(vec![Line::styled(
            format!("{spinner} Loading {}…", what.to_lowercase()),
            theme::dim(),
        )]),
        Some(Load::Failed(e)) => Some(error_lines(state, what, e)),
        Some(Load::Ready(_)) => None,
    }
}

/// Changes on their way for the selected contact's `pane`, for when the pane's own data is
/// not there (loading, or failed): what the user just did never disappears behind an error.
pub fn waiting_lines(state: &State, pane: Pane) -> Vec<Line<'static>> {
    use crate::api::WriteOp;
    let Some(id) = state.shown_id() else {
        return Vec::new();
    };
    let about = |op: &WriteOp| match op {
        WriteOp::CreateTask { .. }
        | WriteOp::UpdateTask { .. }
        | WriteOp::CompleteTask { .. }
        | WriteOp::DeleteTask { .. } => pane == Pane::Tasks,
        WriteOp::CreateNote { .. } | WriteOp::UpdateNote { .. } | WriteOp::DeleteNote { .. } => {
            pane == Pane::Notes
        }
        _ => false,
    };
    let mut lines: Vec<Line<'static>> = state
        .pending
        .iter()
        .filter_map(|p| p.op.as_ref())
        .filter(|op| op.contact_id() == Some(id) && about(op))
        .map(|op| {
            Line::from(vec![
                Span::styled("⇡ saving ", theme::warn()),
                Span::raw(crate::ui::text::safe(&op.describe())),
            ])
        })
        .collect();
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    lines
}

pub fn error_lines(state: &State, what: &str, e: &ApiError) -> Vec<Line<'static>> {
    vec![
        Line::styled(
            format!("Couldn't load {}", what.to_lowercase()),
            theme::error(),
        ),
        Line::raw(e.one_line()),
        Line::from(vec![
            Span::raw("Press "),
            Span::styled(
                super::text::safe(&state.key(crate::app::keymap::Action::Refresh)),
                theme::key(),
            ),
            Span::raw(" to retry."),
        ]),
    ]
}
