//! All SQL, one module per table family. Functions take an executor so callers choose the
//! transaction; rows are plain `FromRow` structs converted to DTOs at the edge.

pub mod artists;
pub mod jobs;
pub mod progress;
pub mod sessions;
pub mod setlists;
pub mod shows;
pub mod upsert;
pub mod venues;
pub mod votes;
