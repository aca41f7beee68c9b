//! Typed client for the GHL Contacts API v2: models, errors, pacing and paging.

pub mod activity;
pub mod agency;
pub mod body;
pub mod client;
pub mod contact;
pub mod envelopes;
pub mod error;
pub mod inputs;
mod lenient;
pub mod location;
pub mod ops;
pub mod pacer;
pub mod paging;
pub mod queue;
pub mod rules;
pub mod secret;
pub mod time;
pub mod token_source;
pub mod users;
pub mod waits;
mod writes;

pub use activity::{Appointment, Note, Task};
pub use agency::InstalledLocation;
pub use client::{
    API_VERSION, Client, ClientConfig, ContactPage, DEFAULT_BASE_URL, ListQuery, RetryPolicy,
};
pub use contact::{Contact, CustomFieldValue, DndSetting};
pub use envelopes::{CustomFieldDef, SearchRequest};
pub use error::ApiError;
pub use inputs::{ContactInput, CustomFieldInput, NoteInput, TaskInput};
pub use location::LocationInfo;
pub use ops::{Applied, WriteOp};
pub use pacer::{Lane, RateBudget};
pub use queue::{QueueTask, TaskFilter};
pub use secret::Secret;
pub use token_source::TokenSource;
pub use users::User;
pub use writes::{BULK_TAGS_MAX, BulkTagResult, BulkTags, Upserted};
