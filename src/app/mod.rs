//! The app as a state machine: `State`, the `Msg`s that change it, the `Effect`s it asks for,
//! and the keymap that turns keys into actions.

pub mod callable;
pub mod dates;
pub mod edit;
pub mod form;
pub mod geometry;
pub mod input;
pub mod keymap;
pub mod keys;
pub mod locations;
pub mod msg;
pub mod order;
pub mod pane;
pub mod places;
pub mod queue;
pub mod quick;
pub mod rows;
pub mod say;
pub mod state;
pub mod sync_view;
pub mod update;

pub use msg::{Effect, Msg, Parts};
pub use state::{Pane, State};
pub use update::{init, update};
