//! The work queue: the location's open tasks across all contacts, grouped by when they are due
//! on the user's clock (Overdue, Today, Tomorrow, This week, Later, No date), with today's
//! appointments above them. The task search has no due-date filter or sort, so the open tasks
//! are fetched whole and grouped here. Pure: what to ask for and how to show it.

use chrono::{Datelike, Duration, NaiveDateTime};

use crate::api::{Appointment, QueueTask, TaskFilter};
use crate::app::callable::{Clock, clock_in, rank};
use crate::app::state::Load;

/// How often the open queue is asked again in the background (the task search has no
/// "changed since": each refresh reads every open task, a request per hundred).
pub const REFRESH: Duration = Duration::minutes(5);

/// When a task is due, as the queue groups it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Overdue,
    Today,
    Tomorrow,
    ThisWeek,
    Later,
    NoDate,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Overdue => "Overdue",
            Group::Today => "Today",
            Group::Tomorrow => "Tomorrow",
            Group::ThisWeek => "This week",
            Group::Later => "Later",
            Group::NoDate => "No date",
        }
    }
}

/// The group of a task due at `due` (on the user's clock), seen at `now` (the same clock).
/// "This week" runs to the end of Sunday.
pub fn group_of(due: Option<NaiveDateTime>, now: NaiveDateTime) -> Group {
    let Some(due) = due else {
        return Group::NoDate;
    };
    if due < now {
        return Group::Overdue;
    }
    let today = now.date();
    let day = due.date();
    let days_to_sunday = 6 - i64::from(today.weekday().num_days_from_monday());
    if day == today {
        Group::Today
    } else if day == today + Duration::days(1) {
        Group::Tomorrow
    } else if day <= today + Duration::days(days_to_sunday) {
        Group::ThisWeek
    } else {
        Group::Later
    }
}

/// What the app opens on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StartView {
    /// The contact list.
    #[default]
    Contacts,
    /// The queue.
    Queue,
    /// The queue when something is overdue or due today, else the list (the app's default).
    Auto,
}

impl std::str::FromStr for StartView {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "contacts" => Ok(StartView::Contacts),
            "queue" => Ok(StartView::Queue),
            "auto" => Ok(StartView::Auto),
            other => Err(format!(
                "start_view is auto, queue or contacts, not “{other}”"
            )),
        }
    }
}

/// Whose tasks the queue shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Assignee {
    /// The signed-in user's (when the app knows who that is), else everyone's.
    #[default]
    Me,
    Anyone,
    /// One user's, by id.
    User(String),
}

impl Assignee {
    /// The next in `f`'s round: mine, everyone's, then each other user's (in the order given,
    /// by name), then mine again. `me` is left out of the users, being "mine" already.
    pub fn next(&self, me: Option<&str>, users: &[(String, String)]) -> Assignee {
        let others: Vec<&str> = users
            .iter()
            .map(|(id, _)| id.as_str())
            .filter(|id| Some(*id) != me)
            .collect();
        match self {
            Assignee::Me => Assignee::Anyone,
            Assignee::Anyone => others
                .first()
                .map_or(Assignee::Me, |id| Assignee::User(id.to_string())),
            Assignee::User(at) => others
                .iter()
                .position(|id| id == at)
                .and_then(|i| others.get(i + 1))
                .map_or(Assignee::Me, |id| Assignee::User(id.to_string())),
        }
    }
}

/// The queue as the state holds it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    /// The queue is what the left side shows.
    pub open: bool,
    pub tasks: Load<Vec<QueueTask>>,
    pub events: Load<Vec<Appointment>>,
    /// Position among the task rows (group titles are not rows).
    pub selected: usize,
    pub assignee: Assignee,
    pub overdue_only: bool,
    /// What is shown is the copy kept in the replica, fetched then (UTC), while the server
    /// is asked again.
    pub kept_from: Option<NaiveDateTime>,
    /// When the server last answered for the queue (UTC): it is asked again in the
    /// background every `REFRESH` while open.
    pub fetched_at: Option<NaiveDateTime>,
    /// A fetch is under way.
    pub fetching: bool,
    /// The user was asked who they are this session.
    pub asked_who: bool,
    /// Within each group, the contacts it is a good time to call come first.
    pub callable_first: bool,
    /// Tasks completed here and not yet confirmed: they leave the queue at once.
    pub done: std::collections::HashSet<String>,
    /// The last answer was for this generation; older ones are dropped.
    pub generation: u64,
    /// A task opened from the queue (contact, task): the Tasks pane selects it when the
    /// contact's tasks arrive.
    pub follow: Option<(String, String)>,
    /// At start, the queue is opened when its first answer has work due (`StartView::Auto`),
    /// unless the user has pressed a key by then.
    pub open_if_due: bool,
}

/// One task of the queue, as drawn.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub group: Group,
    /// On the user's clock.
    pub due: Option<NaiveDateTime>,
    pub task: &'a QueueTask,
    /// The contact's clock, when its timezone is known.
    pub clock: Option<Clock>,
}

impl Queue {
    /// What the location's task search is asked: open tasks, the user's unless everyone's
    /// are wanted.
    pub fn filter(&self, me: Option<&str>) -> TaskFilter {
        TaskFilter {
            completed: Some(false),
            assigned_to: match (&self.assignee, me) {
                (Assignee::Me, Some(me)) => vec![me.to_string()],
                (Assignee::User(id), _) => vec![id.clone()],
                _ => Vec::new(),
            },
        }
    }

    /// The open tasks in the order shown: by group, then (when so sorted) callable now first,
    /// then by when due (earliest first), then by title; only the overdue when so filtered.
    /// `now` is UTC; `zone` is the user's.
    pub fn rows(&self, now: NaiveDateTime, zone: chrono::FixedOffset) -> Vec<Row<'_>> {
        let Some(tasks) = self.tasks.ready() else {
            return Vec::new();
        };
        let offset = Duration::seconds(i64::from(zone.local_minus_utc()));
        let local_now = now + offset;
        let mut rows: Vec<Row> = tasks
            .iter()
            .filter(|t| !t.task.is_done() && !self.done.contains(t.id()))
            .map(|t| {
                let due = t.task.due().map(|d| d + offset);
                Row {
                    group: group_of(due, local_now),
                    due,
                    task: t,
                    clock: t.timezone.as_deref().and_then(|z| clock_in(z, t.dnd, now)),
                }
            })
            .filter(|r| !self.overdue_only || r.group == Group::Overdue)
            .collect();
        let callable = |r: &Row| {
            if self.callable_first {
                rank(r.clock.as_ref())
            } else {
                0
            }
        };
        rows.sort_by(|a, b| {
            (a.group, callable(a), a.due, a.task.task.title.as_deref()).cmp(&(
                b.group,
                callable(b),
                b.due,
                b.task.task.title.as_deref(),
            ))
        });
        rows
    }

    /// How many rows `rows` gives, without ordering them (for moves, on every key).
    pub fn len(&self, now: NaiveDateTime, zone: chrono::FixedOffset) -> usize {
        let Some(tasks) = self.tasks.ready() else {
            return 0;
        };
        let offset = Duration::seconds(i64::from(zone.local_minus_utc()));
        let local_now = now + offset;
        tasks
            .iter()
            .filter(|t| !t.task.is_done() && !self.done.contains(t.id()))
            .filter(|t| {
                !self.overdue_only
                    || group_of(t.task.due().map(|d| d + offset), local_now) == Group::Overdue
            })
            .count()
    }

    /// Today's appointments on the user's clock, earliest first, cancelled ones left out.
    pub fn today(&self, now: NaiveDateTime, zone: chrono::FixedOffset) -> Vec<&Appointment> {
        let Some(events) = self.events.ready() else {
            return Vec::new();
        };
        let offset = Duration::seconds(i64::from(zone.local_minus_utc()));
        let today = (now + offset).date();
        let start = |a: &Appointment| {
            a.start_time
                .as_deref()
                .and_then(crate::api::time::parse)
                .map(|t| t + offset)
        };
        let mut out: Vec<&Appointment> = events
            .iter()
            .filter(|a| start(a).is_some_and(|t| t.date() == today))
            .filter(|a| {
                let status = a.appointment_status.as_deref().or(a.status.as_deref());
                !status.is_some_and(|s| s.eq_ignore_ascii_case("cancelled"))
            })
            .collect();
        out.sort_by_key(|a| start(a));
        out
    }
}

/// The span of the user's day, in ms since the epoch (UTC), for the calendar's events.
pub fn day_span_ms(now: NaiveDateTime, zone: chrono::FixedOffset) -> (i64, i64) {
    let offset = i64::from(zone.local_minus_utc());
    let local = now + Duration::seconds(offset);
    let midnight = local.date().and_hms_opt(0, 0, 0).unwrap_or(local);
    let start = midnight.and_utc().timestamp() - offset;
    (start * 1000, (start + 86_400) * 1000 - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
    }

    #[test]
    fn tasks_fall_into_the_days_of_the_users_week() {
        // A Wednesday afternoon.
        let now = at("2026-12-02 14:00");
        let g = |s: &str| group_of(Some(at(s)), now);
        assert_eq!(g("2026-12-02 13:59"), Group::Overdue);
        assert_eq!(g("2026-11-30 09:00"), Group::Overdue);
        assert_eq!(g("2026-12-02 17:00"), Group::Today);
        assert_eq!(g("2026-12-03 09:00"), Group::Tomorrow);
        assert_eq!(g("2026-12-06 23:00"), Group::ThisWeek);
        assert_eq!(g("2026-12-07 08:00"), Group::Later);
        assert_eq!(group_of(None, now), Group::NoDate);
        // On a Sunday, tomorrow is already next week's.
        let sunday = at("2026-12-06 10:00");
        assert_eq!(
            group_of(Some(at("2026-12-07 10:00")), sunday),
            Group::Tomorrow
        );
        assert_eq!(group_of(Some(at("2026-12-08 10:00")), sunday), Group::Later);
    }

    #[test]
    fn the_count_is_the_rows_without_ordering_them() {
        use crate::api::Task;
        let now = at("2026-12-02 14:00");
        let zone = chrono::FixedOffset::west_opt(5 * 3600).expect("zone");
        let task = |id: &str, due: Option<&str>, done: bool| QueueTask {
            task: Task {
                id: Some(id.into()),
                due_date: due.map(str::to_string),
                completed: Some(done),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut q = Queue {
            tasks: Load::Ready(vec![
                task("a", Some("2026-12-01T10:00:00Z"), false),
                task("b", Some("2026-12-02T18:59:00Z"), false),
                task("c", Some("2026-12-02T19:01:00Z"), false),
                task("d", None, false),
                task("e", Some("2026-11-01T10:00:00Z"), true),
                task("f", Some("2026-11-02T10:00:00Z"), false),
            ]),
            ..Default::default()
        };
        q.done.insert("f".into());
        for overdue in [false, true] {
            q.overdue_only = overdue;
            assert_eq!(
                q.len(now, zone),
                q.rows(now, zone).len(),
                "overdue {overdue}"
            );
        }
        // Only `a` is past at 14:00 UTC; `e` is done, `f` done here.
        assert_eq!(q.len(now, zone), 1);
        q.overdue_only = false;
        assert_eq!(q.len(now, zone), 4);
    }

    #[test]
    fn the_day_is_the_users_not_utcs() {
        // 23:30 UTC is already tomorrow in Tokyo (UTC+9).
        let zone = chrono::FixedOffset::east_opt(9 * 3600).expect("zone");
        let (from, to) = day_span_ms(at("2026-12-01 23:30"), zone);
        assert_eq!(from, at("2026-12-01 15:00").and_utc().timestamp_millis());
        assert_eq!(to - from, 86_400_000 - 1);
    }
}
