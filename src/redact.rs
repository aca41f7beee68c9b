//! Secrets never reach a screen or a log. Every secret the app holds (access and refresh
//! tokens, the client secret, a Private Integration token) is known here from the moment it
//! becomes a `Secret`; any text bound for the status bar, the log or a panic message passes
//! through `text`, which replaces those values and anything shaped like a bearer token.

use std::borrow::Cow;
use std::sync::RwLock;

/// What takes a secret's place.
pub const MASK: &str = "[redacted]";

/// Shorter values are not worth the false matches (and are not real tokens).
const MIN_SECRET: usize = 8;
/// Kept for the life of the process; a long session refreshes a token a day and an agency
/// holds one per location opened, so this stays small. Beyond it, the least recently seen is
/// forgotten (a refreshed token's predecessor is dead); a secret seen again moves to the back,
/// so long-lived ones (the client secret, a PIT) are not the first to go.
const MAX_KNOWN: usize = 1024;

static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers `secret` so that `text` removes it wherever it shows up.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
    if let Some(i) = known.iter().position(|k| k == secret) {
        let again = known.remove(i);
        known.push(again);
        return;
    }
    if known.len() >= MAX_KNOWN {
        known.remove(0);
    }
    known.push(secret.to_string());
}

/// `input` with every known secret and every bearer-shaped token replaced by `[redacted]`.
pub fn text(input: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(input);
    {
        let known = KNOWN.read().unwrap_or_else(|p| p.into_inner());
        for k in known.iter() {
            if out.contains(k.as_str()) {
                out = Cow::Owned(out.replace(k.as_str(), MASK));
            }
        }
    }
    match shaped(&out) {
        Some(clean) => Cow::Owned(clean),
        None => out,
    }
}

/// Characters a token is made of (base64, base64url, JWT dots, PIT dashes).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Tokens recognised by their shape: after `Bearer `, a JWT (`eyJ…` with two dots), or a
/// Private Integration token (`pit-…`). `None` when there are none.
fn shaped(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    if !(lower.contains("bearer") || s.contains("eyJ") || lower.contains("pit-")) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        let rest = &s[i..];
        let rest_lower = &lower[i..];
        // `Bearer <token>`, any case, with any run of spaces or a `=`/`:` between.
        if rest_lower.starts_with("bearer") {
            let after = &rest[6..];
            let gap = after
                .find(|c: char| !(c == ' ' || c == '\t' || c == ':' || c == '='))
                .unwrap_or(after.len());
            let token_len = after[gap..]
                .find(|c: char| !token_char(c))
                .unwrap_or(after.len() - gap);
            if gap > 0 && token_len >= MIN_SECRET {
                out.push_str(&rest[..6 + gap]);
                out.push_str(MASK);
                i += 6 + gap + token_len;
                changed = true;
                continue;
            }
        }
        let at_word = i == 0 || !token_char(char::from(bytes[i - 1]));
        if at_word {
            let len = rest.find(|c: char| !token_char(c)).unwrap_or(rest.len());
            let word = &rest[..len];
            let jwt = word.starts_with("eyJ") && word.matches('.').count() >= 2 && len >= 20;
            let pit = word.to_ascii_lowercase().starts_with("pit-") && len >= 4 + MIN_SECRET;
            if jwt || pit {
                out.push_str(MASK);
                i += len;
                changed = true;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_go_wherever_they_are() {
        remember("sEcReT-client-value-123");
        let t = text("oauth failed: client_secret=sEcReT-client-value-123&x=1");
        assert_eq!(t, "oauth failed: client_secret=[redacted]&x=1");
        remember("short");
        assert_eq!(text("short"), "short", "too short to be a secret");
    }

    #[test]
    fn bearer_shaped_tokens_go_too() {
        assert_eq!(
            text("echo: Authorization: Bearer abcdefghijklmnop123 rest"),
            "echo: Authorization: Bearer [redacted] rest"
        );
        assert_eq!(
            text("authorization: bearer=abcdefghijklmnop"),
            "authorization: bearer=[redacted]"
        );
        assert_eq!(
            text("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl seen"),
            "token [redacted] seen"
        );
        assert_eq!(
            text("got pit-1234abcd-5678-ef00 back"),
            "got [redacted] back"
        );
        assert_eq!(text("a bearer of bad news"), "a bearer of bad news");
        assert_eq!(text("Zoë Ōtsuka 佐藤"), "Zoë Ōtsuka 佐藤");
        assert!(matches!(text("plain text"), Cow::Borrowed(_)));
    }
}
