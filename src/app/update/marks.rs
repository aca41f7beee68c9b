//! Marks (`v`, `V`): contacts picked for one change to all of them. With marks, `t` and `T`
//! add or remove tags on every marked contact, after a question that says how many contacts
//! and requests it takes. Each contact's change is its own outbox entry (nothing lost); the
//! outbox sends a run of them as bulk requests where the sign-in allows.

use crate::app::state::State;

/// `v`: the selected contact marked, or unmarked.
pub(super) fn mark(state: &mut State, fx: &mut Vec<crate::app::msg::Effect>) {
    let Some(id) = state.selected_id().map(String::from) else {
        return state.say("No contact selected", true);
    };
    if id.starts_with("local-") {
        return state.say("That contact is still on its way to the server", true);
    }
    if !state.marked.remove(&id) {
        state.marked.insert(id);
    }
    say_marked(state);
    // On to the next, as in a file manager: `v v v` marks three (and, near the end of what
    // is loaded, the next page is asked for as with any move).
    let next = (state.list.selected + 1).min(state.visible_len().saturating_sub(1));
    super::list::select_list(state, next, fx);
}

/// `V`: everything the list shows marked; when it all is already, no marks.
pub(super) fn mark_all(state: &mut State) {
    let set = state.set();
    let shown: Vec<String> = (0..state.visible_len())
        .filter_map(|pos| state.row_index(pos))
        .filter_map(|i| set.row(i).map(|r| r.id().to_string()))
        .filter(|id| !id.starts_with("local-"))
        .collect();
    if !shown.is_empty() && shown.iter().all(|id| state.marked.contains(id)) {
        for id in &shown {
            state.marked.remove(id);
        }
    } else {
        state.marked.extend(shown);
    }
    say_marked(state);
}

fn say_marked(state: &mut State) {
    let n = state.marked.len();
    let t = state.key(crate::app::keymap::Action::AddTag);
    let untag = state.key(crate::app::keymap::Action::RemoveTag);
    let back = state.key(crate::app::keymap::Action::Back);
    let text = match n {
        0 => "No contact marked".to_string(),
        n => format!(
            "{} marked: {t} adds tags to all, {untag} removes, {back} unmarks",
            crate::text::count(n as u64)
        ),
    };
    state.say(text, false);
}

/// What a change of tags on `n` contacts costs, said before it is made.
pub fn bulk_question(add: bool, tags: &[String], n: usize) -> String {
    let per = crate::api::BULK_TAGS_MAX;
    let requests = n.div_ceil(per);
    let verb = if add { "Add" } else { "Remove" };
    let to = if add { "to" } else { "from" };
    format!(
        "{verb} {} {to} {} contact{}? {} request{} ({per} contacts a request; one each if the sign-in may not use the bulk endpoint)",
        tags.join(", "),
        crate::text::count(n as u64),
        if n == 1 { "" } else { "s" },
        crate::text::count(requests as u64),
        if requests == 1 { "" } else { "s" },
    )
}
