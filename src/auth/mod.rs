//! Signing in: OAuth token sets, where they are kept, and refreshing them. (The `login`
//! commands and the keyring come next; see the closing notes of the sign-in issue.)

pub mod agency;
pub mod commands;
pub mod keyring;
pub mod login;
pub mod manager;
pub mod oauth;
pub mod token_file;
pub mod token_store;

pub use manager::TokenManager;
pub use token_file::{TokenFile, TokenSet};
pub use token_store::{Kept, TokenStore};
