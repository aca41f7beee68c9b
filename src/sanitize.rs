//! Everything the API sends is untrusted: a contact name can carry escape sequences that would
//! rewrite the clipboard (OSC 52), the window title (OSC 0/2) or move the cursor. These helpers
//! turn such text into something safe to hand to the terminal.

use std::borrow::Cow;

/// How line breaks are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// Newlines and tabs become spaces: for list rows, titles and field values.
    Single,
    /// Newlines are kept (for wrapped note bodies); tabs become spaces.
    Multi,
}

/// Marks (combining accents, zero-width joiners, variation selectors) kept after one
/// character. Real text needs two or three (Vietnamese, Thai tone marks); a "tower" of
/// hundreds overflows what a terminal keeps in one cell (tmux: about 20 bytes), and the rest
/// spill into cells of their own, pushing the row wider than the app drew it.
pub const MAX_MARKS: usize = 3;

fn is_mark(c: char) -> bool {
    use unicode_width::UnicodeWidthChar;
    c.width() == Some(0) && !c.is_control()
}

/// Removes escape sequences and bidi overrides, replaces other control characters with
/// visible placeholders (Unicode "control pictures", e.g. `␇` for BEL), and keeps at most
/// `MAX_MARKS` zero-width marks after a character (none with nothing to sit on).
pub fn clean(input: &str, lines: Lines) -> Cow<'_, str> {
    if plain(input, lines) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    // Marks since the last character that takes a cell; `None` at the start of a line.
    let mut marks: Option<usize> = None;
    while let Some(c) = chars.next() {
        if is_bidi_control(c) {
            continue;
        }
        if is_mark(c) {
            match marks.as_mut() {
                Some(n) if *n < MAX_MARKS => {
                    *n += 1;
                    out.push(c);
                }
                _ => {}
            }
            continue;
        }
        marks = (c != '\n').then_some(0);
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // 8-bit introducers: CSI, and the string-type OSC/DCS/SOS/PM/APC.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if lines == Lines::Multi => out.push('\n'),
            '\r' if lines == Lines::Multi && chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(' '),
            '\r' if lines == Lines::Single && chars.peek() == Some(&'\n') => {}
            c if is_bidi_control(c) => {}
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if ('\u{80}'..='\u{9f}').contains(&c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Single-line form, the common case for list cells and field values.
pub fn line(input: &str) -> Cow<'_, str> {
    clean(input, Lines::Single)
}

/// Nothing to change: no control or bidi character, and no run of marks to cut.
fn plain(input: &str, lines: Lines) -> bool {
    let mut marks: Option<usize> = None;
    for c in input.chars() {
        if !is_plain(c, lines) {
            return false;
        }
        if is_mark(c) {
            match marks.as_mut() {
                Some(n) if *n < MAX_MARKS => *n += 1,
                _ => return false,
            }
        } else {
            marks = (c != '\n').then_some(0);
        }
    }
    true
}

fn is_plain(c: char, lines: Lines) -> bool {
    let u = c as u32;
    if u >= 0x20 && u != 0x7f && !(0x80..=0x9f).contains(&u) {
        return !is_bidi_control(c);
    }
    lines == Lines::Multi && c == '\n'
}

/// Explicit embeddings, overrides and isolates can reorder everything drawn after them on the
/// line in terminals that implement bidi, so they are dropped; the text's own RTL letters stay.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // ESC + intermediate bytes + final byte (e.g. charset designation `ESC ( B`).
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        // Any other two-character sequence (ESC c, ESC 7, ...) is consumed whole.
        _ => {}
    }
}

fn skip_csi(chars: &mut Chars<'_>) {
    // Parameters and intermediates run until a final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if (c as u32) < 0x20 && c != '\u{1b}' {
            // A control inside CSI aborts it in real terminals; we drop it with the sequence.
            continue;
        }
    }
}

/// Skips an OSC/DCS/SOS/PM/APC payload up to its terminator: BEL, ST (`ESC \`) or 8-bit ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(line("Zoë Ōtsuka 佐藤 محمد"), Cow::Borrowed(_)));
    }

    #[test]
    fn osc52_clipboard_write_is_removed() {
        assert_eq!(line("\x1b]52;c;ZXZpbA==\x07"), "");
        assert_eq!(line("a\x1b]52;c;ZXZpbA==\x1b\\b"), "ab");
        assert_eq!(line("a\u{9d}0;title\u{9c}b"), "ab");
    }

    #[test]
    fn title_and_csi_sequences_are_removed() {
        assert_eq!(line("\x1b]0;pwned\x07Bob"), "Bob");
        assert_eq!(line("\x1b[2J\x1b[31mRed\x1b[0m"), "Red");
        assert_eq!(line("x\u{9b}1;31my"), "xy");
        assert_eq!(line("\x1bPq#0;2;0;0;0\x1b\\ok"), "ok");
        assert_eq!(line("\x1b(Bok\x1bc"), "ok");
    }

    #[test]
    fn unterminated_sequences_swallow_the_rest_without_panicking() {
        assert_eq!(line("ok\x1b]52;c;AAAA"), "ok");
        assert_eq!(line("ok\x1b["), "ok");
        assert_eq!(line("ok\x1b"), "ok");
    }

    #[test]
    fn other_controls_become_visible() {
        assert_eq!(line("a\0b\x07c\rd\x7f"), "a␀b␇c␍d␡");
        assert_eq!(line("line\nbreak\ttab"), "line break tab");
        assert_eq!(clean("one\r\ntwo\n", Lines::Multi), "one\ntwo\n");
    }

    #[test]
    fn towers_of_marks_are_cut_and_real_text_is_not() {
        let tower = format!("Z{}algo", "\u{301}".repeat(200));
        assert_eq!(line(&tower), "Z\u{301}\u{301}\u{301}algo");
        assert_eq!(
            line("\u{200b}\u{200b}start"),
            "start",
            "no mark without a base"
        );
        assert!(matches!(line("Nguyễn Thị Ánh ที่ राहुल 👨‍👩‍👧"), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\n\u{301}b", Lines::Multi),
            "a\nb",
            "a line starts with nothing to sit on"
        );
    }

    #[test]
    fn bidi_overrides_are_dropped_but_rtl_letters_stay() {
        assert_eq!(line("\u{202e}evil\u{202c} שלום"), "evil שלום");
    }
}
