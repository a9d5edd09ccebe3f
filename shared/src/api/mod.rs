//! REST DTOs of `/api/v1`. Field names are the JSON names; every list answers a [`Page`].

mod artists;
mod attendance;
mod auth;
mod comments;
mod discovery;
mod jobs;
mod library;
mod links;
mod notifications;
mod oversight;
mod search;
mod setlists;
mod shows;
mod venues;
mod voting;

pub use artists::*;
pub use attendance::*;
pub use auth::*;
pub use comments::*;
pub use discovery::*;
pub use jobs::*;
pub use library::*;
pub use links::*;
pub use notifications::*;
pub use oversight::*;
pub use search::*;
pub use setlists::*;
pub use shows::*;
pub use venues::*;
pub use voting::*;

use serde::{Deserialize, Serialize};

/// The current REST prefix; a breaking change gets a new one beside it.
pub const API_PREFIX: &str = "/api/v1";

/// Largest `limit` any list accepts.
pub const MAX_PAGE_LIMIT: u32 = 100;
/// `limit` when the request gives none.
pub const DEFAULT_PAGE_LIMIT: u32 = 20;

/// One page of a keyset-paginated list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; pass as `cursor` for the next page. Absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    /// Newest applied migration (readiness only).
    pub migration: Option<i64>,
}

/// A complete, unpaginated list (small by construction, e.g. the set-lists of one show).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Items<T> {
    pub items: Vec<T>,
}
