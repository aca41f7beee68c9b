//! Where each part of the screen goes. Pure; the view draws by it and reports what it measured
//! (`app::geometry`), so the state machine never reads this module.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::state::Pane;

/// Below this width only the focused side is shown.
pub const SPLIT_MIN_WIDTH: u16 = 70;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// The contacts pane with its border, if shown.
    pub contacts: Option<Rect>,
    /// The right side (tabs and content) with its border, if shown.
    pub right: Option<Rect>,
    /// The status line.
    pub status: Rect,
    /// The key-hint line.
    pub hints: Rect,
}

impl Areas {
    /// Rows inside the contacts pane for list entries (border, header and search line taken).
    pub fn list_rows(&self) -> Option<Rect> {
        let area = self.contacts?;
        let inner = inset(area);
        // One header row on top and one search line at the bottom.
        Some(Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(2),
            ..inner
        })
    }

    /// The content rows of the right side (below its tab bar).
    pub fn right_body(&self) -> Option<Rect> {
        let inner = inset(self.right?);
        Some(Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        })
    }

    /// The tab bar row of the right side.
    pub fn tab_bar(&self) -> Option<Rect> {
        let inner = inset(self.right?);
        Some(Rect {
            height: inner.height.min(1),
            ..inner
        })
    }
}

/// The area inside a one-cell border.
pub fn inset(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

pub fn areas(size: Rect, focus: Pane) -> Areas {
    let [main, status, hints] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(size);
    if size.width >= SPLIT_MIN_WIDTH {
        // The queue's rows say more (due, title, who, their clock) than its card does.
        let left_share = if focus == Pane::Queue { 60 } else { 42 };
        let [left, right] = Layout::horizontal([
            Constraint::Percentage(left_share),
            Constraint::Percentage(100 - left_share),
        ])
        .areas(main);
        Areas {
            contacts: Some(left),
            right: Some(right),
            status,
            hints,
        }
    } else if matches!(focus, Pane::Contacts | Pane::Queue) {
        Areas {
            contacts: Some(main),
            right: None,
            status,
            hints,
        }
    } else {
        Areas {
            contacts: None,
            right: Some(main),
            status,
            hints,
        }
    }
}

/// The label of a tab, from roomiest (`compact` 0: ` 3 Tasks (4) `) to tightest (3: ` 3:4 `).
pub fn tab_label(pane: Pane, count: Option<usize>, compact: u8) -> String {
    let n = pane.number();
    let title = match (pane, compact) {
        (_, 0) => pane.title(),
        (Pane::Appointments, _) => "Appts",
        (Pane::Details, 2..) => "Info",
        _ => pane.title(),
    };
    match (count, compact) {
        (Some(c), 0) => format!(" {n} {title} ({c}) "),
        (Some(c), 3..) => format!(" {n}:{c} "),
        (Some(c), _) => format!(" {n} {title} {c} "),
        (None, 3..) => format!(" {n} "),
        (None, _) => format!(" {n} {title} "),
    }
}

/// Separator drawn between tabs.
pub const TAB_DIVIDER: &str = "│";
