//! The importers' write path: provider answers → our tables, every write an upsert keyed by the
//! services' ids, so re-running an import (a retried job, the offline catalogue) never duplicates.

pub mod artists;
pub mod setlists;
pub mod shows;
pub mod songs;
pub mod venues;
