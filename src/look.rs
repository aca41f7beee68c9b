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

impl Look {
    /// `NO_COLOR` set to anything but the empty string turns colour off.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Look {
        Look {
            color: get("NO_COLOR").is_none_or(|v| v.is_empty()),
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
