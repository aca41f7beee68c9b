//! A backend wrapper for text whose width terminals disagree on. A grapheme cluster of several
//! code points (Devanagari `रा`, `मि`, `श्रा`; a ZWJ emoji) is as wide as ratatui measures it
//! in some terminals and narrower or wider in others (tmux, for one). Left alone, that
//! disagreement does two things: the rest of the row is drawn where the terminal's cursor
//! ended up (pushing the next column out of line), and cells the cluster was thought to cover
//! keep whatever was there before (a stray column of a popup that has closed).
//!
//! So around each such cluster this backend (1) blanks every cell the cluster is meant to
//! cover, then draws the cluster over them, and (2) places the cursor afresh for whatever comes
//! next. Plain text, and single wide characters (CJK, which every terminal agrees on), are
//! passed through untouched: the cost is a few bytes per cluster, only where there are some.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub struct Clusters<B>(pub B);

/// A symbol made of several code points: its width is the terminal's guess as much as ours.
fn risky(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    chars.next().is_some() && chars.next().is_some()
}

impl<B: Backend> Backend for Clusters<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut run: Vec<(u16, u16, &'a Cell)> = Vec::new();
        for (x, y, cell) in content {
            if !risky(cell.symbol()) {
                run.push((x, y, cell));
                continue;
            }
            // What came before goes first; each `draw` of the inner backend starts by placing
            // the cursor, so everything after the cluster starts where it should.
            self.0.draw(run.drain(..))?;
            let width = unicode_width::UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
            let mut blank = cell.clone();
            blank.set_symbol(" ");
            let blanks: Vec<Cell> = (0..width).map(|_| blank.clone()).collect();
            self.0.draw(
                blanks
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (x.saturating_add(i as u16), y, c)),
            )?;
            self.0.draw(std::iter::once((x, y, cell)))?;
        }
        self.0.draw(run.into_iter())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.0.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.0.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

impl<B: Write> Write for Clusters<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;

    /// What the backend writes for `cells`, drawn as one diff.
    fn bytes(cells: &[(u16, &str)]) -> String {
        let mut out = Vec::new();
        {
            let mut b = Clusters(CrosstermBackend::new(&mut out));
            let cells: Vec<(u16, Cell)> = cells
                .iter()
                .map(|(x, s)| {
                    let mut c = Cell::default();
                    c.set_symbol(s);
                    (*x, c)
                })
                .collect();
            b.draw(cells.iter().map(|(x, c)| (*x, 0, c))).expect("draw");
        }
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn after_a_cluster_the_cursor_is_placed_again_and_its_cells_blanked_first() {
        // `मि` is two cells to ratatui; `x` follows it.
        let out = bytes(&[(0, "a"), (1, "मि"), (3, "x")]);
        let cluster = out.find("मि").expect("the cluster");
        let blanks = out
            .find("\x1b[1;2H  ")
            .expect("its two cells blanked first");
        assert!(blanks < cluster);
        let x = out.rfind('x').expect("x");
        let moved = out[cluster..x].contains("\x1b[1;4H");
        assert!(
            moved,
            "x placed at its own column, not where the terminal left off: {out:?}"
        );
        // A one-cell cluster (`हु`) too: the next cell is placed, not assumed.
        let out = bytes(&[(0, "हु"), (1, "ल")]);
        let after = &out[out.find("हु").expect("cluster")..];
        assert!(after.contains("\x1b[1;2Hल"), "{out:?}");
    }

    #[test]
    fn plain_text_and_cjk_pass_through_as_they_are() {
        let mut plain = Vec::new();
        {
            let mut b = CrosstermBackend::new(&mut plain);
            let cells: Vec<Cell> = ["a", "佐", " ", "b"]
                .iter()
                .map(|s| {
                    let mut c = Cell::default();
                    c.set_symbol(s);
                    c
                })
                .collect();
            let xs = [0u16, 1, 3, 4];
            b.draw(xs.iter().zip(&cells).map(|(x, c)| (*x, 0, c)))
                .expect("draw");
        }
        let wrapped = bytes(&[(0, "a"), (1, "佐"), (3, " "), (4, "b")]);
        assert_eq!(wrapped, String::from_utf8(plain).expect("utf8"));
    }
}
