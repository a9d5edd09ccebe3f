//! All SQL, one module per table family. Functions take an executor so callers choose the
//! transaction; rows are plain structs converted to DTOs at the edge. Statements are the query
//! macros (`query!`, `query_as!`, `query_scalar!`), checked at compile time against the schema
//! (`backend/.sqlx`, rewritten by `cargo xtask sqlx-prepare`); the few built at run time say why.

pub mod actuals;
pub mod aliases;
pub mod artists;
pub mod attendance;
pub mod audit;
pub mod captures;
pub mod comments;
pub mod community;
pub mod cron_runs;
pub mod demo;
pub mod discovery;
pub mod email_tokens;
pub mod feed;
pub mod flags;
pub mod follows;
pub mod integrity;
pub mod jobs;
pub mod mutations;
pub mod notifications;
pub mod oauth;
pub mod oversight;
pub mod page_views;
pub mod predictions;
pub mod private;
pub mod progress;
pub mod schema;
pub mod scores;
pub mod sessions;
pub mod setlist_imports;
pub mod setlists;
pub mod shows;
pub mod songs;
pub mod sync;
pub mod trending;
pub mod upsert;
pub mod users;
pub mod venues;
pub mod votes;
