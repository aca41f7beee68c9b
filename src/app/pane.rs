//! The panes: the contact list and the four on the right.

/// The five panes, numbered as the `1`-`5` keys select them, and the work queue (`0`), which
/// takes the list's place on the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Queue,
    Contacts,
    Details,
    Tasks,
    Notes,
    Appointments,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Contacts,
        Pane::Details,
        Pane::Tasks,
        Pane::Notes,
        Pane::Appointments,
    ];
    /// The panes on the right, shown one at a time as tabs.
    pub const TABS: [Pane; 4] = [Pane::Details, Pane::Tasks, Pane::Notes, Pane::Appointments];

    pub fn number(self) -> u8 {
        if self == Pane::Queue {
            return 0;
        }
        Pane::ALL
            .iter()
            .position(|p| *p == self)
            .map_or(1, |i| i as u8 + 1)
    }

    pub fn from_number(n: u8) -> Option<Pane> {
        if n == 0 {
            return Some(Pane::Queue);
        }
        Pane::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Queue => "Queue",
            Pane::Contacts => "Contacts",
            Pane::Details => "Details",
            Pane::Tasks => "Tasks",
            Pane::Notes => "Notes",
            Pane::Appointments => "Appointments",
        }
    }
}
