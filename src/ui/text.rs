//! Small text helpers measured in terminal cells, not bytes or chars.

use unicode_width::UnicodeWidthChar;

/// Cuts `s` to at most `width` cells, ending in `…` when cut. Wide (CJK, emoji) characters
/// count as two cells and are never split.
pub fn fit(s: &str, width: usize) -> String {
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Wraps one line of text to `width` cells at spaces, splitting words longer than a line.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for word in line.split(' ') {
        let w = self::width(word);
        let gap = usize::from(!current.is_empty());
        if used + gap + w <= width {
            if gap == 1 {
                current.push(' ');
            }
            current.push_str(word);
            used += gap + w;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
            used = 0;
        }
        // A word wider than the line is cut into pieces.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width && !current.is_empty() {
                out.push(std::mem::take(&mut current));
                used = 0;
            }
            current.push(c);
            used += cw;
        }
    }
    out.push(current);
    out
}

/// Untrusted text made fit to draw on one line: controls and escapes out, secrets redacted.
pub fn safe(s: &str) -> String {
    crate::redact::text(&crate::sanitize::line(s)).into_owned()
}

/// Display width in cells.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// A count with thousands separators: 100000 -> `100,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date and time as reps read them: `Mon 24 Nov 2026 15:00`.
pub fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%a %d %b %Y %H:%M").to_string()
}

/// Shorter form for lists: the year only when it is not the current one.
pub fn when_short(t: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> String {
    use chrono::Datelike;
    if t.year() == now.year() {
        t.format("%a %d %b %H:%M").to_string()
    } else {
        t.format("%a %d %b %Y %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_cells() {
        assert_eq!(fit("佐藤花子", 5), "佐藤…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abcd", 3), "ab…");
        assert_eq!(fit("abcd", 0), "");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(7), "7");
        assert_eq!(
            wrap("the quick brown fox", 9),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("佐藤花子さん", 5), vec!["佐藤", "花子", "さん"]);
    }
}
