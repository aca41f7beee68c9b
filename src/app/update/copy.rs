//! Copy and open: `y` puts the focused value on the clipboard of the terminal the user sits
//! at (OSC 52, so it works over SSH and in tmux), `Y` a one-line summary, `O` opens the
//! contact in the GHL web app (over SSH it copies the link, there being no browser here), and
//! `P` is presenter mode. The state says what was copied; the runtime writes the sequence.

use crate::app::msg::Effect;
use crate::app::state::{Pane, State};

/// What `y` (or `Y`) takes from where the user is: a label for the status bar and the text.
fn what(state: &State, summary: bool) -> Option<(&'static str, String)> {
    let contact = || state.selected_detail();
    match state.focus {
        Pane::Queue => {
            let t = crate::app::update::queue_selected(state)?;
            let title = t.task.title.clone().unwrap_or_default();
            if summary {
                let due = t
                    .task
                    .due_date
                    .clone()
                    .unwrap_or_else(|| "no due date".into());
                let who = t.who();
                return Some(("the task", format!("{title} · due {due} · {who}")));
            }
            Some(("the task", title))
        }
        Pane::Tasks if !summary => {
            let (_, t) = crate::app::edit::selected_task(state)?;
            let mut text = t.title.clone().unwrap_or_default();
            if let Some(body) = t.body.as_deref().filter(|b| !b.trim().is_empty()) {
                text = format!("{text}\n{body}");
            }
            Some(("the task", text))
        }
        Pane::Notes if !summary => {
            let (_, n) = crate::app::edit::selected_note(state)?;
            Some(("the note", n.body.clone().unwrap_or_default()))
        }
        Pane::Appointments if !summary => {
            let events = state.selected_extras()?.appointments.ready()?;
            let ordered = crate::app::order::appointments(events, state.now);
            let a = ordered.get(state.cursor(Pane::Appointments).selected)?;
            let when = a.start_time.clone().unwrap_or_default();
            Some((
                "the appointment",
                format!("{} · {when}", a.title.clone().unwrap_or_default()),
            ))
        }
        _ if summary => {
            let c = contact()?;
            let parts: Vec<String> = [
                Some(c.display_name()),
                c.email.clone(),
                c.phone.clone(),
                c.company_name.clone(),
                c.id.clone(),
            ]
            .into_iter()
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
            Some(("a summary", parts.join(" · ")))
        }
        _ => {
            let c = contact()?;
            let pick = |label, v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| (label, v.to_string()))
            };
            pick("the email", &c.email)
                .or_else(|| pick("the phone", &c.phone))
                .or_else(|| pick("the contact id", &c.id))
        }
    }
}

/// `y` / `Y`.
pub(super) fn copy(state: &mut State, summary: bool, fx: &mut Vec<Effect>) {
    let Some((label, text)) = what(state, summary).filter(|(_, t)| !t.is_empty()) else {
        return state.say("Nothing to copy here", true);
    };
    // What was copied is said: in presenter mode only what it was, since a value cut to fit
    // the status bar would have no shape left for the screen's mask to find.
    let shown = if state.mask {
        "(masked)".to_string()
    } else {
        crate::text::fit(&crate::sanitize::line(&text), 60)
    };
    state.say(format!("Copied {label}: {shown}"), false);
    fx.push(Effect::Copy { text });
}

/// The contact's page in the web app.
pub fn web_link(web_url: &str, location: &str, contact: &str) -> String {
    format!(
        "{}/v2/location/{location}/contacts/detail/{contact}",
        web_url.trim_end_matches('/')
    )
}

/// `O`.
pub(super) fn open_web(state: &mut State, fx: &mut Vec<Effect>) {
    let contact = match state.focus {
        Pane::Queue => {
            crate::app::update::queue_selected(state).map(|t| t.contact_id().to_string())
        }
        _ => state.selected_id().map(String::from),
    };
    let Some(contact) = contact.filter(|c| !c.is_empty() && !c.starts_with("local-")) else {
        return state.say("No saved contact selected to open", true);
    };
    let url = web_link(&state.web_url, &state.location_id, &contact);
    if state.no_browser {
        state.say(
            format!("Link copied (no browser here: over SSH, or no display): {url}"),
            false,
        );
        fx.push(Effect::Copy { text: url });
    } else {
        state.say(format!("Opening {url}"), false);
        fx.push(Effect::OpenUrl { url });
    }
}

/// `P`.
pub(super) fn toggle_mask(state: &mut State) {
    state.mask = !state.mask;
    state.say(
        if state.mask {
            "Presenter mode: emails, phones, addresses and fields masked (P ends it; y still copies)"
        } else {
            "Presenter mode off"
        },
        false,
    );
}
