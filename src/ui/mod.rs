//! `view(state, frame)`: draws the whole screen from the state, and nothing else.

pub mod help;
pub mod layout;
pub mod overlay;
pub mod panes;
mod status;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::keymap::{self, Scope};
use crate::app::state::{Mode, Pane, State};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn view(state: &State, frame: &mut Frame) {
    theme::set(state.look);
    let size = frame.area();
    let spinner = SPINNER[state.spinner % SPINNER.len()];
    let areas = layout::areas(size, state.focus);
    if let Some(area) = areas.contacts {
        panes::contacts::draw(frame, area, state, spinner);
    }
    if let Some(area) = areas.right {
        draw_right(frame, area, state, spinner);
    }
    status::draw(frame, areas.status, state, spinner);
    draw_hints(frame, areas.hints, state);
    overlay::draw(frame, state);
    if let Some(scroll) = state.help {
        help::draw(frame, size, scroll);
    }
    mark_cluster_tails(frame.buffer_mut());
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
        .selected_detail()
        .map(|c| crate::sanitize::line(&c.display_name()).into_owned());
    let saving = state
        .selected_id()
        .is_some_and(|id| state.marks.contains(id));
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
    let block = Block::bordered()
        .border_type(theme::border_type(focused))
        .border_style(theme::border(focused))
        .title(Span::styled(title, theme::title(focused)));
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
        Pane::Details | Pane::Contacts => panes::details::draw(frame, body, state, spinner),
    }
}

fn draw_hints(frame: &mut Frame, area: ratatui::layout::Rect, state: &State) {
    let scope = if state.help.is_some() {
        Scope::Help
    } else if let Some(o) = &state.overlay {
        match o {
            crate::app::state::Overlay::Form(_) => Scope::Form,
            crate::app::state::Overlay::Discard(_) | crate::app::state::Overlay::Confirm { .. } => {
                Scope::Confirm
            }
            crate::app::state::Overlay::Locations(_) => Scope::Finder,
            _ => Scope::Picker,
        }
    } else if state.mode == Mode::Search {
        Scope::Search
    } else {
        Scope::Global
    };
    // When the line is too narrow, hints go from the end, but the way to help and out stays.
    let mut hints = keymap::hints(scope);
    let cells = |h: &[(String, &str)]| {
        h.iter()
            .map(|(k, w)| text::width(k) + text::width(w) + 3)
            .sum::<usize>()
    };
    while cells(&hints) > usize::from(area.width) {
        match hints
            .iter()
            .rposition(|(_, w)| !matches!(*w, "help" | "quit" | "save" | "cancel" | "close"))
        {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key}"), theme::key()));
        spans.push(Span::styled(format!(" {what} "), theme::dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
