//! A show's discussion: `GET|POST /api/v1/shows/{id}/comments`, `PATCH|DELETE
//! /api/v1/comments/{id}`, moderators' `POST /api/v1/comments/{id}/hide|restore`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who wrote a comment, as it shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentAuthor {
    pub id: Uuid,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

/// One comment; `replies` (one level deep) only on top-level comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: Uuid,
    pub show_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author: CommentAuthor,
    /// Plain text; empty when deleted, or hidden (to everyone but moderators).
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// Deleted by its author (kept in place while it has replies).
    pub deleted: bool,
    /// Hidden by a moderator.
    pub hidden: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub replies: Vec<Comment>,
}

crate::named! {
    /// How a thread is ordered. "Best": the most replied-to first (comments have no votes: votes
    /// are for songs), then newest.
    pub enum CommentOrder {
        Newest = "newest",
        Best = "best",
    }
}

/// `GET /api/v1/shows/{id}/comments`: the whole thread (at most 500 top-level comments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentThread {
    pub show_id: Uuid,
    pub order: CommentOrder,
    pub comments: Vec<Comment>,
    /// Top-level comments and replies, hidden and deleted ones included.
    pub total: i64,
}

/// `POST /api/v1/shows/{id}/comments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Chosen by the device, so a retry writes the comment once; the server makes one when
    /// absent.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The top-level comment this replies to.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    pub body: String,
}

/// `PATCH /api/v1/comments/{id}`: within ten minutes of writing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    pub body: String,
}
