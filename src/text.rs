//! Text measured in terminal cells, not bytes or chars: what the state machine and the view
//! both need (a neutral room, so neither imports the other). Widths are summed by grapheme
//! cluster, as ratatui lays text into cells (the width of a whole string can differ: `لا` is
//! one cell as a ligature, two as ratatui draws it); cutting goes by cluster, so `श्रा` or a
//! flag is never split; wrapping by `textwrap`, at spaces, splitting only words wider than the
//! line.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Cuts `s` to at most `width` cells, ending in `…` when cut. Wide characters and clusters are
/// never split.
pub fn fit(s: &str, width: usize) -> String {
    if self::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::with_capacity(s.len().min(width * 4));
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > width - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// The end of `s` that fits in `width` cells (clusters whole).
pub fn tail(s: &str, width: usize) -> &str {
    let mut used = 0;
    let mut start = s.len();
    for (i, g) in s.grapheme_indices(true).rev() {
        let w = g.width();
        if used + w > width {
            break;
        }
        used += w;
        start = i;
    }
    &s[start..]
}

/// Wraps one line of text to `width` cells at spaces, splitting words longer than a line.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    // Hyphens are not break points: a file's path or an email stays whole when it fits.
    let options = textwrap::Options::new(width.max(1))
        .break_words(true)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        // Greedy, as a terminal reader expects: each line as full as it can be.
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    let lines: Vec<String> = textwrap::wrap(line, options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect();
    if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    }
}

/// Untrusted text made fit to draw on one line: controls and escapes out, secrets redacted.
pub fn safe(s: &str) -> String {
    crate::redact::text(&crate::sanitize::line(s)).into_owned()
}

/// Display width in cells.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
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
    fn widths_are_the_cells_ratatui_draws() {
        // `لا` is a ligature of one cell to unicode-width as a whole string, two as ratatui
        // lays its clusters into cells; cutting used to assert on the difference.
        let s = "الاتصال بخصوص التمويل";
        assert_eq!(
            width(s),
            s.graphemes(true).map(UnicodeWidthStr::width).sum::<usize>()
        );
        for w in 0..30 {
            let cut = fit(s, w);
            assert!(width(&cut) <= w, "{w}: {cut}");
            assert!(width(tail(s, w)) <= w);
        }
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(tail("abcdef", 2), "ef");
        assert_eq!(fit("日本語", 4), "日…");
    }

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
        assert_eq!(fit("राहुल मिश्रा", 9), "राहुल मि…", "clusters are not split");
        assert_eq!(
            wrap("kept as /a/demo-b.sqlite3 here", 20),
            vec!["kept as", "/a/demo-b.sqlite3", "here"],
            "no break at a hyphen"
        );
    }
}
