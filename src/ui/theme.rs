//! Colours and styles in one place. Only the 16 base colours, so the app follows the user's
//! terminal palette and stays readable on light and dark backgrounds. With colour off
//! (`NO_COLOR`), every role keeps a modifier instead, so nothing depends on colour to be seen:
//! no colour is ever sent, and so no terminal resets the attributes it would have carried.

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::look::Look;

thread_local! {
    /// The look of the frame being drawn; `view` sets it from the state before drawing.
    static LOOK: Cell<Look> = const { Cell::new(Look { color: true }) };
}

pub fn set(look: Look) {
    LOOK.with(|l| l.set(look));
}

fn color() -> bool {
    LOOK.with(Cell::get).color
}

/// Colour when on, else the fallback modifiers.
fn pick(colored: Style, plain: Style) -> Style {
    if color() { colored } else { plain }
}

const fn m(modifier: Modifier) -> Style {
    Style::new().add_modifier(modifier)
}

pub fn border(focused: bool) -> Style {
    match (color(), focused) {
        (true, true) => Style::new().fg(Color::Cyan),
        (true, false) => Style::new().fg(Color::DarkGray),
        (false, true) => m(Modifier::BOLD),
        (false, false) => Style::new(),
    }
}

/// Without colour the focused pane is told by a thick border.
pub fn border_type(focused: bool) -> BorderType {
    if focused && !color() {
        BorderType::Thick
    } else {
        BorderType::Plain
    }
}

pub fn title(focused: bool) -> Style {
    let s = m(Modifier::BOLD);
    match (color(), focused) {
        (true, true) => s.fg(Color::Cyan),
        (false, true) => s.add_modifier(Modifier::REVERSED),
        _ => s,
    }
}

pub fn header() -> Style {
    m(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn selected(focused: bool) -> Style {
    if focused {
        m(Modifier::REVERSED | Modifier::BOLD)
    } else {
        m(Modifier::REVERSED)
    }
}

/// Without colour, the selected row of a list also starts with a marker, for terminals that
/// draw reverse video faintly (or not at all).
pub fn marker(selected: bool) -> &'static str {
    match (color(), selected) {
        (true, _) => "",
        (false, true) => "›",
        (false, false) => " ",
    }
}

pub fn dim() -> Style {
    pick(Style::new().fg(Color::DarkGray), m(Modifier::DIM))
}

/// A task or item that is done: struck through, whatever the colours.
pub fn done() -> Style {
    dim().add_modifier(Modifier::CROSSED_OUT)
}

pub fn label() -> Style {
    pick(
        Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
        m(Modifier::BOLD),
    )
}

pub fn tag() -> Style {
    pick(
        Style::new().fg(Color::Black).bg(Color::Cyan),
        m(Modifier::REVERSED),
    )
}

pub fn error() -> Style {
    pick(
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        m(Modifier::BOLD),
    )
}

pub fn warn() -> Style {
    pick(Style::new().fg(Color::Yellow), m(Modifier::ITALIC))
}

pub fn good() -> Style {
    pick(Style::new().fg(Color::Green), Style::new())
}

pub fn key() -> Style {
    pick(
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        m(Modifier::BOLD),
    )
}

pub fn status_bar() -> Style {
    pick(
        Style::new().bg(Color::DarkGray).fg(Color::White),
        m(Modifier::REVERSED),
    )
}

/// The letters of a name that the `/` text matched.
pub fn matched() -> Style {
    pick(
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        m(Modifier::UNDERLINED),
    )
}
