//! Keys while an overlay is open: forms, questions and lists.

use crossterm::event::KeyEvent;
use ratatui_textarea::Input;

use super::{say, send};
use crate::api::WriteOp;
use crate::app::form::Form;
use crate::app::keymap::{self, Action, Scope};
use crate::app::msg::Effect;
use crate::app::state::{Overlay, State};

// --- Overlay keys ---------------------------------------------------------------------------

/// Keys while an overlay is open. Returns false when there is no overlay.
pub fn on_key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    let Some(overlay) = state.overlay.take() else {
        return false;
    };
    state.overlay = match overlay {
        Overlay::Locations(picker) => {
            crate::app::locations::on_key(state, picker, ev, fx);
            return true;
        }
        Overlay::Form(form) => form_key(state, form, ev, fx),
        Overlay::Discard(form) => match keymap::lookup(Scope::Confirm, &ev) {
            // The text is kept as a draft, offered back at the next start.
            Some(Action::Quit) => {
                crate::app::update::ask_quit(state, fx);
                state.overlay.take()
            }
            Some(Action::Yes) => {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                None
            }
            Some(Action::No) => Some(Overlay::Form(form)),
            _ => Some(Overlay::Discard(form)),
        },
        Overlay::Ask { prompt, yes } => match keymap::lookup(Scope::Confirm, &ev) {
            Some(Action::Yes) if yes.contains(&Effect::Quit) => {
                crate::app::update::quit(state, fx);
                None
            }
            Some(Action::Yes) => {
                fx.extend(yes);
                None
            }
            Some(Action::No) => None,
            // Asked twice (a second Ctrl-C): the answer is yes.
            Some(Action::Quit) => {
                crate::app::update::quit(state, fx);
                None
            }
            _ => Some(Overlay::Ask { prompt, yes }),
        },
        Overlay::Confirm { prompt, ops } => match keymap::lookup(Scope::Confirm, &ev) {
            Some(Action::Quit) => {
                crate::app::update::ask_quit(state, fx);
                state.overlay.take()
            }
            Some(Action::Yes) => {
                let _ = send(state, ops, None, None, fx);
                None
            }
            Some(Action::No) => None,
            _ => Some(Overlay::Confirm { prompt, ops }),
        },
        Overlay::RemoveTag {
            contact_id,
            tags,
            cursor,
        } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::RemoveTag {
                cursor: (cursor + 1).min(tags.len().saturating_sub(1)),
                contact_id,
                tags,
            }),
            Some(Action::Up) => Some(Overlay::RemoveTag {
                cursor: cursor.saturating_sub(1),
                contact_id,
                tags,
            }),
            Some(Action::Pick) => {
                if let Some(tag) = tags.get(cursor) {
                    let _ = send(
                        state,
                        vec![WriteOp::RemoveTags {
                            id: contact_id,
                            tags: vec![tag.clone()],
                        }],
                        None,
                        None,
                        fx,
                    );
                }
                None
            }
            Some(Action::Back) => None,
            _ => Some(Overlay::RemoveTag {
                contact_id,
                tags,
                cursor,
            }),
        },
        Overlay::Pending { cursor } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::Pending {
                cursor: (cursor + 1).min(state.pending.len().saturating_sub(1)),
            }),
            Some(Action::Up) => Some(Overlay::Pending {
                cursor: cursor.saturating_sub(1),
            }),
            Some(Action::Pick) => {
                match state.pending.get(cursor) {
                    // Read again: a newer version may have been installed since.
                    Some(p) if p.aside.is_some() => {
                        fx.push(Effect::RetryAside { id: p.id });
                        say(state, "Reading the change set aside again…", false);
                    }
                    // Enter on the list: try sending now.
                    _ => {
                        fx.push(Effect::Replay);
                        say(state, "Sending waiting changes…", false);
                    }
                }
                None
            }
            Some(Action::Discard) => match state.pending.get(cursor) {
                // It cannot be read, so it cannot become a draft: deleted after a question.
                Some(p) if p.aside.is_some() => Some(Overlay::Ask {
                    prompt: format!(
                        "Delete change #{} for good? This version cannot read it, so it cannot be edited",
                        p.id
                    ),
                    yes: vec![Effect::DiscardAside { id: p.id }],
                }),
                // Take the change back out of the outbox, as an editable draft.
                Some(p) => {
                    fx.push(Effect::Withdraw { id: p.id });
                    None
                }
                None => None,
            },
            Some(Action::Back) => None,
            _ => Some(Overlay::Pending { cursor }),
        },
        Overlay::Messages { scroll } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::Messages {
                scroll: scroll.saturating_add(1),
            }),
            Some(Action::Up) => Some(Overlay::Messages {
                scroll: scroll.saturating_sub(1),
            }),
            Some(Action::Back | Action::Pick) => None,
            _ => Some(Overlay::Messages { scroll }),
        },
        Overlay::Drafts { mut drafts, cursor } => match keymap::lookup(Scope::Picker, &ev) {
            Some(Action::Down) => Some(Overlay::Drafts {
                cursor: (cursor + 1).min(drafts.len().saturating_sub(1)),
                drafts,
            }),
            Some(Action::Up) => Some(Overlay::Drafts {
                cursor: cursor.saturating_sub(1),
                drafts,
            }),
            Some(Action::Pick) => drafts
                .get(cursor)
                .and_then(|(k, v)| Form::from_draft(k, v, state.local_now(), state.zone))
                .map(|f| Overlay::Form(Box::new(super::dress(state, f)))),
            Some(Action::Discard) if cursor < drafts.len() => {
                let (key, _) = drafts.remove(cursor);
                fx.push(Effect::DiscardDraft { key });
                (!drafts.is_empty()).then(|| Overlay::Drafts {
                    cursor: cursor.min(drafts.len() - 1),
                    drafts,
                })
            }
            // Closing keeps the drafts for next time.
            Some(Action::Back) => None,
            _ => Some(Overlay::Drafts { drafts, cursor }),
        },
    };
    true
}

/// Saves the form: every field checked, then the writes recorded (the form stays open with
/// the reason when they cannot be).
fn save_form(state: &mut State, mut form: Box<Form>, fx: &mut Vec<Effect>) -> Option<Overlay> {
    match form.submit() {
        Some(ops) if ops.is_empty() => {
            fx.push(Effect::DiscardDraft {
                key: form.draft_key(),
            });
            say(state, "Nothing changed", false);
            None
        }
        Some(ops) => {
            form.alert = None;
            let key = form.draft_key();
            match send(state, ops, Some(key), Some(form.clone()), fx) {
                Ok(()) => None,
                // Not recorded, so not sent: the text stays where the user typed it.
                Err(why) => {
                    form.alert = Some(why);
                    Some(Overlay::Form(form))
                }
            }
        }
        None => {
            say(state, "Fix the marked fields, then save again", true);
            Some(Overlay::Form(form))
        }
    }
}

fn form_key(
    state: &mut State,
    mut form: Box<Form>,
    ev: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<Overlay> {
    let action = keymap::lookup(Scope::Form, &ev);
    // Anything but Tab ends a walk through the tag candidates: the word typed is the word.
    if action != Some(Action::NextField) {
        form.tag_cycle = None;
    }
    match action {
        Some(Action::Save) => save_form(state, form, fx),
        Some(Action::Cancel) => {
            if form.changed() {
                Some(Overlay::Discard(form))
            } else {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                None
            }
        }
        Some(Action::NextField) => {
            if !form.complete() {
                form.tag_cycle = None;
                form.step(1);
            }
            save_draft(&form, fx);
            Some(Overlay::Form(form))
        }
        Some(Action::PrevField) => {
            form.step(-1);
            Some(Overlay::Form(form))
        }
        Some(Action::ExternalEditor) => {
            fx.push(Effect::OpenEditor {
                text: form.focused().text(),
            });
            Some(Overlay::Form(form))
        }
        Some(Action::ClearInput) => {
            // As in a shell: everything before the cursor goes.
            let field = form.focused();
            if !field.locked && field.choices.is_empty() {
                field.area.delete_line_by_head();
                field.error = None;
                save_draft(&form, fx);
            }
            Some(Overlay::Form(form))
        }
        _ => {
            let enter_saves = form.enter_saves();
            let field = form.focused();
            if field.locked {
                return Some(Overlay::Form(form));
            }
            if !field.choices.is_empty() {
                // A choice changes with Space or the arrows; typing does nothing to it.
                let forward = match ev.code {
                    crossterm::event::KeyCode::Char(' ') | crossterm::event::KeyCode::Right => {
                        Some(true)
                    }
                    crossterm::event::KeyCode::Left => Some(false),
                    crossterm::event::KeyCode::Enter => {
                        form.step(1);
                        return Some(Overlay::Form(form));
                    }
                    _ => None,
                };
                if let Some(forward) = forward {
                    field.cycle(forward);
                    save_draft(&form, fx);
                }
                return Some(Overlay::Form(form));
            }
            let input = Input::from(ev);
            // Enter in a one-line box saves it; in a one-line field of a longer form it moves
            // on; in a text it breaks the line.
            if !field.multiline && input.key == ratatui_textarea::Key::Enter {
                if enter_saves {
                    return save_form(state, form, fx);
                }
                form.step(1);
                return Some(Overlay::Form(form));
            }
            if field.area.input(input) {
                field.error = None;
                save_draft(&form, fx);
            }
            Some(Overlay::Form(form))
        }
    }
}

fn save_draft(form: &Form, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveDraft {
        key: form.draft_key(),
        payload: form.draft(),
    });
}

/// Text pasted into a form goes into the focused field.
pub fn on_paste(state: &mut State, text: &str, fx: &mut Vec<Effect>) -> bool {
    if let Some(Overlay::Locations(picker)) = state.overlay.as_mut() {
        crate::app::locations::on_paste(picker, text);
        return true;
    }
    let Some(Overlay::Form(form)) = state.overlay.as_mut() else {
        return false;
    };
    let field = form.focused();
    if field.locked || !field.choices.is_empty() {
        return true;
    }
    let clean = crate::sanitize::clean(
        text,
        if field.multiline {
            crate::sanitize::Lines::Multi
        } else {
            crate::sanitize::Lines::Single
        },
    );
    field.area.insert_str(clean);
    let form = form.clone();
    save_draft(&form, fx);
    true
}

/// The external editor closed.
pub fn on_editor_done(state: &mut State, result: Result<String, String>, fx: &mut Vec<Effect>) {
    match (state.overlay.as_mut(), result) {
        (Some(Overlay::Form(form)), Ok(text)) => {
            let field = form.focused();
            let clean =
                crate::sanitize::clean(text.trim_end_matches('\n'), crate::sanitize::Lines::Multi)
                    .into_owned();
            field.set_text(&if field.multiline {
                clean
            } else {
                clean.replace('\n', " ")
            });
            let form = form.clone();
            save_draft(&form, fx);
        }
        (_, Err(e)) => say(state, format!("Couldn't run the editor: {e}"), true),
        _ => {}
    }
}
