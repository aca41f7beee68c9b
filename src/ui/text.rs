//! The view's text helpers are the neutral ones (`crate::text`), shared with the state machine.

pub use crate::text::*;
