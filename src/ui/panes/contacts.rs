//! The contact list: only the rows on screen are built, so 100,000 contacts draw as fast as 30.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use crate::app::state::{Pane, State};
use crate::ui::{layout, text, theme};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let focused = state.focus == Pane::Contacts;
    let set = state.set();
    let loaded = set.len() as u64;
    let count = match set.total {
        Some(t) if t != loaded => format!("{}/{}", text::count(loaded), text::count(t)),
        _ => text::count(loaded),
    };
    let title = match &set.query {
        Some(q) => format!(
            " 1 Search “{}” {count} ",
            text::fit(&crate::sanitize::line(q), 24)
        ),
        None => format!(" 1 Contacts {count} "),
    };
    let block = super::frame_block(title, focused);
    frame.render_widget(block, area);
    let inner = layout::inset(area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let areas = layout::Areas {
        contacts: Some(area),
        ..Default::default()
    };
    let Some(rows_area) = areas.list_rows() else {
        return;
    };

    let (widths, headers) = columns(inner.width);
    let header_area = Rect { height: 1, ..inner };
    let header = Row::new(headers.iter().map(|h| Span::styled(*h, theme::header())));
    frame.render_widget(
        Table::new([header], widths.clone()).column_spacing(1),
        header_area,
    );

    let height = usize::from(rows_area.height);
    let start = state.list.offset.min(state.visible_len());
    let end = (start + height).min(state.visible_len());
    let mut rows = Vec::with_capacity(end - start);
    let query = (state.visible.is_some() && !state.query.is_empty()).then_some(&state.query);
    // In the view of what changed since last time, the last column says what.
    let changes = state
        .filter
        .text()
        .trim_start()
        .starts_with(crate::app::sync_view::CHANGED)
        .then_some(&state.sync.what_changed);
    for pos in start..end {
        let Some(row) = state.row_index(pos).and_then(|i| set.row(i)) else {
            continue;
        };
        let selected = pos == state.list.selected;
        let mut name = name_cell(row.name(), theme::marker(selected), query);
        if state.marked.contains(row.id()) {
            // Marked for a change to all (`v`): a mark before the name.
            name.spans.insert(0, Span::styled("● ", theme::key()));
        }
        let tags = row.tags();
        let last = changes.and_then(|c| c.get(row.id())).unwrap_or(&tags);
        // Masked before the column cuts it: a cut email has no shape left to find.
        let reach = if state.mask {
            std::borrow::Cow::Owned(crate::ui::mask::text(row.reach()))
        } else {
            std::borrow::Cow::Borrowed(row.reach())
        };
        let cells = std::iter::once(ratatui::widgets::Cell::from(name)).chain(
            [reach.as_ref(), row.company(), last.as_str()]
                .into_iter()
                .take(widths.len().saturating_sub(1))
                .map(|s| ratatui::widgets::Cell::from(s.to_string())),
        );
        let mut r = Row::new(cells);
        if selected {
            r = r.style(theme::selected(focused));
        }
        rows.push(r);
    }
    if rows.is_empty() {
        let msg = if set.is_loading() {
            format!("{spinner} Loading contacts…")
        } else if let Some(e) = &set.error {
            format!(
                "Couldn't load contacts: {} ({} to retry)",
                e.one_line(),
                state.key(crate::app::keymap::Action::Refresh)
            )
        } else if state.visible.is_some() {
            "No loaded contact matches; Enter searches the server".to_string()
        } else {
            "No contacts".to_string()
        };
        let style = if set.error.is_some() {
            theme::error()
        } else {
            theme::dim()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, style)).wrap(Default::default()),
            rows_area,
        );
    } else {
        frame.render_widget(Table::new(rows, widths).column_spacing(1), rows_area);
    }

    let search_area = Rect {
        y: rows_area.y + rows_area.height,
        height: 1,
        ..inner
    };
    if search_area.y < inner.y + inner.height {
        frame.render_widget(
            Paragraph::new(search_line(state, spinner, usize::from(search_area.width))),
            search_area,
        );
    }
}

/// The name, with the letters the `/` text matched marked.
fn name_cell<'a>(
    name: &'a str,
    marker: &'static str,
    query: Option<&crate::search::Query>,
) -> Line<'a> {
    let marks = query
        .map(|q| crate::search::highlight(name, q))
        .unwrap_or_default();
    if marks.is_empty() {
        return Line::from(format!("{marker}{name}"));
    }
    let mut spans = vec![Span::raw(marker)];
    let mut run = String::new();
    let mut run_marked = false;
    let mut next = marks.iter().peekable();
    for (i, c) in name.chars().enumerate() {
        let marked = next.peek().is_some_and(|&&m| m == i);
        if marked {
            next.next();
        }
        if marked != run_marked && !run.is_empty() {
            let text = std::mem::take(&mut run);
            spans.push(if run_marked {
                Span::styled(text, theme::matched())
            } else {
                Span::raw(text)
            });
        }
        run_marked = marked;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(if run_marked {
            Span::styled(run, theme::matched())
        } else {
            Span::raw(run)
        });
    }
    Line::from(spans)
}

fn columns(width: u16) -> (Vec<Constraint>, Vec<&'static str>) {
    if width >= 90 {
        (
            vec![
                Constraint::Fill(3),
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Fill(2),
            ],
            vec!["Name", "Email / phone", "Company", "Tags"],
        )
    } else if width >= 60 {
        (
            vec![
                Constraint::Fill(3),
                Constraint::Fill(3),
                Constraint::Fill(2),
            ],
            vec!["Name", "Email / phone", "Company"],
        )
    } else if width >= 28 {
        (
            vec![Constraint::Fill(1), Constraint::Fill(1)],
            vec!["Name", "Email / phone"],
        )
    } else {
        (vec![Constraint::Fill(1)], vec!["Name"])
    }
}

fn search_line(state: &State, spinner: &str, width: usize) -> Line<'static> {
    let typing = state.searching();
    if typing || !state.filter.is_empty() {
        let matches = format!(
            "  {} of {}",
            text::count(state.visible_len() as u64),
            text::count(state.set().len() as u64)
        );
        let mut spans = vec![Span::styled("/", theme::key())];
        // The count stays in view however long the text.
        let room = width.saturating_sub(1 + text::width(&matches));
        spans.extend(crate::ui::input_spans(&state.filter, typing, room));
        spans.push(Span::styled(matches, theme::dim()));
        return Line::from(spans);
    }
    let set = state.set();
    if set.is_loading() && !set.is_empty() {
        return Line::styled(format!("{spinner} loading more…"), theme::dim());
    }
    match &set.query {
        Some(_) => Line::from(vec![
            Span::styled("server search", theme::dim()),
            Span::raw("  "),
            Span::styled("Esc", theme::key()),
            Span::styled(" back to all", theme::dim()),
        ]),
        None => Line::from(vec![
            Span::styled("/", theme::key()),
            Span::styled(" to search", theme::dim()),
        ]),
    }
}
