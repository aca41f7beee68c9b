//! What the app says: one status line that belongs to the event that caused it, and the last
//! hundred messages kept whole for `!`. A message about a moment (a refused key, a save) goes
//! at the next key; one about a condition (the list failing, changes waiting, the store down)
//! stays until that condition is over. The newest always wins.

use std::collections::VecDeque;

use chrono::NaiveDateTime;

use super::state::State;

/// What a message is about, which says when it goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Topic {
    /// What the user just did: goes at the next key.
    #[default]
    Moment,
    /// The contact list: goes when a page arrives.
    List,
    /// The selected contact's parts: goes when they load or the selection moves.
    Contact,
    /// Changes waiting for the server: goes when they are sent.
    Outbox,
    /// The local store: goes when it works again.
    Store,
}

/// The message in the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub text: String,
    pub error: bool,
    pub topic: Topic,
}

/// A message as `!` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Said {
    /// UTC.
    pub at: NaiveDateTime,
    pub text: String,
    pub error: bool,
}

/// How many messages `!` keeps.
pub const KEPT: usize = 100;

impl State {
    /// Says `text` about the moment: it goes at the next key.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.say_about(Topic::Moment, text, error);
    }

    /// Says `text` about `topic`: it stays until `settle(topic)` (or a newer message).
    pub fn say_about(&mut self, topic: Topic, text: impl Into<String>, error: bool) {
        let text = text.into();
        let repeat = self.said.front().is_some_and(|s| s.text == text);
        if !repeat {
            self.said.push_front(Said {
                at: self.now,
                text: text.clone(),
                error,
            });
            self.said.truncate(KEPT);
        }
        self.status = Some(Status { text, error, topic });
    }

    /// The condition `topic` is over: its message goes (a newer one about something else stays).
    pub fn settle(&mut self, topic: Topic) {
        if self.status.as_ref().is_some_and(|s| s.topic == topic) {
            self.status = None;
        }
    }

    /// A key was pressed: what was said about the last moment has had its moment.
    pub fn key_pressed(&mut self) {
        self.settle(Topic::Moment);
    }
}

pub type History = VecDeque<Said>;
