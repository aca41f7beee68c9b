//! Keeping the server and this machine in step: the outbox goes out (`outbox`), and the
//! location's contacts come in to the replica (`pull`).

mod outbox;
pub mod pull;

pub use outbox::*;
