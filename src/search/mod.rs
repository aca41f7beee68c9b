//! Search over a whole account in memory, as the user types: a compact index of folded text
//! (`index`), queries with fuzzy words, phrases, digits and field prefixes (`query`), and the
//! scan that ranks the rows (`scan`). Knows nothing of the app or the screen.

pub mod fold;
pub mod index;
pub mod query;
pub mod scan;

pub use index::{Doc, Index};
pub use query::Query;
pub use scan::{Searcher, highlight};
