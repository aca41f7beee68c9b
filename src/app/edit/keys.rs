//! Actions and typing while an overlay is open: forms, questions and lists.

use crossterm::event::KeyEvent;
use ratatui_textarea::Input;

use super::send;
use crate::api::WriteOp;
use crate::app::form::Form;
use crate::app::keymap::Action;
use crate::app::msg::Effect;
use crate::app::state::{Cursor, Overlay, State};

// --- Overlay actions ------------------------------------------------------------------------

/// Every action but a question's answers: nothing a y/N question takes.
macro_rules! not_an_answer {
    () => {
        Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown
            | Action::Open
            | Action::NextPane
            | Action::PrevPane
            | Action::Focus(_)
            | Action::Search
            | Action::Refresh
            | Action::Help
            | Action::Back
            | Action::New
            | Action::Edit
            | Action::Delete
            | Action::Toggle
            | Action::AddTag
            | Action::RemoveTag
            | Action::ShowPending
            | Action::Messages
            | Action::SwitchLocation
            | Action::Changed
            | Action::QueueAssignee
            | Action::QueueOverdue
            | Action::QueueCallable
            | Action::Copy
            | Action::CopySummary
            | Action::OpenWeb
            | Action::Mask
            | Action::Mark
            | Action::MarkAll
            | Action::Disposition
            | Action::Snooze
            | Action::QuickAdd
            | Action::Save
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::ExternalEditor
            | Action::Pick
            | Action::Discard
            | Action::RunSearch
            | Action::AcceptFilter
            | Action::ClearSearch
            | Action::CursorLeft
            | Action::CursorRight
            | Action::LineStart
            | Action::LineEnd
            | Action::WordLeft
            | Action::WordRight
            | Action::DeleteChar
            | Action::DeleteForward
            | Action::DeleteWord
            | Action::ClearInput
    };
}

/// An action while a form, a question or a list is open; `true` when it means something in
/// that scope (see `Scope::allows`; every handler names every action).
pub fn on_act(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    let Some(overlay) = state.take_overlay() else {
        return false;
    };
    let (taken, back) = match overlay {
        Overlay::Form(form) => form_act(state, form, action, fx),
        Overlay::Discard(form) => match action {
            // The form comes back if the app does not quit after all (the quit question
            // answered no, or changes still going out); its text is a draft either way.
            Action::Quit => {
                state.parked.push(form);
                crate::app::update::ask_quit(state, fx);
                (true, None)
            }
            Action::Yes => {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                (true, None)
            }
            Action::No => (true, Some(Overlay::Form(form))),
            not_an_answer!() => (false, Some(Overlay::Discard(form))),
        },
        Overlay::Ask { prompt, yes } => match action {
            // Asked twice (a second Ctrl-C): the answer is yes.
            Action::Yes | Action::Quit if yes.contains(&Effect::Quit) => {
                crate::app::update::quit(fx);
                (true, None)
            }
            Action::Yes => {
                fx.extend(yes);
                (true, None)
            }
            Action::No => (true, None),
            Action::Quit => {
                crate::app::update::ask_quit(state, fx);
                (true, None)
            }
            not_an_answer!() => (false, Some(Overlay::Ask { prompt, yes })),
        },
        Overlay::Confirm { prompt, ops, form } => match action {
            Action::Quit => {
                crate::app::update::ask_quit(state, fx);
                (true, None)
            }
            Action::Yes => {
                // Tags for the marked contacts: sent, so the marks have done their work.
                let marked = &state.marked;
                let for_marks = !marked.is_empty()
                    && ops.iter().all(|op| {
                        matches!(op, WriteOp::AddTags { id, .. } | WriteOp::RemoveTags { id, .. } if marked.contains(id))
                    });
                // Kept with the writes: if the store cannot record them, the form (and with
                // it the marks) comes back.
                let key = form.as_ref().map(|f| f.draft_key());
                if send(state, ops, key, form, fx).is_ok() && for_marks {
                    state.marked.clear();
                }
                (true, None)
            }
            Action::No => (true, None),
            not_an_answer!() => (false, Some(Overlay::Confirm { prompt, ops, form })),
        },
        list @ (Overlay::RemoveTag { .. }
        | Overlay::WhoAmI { .. }
        | Overlay::Pending { .. }
        | Overlay::Messages { .. }
        | Overlay::Drafts { .. }) => list_act(state, list, action, fx),
        // The switcher has its own scope; it is never handled here.
        other @ Overlay::Locations(_) => (false, Some(other)),
    };
    // An overlay opened while handling (a question, the quit question) wins over the one the
    // action would have gone back to.
    if let Some(back) = back
        && state.idle()
    {
        state.open(back);
    }
    taken
}

/// What a list overlay does with `action`, before the list's own kind says more.
enum ListStep {
    Move(isize),
    Pick,
    Discard,
}

/// The list overlays: the same moves in each, and what Enter, `D` and Esc mean there.
fn list_act(
    state: &mut State,
    overlay: Overlay,
    action: Action,
    fx: &mut Vec<Effect>,
) -> (bool, Option<Overlay>) {
    use Action::*;
    let page = state.geometry.overlay_rows.saturating_sub(1).max(1) as isize;
    let step = match action {
        Down => ListStep::Move(1),
        Up => ListStep::Move(-1),
        PageDown => ListStep::Move(page),
        PageUp => ListStep::Move(-page),
        Top => ListStep::Move(isize::MIN / 2),
        Bottom => ListStep::Move(isize::MAX / 2),
        Pick => ListStep::Pick,
        Discard => ListStep::Discard,
        Quit => {
            crate::app::update::ask_quit(state, fx);
            return (true, Some(overlay));
        }
        // Closing the drafts keeps them for next time.
        Back => return (true, None),
        Open | NextPane | PrevPane | Focus(_) | Search | Refresh | Help | New | Edit | Delete
        | Toggle | AddTag | RemoveTag | ShowPending | Messages | SwitchLocation | Changed
        | QueueAssignee | QueueOverdue | QueueCallable | Copy | CopySummary | OpenWeb | Mask
        | Mark | MarkAll | Disposition | Snooze | QuickAdd | Save | Cancel | NextField
        | PrevField | ExternalEditor | Yes | No | RunSearch | AcceptFilter | ClearSearch
        | CursorLeft | CursorRight | LineStart | LineEnd | WordLeft | WordRight | DeleteChar
        | DeleteForward | DeleteWord | ClearInput => {
            return (false, Some(overlay));
        }
    };
    let back = match overlay {
        Overlay::RemoveTag {
            contact_id,
            tags,
            cursor,
        } => match step {
            ListStep::Move(d) => Some(Overlay::RemoveTag {
                cursor: Cursor::moved(cursor, d, tags.len()),
                contact_id,
                tags,
            }),
            ListStep::Pick => {
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
            // A tag is removed with Enter; there is nothing else to throw away here.
            ListStep::Discard => {
                let pick = state.key_in(crate::app::keymap::Scope::List, Pick);
                state.say(format!("{pick} removes the tag"), false);
                Some(Overlay::RemoveTag {
                    contact_id,
                    tags,
                    cursor,
                })
            }
        },
        Overlay::WhoAmI { users, cursor } => match step {
            ListStep::Move(d) => Some(Overlay::WhoAmI {
                cursor: Cursor::moved(cursor, d, users.len()),
                users,
            }),
            ListStep::Pick => {
                if let Some((id, name)) = users.get(cursor) {
                    crate::app::update::choose_me(state, id.clone(), name, fx);
                }
                None
            }
            ListStep::Discard => Some(Overlay::WhoAmI { users, cursor }),
        },
        Overlay::Pending { cursor } => match step {
            ListStep::Move(d) => Some(Overlay::Pending {
                cursor: Cursor::moved(cursor, d, state.pending.len()),
            }),
            ListStep::Pick => {
                match state.pending.get(cursor) {
                    // Read again: a newer version may have been installed since.
                    Some(p) if p.aside.is_some() => {
                        fx.push(Effect::RetryAside { id: p.id });
                        state.say("Reading the change set aside again…", false);
                    }
                    // Enter on the list: try sending now.
                    _ => {
                        fx.push(Effect::Replay);
                        state.say("Sending waiting changes…", false);
                    }
                }
                None
            }
            ListStep::Discard => match state.pending.get(cursor) {
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
        },
        Overlay::Messages { scroll } => match step {
            ListStep::Move(d) => Some(Overlay::Messages {
                scroll: Cursor::moved(scroll, d, state.geometry.messages_scroll_max + 1),
            }),
            // Read: Enter closes as Esc does.
            ListStep::Pick => None,
            // Messages are a record; nothing to throw away.
            ListStep::Discard => Some(Overlay::Messages { scroll }),
        },
        Overlay::Drafts { mut drafts, cursor } => match step {
            ListStep::Move(d) => Some(Overlay::Drafts {
                cursor: Cursor::moved(cursor, d, drafts.len()),
                drafts,
            }),
            ListStep::Pick => drafts
                .get(cursor)
                .and_then(|(k, v)| Form::from_draft(k, v, state.local_now(), state.zone))
                .map(|f| Overlay::Form(Box::new(super::dress(state, f)))),
            ListStep::Discard if cursor < drafts.len() => {
                let (key, _) = drafts.remove(cursor);
                fx.push(Effect::DiscardDraft { key });
                (!drafts.is_empty()).then(|| Overlay::Drafts {
                    cursor: cursor.min(drafts.len() - 1),
                    drafts,
                })
            }
            ListStep::Discard => Some(Overlay::Drafts { drafts, cursor }),
        },
        other => Some(other),
    };
    (true, back)
}

/// Saves the form: every field checked, then the writes recorded (the form stays open with
/// the reason when they cannot be).
fn save_form(state: &mut State, mut form: Box<Form>, fx: &mut Vec<Effect>) -> Option<Overlay> {
    let bulk = match &form.kind {
        crate::app::form::FormKind::BulkTags { add, .. } => Some(*add),
        _ => None,
    };
    match form.submit() {
        // Many contacts at once: asked first, with what it costs. The draft stays until the
        // writes are recorded (they drop it in the same transaction).
        Some(ops) if !ops.is_empty() && bulk.is_some() => {
            let tags = match ops.first() {
                Some(WriteOp::AddTags { tags, .. } | WriteOp::RemoveTags { tags, .. }) => {
                    tags.clone()
                }
                _ => Vec::new(),
            };
            let prompt = crate::app::update::bulk_question(bulk == Some(true), &tags, ops.len());
            Some(Overlay::Confirm {
                prompt,
                ops,
                form: Some(form),
            })
        }
        Some(ops) if ops.is_empty() => {
            fx.push(Effect::DiscardDraft {
                key: form.draft_key(),
            });
            state.say("Nothing changed", false);
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
            state.say("Fix the marked fields, then save again", true);
            Some(Overlay::Form(form))
        }
    }
}

fn form_act(
    state: &mut State,
    mut form: Box<Form>,
    action: Action,
    fx: &mut Vec<Effect>,
) -> (bool, Option<Overlay>) {
    // Anything but Tab ends a walk through the tag candidates: the word typed is the word.
    if action != Action::NextField {
        form.tag_cycle = None;
    }
    // In quick-add, Tab and Shift-Tab pick among the contacts the `@` word matches.
    if let (Action::NextField | Action::PrevField, Some(q)) = (action, form.quick.as_mut())
        && q.matches.len() > 1
    {
        let n = q.matches.len();
        q.pick = if action == Action::NextField {
            (q.pick + 1) % n
        } else {
            (q.pick + n - 1) % n
        };
        super::reread_quick(state, &mut form);
        return (true, Some(Overlay::Form(form)));
    }
    let back = match action {
        Action::Save => save_form(state, form, fx),
        Action::Cancel => {
            if form.changed() {
                Some(Overlay::Discard(form))
            } else {
                fx.push(Effect::DiscardDraft {
                    key: form.draft_key(),
                });
                None
            }
        }
        Action::NextField => {
            if !form.complete() {
                form.tag_cycle = None;
                form.step(1);
            }
            // Leaving a field keeps what it holds at once.
            save_draft(&form, fx);
            Some(Overlay::Form(form))
        }
        Action::PrevField => {
            form.step(-1);
            save_draft(&form, fx);
            Some(Overlay::Form(form))
        }
        Action::ExternalEditor => {
            // What is typed so far is kept before the terminal is handed over (the runtime
            // waits for the store before it runs the editor).
            save_draft(&form, fx);
            fx.push(Effect::OpenEditor {
                text: form.focused().text(),
            });
            Some(Overlay::Form(form))
        }
        Action::ClearInput => {
            // As in a shell: everything before the cursor goes.
            let field = form.focused();
            if !field.locked && field.choices.is_empty() {
                field.area.delete_line_by_head();
                field.error = None;
                type_draft(&form, fx);
            }
            Some(Overlay::Form(form))
        }
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown
        | Action::Open
        | Action::NextPane
        | Action::PrevPane
        | Action::Focus(_)
        | Action::Search
        | Action::Refresh
        | Action::Help
        | Action::Back
        | Action::Quit
        | Action::New
        | Action::Edit
        | Action::Delete
        | Action::Toggle
        | Action::AddTag
        | Action::RemoveTag
        | Action::ShowPending
        | Action::Messages
        | Action::SwitchLocation
        | Action::Changed
        | Action::QueueAssignee
        | Action::QueueOverdue
        | Action::QueueCallable
        | Action::Copy
        | Action::CopySummary
        | Action::OpenWeb
        | Action::Mask
        | Action::Mark
        | Action::MarkAll
        | Action::Disposition
        | Action::Snooze
        | Action::QuickAdd
        | Action::Yes
        | Action::No
        | Action::Pick
        | Action::Discard
        | Action::RunSearch
        | Action::AcceptFilter
        | Action::ClearSearch
        | Action::CursorLeft
        | Action::CursorRight
        | Action::LineStart
        | Action::LineEnd
        | Action::WordLeft
        | Action::WordRight
        | Action::DeleteChar
        | Action::DeleteForward
        | Action::DeleteWord => return (false, Some(Overlay::Form(form))),
    };
    (true, back)
}

/// A key typed into the focused field of the open form.
pub fn on_type(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Overlay::Form(form)) = state.take_overlay() else {
        return;
    };
    let back = form_type(state, form, ev, fx);
    if let Some(back) = back
        && state.idle()
    {
        state.open(back);
    }
}

fn form_type(
    state: &mut State,
    mut form: Box<Form>,
    ev: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<Overlay> {
    form.tag_cycle = None;
    let enter_saves = form.enter_saves();
    let field = form.focused();
    if field.locked {
        return Some(Overlay::Form(form));
    }
    if !field.choices.is_empty() {
        // A choice changes with Space or the arrows; typing does nothing to it.
        let forward = match ev.code {
            crossterm::event::KeyCode::Char(' ') | crossterm::event::KeyCode::Right => Some(true),
            crossterm::event::KeyCode::Left => Some(false),
            crossterm::event::KeyCode::Enter => {
                form.step(1);
                save_draft(&form, fx);
                return Some(Overlay::Form(form));
            }
            _ => None,
        };
        if let Some(forward) = forward {
            let before = field.text();
            field.cycle(forward);
            if field.key == "outcome" {
                form.outcome_changed(&before);
            }
            save_draft(&form, fx);
        }
        return Some(Overlay::Form(form));
    }
    let input = Input::from(ev);
    // Enter in a one-line box saves it; in a one-line field of a longer form it moves on; in a
    // text it breaks the line.
    if !field.multiline && input.key == ratatui_textarea::Key::Enter {
        if enter_saves {
            return save_form(state, form, fx);
        }
        form.step(1);
        save_draft(&form, fx);
        return Some(Overlay::Form(form));
    }
    if field.area.input(input) {
        field.error = None;
        super::reread_quick(state, &mut form);
        type_draft(&form, fx);
    }
    Some(Overlay::Form(form))
}

/// The draft as typed: kept after a pause in typing (the store is told to wait for one).
fn type_draft(form: &Form, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveDraft {
        key: form.draft_key(),
        payload: form.draft(),
        now: false,
    });
}

/// The draft kept now: a field was left, or the terminal is about to be handed over.
fn save_draft(form: &Form, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveDraft {
        key: form.draft_key(),
        payload: form.draft(),
        now: true,
    });
}

/// Text pasted into a form goes into the focused field.
pub fn on_paste(state: &mut State, text: &str, fx: &mut Vec<Effect>) -> bool {
    if let Some(Overlay::Locations(_)) = state.overlay() {
        crate::app::locations::on_text(state, crate::sanitize::line(text).trim());
        return true;
    }
    let Some(Overlay::Form(form)) = state.overlay_mut() else {
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
    field.error = None;
    let mut form = form.clone();
    super::reread_quick(state, &mut form);
    if let Some(Overlay::Form(open)) = state.overlay_mut() {
        open.quick = form.quick.clone();
    }
    type_draft(&form, fx);
    true
}

/// The external editor closed.
pub fn on_editor_done(state: &mut State, result: Result<String, String>, fx: &mut Vec<Effect>) {
    match (state.overlay_mut(), result) {
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
        (_, Err(e)) => state.say(format!("Couldn't run the editor: {e}"), true),
        _ => {}
    }
}
