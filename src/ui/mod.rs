//! `view(state, frame)`: draws the whole screen from the state, and reports what it measured
//! (`Geometry`) for the runtime to give back to the state machine.

pub mod help;
pub mod layout;
pub mod mask;
pub mod overlay;
pub mod panes;
mod status;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::geometry::{Area, Geometry};
use crate::app::state::{Modal, Pane, State};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn view(state: &State, frame: &mut Frame) -> Geometry {
    theme::set(state.look);
    let size = frame.area();
    let spinner = SPINNER[state.spinner % SPINNER.len()];
    let areas = layout::areas(size, state.focus);
    let mut geometry = measure(state, size, &areas);
    // The queue's rows, ordered once a frame for both its list and its card.
    let queue_rows = if state.queue.open || state.focus == Pane::Queue {
        state.queue.rows(state.now, state.zone)
    } else {
        Vec::new()
    };
    if let Some(area) = areas.contacts {
        if state.queue.open {
            geometry.queue_rows = panes::queue::draw(frame, area, state, &queue_rows, spinner);
            geometry.list_rows = None;
        } else {
            panes::contacts::draw(frame, area, state, spinner);
        }
    }
    if let Some(area) = areas.right {
        if state.focus == Pane::Queue {
            let under = crate::app::update::queue_row(&queue_rows, state.queue.selected);
            panes::queue::draw_task(frame, area, state, under.map(|r| r.task));
        } else {
            draw_right(frame, area, state, spinner);
        }
    }
    status::draw(frame, areas.status, state, spinner);
    draw_hints(frame, areas.hints, state);
    let (rows, messages_max) = overlay::draw(frame, state);
    geometry.overlay_rows = rows;
    geometry.messages_scroll_max = messages_max;
    if let Modal::Help { scroll } = state.modal {
        let (max, rows) = help::draw(frame, &state.keymap, size, scroll);
        geometry.help_scroll_max = max;
        geometry.help_rows = rows;
    }
    if state.mask {
        mask::buffer(frame.buffer_mut());
    }
    mark_cluster_tails(frame.buffer_mut());
    geometry
}

/// The terminal window's title: `ghl-tui · <location> · <contact>` (the contact only when one
/// is selected; none in the queue).
pub fn window_title(state: &State) -> String {
    let place = state
        .place
        .as_ref()
        .and_then(|p| p.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| state.location_id.clone());
    let mut title = format!("ghl-tui · {place}");
    if !state.queue.open
        && let Some(row) = state.selected_row()
    {
        title.push_str(" · ");
        title.push_str(row.name());
    }
    let title = crate::sanitize::line(&title).into_owned();
    if state.mask {
        mask::text(&title)
    } else {
        title
    }
}

fn area(r: ratatui::layout::Rect) -> Area {
    Area {
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
    }
}

/// Where the panes and tabs are, and how tall the selected contact's details and notes are at
/// the width they are drawn.
fn measure(state: &State, size: ratatui::layout::Rect, areas: &layout::Areas) -> Geometry {
    // The list's height counts while a narrow screen shows only the right side, and the right
    // side's while it shows only the list: each is what the user comes back to.
    let list_height = layout::areas(size, Pane::Contacts)
        .list_rows()
        .map_or(1, |r| usize::from(r.height).max(1));
    let body = layout::areas(size, state.tab).right_body();
    let right_height = body.map_or(1, |r| usize::from(r.height).max(1));
    let right_width = body.map_or(1, |r| usize::from(r.width).max(1));
    let mut tabs = Vec::new();
    if let Some(bar) = areas.tab_bar() {
        let mut x = bar.x;
        for (pane, label) in panes::tab_labels(state, bar.width) {
            let width = text::width(&label) as u16;
            tabs.push((
                pane,
                Area {
                    x,
                    y: bar.y,
                    width: width.min(bar.right().saturating_sub(x)),
                    height: 1,
                },
            ));
            x = x.saturating_add(width + text::width(layout::TAB_DIVIDER) as u16);
        }
    }
    let details_lines = state
        .shown_detail()
        .map_or(0, |c| panes::details::lines(&c, state, right_width).len());
    let note_spans = state
        .shown_extras()
        .and_then(|e| e.notes.ready())
        .map(|n| panes::notes::spans(n, right_width))
        .unwrap_or_default();
    Geometry {
        list: areas.contacts.map(area),
        list_rows: areas.list_rows().map(area),
        list_height,
        right: areas.right.map(area),
        right_height,
        right_width,
        tabs,
        measured_for: state.shown_id().map(String::from),
        details_lines,
        note_spans,
        ..Geometry::default()
    }
}

/// A one-line input as drawn in `width` cells: its text, and where it has the keys, the cursor
/// as a reversed cell (a space at the end of the line). A text too long for the room scrolls
/// sideways to keep the cursor in view, with `…` where it is cut, as a shell's line does.
pub fn input_spans(
    input: &crate::app::input::LineInput,
    active: bool,
    width: usize,
) -> Vec<Span<'static>> {
    use unicode_segmentation::UnicodeSegmentation;
    let (before, after) = input.split();
    // Cleaned per side: the cursor sits between clusters of the text as typed.
    let before = crate::sanitize::line(before).into_owned();
    let after = crate::sanitize::line(after).into_owned();
    // The cursor covers one cluster (the input moves by them).
    let mut rest = after.graphemes(true);
    let under = if active {
        rest.next().unwrap_or(" ").to_string()
    } else {
        String::new()
    };
    let after: String = rest.collect();
    let width = width.max(2);
    let (w_before, w_under) = (text::width(&before), text::width(&under));
    // Room before the cursor: everything if it fits, else its end behind an ellipsis.
    let room = width.saturating_sub(w_under);
    let shown_before = if w_before <= room {
        before
    } else {
        format!("…{}", text::tail(&before, room.saturating_sub(1)))
    };
    let left = width.saturating_sub(text::width(&shown_before) + w_under);
    let shown_after = if text::width(&after) <= left {
        after
    } else {
        text::fit(&after, left)
    };
    let mut spans = vec![Span::raw(shown_before)];
    if active {
        let cursor = ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED);
        spans.push(Span::styled(under, cursor));
    }
    spans.push(Span::raw(shown_after));
    spans
}

/// A cluster such as Devanagari "रा" is one two-cell grapheme to ratatui but two one-cell
/// characters to most terminals. When such a cell is later blanked, ratatui rewrites only its
/// first column and the terminal keeps showing the second half. Giving the hidden tail cells an
/// empty symbol makes the next frame's blank differ from it, so the tail is rewritten too.
fn mark_cluster_tails(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let (width, cluster) = match buf.cell((x, y)) {
                Some(cell) => {
                    let sym = cell.symbol();
                    (
                        text::width(sym).max(1),
                        sym.len() > 1 && sym.chars().nth(1).is_some(),
                    )
                }
                None => (1, false),
            };
            if width > 1 && cluster {
                for dx in 1..width as u16 {
                    if let Some(tail) = buf.cell_mut((x.saturating_add(dx), y)) {
                        tail.set_symbol("");
                    }
                }
            }
            x = x.saturating_add(width as u16);
        }
    }
}

/// A centred box of at most `w`x`h` over whatever is drawn, cleared, with a title; returns the
/// area inside its border.
pub fn centered_box(frame: &mut Frame, w: u16, h: u16, title: &str) -> ratatui::layout::Rect {
    let size = frame.area();
    let (w, h) = (w.min(size.width), h.min(size.height));
    let area = ratatui::layout::Rect {
        x: size.x + (size.width - w) / 2,
        y: size.y + (size.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(ratatui::widgets::Clear, area);
    clear_straddlers(frame.buffer_mut(), area);
    let block = Block::bordered()
        .border_type(theme::border_type(true))
        .border_style(theme::border(true))
        .title(Span::styled(
            format!(" {} ", text::safe(title)),
            theme::title(true),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Blanks wide characters (CJK, emoji) that start just left of an overlay and reach under its
/// border: half a glyph left there would shift or hide the border in real terminals. (A glyph
/// reaching out of the right edge starts inside the overlay and is cleared with it.)
pub fn clear_straddlers(buf: &mut ratatui::buffer::Buffer, area: ratatui::layout::Rect) {
    if area.left() <= buf.area.left() {
        return;
    }
    for y in area.top()..area.bottom().min(buf.area.bottom()) {
        if let Some(cell) = buf.cell_mut((area.left() - 1, y))
            && text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

fn draw_right(frame: &mut Frame, area: ratatui::layout::Rect, state: &State, spinner: &str) {
    let focused = state.focus != Pane::Contacts;
    let name = state
        .shown_detail()
        .map(|c| crate::sanitize::line(&c.display_name()).into_owned());
    let saving = state.shown_id().is_some_and(|id| state.marks.contains(id));
    let title = match name {
        Some(n) if saving => format!(
            " {} ⇡ saving ",
            text::fit(&n, usize::from(area.width.saturating_sub(16)))
        ),
        Some(n) => format!(
            " {} ",
            text::fit(&n, usize::from(area.width.saturating_sub(6)))
        ),
        None => " No contact ".to_string(),
    };
    let block = panes::frame_block(title, focused);
    frame.render_widget(block, area);
    let areas = layout::Areas {
        right: Some(area),
        ..Default::default()
    };
    if let Some(bar) = areas.tab_bar() {
        panes::draw_tab_bar(frame, bar, state);
    }
    let Some(body) = areas.right_body() else {
        return;
    };
    match state.tab {
        Pane::Tasks => panes::tasks::draw(frame, body, state, spinner),
        Pane::Notes => panes::notes::draw(frame, body, state, spinner),
        Pane::Appointments => panes::appointments::draw(frame, body, state, spinner),
        Pane::Details | Pane::Contacts | Pane::Queue => {
            panes::details::draw(frame, body, state, spinner)
        }
    }
}

fn draw_hints(frame: &mut Frame, area: ratatui::layout::Rect, state: &State) {
    // When the line is too narrow, hints go from the end, but the way to help and out stays.
    let mut hints = state.keymap.hints(state.scope(), state.focus);
    let cells = |h: &[(String, String)]| {
        h.iter()
            .map(|(k, w)| text::width(k) + text::width(w) + 3)
            .sum::<usize>()
    };
    while cells(&hints) > usize::from(area.width) {
        match hints.iter().rposition(|(_, w)| {
            !matches!(w.as_str(), "help" | "quit" | "save" | "cancel" | "close")
        }) {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {}", text::safe(&key)), theme::key()));
        spans.push(Span::styled(
            format!(" {} ", text::safe(&what)),
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
