//! All SQL, one module per table family. Functions take an executor so callers choose the
//! transaction; rows are plain `FromRow` structs converted to DTOs at the edge.

pub mod actuals;
pub mod aliases;
pub mod artists;
pub mod audit;
pub mod community;
pub mod discovery;
pub mod email_tokens;
pub mod feed;
pub mod flags;
pub mod follows;
pub mod jobs;
pub mod mutations;
pub mod oauth;
pub mod page_views;
pub mod progress;
pub mod sessions;
pub mod setlists;
pub mod shows;
pub mod sync;
pub mod trending;
pub mod upsert;
pub mod users;
pub mod venues;
pub mod votes;
