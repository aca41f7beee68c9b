//! How the app draws, as data the state carries: in colour, or with none at all (`NO_COLOR`,
//! no-color.org). With no colour, selection, focus and done stay visible through modifiers
//! (reverse, bold, strike-through), thick borders and a marker column.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    pub color: bool,
    /// The colours of each role, when colour is on.
    pub palette: Palette,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            color: true,
            palette: Palette::DARK,
        }
    }
}

/// A colour as a theme names it: one of the terminal's 16 (by index, so it follows the
/// user's palette) or an exact `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    /// 0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 gray; 8-15 the bright
    /// ones (8 is "dark gray").
    Index(u8),
    Rgb(u8, u8, u8),
}

impl std::str::FromStr for Colour {
    type Err = String;
    fn from_str(s: &str) -> Result<Colour, String> {
        let name = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        if let Some(hex) = name.strip_prefix('#') {
            let ok = hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
            return if ok {
                Ok(Colour::Rgb(byte(0), byte(2), byte(4)))
            } else {
                Err(format!("“{s}” is not a colour: #rrggbb has six hex digits"))
            };
        }
        let index = match name.as_str() {
            "black" => 0,
            "red" => 1,
            "green" => 2,
            "yellow" => 3,
            "blue" => 4,
            "magenta" => 5,
            "cyan" => 6,
            "gray" | "grey" => 7,
            "dark_gray" | "dark_grey" | "bright_black" => 8,
            "light_red" | "bright_red" => 9,
            "light_green" | "bright_green" => 10,
            "light_yellow" | "bright_yellow" => 11,
            "light_blue" | "bright_blue" => 12,
            "light_magenta" | "bright_magenta" => 13,
            "light_cyan" | "bright_cyan" => 14,
            "white" | "bright_white" => 15,
            _ => {
                return Err(format!(
                    "“{s}” is not a colour: a name (red, dark_gray, light_blue, ...) or #rrggbb"
                ));
            }
        };
        Ok(Colour::Index(index))
    }
}

/// The colour of each role; `None` draws the role without colour (its modifier only, as with
/// `NO_COLOR`), in the terminal's own foreground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    pub border: Option<Colour>,
    /// The focused pane's border and title, keys in hints.
    pub focus: Option<Colour>,
    /// Secondary text.
    pub dim: Option<Colour>,
    /// The status bar's background, and its text.
    pub status: Option<Colour>,
    pub status_text: Option<Colour>,
    pub warning: Option<Colour>,
    pub error: Option<Colour>,
    /// The letters a search matched.
    pub matched: Option<Colour>,
    pub label: Option<Colour>,
    pub good: Option<Colour>,
    /// Tags' background.
    pub tag: Option<Colour>,
}

const fn ix(i: u8) -> Option<Colour> {
    Some(Colour::Index(i))
}

const fn rgb(r: u8, g: u8, b: u8) -> Option<Colour> {
    Some(Colour::Rgb(r, g, b))
}

impl Palette {
    /// For dark backgrounds, in the terminal's own 16 colours.
    pub const DARK: Palette = Palette {
        border: ix(8),
        focus: ix(6),
        dim: ix(8),
        status: ix(8),
        status_text: ix(15),
        warning: ix(3),
        error: ix(1),
        matched: ix(3),
        label: ix(4),
        good: ix(2),
        tag: ix(6),
    };

    /// For light backgrounds: exact colours dark enough to read on white (yellow is not).
    pub const LIGHT: Palette = Palette {
        border: rgb(0x8c, 0x95, 0x9f),
        focus: rgb(0x09, 0x69, 0xda),
        dim: rgb(0x57, 0x60, 0x6a),
        status: rgb(0xd0, 0xd7, 0xde),
        status_text: rgb(0x1f, 0x23, 0x28),
        warning: rgb(0x9a, 0x67, 0x00),
        error: rgb(0xcf, 0x22, 0x2e),
        matched: rgb(0x82, 0x50, 0xdf),
        label: rgb(0x05, 0x50, 0xae),
        good: rgb(0x1a, 0x7f, 0x37),
        tag: rgb(0xdd, 0xf4, 0xff),
    };

    /// Safe on any 16-colour terminal: only the 8 base colours, and never "dark gray" (bright
    /// black) for text, which vanishes on Solarized Dark; secondary text is dimmed instead,
    /// and the status bar reversed.
    pub const SIXTEEN: Palette = Palette {
        border: None,
        focus: ix(6),
        dim: None,
        status: None,
        status_text: None,
        warning: ix(3),
        error: ix(1),
        matched: ix(3),
        label: ix(4),
        good: ix(2),
        tag: ix(6),
    };

    /// A built-in theme by name.
    pub fn named(name: &str) -> Result<Palette, String> {
        match name.trim() {
            "dark" => Ok(Palette::DARK),
            "light" => Ok(Palette::LIGHT),
            "16" => Ok(Palette::SIXTEEN),
            other => Err(format!("theme “{other}” is not one of dark, light, 16")),
        }
    }

    /// Sets `role` to `value` (`none` takes the colour away).
    pub fn set(&mut self, role: &str, value: &str) -> Result<(), String> {
        let colour = match value.trim() {
            "none" | "default" => None,
            v => Some(v.parse::<Colour>()?),
        };
        let slot = match role {
            "border" => &mut self.border,
            "focus" => &mut self.focus,
            "dim" => &mut self.dim,
            "status" => &mut self.status,
            "status_text" => &mut self.status_text,
            "warning" => &mut self.warning,
            "error" => &mut self.error,
            "matched" | "match" => &mut self.matched,
            "label" => &mut self.label,
            "good" => &mut self.good,
            "tag" => &mut self.tag,
            other => {
                return Err(format!(
                    "theme: “{other}” is not a role (border, focus, dim, status, status_text, warning, error, matched, label, good, tag)"
                ));
            }
        };
        *slot = colour;
        Ok(())
    }
}

/// `--color`: whether to colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorWhen {
    /// Colour unless `NO_COLOR` says not (and, for a command's output, only on a terminal).
    #[default]
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for ColorWhen {
    type Err = String;
    fn from_str(s: &str) -> Result<ColorWhen, String> {
        match s.trim() {
            "auto" => Ok(ColorWhen::Auto),
            "always" => Ok(ColorWhen::Always),
            "never" => Ok(ColorWhen::Never),
            other => Err(format!("--color is auto, always or never, not {other:?}")),
        }
    }
}

impl ColorWhen {
    /// Whether to colour, `NO_COLOR` read through `get` (for `auto`).
    pub fn color(self, get: impl Fn(&str) -> Option<String>) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => get("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

impl Look {
    /// `NO_COLOR` set to anything but the empty string turns colour off.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Look {
        Look::with(ColorWhen::Auto, get)
    }

    /// As `--color` says, `NO_COLOR` read through `get` for `auto`.
    pub fn with(when: ColorWhen, get: impl Fn(&str) -> Option<String>) -> Look {
        Look {
            color: when.color(get),
            palette: Palette::DARK,
        }
    }

    pub const PLAIN: Look = Look {
        color: false,
        palette: Palette::DARK,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_roles_read_from_words() {
        assert_eq!("#ff8800".parse(), Ok(Colour::Rgb(0xff, 0x88, 0x00)));
        assert_eq!("Dark Gray".parse(), Ok(Colour::Index(8)));
        assert_eq!("light-blue".parse(), Ok(Colour::Index(12)));
        assert!("#ff88".parse::<Colour>().is_err());
        assert!("puce".parse::<Colour>().is_err());
        let mut p = Palette::named("16").expect("built in");
        p.set("focus", "#123456").expect("a role");
        assert_eq!(p.focus, Some(Colour::Rgb(0x12, 0x34, 0x56)));
        p.set("dim", "none").expect("a role");
        assert_eq!(p.dim, None);
        assert!(p.set("borders", "red").is_err());
        assert!(Palette::named("solarized").is_err());
    }

    #[test]
    fn sixteen_never_draws_text_in_dark_gray() {
        let p = Palette::SIXTEEN;
        let text = [
            p.focus,
            p.dim,
            p.status_text,
            p.warning,
            p.error,
            p.matched,
            p.label,
            p.good,
        ];
        for c in text.into_iter().flatten() {
            assert!(matches!(c, Colour::Index(0..=7)), "{c:?}");
        }
        assert_ne!(p.dim, Some(Colour::Index(8)));
    }

    #[test]
    fn no_color_means_any_value_but_empty() {
        let env = |v: Option<&'static str>| {
            move |k: &str| (k == "NO_COLOR").then_some(v).flatten().map(String::from)
        };
        assert!(Look::from_env(env(None)).color);
        assert!(Look::from_env(env(Some(""))).color);
        assert!(!Look::from_env(env(Some("1"))).color);
    }
}
