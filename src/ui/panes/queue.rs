//! The work queue (`0`): today's appointments, then the open tasks across the location by
//! when they are due on the user's clock, each with its contact. On the right, the task under
//! the cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::QueueTask;
use crate::app::callable::Clock;
use crate::app::queue::{Assignee, Group, Row};
use crate::app::state::{Load, Pane, State};
use crate::sanitize;
use crate::ui::{layout, text, theme};

fn hhmm(t: chrono::NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

/// When a task is due, as short as its group allows (the group says the day).
fn due_cell(
    group: Group,
    due: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> String {
    match (group, due) {
        (_, None) => String::new(),
        (Group::Today | Group::Tomorrow, Some(d)) => hhmm(d),
        (Group::Overdue, Some(d)) if d.date() == now.date() => hhmm(d),
        (Group::ThisWeek, Some(d)) => d.format("%a %H:%M").to_string(),
        (_, Some(d)) => d.format("%d %b").to_string(),
    }
}

/// Room for a contact's clock at the end of a row: two spaces, `14:05`, a mark.
const CLOCK_W: usize = 8;

/// A contact's clock as a queue row shows it, and its style.
fn clock_cell(clock: Option<&Clock>) -> (String, Style) {
    match clock {
        None => (String::new(), Style::new()),
        Some(k) if k.dnd => (format!("{}!", hhmm(k.local)), theme::warn()),
        Some(k) if k.after_hours => (format!("{}z", hhmm(k.local)), theme::dim()),
        Some(k) => (format!("{} ", hhmm(k.local)), Style::new()),
    }
}

/// Draws the queue; gives back where each task line landed (screen row, position in the
/// queue), for the mouse.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    rows: &[Row],
    spinner: &str,
) -> Vec<(u16, usize)> {
    let focused = state.focus == Pane::Queue;
    let q = &state.queue;
    let whose = match (&q.assignee, state.me.is_some()) {
        (Assignee::Me, true) => "mine".to_string(),
        (Assignee::User(id), _) => {
            format!("{}'s", text::fit(&sanitize::line(state.user_name(id)), 24))
        }
        _ => "everyone's".to_string(),
    };
    let overdue = if q.overdue_only { " overdue" } else { "" };
    let sorted = if q.callable_first {
        " · callable first"
    } else {
        ""
    };
    // Shown from the replica while the server is asked: since when, and that it is asked.
    let kept = q
        .kept_from
        .map(|at| {
            let local = at + chrono::Duration::seconds(i64::from(state.zone.local_minus_utc()));
            let now = state.local_now();
            let when = if local.date() == now.date() {
                hhmm(local)
            } else {
                text::when_short(local, now)
            };
            format!(" · {spinner} as of {when}")
        })
        .unwrap_or_default();
    let title = format!(
        " 0 Queue · {}{overdue} · {whose}{sorted}{kept} ",
        text::count(rows.len() as u64)
    );
    let block = super::frame_block(title, focused);
    frame.render_widget(block, area);
    let inner = layout::inset(area);
    if inner.height == 0 || inner.width == 0 {
        return Vec::new();
    }
    let width = usize::from(inner.width);
    let now = state.local_now();
    let mut lines: Vec<Line> = Vec::new();

    let today = q.today(state.now, state.zone);
    if !today.is_empty() {
        lines.push(Line::styled("Appointments today", theme::header()));
        for a in &today {
            let at = a
                .start_time
                .as_deref()
                .and_then(|t| crate::api::time::local(t, state.zone))
                .map(hhmm)
                .unwrap_or_default();
            let status = a
                .appointment_status
                .as_deref()
                .or(a.status.as_deref())
                .unwrap_or("");
            let title = sanitize::line(a.title.as_deref().unwrap_or("(untitled)")).into_owned();
            // With whom, as the list names the contact.
            let who = a
                .contact_id
                .as_deref()
                .and_then(|id| state.browse.find(id))
                .and_then(|i| state.browse.row(i))
                .map(|r| format!(" · {}", sanitize::line(r.name())))
                .unwrap_or_default();
            let rest = format!("{at}  {title}{who}");
            let status = if status.is_empty() {
                String::new()
            } else {
                format!("  {}", sanitize::line(status))
            };
            let room = width.saturating_sub(text::width(&status) + 2);
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::raw(text::fit(&rest, room)),
                Span::styled(status, theme::dim()),
            ]));
        }
        lines.push(Line::raw(""));
    }

    match &q.tasks {
        Load::Idle | Load::Loading if rows.is_empty() => {
            lines.push(Line::styled(
                format!("{spinner} Loading the queue…"),
                theme::dim(),
            ));
        }
        Load::Failed(e) if rows.is_empty() => {
            lines.push(Line::styled(
                text::fit(&sanitize::line(&e.one_line()), width),
                theme::error(),
            ));
        }
        _ if rows.is_empty() => {
            lines.push(Line::styled(
                if q.overdue_only {
                    "Nothing overdue"
                } else {
                    "Nothing to do: no open tasks"
                },
                theme::dim(),
            ));
        }
        _ => {}
    }

    // Where each task's line falls (group titles come before a group's first task): only the
    // lines on screen are built, so ten thousand tasks draw as fast as ten.
    let head = lines.len();
    let mut at = Vec::with_capacity(rows.len());
    let mut titles = 0;
    for (i, r) in rows.iter().enumerate() {
        if i == 0 || rows[i - 1].group != r.group {
            titles += 1;
        }
        at.push(head + titles + i);
    }
    // The contacts' own clocks, right-aligned, when any is known: `14:05`, then `z` when it
    // is outside 09–18 there, `!` when DND blocks calls or texts.
    let clocks = rows.iter().any(|r| r.clock.is_some());
    let clock_w = if clocks { CLOCK_W } else { 0 };
    let height = usize::from(inner.height);
    let selected_line = at.get(q.selected).copied().unwrap_or(0);
    let skip = (selected_line + 1).saturating_sub(height);
    let first = at.partition_point(|&l| l < skip);
    let mut group = if first > 0 {
        Some(rows[first - 1].group)
    } else {
        None
    };
    for (i, r) in rows.iter().enumerate().skip(first) {
        if lines.len() >= skip + height {
            break;
        }
        if group != Some(r.group) {
            group = Some(r.group);
            let n = rows.iter().filter(|x| x.group == r.group).count();
            let style = if r.group == Group::Overdue {
                theme::error()
            } else {
                theme::header()
            };
            // Lines above the window are only counted.
            lines.resize(at[i] - 1, Line::raw(""));
            lines.push(Line::styled(format!("{} ({n})", r.group.title()), style));
        }
        lines.resize(at[i], Line::raw(""));
        let selected = i == q.selected;
        let due = due_cell(r.group, r.due, now);
        // Who: cleaned when the queue arrived; the title (kept as the server has it), here,
        // for the rows on screen only.
        let who = r.task.who();
        let title = sanitize::line(r.task.task.title.as_deref().unwrap_or("(untitled)"));
        let title = title.as_ref();
        let marker = theme::marker(selected);
        let due_w = 6.max(text::width(&due));
        let room = width.saturating_sub(text::width(marker) + due_w + 2 + clock_w);
        // The title first; who it is for takes what is left, at least a third.
        let who_room = if who.is_empty() {
            0
        } else {
            (room / 3).max(room.saturating_sub(text::width(title) + 3))
        };
        let title_room = room.saturating_sub(if who.is_empty() {
            0
        } else {
            who_room.min(text::width(&who)) + 3
        });
        let due_style = if r.group == Group::Overdue {
            theme::error()
        } else {
            theme::warn()
        };
        let mut spans = vec![
            Span::raw(marker),
            Span::styled(format!("{due:<due_w$}"), due_style),
            Span::raw("  "),
            Span::raw(text::fit(title, title_room)),
        ];
        if !who.is_empty() {
            spans.push(Span::styled(
                format!("   {}", text::fit(&who, who_room)),
                theme::dim(),
            ));
        }
        if clocks {
            let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
            let pad = width.saturating_sub(used + CLOCK_W);
            let (cell, style) = clock_cell(r.clock.as_ref());
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(format!("{cell:>CLOCK_W$}"), style));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(theme::selected(focused));
        }
        lines.push(line);
    }
    let drawn: Vec<(u16, usize)> = at
        .iter()
        .enumerate()
        .skip(first)
        .take_while(|(_, l)| **l < skip + height)
        .map(|(i, l)| (inner.y + (l - skip) as u16, i))
        .collect();
    let shown: Vec<Line> = lines.into_iter().skip(skip).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    drawn
}

/// The task under the cursor: what it is, when, for whom, and what the keys do with it.
pub fn draw_task(frame: &mut Frame, area: Rect, state: &State, task: Option<&QueueTask>) {
    let title = task
        .and_then(|t| t.task.title.as_deref())
        .map(|t| {
            format!(
                " {} ",
                text::fit(
                    &sanitize::line(t),
                    usize::from(area.width.saturating_sub(6))
                )
            )
        })
        .unwrap_or_else(|| " No task ".to_string());
    let block = super::frame_block(title, false);
    frame.render_widget(block, area);
    let inner = layout::inset(area);
    let Some(t) = task else {
        return;
    };
    let label = |l: &str| Span::styled(format!("{l:<12}"), theme::label());
    let mut lines = Vec::new();
    let due = t
        .task
        .due_date
        .as_deref()
        .and_then(|d| crate::api::time::local(d, state.zone))
        .map(|d| text::when_short(d, state.local_now()))
        .unwrap_or_else(|| "no due date".into());
    let style = if t.task.is_overdue(state.now) {
        theme::error()
    } else {
        Style::new()
    };
    lines.push(Line::from(vec![label("Due"), Span::styled(due, style)]));
    if !t.contact_name.is_empty() {
        lines.push(Line::from(vec![
            label("Contact"),
            Span::raw(t.contact_name.clone()),
        ]));
    }
    if !t.company.is_empty() {
        lines.push(Line::from(vec![
            label("Company"),
            Span::raw(t.company.clone()),
        ]));
    }
    if let Some(k) = t
        .timezone
        .as_deref()
        .and_then(|z| crate::app::callable::clock_in(z, t.dnd, state.now))
    {
        let style = if k.callable() {
            Style::new()
        } else {
            theme::warn()
        };
        lines.push(Line::from(vec![
            label("Their time"),
            Span::styled(k.describe(), style),
        ]));
    }
    if let Some(who) = t.task.assigned_to.as_deref() {
        lines.push(Line::from(vec![
            label("Assigned to"),
            Span::raw(sanitize::line(state.user_name(who)).into_owned()),
        ]));
    }
    if let Some(body) = t.task.body.as_deref().filter(|b| !b.trim().is_empty()) {
        lines.push(Line::raw(""));
        for l in sanitize::clean(body, sanitize::Lines::Multi).lines() {
            lines.push(Line::raw(l.to_string()));
        }
    }
    lines.push(Line::raw(""));
    let k = |a| state.key_in(crate::app::keymap::Scope::Browse, a);
    use crate::app::keymap::Action;
    lines.push(Line::styled(
        format!(
            "{} complete · {} open the contact · {} add a note",
            k(Action::Toggle),
            k(Action::Open),
            k(Action::New)
        ),
        theme::dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
