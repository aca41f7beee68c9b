//! A one-line input with a cursor, shared by the `/` search line and the location switcher:
//! typing and pasting at the cursor, Left/Right, Home/End (Ctrl-A/Ctrl-E), a word at a time
//! (Alt-B/Alt-F), deleting a character either side, the word before (Ctrl-W), or everything
//! before the cursor (Ctrl-U), as in a shell. The cursor moves by what a reader sees as one
//! character (a grapheme cluster: `é` typed as e and a combining accent, a flag, a family
//! emoji), never into the middle of one.

use unicode_segmentation::UnicodeSegmentation;

use super::keymap::Action;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// In grapheme clusters, 0..=len.
    cursor: usize,
}

impl LineInput {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in grapheme clusters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Empties the line; returns what it held.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.len();
    }

    fn len(&self) -> usize {
        self.text.graphemes(true).count()
    }

    /// Where cluster number `n` starts, in bytes.
    fn byte(&self, n: usize) -> usize {
        self.text
            .grapheme_indices(true)
            .nth(n)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// The text before the cursor, as a reader sees it split (for drawing the cursor).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }

    /// Puts `s` at the cursor (typing, or a paste already cleaned to one line). A combining
    /// mark typed after a letter joins it: the cursor stays after the one cluster they make.
    pub fn insert(&mut self, s: &str) {
        let at = self.byte(self.cursor);
        self.text.insert_str(at, s);
        self.cursor = self.text[..at + s.len()].graphemes(true).count();
    }

    fn blank(g: &str) -> bool {
        g.chars().all(char::is_whitespace)
    }

    /// The start of the word before the cursor (skipping spaces first, as a shell does).
    fn word_start(&self) -> usize {
        let gs: Vec<&str> = self.text.graphemes(true).collect();
        let mut i = self.cursor.min(gs.len());
        while i > 0 && Self::blank(gs[i - 1]) {
            i -= 1;
        }
        while i > 0 && !Self::blank(gs[i - 1]) {
            i -= 1;
        }
        i
    }

    /// The end of the word after the cursor.
    fn word_end(&self) -> usize {
        let gs: Vec<&str> = self.text.graphemes(true).collect();
        let mut i = self.cursor.min(gs.len());
        while i < gs.len() && Self::blank(gs[i]) {
            i += 1;
        }
        while i < gs.len() && !Self::blank(gs[i]) {
            i += 1;
        }
        i
    }

    fn remove(&mut self, from: usize, to: usize) {
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// Applies an editing action; `false` for an action that does not edit a line.
    pub fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(self.len()),
            Action::LineStart => self.cursor = 0,
            Action::LineEnd => self.cursor = self.len(),
            Action::WordLeft => self.cursor = self.word_start(),
            Action::WordRight => self.cursor = self.word_end(),
            Action::DeleteChar => {
                if self.cursor > 0 {
                    self.remove(self.cursor - 1, self.cursor);
                }
            }
            Action::DeleteForward => {
                if self.cursor < self.len() {
                    self.remove(self.cursor, self.cursor + 1);
                }
            }
            Action::DeleteWord => {
                let from = self.word_start();
                self.remove(from, self.cursor);
            }
            Action::ClearInput => self.remove(0, self.cursor),
            _ => return false,
        }
        true
    }

    /// Whether the text only grew at its end since `before` (a filter can narrow the last
    /// result instead of starting over).
    pub fn extends(&self, before: &str) -> bool {
        self.text.starts_with(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, cursor: usize) -> LineInput {
        let mut l = LineInput::default();
        l.set(text);
        l.cursor = cursor;
        l
    }

    #[test]
    fn edits_at_the_cursor_as_a_shell_does() {
        let mut l = line("jane smith", 4);
        l.insert("t");
        assert_eq!((l.text(), l.cursor()), ("janet smith", 5));
        l.apply(Action::WordRight);
        assert_eq!(l.cursor(), 11);
        l.apply(Action::WordLeft);
        assert_eq!(l.cursor(), 6);
        l.apply(Action::DeleteWord);
        assert_eq!(
            (l.text(), l.cursor()),
            ("smith", 0),
            "the word and the space before it"
        );
        l.apply(Action::LineEnd);
        l.apply(Action::DeleteChar);
        assert_eq!(l.text(), "smit");
        l.apply(Action::LineStart);
        l.apply(Action::DeleteForward);
        assert_eq!(l.text(), "mit");
        l.apply(Action::CursorRight);
        l.apply(Action::ClearInput);
        assert_eq!(
            (l.text(), l.cursor()),
            ("it", 0),
            "Ctrl-U: what is before the cursor"
        );
        assert!(!l.apply(Action::Save), "not an editing action");
    }

    #[test]
    fn a_cluster_is_one_step() {
        // A family emoji (five code points), a flag (two) and e + combining acute.
        let mut l = line("a👨‍👩‍👧🇵🇹e\u{301}", 4);
        l.apply(Action::DeleteChar);
        assert_eq!(l.text(), "a👨‍👩‍👧🇵🇹", "the accented e goes whole");
        l.apply(Action::CursorLeft);
        l.apply(Action::DeleteChar);
        assert_eq!(l.text(), "a🇵🇹", "the family goes whole");
        let mut l = LineInput::default();
        l.insert("e");
        l.insert("\u{301}");
        assert_eq!(l.cursor(), 1, "the mark joined the letter");
    }

    #[test]
    fn characters_not_bytes() {
        let mut l = line("Zoë 佐藤", 6);
        l.apply(Action::DeleteChar);
        assert_eq!(l.text(), "Zoë 佐");
        l.apply(Action::LineStart);
        l.apply(Action::CursorRight);
        l.apply(Action::CursorRight);
        l.apply(Action::DeleteForward);
        assert_eq!(l.text(), "Zo 佐");
    }
}
