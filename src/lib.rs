//! ghl-tui: a keyboard-driven terminal client for the GoHighLevel Contacts API.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clusters;
pub mod config;
pub mod launch;
pub mod logging;
pub mod look;
pub mod private;
pub mod redact;
pub mod runtime;
pub mod sandbox;
pub mod sanitize;
pub mod search;
pub mod session;
pub mod store;
pub mod sync;
pub mod terminal;
pub mod text;
pub mod ui;
