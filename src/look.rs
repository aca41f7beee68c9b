//! How the app draws, as data the state carries: in colour, or with none at all (`NO_COLOR`,
//! no-color.org). With no colour, selection, focus and done stay visible through modifiers
//! (reverse, bold, strike-through), thick borders and a marker column.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    pub color: bool,
}

impl Default for Look {
    fn default() -> Self {
        Look { color: true }
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
        }
    }

    pub const PLAIN: Look = Look { color: false };
}

#[cfg(test)]
mod tests {
    use super::*;

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
