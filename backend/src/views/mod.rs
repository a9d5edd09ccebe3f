//! Read models: the pages and documents the API, the sync answers and the jobs all serve,
//! assembled from `db/` rows into `shared::api` types. Below `http/`, `actions/`, `sync/` and
//! `jobs/` (which all read them), above `db/`: nothing here knows HTTP.

pub mod artist_page;
pub mod comments;
pub mod prediction;
pub mod setlist_versions;
pub mod show_page;

/// A fan's picture's address; `version` changes with each upload, so a new picture is a new
/// address and caches never show the old one.
pub fn avatar_url(user: uuid::Uuid, version: i64) -> String {
    format!(
        "{}/users/{user}/avatar?v={version}",
        theset_shared::api::API_PREFIX
    )
}
