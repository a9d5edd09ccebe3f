//! A user's notifications: `GET /api/v1/me/notifications`, `POST /api/v1/me/notifications/read`,
//! `GET|PUT /api/v1/me/notification-prefs`. They also reach devices through the sync pull.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::named! {
    #[pg_enum = "notification_kind"]
    /// What a notification is about (each can be turned off).
    pub enum NotificationKind {
        /// A followed artist announced a show.
        NewShow = "new_show",
        /// A show the user goes to moved, changed venue or was cancelled.
        ShowChanged = "show_changed",
        /// A moderator verified the set-list of a show the user predicted: score and rank.
        PredictionScored = "prediction_scored",
        /// The user's set-list correction was accepted, rejected or changed by someone else.
        CorrectionDecided = "correction_decided",
        /// Someone replied to the user's comment.
        CommentReply = "comment_reply",
        /// A moderator acted on the user's flag.
        FlagResolved = "flag_resolved",
        /// Tickets for a followed artist's show go on sale: the day before, and when they do.
        TicketsOnSale = "onsale",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    /// The show it is about, when there is one (opening the notification opens it).
    pub show_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// `GET /api/v1/me/notifications`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationFeed {
    pub items: Vec<Notification>,
    pub unread: i64,
}

/// `POST /api/v1/me/notifications/read`: these (at most 500), or every one when `ids` is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Option<Vec<Uuid>>,
}

/// Whether one kind is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPref {
    pub kind: NotificationKind,
    pub enabled: bool,
}

/// `GET|PUT /api/v1/me/notification-prefs`: every kind (a `PUT` may send only those it changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    pub kinds: Vec<NotificationPref>,
}

/// Most ids one `MarkRead` (or `notification.read@1`) names.
pub const MAX_MARK_READ: usize = 500;
