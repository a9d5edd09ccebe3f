//! Messages between the Dioxus UI (wasm) and the offline core behind it: the Tauri shell on
//! desktop, a browser worker on the phone.
//!
//! The UI never sees tokens or URLs of the backend: it sends the requests of [`contract`] and
//! gets these types back, read from the local store, or from the server with the last copy kept
//! on the device when the server cannot be reached.

pub mod contract;
mod prediction_edit;

pub use contract::{Core, Op, Request, dispatch, req, to_json};
pub use prediction_edit::{Pick, PredictionEdit};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{
    ActualLine, ArtistDetail, Role, SetlistVersion, ShowDetail, ShowLeaderboard, ShowSummary,
};

/// Events the shell emits to the webview.
pub mod events {
    /// [`super::AppStatus`]: connection, pending changes, refusals.
    pub const STATUS: &str = "theset://status";
    /// `()`: the local store changed (a pull brought rows): pages re-read what they show.
    pub const STORE_CHANGED: &str = "theset://store-changed";
    /// [`crate::api::JobEvent`]: progress of an import or a job the user started.
    pub const PROGRESS: &str = "theset://progress";
    /// [`super::UpdateState`]: the desktop app's own update moved on.
    pub const UPDATE: &str = "theset://update";
}

/// The desktop app's own updates (Tauri's updater, signed packages). The web app has none: its
/// service worker brings new versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateState {
    /// No update server or key is configured (development builds, the web app).
    Off,
    Checking,
    UpToDate,
    /// Downloaded and its signature verified: installed when the user says so, and only with
    /// nothing left to send (`unsent`: changes waiting on this device).
    Ready {
        version: String,
        notes: Option<String>,
        unsent: u64,
    },
    /// Offered but refused: the package's signature does not verify against the app's key.
    Refused {
        version: String,
        reason: String,
    },
    /// The check did not get an answer (no network): tried again later.
    Failed {
        reason: String,
    },
}

/// One artist as the local store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedArtist {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub upcoming_show_count: i64,
    /// Live services, or the offline demo catalogue.
    #[serde(default)]
    pub origin: crate::api::DataOrigin,
}

/// What a sync attempt did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Artists now in the local store.
    pub artists: usize,
    /// `None` when the backend answered; the reason otherwise (the UI keeps showing the cache).
    pub offline_reason: Option<String>,
}

/// Errors crossing the IPC boundary: a code for the UI's logic and a message for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcError {
    pub code: IpcCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: IpcCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Why an operation failed, for the UI's logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpcCode {
    /// The server cannot be reached (or did not answer in time).
    Offline,
    /// The device's store cannot be read or written.
    Store,
    /// No session (or the server ended it).
    SignedOut,
    /// A browser sign-in did not complete.
    SignIn,
    /// The server asked to slow down.
    RateLimited,
    /// This app is too old for the server.
    UpgradeRequired,
    /// The app and the server do not understand each other.
    Client,
    /// The request was refused before it left the device (a bad value typed in).
    Invalid,
    /// A sign-up whose address has an account: its owner got a mail.
    CheckMail,
    /// No server is chosen yet: the first-run screen asks for one.
    NoServer,
    /// The device cannot or may not say where it is.
    NoLocation,
    /// The server refused, with its stable code.
    Server(crate::ErrorCode),
}

impl std::fmt::Display for IpcCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Server(code) => f.write_str(code.as_str()),
            other => {
                let name = serde_json::to_value(other)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                f.write_str(&name)
            }
        }
    }
}

/// A server page: fresh, or the device's last copy when the server cannot be reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fetched<T> {
    pub data: T,
    /// True when this is the copy kept on the device (the server did not answer).
    pub stale: bool,
    pub fetched_at: DateTime<Utc>,
}

/// The signed-in account as the UI may know it (no tokens).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    /// `None` for an account made through Spotify that has not added an address yet.
    pub email: Option<String>,
    /// Until the address is confirmed, votes, songs, predictions and corrections wait on the
    /// device.
    pub email_verified: bool,
    pub display_name: String,
    pub role: Role,
    /// The account's picture, as an address the window can load.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// How the app stands with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Connection {
    Online,
    Syncing,
    Offline(String),
    SignedOut,
    UpgradeRequired,
    /// Signed in with an address not confirmed yet: contributions wait on the device.
    AwaitingConfirmation,
}

/// A change the server refused, with its reason (and the server's version on a conflict).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedChange {
    pub id: Uuid,
    /// What the user did, in words ("Vote", "Prediction", "Set-list edit", …).
    pub what: String,
    pub show_id: Option<Uuid>,
    /// The set-list a refused edit was for.
    pub setlist_id: Option<Uuid>,
    pub code: String,
    pub reason: String,
    /// The set-list edit the user made, for the merge view.
    pub mine: Option<Vec<ActualLine>>,
    /// The server's current version on a 409.
    pub current: Option<SetlistVersion>,
}

/// The server the app talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// `None` until one is chosen (the first-run screen).
    pub address: Option<String>,
    pub chosen_by: ServerChoice,
}

/// Who decided the server, which says whether the settings page may change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerChoice {
    /// Nothing yet: the app asks (first run).
    Nobody,
    /// The user, on the first-run screen or the settings page.
    User,
    /// `THESET_API_URL` when the app started (the local run, tests, managed installs).
    Environment,
    /// The web app talks to the server that served it.
    WebOrigin,
}

impl ServerChoice {
    pub fn changeable(self) -> bool {
        matches!(self, Self::Nobody | Self::User)
    }
}

/// Connection, account and outbox at a glance (the status bar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppStatus {
    pub connection: Connection,
    pub account: Option<Account>,
    /// Changes saved on this device that the server has not confirmed yet.
    pub pending: usize,
    /// Notifications not read yet (the header's count).
    #[serde(default)]
    pub unread: usize,
    pub rejected: Vec<RejectedChange>,
    /// Where the map asks for tiles (`…/{z}/{x}/{y}`, the shell's tile scheme, which keeps what
    /// it fetched) when a tile server is configured (`THESET_TILE_URL`); the map has its bundled
    /// outlines either way.
    pub tile_url: Option<String>,
}

/// A line of a community list as the user sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityLine {
    /// `None` for a song this device added that the server has not sent back yet.
    pub line_id: Option<Uuid>,
    pub song_id: Option<Uuid>,
    pub title: String,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    pub my_vote: i16,
    /// Shown from this device's outbox: not confirmed by the server yet.
    pub pending: bool,
}

impl CommunityLine {
    /// What a vote on this line of `show`'s list is on: the line once the server knows it, else
    /// its catalogue song; `None` for a typed title not confirmed yet (nothing to vote on).
    pub fn vote_on(&self, show: Uuid) -> Option<crate::sync::VoteOn> {
        match (self.line_id, self.song_id) {
            (Some(line), _) => Some(crate::sync::VoteOn::Line(line)),
            (None, Some(song_id)) => Some(crate::sync::VoteOn::Song {
                show_id: show,
                song_id,
            }),
            (None, None) => None,
        }
    }
}

/// A song of a prediction or set-list as the user sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedSong {
    pub song_id: Option<Uuid>,
    pub title: String,
    pub set_name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Listed {
    pub setlist_id: Option<Uuid>,
    pub version: i32,
    pub verified: bool,
    pub songs: Vec<ListedSong>,
    /// Shown from this device's outbox: not confirmed by the server yet.
    pub pending: bool,
    /// The fans' live capture (the crowd list), not a list a person wrote or imported.
    #[serde(default)]
    pub crowd: bool,
}

/// A show's pack on the device ("Ready offline"): how big, how old, what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackState {
    pub bytes: u64,
    /// Map tiles kept around the venue.
    pub tiles: u32,
    /// What could not be fetched (empty: ready).
    pub missing: Vec<String>,
    pub prepared_at: DateTime<Utc>,
}

/// Whether the user goes to a show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GoingState {
    pub going: bool,
    /// Shown on the public profile.
    pub public: bool,
    /// Saved on this device, not confirmed yet.
    pub pending: bool,
}

/// The evening itself: "Now playing" while the show is on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LiveView {
    /// The show is on by this device's clock (captures are taken).
    pub open: bool,
    /// Songs to tap, the likeliest first (the community list, then the catalogue).
    pub picks: Vec<CatalogueSong>,
    /// This device's captures, newest first.
    pub captured: Vec<CapturedSong>,
}

/// One of the user's captures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturedSong {
    pub capture_id: Uuid,
    pub song_id: Option<Uuid>,
    pub title: String,
    pub at: DateTime<Utc>,
    pub encore: bool,
    /// Undo is offered until then.
    pub undo_until: Option<DateTime<Utc>>,
    /// Not sent yet.
    pub pending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueSong {
    pub id: Uuid,
    pub title: String,
}

/// Where a venue is, for the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lng: f64,
}

/// Everything the show page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowView {
    pub summary: ShowSummary,
    /// The server's full page (line-up, venue, prices), fresh or kept; absent when the show is
    /// only known from the sync scope and the server cannot be reached.
    pub detail: Option<Fetched<ShowDetail>>,
    /// The show lives in the local store (its artist is followed, or the user goes to it or
    /// opened it), so voting, predicting and capturing work offline.
    pub in_scope: bool,
    #[serde(default)]
    pub going: GoingState,
    /// "Now playing", for a fan going to a show that is on or just over.
    #[serde(default)]
    pub live: Option<LiveView>,
    /// The crowd list kept beside an imported or hand-started actual list (empty otherwise).
    #[serde(default)]
    pub crowd: Listed,
    /// The show's pack, for a show the user goes to within two days.
    #[serde(default)]
    pub pack: Option<PackState>,
    pub location: Option<GeoPoint>,
    pub voting_open: bool,
    pub community: Vec<CommunityLine>,
    pub prediction: Listed,
    pub actual: Listed,
    pub catalogue: Vec<CatalogueSong>,
    pub leaderboard: Option<ShowLeaderboard>,
    /// Versions of the actual set-list, newest first (when the server answered).
    pub history: Vec<SetlistVersion>,
}

/// The artist page: the server's page plus whether the user follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistView {
    pub artist: Fetched<ArtistDetail>,
    pub followed: bool,
    /// The follow is saved on this device and not confirmed yet.
    pub follow_pending: bool,
}

/// Filters of the venue discovery page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VenueQuery {
    pub city: Option<String>,
    pub has_upcoming: bool,
    pub near: Option<GeoPoint>,
    /// Radius around `near` in kilometres.
    pub km: Option<f64>,
}

/// The shows page's filters (all optional): a date range, a city, an artist, a status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShowQuery {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub city: Option<String>,
    pub artist_id: Option<Uuid>,
    pub status: Option<crate::api::ShowStatus>,
    /// The next page (`Page::next_cursor` of the previous answer).
    pub cursor: Option<String>,
}

/// A show's discussion as the device shows it: the server's thread (or its kept copy) with this
/// device's unsent comments, edits and deletions on top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadView {
    pub show_id: Uuid,
    pub order: crate::api::CommentOrder,
    pub comments: Vec<CommentItem>,
    /// The server's count, or what the device knows.
    pub total: i64,
    /// The kept copy (no signal), or nothing from the server at all (`fetched_at` none).
    pub stale: bool,
    pub fetched_at: Option<DateTime<Utc>>,
}

/// One comment (with its replies, for a top-level one) as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentItem {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author: crate::api::CommentAuthor,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub hidden: bool,
    /// Written, edited or deleted on this device and not confirmed by the server yet.
    pub pending: bool,
    /// The user's own (may edit within ten minutes, delete).
    pub mine: bool,
    pub replies: Vec<CommentItem>,
}
