//! The sync protocol between the offline client and the backend (`/api/v1/sync/*`), documented
//! in `docs/sync.md`.
//!
//! Push: the client's outbox, in per-device sequence order; the server applies each mutation
//! once, through the same domain code as the REST routes, and answers per mutation. Pull: every
//! change in the user's scope since a cursor, paged; no cursor means a full snapshot.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ErrorCode;
use crate::api::{
    ActualLine, ArtistSummary, FlagAction, PredictionLine, SetlistKind, SetlistSource, ShowSummary,
};
use crate::hlc::Hlc;

/// The protocol this build speaks, sent in [`PROTOCOL_HEADER`] on every request.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol the server still serves; older clients get 426.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
pub const PROTOCOL_HEADER: &str = "x-theset-protocol";
/// Mutations in one push.
pub const MAX_PUSH: usize = 500;
/// Changes in one pull page (a snapshot page may run over to finish an artist).
pub const PULL_PAGE: usize = 2_000;
/// How long the server keeps its change history; an older cursor gets 410 and a full resync.
pub const RETENTION_DAYS: i32 = 90;
/// How far back a followed artist's shows are kept on the device.
pub const PAST_SHOW_DAYS: i64 = 90;

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Chosen by the device on first start; one device belongs to one account.
    pub device_id: Uuid,
    /// In sequence order; the first must be at most the server's `last_seq + 1`.
    pub mutations: Vec<Mutation>,
}

/// `current` of a push answered 409 `conflict`: the sequence number the server expects next (the
/// device lost track, or a concurrent push moved the server on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushGap {
    pub expected_seq: i64,
}

/// One user action, as written to the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// UUIDv7, generated on the device.
    pub id: Uuid,
    /// Gap-free per device, from 1.
    pub seq: i64,
    /// When the user acted (orders votes across devices).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub hlc: Hlc,
    #[serde(flatten)]
    pub action: Action,
}

/// What the user did. Tagged `kind` with a version, so an outbox written by an older build still
/// drains after an upgrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "payload")]
pub enum Action {
    /// Up (1), down (-1) or clear (0) a community line, by line id or (show, catalogue song) —
    /// the latter for a song the same device added while offline.
    #[serde(rename = "vote.set@1")]
    Vote(VoteAction),
    #[serde(rename = "community.add@1")]
    AddSong { show_id: Uuid, song_id: Uuid },
    /// A moderator adds a title the catalogue does not hold (a cover, a new song).
    #[serde(rename = "community.title@1")]
    AddTitle { show_id: Uuid, title: String },
    #[serde(rename = "prediction.set@1")]
    Predict {
        show_id: Uuid,
        songs: Vec<PredictionLine>,
    },
    #[serde(rename = "setlist.edit@1")]
    EditSetlist {
        setlist_id: Uuid,
        base_version: i32,
        songs: Vec<ActualLine>,
        note: Option<String>,
    },
    #[serde(rename = "follow.set@1")]
    Follow { artist_id: Uuid, follow: bool },
    /// "I'm going" (`going`), shown on the public profile when `public`; not going any more
    /// takes the show out of the scope unless its artist is followed.
    #[serde(rename = "show.attend@1")]
    Attend {
        show_id: Uuid,
        going: bool,
        public: bool,
    },
    /// The user opened the show's page: keep the show on the user's devices until it is past,
    /// so voting and predicting work offline without a follow.
    #[serde(rename = "show.keep@1")]
    Keep { show_id: Uuid },
    /// "Now playing": the song being played, stamped with the device's clock (rules in
    /// `crate::crowd`). Going to the show is implied.
    #[serde(rename = "capture.add@1")]
    Capture(CaptureAction),
    /// Takes back one of the user's captures.
    #[serde(rename = "capture.undo@1")]
    Uncapture { capture_id: Uuid },
    /// Starts the actual set-list of a show that has none (source `manual`).
    #[serde(rename = "setlist.start@1")]
    StartSetlist {
        show_id: Uuid,
        songs: Vec<ActualLine>,
        note: Option<String>,
    },
    /// A moderator verifies the version they looked at (refused if it moved on).
    #[serde(rename = "setlist.verify@1")]
    VerifySetlist { setlist_id: Uuid, version: i32 },
    /// A moderator rejects the version they looked at.
    #[serde(rename = "setlist.reject@1")]
    RejectVersion {
        setlist_id: Uuid,
        version: i32,
        reason: String,
    },
    /// A moderator resolves a flag.
    #[serde(rename = "flag.resolve@1")]
    ResolveFlag { flag_id: Uuid, action: FlagAction },
    /// A fan reports a set-list line or a whole list (the moderators' queue).
    #[serde(rename = "flag.raise@1")]
    RaiseFlag(crate::api::NewFlag),
    /// A comment on a show (or a reply to one), its id chosen by the device.
    #[serde(rename = "comment.add@1")]
    Comment {
        comment_id: Uuid,
        show_id: Uuid,
        parent_id: Option<Uuid>,
        body: String,
    },
    /// The author's new text, within ten minutes of writing it.
    #[serde(rename = "comment.edit@1")]
    EditComment { comment_id: Uuid, body: String },
    #[serde(rename = "comment.delete@1")]
    DeleteComment { comment_id: Uuid },
    /// A moderator hides (or restores) a comment.
    #[serde(rename = "comment.hide@1")]
    HideComment { comment_id: Uuid, hidden: bool },
    /// Notifications read on this device (every device of the user then shows them read); no
    /// ids — what `POST /me/notifications/read` sends without any — is every unread one as of when
    /// it is applied.
    #[serde(rename = "notification.read@1")]
    ReadNotifications {
        #[serde(default)]
        ids: Option<Vec<Uuid>>,
    },
}

impl Action {
    /// The versioned kind it is tagged with on the wire (`vote.set@1`), as the exactly-once
    /// record keeps it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Vote(_) => "vote.set@1",
            Self::AddSong { .. } => "community.add@1",
            Self::AddTitle { .. } => "community.title@1",
            Self::Predict { .. } => "prediction.set@1",
            Self::EditSetlist { .. } => "setlist.edit@1",
            Self::Follow { .. } => "follow.set@1",
            Self::Attend { .. } => "show.attend@1",
            Self::Keep { .. } => "show.keep@1",
            Self::Capture(_) => "capture.add@1",
            Self::Uncapture { .. } => "capture.undo@1",
            Self::StartSetlist { .. } => "setlist.start@1",
            Self::VerifySetlist { .. } => "setlist.verify@1",
            Self::RejectVersion { .. } => "setlist.reject@1",
            Self::ResolveFlag { .. } => "flag.resolve@1",
            Self::RaiseFlag(_) => "flag.raise@1",
            Self::Comment { .. } => "comment.add@1",
            Self::EditComment { .. } => "comment.edit@1",
            Self::DeleteComment { .. } => "comment.delete@1",
            Self::HideComment { .. } => "comment.hide@1",
            Self::ReadNotifications { .. } => "notification.read@1",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaptureAction {
    /// Chosen by the device (undo names it).
    pub capture_id: Uuid,
    pub show_id: Uuid,
    /// A catalogue song of the headliner, or none for a typed title (a cover, a new song).
    pub song_id: Option<Uuid>,
    pub title: String,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub encore: bool,
}

/// A vote: what it is on, and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "VoteWire", into = "VoteWire")]
pub struct VoteAction {
    pub on: VoteOn,
    pub value: crate::api::VoteValue,
}

/// What a vote is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOn {
    /// A line of a community list the server knows.
    Line(Uuid),
    /// A catalogue song of a show's community list: one added on a device whose line the
    /// server has not sent back yet.
    Song { show_id: Uuid, song_id: Uuid },
}

impl VoteOn {
    /// The show, when the vote names it (a line's show is the server's to know).
    pub fn show_id(self) -> Option<Uuid> {
        match self {
            Self::Line(_) => None,
            Self::Song { show_id, .. } => Some(show_id),
        }
    }
}

/// A vote as it travels, and as the outboxes of every build hold it: a line, or a show and a
/// song, the others `null`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct VoteWire {
    setlist_song_id: Option<Uuid>,
    show_id: Option<Uuid>,
    song_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = i16, minimum = -1, maximum = 1))]
    value: crate::api::VoteValue,
}

impl TryFrom<VoteWire> for VoteAction {
    type Error = &'static str;

    fn try_from(w: VoteWire) -> Result<Self, Self::Error> {
        // A line wins when one is named (as servers always read it).
        let on = match (w.setlist_song_id, w.show_id, w.song_id) {
            (Some(line), _, _) => VoteOn::Line(line),
            (None, Some(show_id), Some(song_id)) => VoteOn::Song { show_id, song_id },
            _ => return Err("a vote names a line, or a show and a song"),
        };
        Ok(Self { on, value: w.value })
    }
}

impl From<VoteAction> for VoteWire {
    fn from(v: VoteAction) -> Self {
        let (setlist_song_id, show_id, song_id) = match v.on {
            VoteOn::Line(line) => (Some(line), None, None),
            VoteOn::Song { show_id, song_id } => (None, Some(show_id), Some(song_id)),
        };
        Self {
            setlist_song_id,
            show_id,
            song_id,
            value: v.value,
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for VoteAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <VoteWire as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for VoteAction {
    fn name() -> std::borrow::Cow<'static, str> {
        "VoteAction".into()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The device's last applied sequence after this push.
    pub last_seq: i64,
    pub results: Vec<MutationResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub id: Uuid,
    pub seq: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied; `body` is what the REST route answers, `created` when it made something new
    /// (REST answers 201).
    Applied {
        body: serde_json::Value,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        created: bool,
    },
    /// A newer vote by the same user (by HLC) was already in place; nothing changed.
    Superseded,
    /// Refused; the sequence number is spent so the queue moves on. `current` carries the
    /// server's version on a stale set-list edit (409), for the merge view.
    Rejected {
        status: u16,
        code: ErrorCode,
        message: String,
        current: Option<serde_json::Value>,
    },
}

/// `GET /api/v1/sync/pull?cursor=&device_id=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass back as `cursor`; opaque.
    pub cursor: String,
    /// More pages wait: pull again at once.
    pub more: bool,
    /// Set on the first page of a snapshot: drop every cached row of the scope first.
    pub reset: bool,
    /// The device's last applied mutation sequence whose effects this pull (or an earlier one)
    /// delivered: local copies of mutations up to it can go (0 for a new device).
    pub last_applied_seq: i64,
    /// Changes in the scope are committed but wait behind an older transaction still running
    /// (the log is served in commit-safe order): pull again in a moment rather than at the next
    /// nudge, which has already been spent on this pull.
    #[serde(default)]
    pub held_back: bool,
}

/// One changed row of the user's scope. Upserts carry the whole row; deletions are tombstones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    Artist(ArtistSummary),
    Show(SyncShow),
    Song(SyncSong),
    Setlist(SyncSetlist),
    Line(SyncLine),
    Vote(SyncVote),
    Follow {
        artist_id: Uuid,
    },
    Attend(SyncAttend),
    Notification(crate::api::Notification),
    /// `id` is the show's for `Attend`.
    Deleted {
        entity: Entity,
        id: Uuid,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Artist,
    Show,
    Song,
    Setlist,
    Line,
    Vote,
    Follow,
    Attend,
    Notification,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Artist => "artist",
            Self::Show => "show",
            Self::Song => "song",
            Self::Setlist => "setlist",
            Self::Line => "line",
            Self::Vote => "vote",
            Self::Follow => "follow",
            Self::Attend => "attend",
            Self::Notification => "notification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Artist,
            Self::Show,
            Self::Song,
            Self::Setlist,
            Self::Line,
            Self::Vote,
            Self::Follow,
            Self::Attend,
            Self::Notification,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncShow {
    #[serde(flatten)]
    pub summary: ShowSummary,
    pub venue_lat: Option<f64>,
    pub venue_lng: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncSong {
    pub id: Uuid,
    pub artist_id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub popularity: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncSetlist {
    pub id: Uuid,
    pub show_id: Uuid,
    pub artist_id: Uuid,
    pub kind: SetlistKind,
    /// `User` is the caller's own prediction.
    pub source: SetlistSource,
    pub version: i32,
    pub verified: bool,
    pub accuracy_score: Option<f64>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncLine {
    pub id: Uuid,
    pub setlist_id: Uuid,
    pub song_id: Option<Uuid>,
    pub title: String,
    pub position: i32,
    pub set_name: String,
    pub is_cover: bool,
    pub is_tape: bool,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
}

/// A show in the user's scope without a follow: going to it, or opened on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncAttend {
    pub show_id: Uuid,
    /// The show's headliner (the artist whose rows come with it).
    pub artist_id: Uuid,
    pub going: bool,
    pub public: bool,
}

/// The caller's own vote on a line (0: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncVote {
    pub setlist_song_id: Uuid,
    pub value: i16,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub hlc: Hlc,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutations_carry_a_versioned_kind() {
        let m = Mutation {
            id: Uuid::nil(),
            seq: 1,
            hlc: Hlc(5),
            action: Action::Vote(VoteAction {
                on: VoteOn::Line(Uuid::nil()),
                value: crate::api::VoteValue::Up,
            }),
        };
        let v = serde_json::to_value(&m).expect("json");
        assert_eq!(v["kind"], "vote.set@1");
        assert_eq!(v["hlc"], "5");
        assert_eq!(serde_json::from_value::<Mutation>(v).expect("back"), m);
        let unknown = serde_json::json!({ "id": Uuid::nil(), "seq": 1, "hlc": "1", "kind": "vote.set@9", "payload": {} });
        assert!(serde_json::from_value::<Mutation>(unknown).is_err());
    }

    #[test]
    fn kinds_are_the_wire_tags() {
        let id = Uuid::nil();
        // One payload per variant (a new variant needs its line here).
        let payloads = [
            (
                "vote.set@1",
                json!({ "setlist_song_id": id, "show_id": null, "song_id": null, "value": 1 }),
            ),
            ("community.add@1", json!({ "show_id": id, "song_id": id })),
            (
                "community.title@1",
                json!({ "show_id": id, "title": "A cover" }),
            ),
            ("prediction.set@1", json!({ "show_id": id, "songs": [] })),
            (
                "setlist.edit@1",
                json!({ "setlist_id": id, "base_version": 1, "songs": [], "note": null }),
            ),
            ("follow.set@1", json!({ "artist_id": id, "follow": true })),
            (
                "show.attend@1",
                json!({ "show_id": id, "going": true, "public": false }),
            ),
            ("show.keep@1", json!({ "show_id": id })),
            (
                "capture.add@1",
                json!({ "capture_id": id, "show_id": id, "song_id": null, "title": "Intro", "at": "2026-12-07T20:00:00Z" }),
            ),
            ("capture.undo@1", json!({ "capture_id": id })),
            (
                "setlist.start@1",
                json!({ "show_id": id, "songs": [], "note": null }),
            ),
            (
                "setlist.verify@1",
                json!({ "setlist_id": id, "version": 1 }),
            ),
            (
                "setlist.reject@1",
                json!({ "setlist_id": id, "version": 1, "reason": "wrong show" }),
            ),
            (
                "flag.resolve@1",
                json!({ "flag_id": id, "action": "dismiss" }),
            ),
            (
                "flag.raise@1",
                json!({ "setlist_id": id, "reason": "spam" }),
            ),
            (
                "comment.add@1",
                json!({ "comment_id": id, "show_id": id, "parent_id": null, "body": "hi" }),
            ),
            ("comment.edit@1", json!({ "comment_id": id, "body": "hi" })),
            ("comment.delete@1", json!({ "comment_id": id })),
            (
                "comment.hide@1",
                json!({ "comment_id": id, "hidden": true }),
            ),
            ("notification.read@1", json!({ "ids": [] })),
        ];
        let mut variants = std::collections::HashSet::new();
        for (kind, payload) in payloads {
            let action: Action =
                serde_json::from_value(json!({ "kind": kind, "payload": payload }))
                    .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(action.kind(), kind);
            variants.insert(std::mem::discriminant(&action));
        }
        assert_eq!(variants.len(), 20, "every variant has its payload above");
    }

    #[test]
    fn entity_names_round_trip() {
        for e in [
            Entity::Artist,
            Entity::Line,
            Entity::Follow,
            Entity::Attend,
            Entity::Notification,
        ] {
            assert_eq!(Entity::parse(e.as_str()), Some(e));
            assert_eq!(serde_json::to_value(e).expect("json"), e.as_str());
        }
    }
}
