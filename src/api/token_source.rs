//! Where a request's bearer token comes from: a fixed token (Private Integration) or a source
//! that refreshes OAuth tokens. The client asks for one per request, and once more after a 401
//! that says the token expired.

use std::future::Future;
use std::pin::Pin;

use super::error::ApiError;
use super::secret::Secret;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// The token to send now (refreshed first if it is about to expire).
    fn bearer(&self) -> BoxFuture<'_, Result<Secret, ApiError>>;
    /// `rejected` was refused as expired: a working token, refreshing at most once however
    /// many requests were refused together.
    fn renew(&self, rejected: Secret) -> BoxFuture<'_, Result<Secret, ApiError>>;
}
