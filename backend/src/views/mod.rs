//! Read models: the pages and documents the API, the sync answers and the jobs all serve,
//! assembled from `db/` rows into `shared::api` types. Below `http/`, `actions/`, `sync/` and
//! `jobs/` (which all read them), above `db/`: nothing here knows HTTP.

pub mod artist_page;
pub mod prediction;
pub mod setlist_versions;
pub mod show_page;
