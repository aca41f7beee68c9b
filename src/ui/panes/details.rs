//! Every standard field of a contact, its tags, DND per channel and custom fields.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::Contact;
use crate::app::state::{Load, Pane, State};
use crate::sanitize;
use crate::ui::{text, theme};

const LABEL_WIDTH: usize = 14;

fn field(label: &str, value: &str) -> Line<'static> {
    field_at(label, value, LABEL_WIDTH)
}

/// A label padded to `width` cells (by display width, so CJK labels line up too), then the value.
fn field_at(label: &str, value: &str, width: usize) -> Line<'static> {
    let label = text::fit(&sanitize::line(label), width.saturating_sub(1));
    let pad = " ".repeat(width.saturating_sub(text::width(&label)));
    Line::from(vec![
        Span::styled(format!("{label}{pad}"), theme::label()),
        Span::raw(sanitize::line(value).into_owned()),
    ])
}

fn date(raw: Option<&str>, zone: chrono::FixedOffset) -> Option<String> {
    let raw = raw?;
    Some(crate::api::time::local(raw, zone).map_or_else(|| raw.to_string(), text::when))
}

/// Whether the record says anything about DND per channel (the single-contact answer does).
fn state_known(c: &Contact) -> bool {
    c.dnd_settings.is_some()
}

/// The lines of the details pane. Also used by update to know how far it can scroll.
pub fn lines(c: &Contact, state: &State, width: usize) -> Vec<Line<'static>> {
    let field_names = &state.field_names;
    let zone = state.zone;
    let mut out = Vec::new();
    out.push(Line::styled(
        sanitize::line(&c.display_name()).into_owned(),
        theme::title(true),
    ));
    let kind: Vec<String> = [c.contact_type.as_deref(), c.source.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| sanitize::line(s).into_owned())
        .collect();
    if !kind.is_empty() {
        out.push(Line::styled(kind.join(" · "), theme::dim()));
    }
    out.push(Line::raw(""));

    let address: Vec<String> = [
        c.street().map(String::from),
        Some(
            [
                c.city.as_deref(),
                c.state.as_deref(),
                c.postal_code.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        ),
        c.country.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    // Fields the model does not name, kept in `extra`, that reps still want to see.
    let extra_list = |key: &str| {
        c.extra.get(key).and_then(|v| v.as_array()).map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .or_else(|| i.get("email").and_then(|e| e.as_str()))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let attribution = c.extra.get("attributionSource").and_then(|a| {
        let part = |k: &str| a.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
        let bits: Vec<&str> = ["medium", "utmSource", "utmMedium", "campaign", "url"]
            .iter()
            .filter_map(|k| part(k))
            .collect();
        (!bits.is_empty()).then(|| bits.join(" · "))
    });
    let rows: [(&str, Option<String>); 15] = [
        ("Email", c.email.clone()),
        ("Other emails", extra_list("additionalEmails")),
        ("Phone", c.phone.clone()),
        ("Other phones", extra_list("additionalPhones")),
        ("Company", c.company_name.clone()),
        ("Business id", c.business_id.clone()),
        ("Website", c.website.clone()),
        (
            "Address",
            (!address.is_empty()).then(|| {
                let whole = address.join(" · ");
                // Presenter mode: an address has no shape the frame's pass could find.
                if state.mask {
                    crate::ui::mask::value(&whole)
                } else {
                    whole
                }
            }),
        ),
        (
            "Timezone",
            c.timezone
                .clone()
                .map(|z| match crate::app::callable::clock(c, state.now) {
                    Some(k) => format!("{z} · {}", k.describe()),
                    None => z,
                }),
        ),
        ("Birthday", c.birthday()),
        // A person, by name where the location's users can be read.
        (
            "Assigned to",
            c.assigned_to
                .as_deref()
                .map(|id| state.user_name(id).to_string()),
        ),
        ("Came from", attribution),
        ("Added", date(c.date_added.as_deref(), zone)),
        ("Updated", date(c.date_updated.as_deref(), zone)),
        ("Last activity", date(c.last_activity.as_deref(), zone)),
    ];
    // Long values end in "…" rather than being cut mid-character at the border.
    let room = width.saturating_sub(LABEL_WIDTH).max(1);
    for (label, value) in rows {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            out.push(field(label, &text::fit(&sanitize::line(&v), room)));
        }
    }

    out.push(Line::raw(""));
    out.push(Line::styled("Tags", theme::header()));
    if c.tags.is_empty() {
        out.push(Line::styled("none", theme::dim()));
    } else {
        // Tags flow as chips and wrap at the pane's width.
        let mut line: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for tag in &c.tags {
            let chip = format!(" {} ", sanitize::line(tag));
            let w = text::width(&chip) + 1;
            if used + w > width.max(1) && !line.is_empty() {
                out.push(Line::from(std::mem::take(&mut line)));
                used = 0;
            }
            line.push(Span::styled(text::fit(&chip, width), theme::tag()));
            line.push(Span::raw(" "));
            used += w;
        }
        out.push(Line::from(line));
    }

    out.push(Line::raw(""));
    let overall = if c.dnd == Some(true) {
        Span::styled("  DND on for all channels", theme::error())
    } else {
        Span::raw("")
    };
    out.push(Line::from(vec![
        Span::styled("Do not disturb", theme::header()),
        overall,
    ]));
    let channels = c.dnd_channels();
    if channels.is_empty() {
        // Search results carry no dndSettings: "allowed" would be a guess, and a wrong one
        // can break the law. Say what is known.
        let text = match (c.dnd, state_known(c)) {
            (Some(true), _) => "every channel blocked",
            (_, true) => "no channel blocked",
            _ => "per-channel settings not known yet",
        };
        out.push(Line::styled(text, theme::dim()));
    }
    for (name, setting) in channels {
        let status = setting.status.as_deref().unwrap_or("unknown");
        let (mark, style) = if setting.blocks() {
            ("✗ blocked", theme::error())
        } else {
            ("✓ allowed", theme::good())
        };
        let mut spans = vec![
            Span::styled(
                format!("{:<LABEL_WIDTH$}", sanitize::line(name)),
                theme::label(),
            ),
            Span::styled(mark, style),
        ];
        if setting.blocks() {
            spans.push(Span::styled(
                format!(" ({})", sanitize::line(status)),
                theme::dim(),
            ));
        }
        if let Some(m) = setting.message.as_deref().filter(|m| !m.is_empty()) {
            spans.push(Span::styled(
                format!(" {}", sanitize::line(m)),
                theme::dim(),
            ));
        }
        out.push(Line::from(spans));
    }

    if !c.custom_fields.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("Custom fields", theme::header()));
        let label = |f: &crate::api::CustomFieldValue| {
            let id = f.id.as_deref().unwrap_or("?");
            field_names.get(id).map_or(id, String::as_str).to_string()
        };
        // Field names are longer than the standard labels: give them the room they need, up
        // to half the pane.
        let widest = c
            .custom_fields
            .iter()
            .map(|f| text::width(&label(f)) + 1)
            .max()
            .unwrap_or(0);
        let column = widest.clamp(LABEL_WIDTH, (width / 2).max(LABEL_WIDTH));
        for f in &c.custom_fields {
            let kind =
                f.id.as_deref()
                    .and_then(|id| state.field_types.get(id))
                    .map(String::as_str);
            let value = typed_value(&f.display(), kind);
            let value = if state.mask {
                crate::ui::mask::value(&value)
            } else {
                value
            };
            out.push(field_at(&label(f), &value, column));
        }
    }
    out
}

/// A custom field's value as its type says: numbers and money with thousands separators
/// (`515000` -> `515,000`, `1234.5` -> `1,234.5`); anything else as it came.
fn typed_value(raw: &str, kind: Option<&str>) -> String {
    let numeric = matches!(
        kind.map(str::to_ascii_uppercase).as_deref(),
        Some("NUMERICAL" | "MONETORY" | "MONETARY" | "FLOAT" | "NUMBER")
    );
    let t = raw.trim();
    if !numeric || t.is_empty() {
        return raw.to_string();
    }
    let (sign, digits) = t.strip_prefix('-').map_or(("", t), |d| ("-", d));
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return raw.to_string();
    }
    let grouped = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_string(), text::count);
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, spinner: &str) {
    let Some(contact) = state.shown_detail() else {
        frame.render_widget(
            Paragraph::new(Line::styled("No contact selected", theme::dim())),
            area,
        );
        return;
    };
    let mut all = lines(&contact, state, usize::from(area.width));
    // The list's record is shown at once; the full one replaces it when it arrives.
    match state.shown_extras().map(|e| &e.detail) {
        // Said at the end of the name's line, so nothing moves when the record arrives (over
        // a slow link, every line that moves is written again).
        Some(Load::Loading) => {
            let note = format!("  {spinner} loading full record…");
            if let Some(first) = all.first_mut()
                && first.width() + text::width(&note) <= usize::from(area.width)
            {
                first.push_span(Span::styled(note, theme::dim()));
            }
        }
        Some(Load::Failed(e)) => all.insert(
            1,
            Line::styled(
                format!(
                    "Full record failed: {} ({})",
                    e.one_line(),
                    state.key(crate::app::keymap::Action::Refresh)
                ),
                theme::error(),
            ),
        ),
        _ => {}
    }
    let offset = state
        .cursor(Pane::Details)
        .offset
        .min(all.len().saturating_sub(1));
    let visible: Vec<Line> = all
        .into_iter()
        .skip(offset)
        .take(usize::from(area.height))
        .collect();
    frame.render_widget(Paragraph::new(visible), area);
}

#[cfg(test)]
mod tests {
    use super::typed_value;

    #[test]
    fn numbers_read_as_numbers() {
        assert_eq!(typed_value("515000", Some("MONETORY")), "515,000");
        assert_eq!(typed_value("1234.50", Some("NUMERICAL")), "1,234.50");
        assert_eq!(typed_value("-7", Some("NUMERICAL")), "-7");
        assert_eq!(typed_value("515000", Some("TEXT")), "515000");
        assert_eq!(typed_value("about 5k", Some("NUMERICAL")), "about 5k");
    }
}
