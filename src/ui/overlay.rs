//! Editor forms, questions and lists drawn over the panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{text, theme};
use crate::app::form::Form;
use crate::app::keymap::{Action, Scope};
use crate::app::state::{Overlay, State};

use super::centered_box as boxed;

/// "Enter removes · Esc closes", with the keys the keymap has for each action (a user's own
/// included); an action with no key is left out.
fn keys_line(state: &State, scope: Scope, parts: &[(Action, &str)]) -> String {
    parts
        .iter()
        .filter_map(|(a, what)| Some(format!("{} {what}", state.keymap.key_for(scope, *a)?)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Draws the overlay open, if any; returns how many items a list in it shows and how far the
/// messages scroll (0 where there is neither).
pub fn draw(frame: &mut Frame, state: &State) -> (usize, usize) {
    let Some(overlay) = state.overlay() else {
        return (0, 0);
    };
    let q = Scope::Question;
    // Every key that answers no is named: Esc and Enter are not obvious.
    let no = state.keymap.label_for(q, Action::No).unwrap_or_default();
    let yes = state.keymap.key_for(q, Action::Yes).unwrap_or_default();
    let answer = format!("{yes} yes · {no} no");
    match overlay {
        Overlay::Form(form) => draw_form(frame, form, state.mask),
        Overlay::Discard(form) => {
            draw_form(frame, form, state.mask);
            let keys = keys_line(
                state,
                q,
                &[(Action::Yes, "discards"), (Action::No, "keeps editing")],
            );
            question(frame, "Discard your changes?", &keys);
        }
        Overlay::Confirm { prompt, .. } | Overlay::Ask { prompt, .. } => {
            question(frame, prompt, &answer)
        }
        Overlay::RemoveTag { tags, cursor, .. } => {
            let items: Vec<String> = tags
                .iter()
                .map(|t| crate::sanitize::line(t).into_owned())
                .collect();
            let keys = keys_line(
                state,
                Scope::List,
                &[(Action::Pick, "removes"), (Action::Back, "closes")],
            );
            return (list(frame, "Remove which tag?", &items, *cursor, &keys), 0);
        }
        Overlay::WhoAmI { users, cursor } => {
            let items: Vec<String> = users
                .iter()
                .map(|(_, name)| crate::sanitize::line(name).into_owned())
                .collect();
            let keys = keys_line(
                state,
                Scope::List,
                &[
                    (Action::Pick, "that's me (remembered)"),
                    (Action::Back, "everyone's for now"),
                ],
            );
            return (
                list(
                    frame,
                    "Who are you? Your tasks fill the queue",
                    &items,
                    *cursor,
                    &keys,
                ),
                0,
            );
        }
        Overlay::Pending { cursor } => return (draw_pending(frame, state, *cursor), 0),
        Overlay::Messages { scroll } => return (0, draw_messages(frame, state, *scroll)),
        Overlay::Locations(picker) => draw_locations(frame, state, picker),
        Overlay::Drafts { drafts, cursor } => {
            let items: Vec<String> = drafts
                .iter()
                .map(|(_, v)| {
                    // A write the server refused: what it was, and why.
                    if let Some(op) = v
                        .get("rejected")
                        .and_then(|o| serde_json::from_value::<crate::api::WriteOp>(o.clone()).ok())
                    {
                        let why = v.get("error").and_then(|e| e.as_str()).unwrap_or("refused");
                        return crate::sanitize::line(&format!(
                            "{} — not saved: {why}",
                            op.describe()
                        ))
                        .into_owned();
                    }
                    let title = v.get("title").and_then(|t| t.as_str()).unwrap_or("Draft");
                    let first = v
                        .get("values")
                        .and_then(|m| m.as_object())
                        .and_then(|m| {
                            m.values()
                                .filter_map(|x| x.as_str())
                                .find(|x| !x.trim().is_empty())
                        })
                        .unwrap_or("");
                    crate::sanitize::line(&format!(
                        "{title}: {}",
                        first.lines().next().unwrap_or("")
                    ))
                    .into_owned()
                })
                .collect();
            let keys = keys_line(
                state,
                Scope::List,
                &[
                    (Action::Pick, "reopens"),
                    (Action::Discard, "discards"),
                    (Action::Back, "keeps for later"),
                ],
            );
            return (
                list(frame, "Unsaved text from last time", &items, *cursor, &keys),
                0,
            );
        }
    }
    (0, 0)
}

/// The last messages, newest first, each whole and wrapped, with the time it was said; returns
/// how far they scroll.
fn draw_messages(frame: &mut Frame, state: &State, scroll: usize) -> usize {
    let size = frame.area();
    let width = size.width.saturating_sub(4).clamp(20, 100);
    let height = size.height.saturating_sub(2).max(5);
    let inner = boxed(frame, width, height, "Last messages");
    let text_w = usize::from(inner.width).saturating_sub(11).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for m in &state.said {
        let at = m.at + chrono::Duration::seconds(i64::from(state.zone.local_minus_utc()));
        let style = if m.error {
            theme::error()
        } else {
            Style::new()
        };
        let words = crate::redact::text(&crate::sanitize::line(&m.text)).into_owned();
        for (i, piece) in text::wrap(&words, text_w).into_iter().enumerate() {
            let stamp = if i == 0 {
                at.format(" %H:%M:%S ").to_string()
            } else {
                " ".repeat(10)
            };
            lines.push(Line::from(vec![
                Span::styled(stamp, theme::dim()),
                Span::styled(piece, style),
            ]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(" Nothing said yet.", theme::dim()));
    }
    let rows = usize::from(inner.height.saturating_sub(2));
    let max = lines.len().saturating_sub(rows);
    let scroll = scroll.min(max);
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    while shown.len() < rows {
        shown.push(Line::raw(""));
    }
    shown.push(Line::raw(""));
    let keys = keys_line(
        state,
        Scope::List,
        &[
            (Action::Down, "down"),
            (Action::Up, "up"),
            (Action::Back, "closes"),
        ],
    );
    shown.push(Line::styled(
        format!(" newest first · {keys}"),
        theme::dim(),
    ));
    frame.render_widget(Paragraph::new(shown), inner);
    max
}

/// The outbox: what waits and why, with the store's own trouble first.
fn draw_pending(frame: &mut Frame, state: &State, cursor: usize) -> usize {
    let mut header = Vec::new();
    if let Some(why) = &state.store_down {
        header.push(format!(
            "⚠ Changes cannot be saved now: the local store is unavailable: {why}"
        ));
    }
    if let Some(notice) = &state.store_notice {
        header.push(format!("⚠ {notice}"));
    }
    let items: Vec<String> = state
        .pending
        .iter()
        .map(|p| {
            if let Some(why) = &p.aside {
                return format!("⚠ #{} set aside: {why}", p.id);
            }
            let who = p
                .contact_id
                .as_deref()
                .and_then(|id| state.browse.find(id).and_then(|i| state.browse.row(i)))
                .map(|c| format!("{}: ", c.name()))
                .unwrap_or_default();
            match (&p.error, p.waits_for) {
                (_, Some(on)) => format!("{who}{} — waits for #{on}, set aside", p.what),
                (Some(e), None) => format!("{who}{} — {} (tried {}×)", p.what, e, p.attempts),
                (None, None) => format!("{who}{}", p.what),
            }
        })
        .map(|s| crate::sanitize::line(&s).into_owned())
        .collect();
    let title = format!("Changes waiting for the server: {}", state.pending.len());
    let parts: &[(Action, &str)] = match state.pending.get(cursor) {
        Some(p) if p.aside.is_some() => &[
            (Action::Pick, "reads it again"),
            (Action::Discard, "deletes it"),
            (Action::Back, "closes"),
        ],
        Some(_) => &[
            (Action::Pick, "sends now"),
            (Action::Discard, "takes it back to edit"),
            (Action::Back, "closes"),
        ],
        None => &[(Action::Back, "closes")],
    };
    let keys = keys_line(state, Scope::List, parts);
    let empty = [if state.store_down.is_some() {
        "Nothing waiting, and nothing can be saved until the store works.".to_string()
    } else {
        "Nothing waiting: every change is saved.".to_string()
    }];
    let shown: &[String] = if items.is_empty() { &empty } else { &items };
    list_under(frame, &title, &header, shown, cursor, &keys)
}

/// The switcher: a search line over the matching locations, the current one marked.
fn draw_locations(frame: &mut Frame, state: &State, picker: &crate::app::locations::Picker) {
    let size = frame.area();
    // As tall as the whole list (so it does not jump while typing), within the screen.
    let rows = picker.all.as_ref().map_or(1, Vec::len).max(1) as u16;
    let height = (rows + 4).min(size.height.saturating_sub(4)).max(6);
    let inner = boxed(frame, 64, height, "Switch location");
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let width = usize::from(inner.width);
    let mut search = vec![Span::styled("Search: ", theme::dim())];
    search.extend(super::input_spans(
        &picker.query,
        picker.opening.is_none(),
        width.saturating_sub(9),
    ));
    let mut lines = vec![Line::from(search)];
    let rows = usize::from(inner.height).saturating_sub(2);
    let footer = if let Some(name) = &picker.opening {
        format!("Opening {}…", crate::sanitize::line(name))
    } else if let Some(e) = &picker.error {
        format!("Couldn't list the locations: {}", crate::sanitize::line(e))
    } else if picker.all.is_none() {
        "Loading the agency's locations…".to_string()
    } else {
        let shown = picker.matches().len();
        let total = picker.all.as_ref().map_or(0, Vec::len);
        let keys = keys_line(
            state,
            Scope::Locations,
            &[(Action::Pick, "opens"), (Action::Back, "closes")],
        );
        format!("{shown} of {total} · type to search · {keys}")
    };
    let matches = picker.matches();
    if picker.all.is_some() && matches.is_empty() {
        lines.push(Line::styled(" No location matches.", theme::dim()));
    }
    let start = picker.cursor.saturating_sub(rows.saturating_sub(1));
    for (i, l) in matches.iter().enumerate().skip(start).take(rows) {
        let current = l.id == state.location_id;
        let mark = if current { "● " } else { "  " };
        let name = crate::sanitize::line(if l.name.is_empty() { &l.id } else { &l.name });
        let addr = crate::sanitize::line(&l.address);
        // Changes still going out from a location left behind, before the address so a
        // narrow box keeps them.
        let left = state.elsewhere.get(&l.id).map_or_else(String::new, |e| {
            let mut s = String::new();
            if e.waiting > 0 {
                s.push_str(&format!(" ⇡{} waiting", e.waiting));
            }
            if e.refused > 0 {
                s.push_str(&format!(" ✗{} not saved", e.refused));
            }
            s
        });
        let label = if addr.is_empty() {
            format!("{mark}{name}{left}")
        } else {
            format!("{mark}{name}{left} — {addr}")
        };
        let style = if i == picker.cursor {
            theme::selected(true)
        } else if current {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::styled(
            format!(" {} ", text::fit(&label, width.saturating_sub(2))),
            style,
        ));
    }
    while lines.len() < usize::from(inner.height).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    lines.truncate(usize::from(inner.height).saturating_sub(1));
    let style = if picker.error.is_some() {
        theme::warn()
    } else {
        theme::dim()
    };
    lines.push(Line::styled(text::fit(&footer, width), style));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn question(frame: &mut Frame, prompt: &str, keys: &str) {
    let width = (text::width(prompt) as u16 + 6).clamp(30, 70);
    let inner = boxed(frame, width, 6, "Confirm");
    let lines = vec![
        Line::styled(
            text::safe(prompt),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(""),
        Line::styled(keys.to_string(), theme::dim()),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn list(frame: &mut Frame, title: &str, items: &[String], cursor: usize, keys: &str) -> usize {
    list_under(frame, title, &[], items, cursor, keys)
}

/// A list with lines above it that are read, not chosen (wrapped to the box); returns how
/// many items it shows.
fn list_under(
    frame: &mut Frame,
    title: &str,
    header: &[String],
    items: &[String],
    cursor: usize,
    keys: &str,
) -> usize {
    let widest = items
        .iter()
        .map(|i| text::width(i))
        .max()
        .unwrap_or(10)
        .max(text::width(title) + 4)
        .max(text::width(keys))
        // Room for the header's longest word (a file's path) on one line, and at least 60.
        .max(
            header
                .iter()
                .flat_map(|h| h.split(' '))
                .map(text::width)
                .max()
                .map_or(0, |w| w.max(60)),
        ) as u16;
    let box_w = (widest + 6).min(frame.area().width);
    let wrap_w = usize::from(box_w.saturating_sub(4)).max(1);
    let head: Vec<String> = header
        .iter()
        .flat_map(|h| text::wrap(&text::safe(h), wrap_w))
        .collect();
    let head_h = if head.is_empty() { 0 } else { head.len() + 1 };
    // An item too long for the box wraps onto more lines rather than losing its end (the
    // reason a change waits is often the part that matters).
    let item_w = wrap_w.saturating_sub(2).max(1);
    let wrapped: Vec<Vec<String>> = items
        .iter()
        .map(|i| text::wrap(&text::safe(i), item_w))
        .collect();
    let total: usize = wrapped.iter().map(Vec::len).sum();
    let inner = boxed(frame, box_w, (total + head_h) as u16 + 4, title);
    let mut lines: Vec<Line> = head
        .into_iter()
        .map(|h| Line::styled(format!(" {h}"), theme::warn()))
        .collect();
    if head_h > 0 {
        lines.push(Line::raw(""));
    }
    let rows = usize::from(inner.height.saturating_sub(2)).saturating_sub(head_h);
    // The first item shown: late enough that the cursor's item fits whole.
    let mut start = 0;
    while start < cursor
        && wrapped[start..=cursor.min(wrapped.len().saturating_sub(1))]
            .iter()
            .map(Vec::len)
            .sum::<usize>()
            > rows
    {
        start += 1;
    }
    let width = usize::from(inner.width).saturating_sub(2);
    let mut used = 0;
    let mut shown = 0;
    for (i, item) in wrapped.iter().enumerate().skip(start) {
        if used + item.len() > rows {
            break;
        }
        let style = if i == cursor {
            theme::selected(true)
        } else {
            Style::new()
        };
        for (n, piece) in item.iter().enumerate() {
            let pad = width.saturating_sub(text::width(piece));
            let lead = match theme::marker(i == cursor && n == 0) {
                "" => " ",
                m => m,
            };
            lines.push(Line::styled(
                format!("{lead}{}{} ", text::fit(piece, width), " ".repeat(pad)),
                style,
            ));
        }
        used += item.len();
        shown += 1;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(keys.to_string(), theme::dim()));
    frame.render_widget(Paragraph::new(lines), inner);
    shown
}

/// The lines under a field: its error, else the due date as understood, else its note; then,
/// for the tag field in focus, the tags that match what is typed. Wrapped to `width`.
fn below_lines(form: &Form, i: usize, width: usize) -> Vec<Line<'static>> {
    let f = &form.fields[i];
    let wrapped = |text: &str, style: Style| -> Vec<Line<'static>> {
        text::wrap(&text::safe(text), width.max(1))
            .into_iter()
            .map(|l| Line::styled(l, style))
            .collect()
    };
    let mut out = if let Some(e) = &f.error {
        wrapped(&format!("✗ {e}"), theme::error())
    } else if f.key == "line" && form.quick.is_some() {
        let q = form.quick.as_ref().map(|q| (q.preview(), q.who.is_some()));
        let (text, found) = q.unwrap_or_default();
        let mut lines = wrapped(
            &format!("→ {text}"),
            if found { theme::good() } else { theme::warn() },
        );
        // More than one match: one line each, the picked one marked, to Tab through.
        if let Some(q) = form.quick.as_ref().filter(|q| q.matches.len() > 1) {
            for (n, (_, name, apart)) in q.matches.iter().enumerate() {
                let picked = n == q.pick;
                let label = if apart.is_empty() {
                    text::safe(name)
                } else {
                    format!("{} · {}", text::safe(name), text::safe(apart))
                };
                let line = format!("{}{}", theme::marker(picked), label);
                let style = if picked {
                    theme::selected(true)
                } else {
                    theme::dim()
                };
                lines.push(Line::styled(text::fit(&line, width.max(1)), style));
            }
        }
        lines
    } else if f.key == "dueDate" {
        match form.due_preview() {
            Some(Ok(t)) => wrapped(
                &format!("→ {}", t.format("%A %d %B %Y %H:%M")),
                theme::good(),
            ),
            Some(Err(e)) => wrapped(&format!("? {e}"), theme::warn()),
            None => f
                .note
                .as_deref()
                .map_or_else(Vec::new, |n| wrapped(n, theme::dim())),
        }
    } else {
        f.note
            .as_deref()
            .map_or_else(Vec::new, |n| wrapped(n, theme::dim()))
    };
    if i == form.focus {
        let candidates: Vec<String> = form.candidates().into_iter().map(|(_, l)| l).collect();
        if !candidates.is_empty() {
            let shown = form.tag_cycle.as_ref().map(|(_, _, n)| *n);
            let mut spans = vec![Span::styled("Tab: ", theme::dim())];
            let mut used = 5;
            for (n, c) in candidates.iter().enumerate() {
                let c = text::safe(c);
                let w = text::width(&c) + 2;
                if used + w > width {
                    spans.push(Span::styled("…", theme::dim()));
                    break;
                }
                used += w;
                let style = if Some(n) == shown {
                    theme::selected(true)
                } else {
                    theme::key()
                };
                spans.push(Span::styled(c, style));
                spans.push(Span::raw("  "));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// In presenter mode these fields show masked (emails and phones are masked by the frame's
/// own pass; an address or a custom field has no shape to find).
fn masked_field(key: &str) -> bool {
    matches!(key, "address1" | "city" | "state" | "postalCode") || key.starts_with("cf.")
}

fn draw_form(frame: &mut Frame, form: &Form, mask: bool) {
    let size = frame.area();
    let box_w = 76u16.min(size.width);
    let inner_w = box_w.saturating_sub(2);
    // The label column fits the longest label, up to two fifths of the box; a longer label
    // wraps onto more lines rather than being cut.
    let longest = form
        .fields
        .iter()
        .map(|f| text::width(&f.label))
        .max()
        .unwrap_or(0) as u16;
    let label_w = (longest + 2).min((inner_w * 2 / 5).max(8)).max(6);
    let value_w = inner_w.saturating_sub(label_w + 1);
    let labels: Vec<Vec<String>> = form
        .fields
        .iter()
        .map(|f| {
            text::wrap(
                &text::safe(&f.label),
                usize::from(label_w.saturating_sub(1)),
            )
        })
        .collect();
    let below: Vec<Vec<Line>> = (0..form.fields.len())
        .map(|i| below_lines(form, i, usize::from(value_w)))
        .collect();
    let rows_of = |i: usize, f: &crate::app::form::Field| -> u16 {
        let value = if f.multiline {
            (f.area.lines().len() as u16 + 1).clamp(3, 12)
        } else {
            1
        };
        value.max(labels[i].len() as u16)
    };
    let mut heights: Vec<u16> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| rows_of(i, f) + below[i].len() as u16)
        .collect();
    let multiline = form.fields.iter().rposition(|f| f.multiline);
    // Why the last save did not go, whole: it names a file and a reason, too long to cut.
    let alert: Vec<String> = form
        .alert
        .as_deref()
        .map(|a| text::wrap(&text::safe(a), usize::from(inner_w.saturating_sub(2))))
        .unwrap_or_default();
    let alert_h = alert.len() as u16;
    // Room for the fields, borders, the alert and the key line; text editors get a good-sized box.
    let want = heights.iter().sum::<u16>() + 3 + alert_h;
    let want = if multiline.is_some() {
        want.max(18)
    } else {
        want
    };
    let inner = boxed(
        frame,
        box_w,
        want.min(size.height.saturating_sub(2)).max(5),
        &form.title,
    );
    if inner.width <= label_w + 4 || inner.height < 2 {
        return;
    }
    let alert_h = alert_h.min(inner.height.saturating_sub(2));
    // The last multi-line field takes whatever room is left.
    if let Some(i) = multiline {
        let spare = inner
            .height
            .saturating_sub(1 + alert_h)
            .saturating_sub(heights.iter().sum::<u16>());
        heights[i] += spare;
    }
    // Scroll so the focused field is in view, keeping lines for the alert and the key hints.
    let room = inner.height.saturating_sub(1 + alert_h);
    let mut first = 0;
    while first < form.focus && heights[first..=form.focus].iter().sum::<u16>() > room {
        first += 1;
    }
    let mut y = inner.y;
    for (i, f) in form.fields.iter().enumerate().skip(first) {
        let h = heights[i];
        if y + h > inner.y + room {
            break;
        }
        let focused = i == form.focus;
        let label_style = if focused {
            theme::key()
        } else {
            theme::label()
        };
        let rows = h - below[i].len() as u16;
        let label = Paragraph::new(
            labels[i]
                .iter()
                .map(|l| Line::styled(l.clone(), label_style))
                .collect::<Vec<_>>(),
        );
        frame.render_widget(
            label,
            Rect {
                x: inner.x,
                y,
                width: label_w,
                height: rows,
            },
        );
        let area = Rect {
            x: inner.x + label_w,
            y,
            width: value_w,
            height: if f.multiline { rows } else { 1 },
        };
        let mut ta = f.area.clone();
        ta.set_cursor_line_style(Style::new());
        if focused && !f.locked {
            ta.set_cursor_style(Style::new().add_modifier(Modifier::REVERSED));
            ta.set_style(Style::new().add_modifier(Modifier::UNDERLINED));
        } else {
            ta.set_cursor_style(Style::new());
            ta.set_style(if f.locked { theme::dim() } else { Style::new() });
        }
        if mask && masked_field(&f.key) {
            let lines: Vec<Line> = f
                .area
                .lines()
                .iter()
                .map(|l| Line::raw(crate::ui::mask::value(l)))
                .collect();
            frame.render_widget(Paragraph::new(lines), area);
        } else if f.choices.is_empty() {
            frame.render_widget(&ta, area);
        } else {
            let style = if focused {
                theme::selected(true)
            } else {
                Style::new()
            };
            let value = f.text();
            let value_style = if value == "blocked" {
                theme::error()
            } else {
                Style::new()
            };
            let line = Line::from(vec![
                Span::styled("‹ ", style),
                Span::styled(value, value_style.patch(style)),
                Span::styled(" ›", style),
                Span::styled(if focused { "  Space changes" } else { "" }, theme::dim()),
            ]);
            frame.render_widget(Paragraph::new(line), area);
        }
        if !below[i].is_empty() {
            frame.render_widget(
                Paragraph::new(below[i].clone()),
                Rect {
                    x: inner.x + label_w,
                    y: y + rows,
                    width: value_w,
                    height: below[i].len() as u16,
                },
            );
        }
        y += h;
    }
    if alert_h > 0 {
        let lines: Vec<Line> = alert
            .into_iter()
            .take(usize::from(alert_h))
            .map(|l| Line::styled(l, theme::error()))
            .collect();
        frame.render_widget(
            Paragraph::new(lines),
            Rect {
                x: inner.x,
                y: inner.y + inner.height - 1 - alert_h,
                width: inner.width,
                height: alert_h,
            },
        );
    }
    let enter_saves = form.enter_saves();
    let hint = Line::styled(
        if enter_saves {
            "Enter/^S save · Esc cancel · ^E $EDITOR"
        } else {
            "^S save · Esc cancel · Tab next field · ^E $EDITOR"
        },
        theme::dim(),
    );
    frame.render_widget(
        Paragraph::new(hint),
        Rect {
            x: inner.x,
            y: inner.y + inner.height - 1,
            width: inner.width,
            height: 1,
        },
    );
}
