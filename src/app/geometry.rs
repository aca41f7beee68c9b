//! What the view measured when it last drew, reported back (`Msg::Drawn`) the way television's
//! `render.rs` sends its layout back: where the list and the panes are, where each tab is, how
//! many lines the details and notes take at their width, how far the help scrolls. Mouse hits,
//! page sizes and scroll limits read this, so the state machine never needs the widgets.

use super::pane::Pane;

/// A rectangle of cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, col: u16, row: u16) -> bool {
        col >= self.x
            && col < self.x.saturating_add(self.width)
            && row >= self.y
            && row < self.y.saturating_add(self.height)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Geometry {
    /// The contacts pane (with its border), where drawn.
    pub list: Option<Area>,
    /// The list's rows (header, border and search line taken), where drawn (not while the
    /// queue is in its place).
    pub list_rows: Option<Area>,
    /// The queue's task lines on screen, when it is open: the screen row, and the task's
    /// position in the queue.
    pub queue_rows: Vec<(u16, usize)>,
    /// How many rows the list shows when it is on screen (also while a narrow screen shows
    /// only the right side).
    pub list_height: usize,
    /// The right side (with its border), where drawn.
    pub right: Option<Area>,
    /// The right side's content (below its tab bar): its size when shown.
    pub right_height: usize,
    pub right_width: usize,
    /// Each tab's cells on the tab bar.
    pub tabs: Vec<(Pane, Area)>,
    /// The contact the two below were measured for (the one selected when it drew).
    pub measured_for: Option<String>,
    /// The selected contact's details, in lines at the pane's width.
    pub details_lines: usize,
    /// The selected contact's notes, in the order shown: each one's first line and height.
    pub note_spans: Vec<(usize, usize)>,
    /// How far the help scrolls at this size, and how many of its lines show.
    pub help_scroll_max: u16,
    pub help_rows: usize,
    /// Items a list overlay (pending changes, drafts, tags) shows at once, and how far the
    /// messages overlay scrolls.
    pub overlay_rows: usize,
    pub messages_scroll_max: usize,
}

impl Geometry {
    /// Items of a pane that fit on screen: tasks and appointments take two lines each; details
    /// and notes scroll by line.
    pub fn items_in_view(&self, pane: Pane) -> usize {
        let height = self.right_height.max(1);
        match pane {
            Pane::Tasks | Pane::Appointments => (height / 2).max(1),
            Pane::Notes | Pane::Details => height,
            Pane::Contacts | Pane::Queue => self.list_height.max(1),
        }
    }
}
