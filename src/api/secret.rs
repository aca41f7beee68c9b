//! A bearer token that never prints itself.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value is remembered for redaction: wherever it shows up later (an error body that
    /// echoes it, a log line), it is replaced.
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        crate::redact::remember(&s);
        Secret(s)
    }

    /// The only way to read the value: call sites that need it are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Read from an answer as a plain string; never written back out by serde (no `Serialize`).
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_prints_the_value() {
        let s = super::Secret::new("pit-123-secret");
        assert!(!format!("{s:?} {s}").contains("secret"));
        assert_eq!(s.expose(), "pit-123-secret");
    }
}
