//! Colours and styles in one place. Only the 16 base colours, so the app follows the user's
//! terminal palette and stays readable on light and dark backgrounds. With colour off
//! (`NO_COLOR`), every role keeps a modifier instead, so nothing depends on colour to be seen:
//! no colour is ever sent, and so no terminal resets the attributes it would have carried.

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::look::{Colour, Look, Palette};

thread_local! {
    /// The look of the frame being drawn; `view` sets it from the state before drawing.
    static LOOK: Cell<Look> = Cell::new(Look::default());
}

pub fn set(look: Look) {
    LOOK.with(|l| l.set(look));
}

fn color() -> bool {
    LOOK.with(Cell::get).color
}

fn palette() -> Palette {
    LOOK.with(Cell::get).palette
}

fn paint(c: Colour) -> Color {
    match c {
        Colour::Index(i) => match i {
            0 => Color::Black,
            1 => Color::Red,
            2 => Color::Green,
            3 => Color::Yellow,
            4 => Color::Blue,
            5 => Color::Magenta,
            6 => Color::Cyan,
            7 => Color::Gray,
            8 => Color::DarkGray,
            9 => Color::LightRed,
            10 => Color::LightGreen,
            11 => Color::LightYellow,
            12 => Color::LightBlue,
            13 => Color::LightMagenta,
            14 => Color::LightCyan,
            _ => Color::White,
        },
        Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

/// The role's colour on `base` when colour is on and the theme gives the role one, else the
/// fallback modifiers.
fn role(colour: fn(&Palette) -> Option<Colour>, base: Style, plain: Style) -> Style {
    match colour(&palette()).filter(|_| color()) {
        Some(c) => base.fg(paint(c)),
        None => plain,
    }
}

const fn m(modifier: Modifier) -> Style {
    Style::new().add_modifier(modifier)
}

pub fn border(focused: bool) -> Style {
    if focused {
        role(|p| p.focus, Style::new(), m(Modifier::BOLD))
    } else {
        role(|p| p.border, Style::new(), Style::new())
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
    if !focused {
        return s;
    }
    role(|p| p.focus, s, s.add_modifier(Modifier::REVERSED))
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
    role(|p| p.dim, Style::new(), m(Modifier::DIM))
}

/// A task or item that is done: struck through, whatever the colours.
pub fn done() -> Style {
    dim().add_modifier(Modifier::CROSSED_OUT)
}

pub fn label() -> Style {
    role(|p| p.label, m(Modifier::BOLD), m(Modifier::BOLD))
}

pub fn tag() -> Style {
    match palette().tag.filter(|_| color()) {
        // Dark text on the tag's colour: a light background either way.
        Some(c) => Style::new().fg(Color::Black).bg(paint(c)),
        None => m(Modifier::REVERSED),
    }
}

pub fn error() -> Style {
    role(|p| p.error, m(Modifier::BOLD), m(Modifier::BOLD))
}

pub fn warn() -> Style {
    role(|p| p.warning, Style::new(), m(Modifier::ITALIC))
}

pub fn good() -> Style {
    role(|p| p.good, Style::new(), Style::new())
}

pub fn key() -> Style {
    role(|p| p.focus, m(Modifier::BOLD), m(Modifier::BOLD))
}

pub fn status_bar() -> Style {
    let p = palette();
    match (p.status.filter(|_| color()), p.status_text) {
        (Some(bg), fg) => {
            let s = Style::new().bg(paint(bg));
            fg.map_or(s, |fg| s.fg(paint(fg)))
        }
        // No background colour: reversed, in the terminal's own colours.
        (None, _) => m(Modifier::REVERSED),
    }
}

/// The letters of a name that the `/` text matched.
pub fn matched() -> Style {
    role(|p| p.matched, m(Modifier::BOLD), m(Modifier::UNDERLINED))
}
