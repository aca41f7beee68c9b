//! The status bar: where the app is, what waits, what the network is doing, the last message.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{text, theme};
use crate::api::pacer::Hold;
use crate::app::state::State;

/// Waits shorter than this go unsaid: a spinner is enough.
const SAY_AFTER: chrono::Duration = chrono::Duration::seconds(1);

/// `in 42 s` for a near time, `14:05` (the user's clock) for a far one.
fn when(state: &State, at: chrono::NaiveDateTime) -> String {
    let left = (at - state.now).num_seconds().max(0);
    if left < 120 {
        format!("in {} s", left.max(1))
    } else {
        let local = at + chrono::Duration::seconds(i64::from(state.zone.local_minus_utc()));
        local.format("%H:%M").to_string()
    }
}

/// What requests are waiting for, once a wait has lasted over a second: the user always
/// knows why nothing happens, and that `r` tries now.
pub fn net_words(state: &State) -> Option<String> {
    let net = &state.net;
    let now = state.now;
    if let Some(at) = net.daily_resets {
        return Some(format!(
            "the day's API allowance is spent · trying again {} · changes wait",
            when(state, at)
        ));
    }
    match net.held {
        Some((Hold::RateLimited, until)) if until - now > SAY_AFTER => {
            return Some(format!(
                "rate limited by the API · retrying {} · {} now",
                when(state, until),
                state.key(crate::app::keymap::Action::Refresh)
            ));
        }
        Some((Hold::Burst, until)) if until - now > SAY_AFTER => {
            return Some(format!(
                "pacing under the API's limit · next request {}",
                when(state, until)
            ));
        }
        _ => {}
    }
    if let Some(since) = net.answer_since
        && now - since > SAY_AFTER
    {
        return Some(format!(
            "the API is slow to answer ({} s) · {} retries",
            (now - since).num_seconds(),
            state.key(crate::app::keymap::Action::Refresh)
        ));
    }
    if let Some(at) = net.retry_at
        && at - now > SAY_AFTER
    {
        return Some(format!("the API failed · retrying {}", when(state, at)));
    }
    None
}

pub fn draw(frame: &mut Frame, area: ratatui::layout::Rect, state: &State, spinner: &str) {
    let width = usize::from(area.width);
    let mut left = vec![Span::styled(
        format!(" {} ", crate::sanitize::line(&state.account_label)),
        theme::status_bar(),
    )];
    let set = state.set();
    let loaded = set.len() as u64;
    let count = match set.total {
        Some(t) if t != loaded => format!("{}/{}", text::count(loaded), text::count(t)),
        _ => text::count(loaded),
    };
    let noun = if count == "1" { "contact" } else { "contacts" };
    left.push(Span::raw(format!(" {count} {noun}")));
    if !state.marked.is_empty() {
        left.push(Span::styled(
            format!(" ● {} marked", text::count(state.marked.len() as u64)),
            theme::key(),
        ));
    }
    if state.mask {
        left.push(Span::styled(" ◐ presenter", theme::warn()));
    }
    if state.store_down.is_some() {
        left.push(Span::styled(" ⚠ not saving", theme::error()));
    }
    if !state.pending.is_empty() {
        left.push(Span::styled(
            format!(" ⇡{} waiting", state.pending.len()),
            theme::warn(),
        ));
    }
    let waiting: usize = state.elsewhere.values().map(|e| e.waiting).sum();
    let refused: usize = state.elsewhere.values().map(|e| e.refused).sum();
    match (waiting, refused) {
        (0, 0) => {}
        (w, 0) => left.push(Span::styled(
            format!(" ⇡{w} in other locations"),
            theme::warn(),
        )),
        (0, r) => left.push(Span::styled(
            format!(" ✗{r} unsaved in other locations"),
            theme::error(),
        )),
        (w, r) => left.push(Span::styled(
            format!(" ⇡{w} ✗{r} in other locations"),
            theme::error(),
        )),
    }
    if state.is_busy() {
        left.push(Span::styled(format!(" {spinner}"), theme::key()));
    }
    if let Some(words) = net_words(state) {
        left.push(Span::styled(format!(" {words}"), theme::warn()));
    }
    let budget = &state.budget;
    let sync = state.sync.line(state.now);
    let right = match (budget.remaining, &sync) {
        (Some(r), Some(s)) => format!(" {s} · API {r}/{} ", budget.max),
        (Some(r), None) => format!(" API {r}/{} ", budget.max),
        (None, Some(s)) => format!(" {s} "),
        (None, None) => String::new(),
    };
    let used: usize =
        left.iter().map(|s| text::width(&s.content)).sum::<usize>() + text::width(&right);
    let room = width.saturating_sub(used + 1);
    if let Some(status) = &state.status {
        let style = if status.error {
            theme::error()
        } else {
            ratatui::style::Style::new()
        };
        left.push(Span::raw(" "));
        // A last guard: whatever built the message, no secret is drawn.
        let words = crate::redact::text(&crate::sanitize::line(&status.text)).into_owned();
        if text::width(&words) > room && room > 8 {
            // Cut: `!` shows it whole.
            left.push(Span::styled(text::fit(&words, room - 4), style));
            left.push(Span::styled(" (!)", theme::key()));
        } else {
            left.push(Span::styled(text::fit(&words, room), style));
        }
    }
    let used: usize = left.iter().map(|s| text::width(&s.content)).sum::<usize>();
    let pad = width.saturating_sub(used + text::width(&right));
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(
        right,
        if budget
            .remaining
            .is_some_and(|r| r.saturating_mul(5) < budget.max)
        {
            theme::warn()
        } else {
            theme::dim()
        },
    ));
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}
