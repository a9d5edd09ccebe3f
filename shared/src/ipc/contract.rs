//! The app↔core contract: every operation the UI asks of the offline core, each one request type
//! (in [`req`]) with its response type, declared once in the table below.
//!
//! From the table come the [`Request`] enum that crosses the boundary (one Tauri command on
//! desktop, one message to the browser worker on the phone), the [`Op`] trait that tells the UI's
//! facade what each request answers, and the [`Core`] trait that answers them. An implementor of
//! `Core` that misses an operation, or answers it with another type, does not compile; neither
//! does a UI call whose answer is read as another type.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{AppStatus, ArtistView, CachedArtist, Fetched, IpcCode, IpcError, ShowView};
use crate::api::{
    ArtistSearchResults, AuditPage, Flag, ImportResponse, JobRef, Page, PublicProfile, SessionInfo,
    ShowSummary, VenueDetail, VenueSummary,
};

/// The name of the one command that carries every [`Request`] (Tauri's `invoke`).
pub const COMMAND: &str = "core";

/// A request of the contract: what it answers.
pub trait Op: Serialize + DeserializeOwned {
    type Response: Serialize + DeserializeOwned;

    fn into_request(self) -> Request;
}

/// An answer as JSON, the way the contract sends it.
pub fn to_json(v: &impl Serialize) -> Result<serde_json::Value, IpcError> {
    serde_json::to_value(v).map_err(|e| IpcError::new(IpcCode::Client, e.to_string()))
}

macro_rules! contract {
    ($( $(#[$doc:meta])* $variant:ident ($req:ident) -> $resp:ty => $method:ident; )+) => {
        /// Every request of the contract, as it crosses the boundary.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "args", rename_all = "snake_case")]
        pub enum Request {
            $( $(#[$doc])* $variant(req::$req), )+
        }

        impl Request {
            /// The operation's name (logs, tests).
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => stringify!($method), )+
                }
            }
        }

        $(
            impl Op for req::$req {
                type Response = $resp;

                fn into_request(self) -> Request {
                    Request::$variant(self)
                }
            }
        )+

        /// What answers the contract: the Tauri shell on desktop, the browser worker on the phone.
        #[allow(async_fn_in_trait)]
        pub trait Core {
            $( $(#[$doc])* async fn $method(&self, req: req::$req) -> Result<$resp, IpcError>; )+
        }

        /// Answers `request` with `core`, as JSON.
        pub async fn dispatch<C: Core>(
            core: &C,
            request: Request,
        ) -> Result<serde_json::Value, IpcError> {
            match request {
                $( Request::$variant(r) => to_json(&core.$method(r).await?), )+
            }
        }
    };
}

contract! {
    /// Artists held on this device (instant, offline).
    CachedArtists(CachedArtists) -> Vec<CachedArtist> => cached_artists;
    /// Connection, account, unsent changes and refusals.
    Status(Status) -> AppStatus => status;
    /// Sync now (the status answers at once; the sync runs behind it).
    SyncNow(SyncNow) -> AppStatus => sync_now;
    SignIn(SignIn) -> AppStatus => sign_in;
    /// Sign up, then sign in with the password (`IpcCode::CheckMail` when the address has an
    /// account already).
    SignUp(SignUp) -> AppStatus => sign_up;
    /// Google or Spotify in the system browser.
    SignInWith(SignInWith) -> AppStatus => sign_in_with;
    /// Google or Spotify in the web app: where to send the page (the provider), which comes
    /// back to `return_path` signed in by the server.
    WebSignIn(WebSignIn) -> req::WebSignInStarted => web_sign_in;
    /// The web app came back from such a sign-in: take the session the server set in this
    /// browser.
    WebSignedIn(WebSignedIn) -> AppStatus => web_signed_in;
    /// Mail a sign-in link.
    MagicLink(MagicLink) -> () => magic_link;
    /// Sign in with the mailed link or its code.
    MagicLinkConsume(MagicLinkConsume) -> AppStatus => magic_link_consume;
    /// Sign out; unsent changes are pushed first when the server can be reached.
    SignOut(SignOut) -> AppStatus => sign_out;
    /// Confirm the account's address with the mailed code or link.
    ConfirmEmail(ConfirmEmail) -> AppStatus => confirm_email;
    ResendConfirmation(ResendConfirmation) -> () => resend_confirmation;
    /// Give an account without an address (made through Spotify) one.
    AddEmail(AddEmail) -> () => add_email;
    /// Mail a link to choose a new password.
    ForgotPassword(ForgotPassword) -> () => forgot_password;
    /// Set a new password with the mailed link or its code (then sign in with it).
    ResetPassword(ResetPassword) -> () => reset_password;
    /// Change the password (the current one is asked for); other devices are signed out.
    ChangePassword(ChangePassword) -> () => change_password;
    Rename(Rename) -> AppStatus => rename;
    /// A new picture, as the file picker read it (a `data:` URL).
    UploadAvatar(UploadAvatar) -> AppStatus => upload_avatar;
    RemoveAvatar(RemoveAvatar) -> AppStatus => remove_avatar;
    /// Delete the account and everything it gave (votes, predictions, flags…); signs out here.
    DeleteAccount(DeleteAccount) -> AppStatus => delete_account;
    /// A fan's public page (the last copy with no signal).
    UserPage(UserPage) -> Fetched<crate::api::UserPage> => user_page;
    /// The all-time leaderboard (the last copy with no signal).
    Leaderboard(Leaderboard) -> Fetched<Vec<crate::api::LeaderboardEntry>> => leaderboard;
    Sessions(Sessions) -> Vec<SessionInfo> => sessions;
    RevokeSession(RevokeSession) -> () => revoke_session;
    /// Sign every other device out and stop the calendar address; this device stays signed in.
    SignOutElsewhere(SignOutElsewhere) -> () => sign_out_elsewhere;
    Home(Home) -> Fetched<crate::api::Home> => home;
    /// Followed artists' shows from the device (instant, offline).
    MyShows(MyShows) -> Vec<ShowSummary> => my_shows;
    /// The UI's first page is on screen (the cold-start benchmark reads it).
    FirstRender(FirstRender) -> () => first_render;
    /// Artist search on the server; with no network, the artists this device knows.
    Search(ArtistSearchQuery) -> Fetched<ArtistSearchResults> => search;
    /// Start (or join) an artist's import; its progress arrives as events.
    ImportArtist(ImportArtist) -> ImportResponse => import_artist;
    Artist(Artist) -> ArtistView => artist;
    Follow(Follow) -> AppStatus => follow;
    /// "I'm going" (or not any more), and whether the profile shows it.
    SetGoing(SetGoing) -> AppStatus => set_going;
    Show(Show) -> ShowView => show;
    /// "Now playing": the song being played now, by this device's clock.
    Capture(Capture) -> AppStatus => capture;
    UndoCapture(UndoCapture) -> AppStatus => undo_capture;
    /// Make the show's pack now ("Get ready for tonight").
    GetReady(GetReady) -> crate::ipc::PackState => get_ready;
    /// A new secret calendar address for the shows the user is going to (the old one stops).
    NewCalendarFeed(NewCalendarFeed) -> crate::api::CalendarFeed => new_calendar_feed;
    RevokeCalendarFeed(RevokeCalendarFeed) -> () => revoke_calendar_feed;
    /// Vote on a line the server knows (`line_id`), or on a song this device added.
    Vote(Vote) -> AppStatus => vote;
    AddSong(AddSong) -> AppStatus => add_song;
    /// One step of the prediction editor, applied to the prediction as the device holds it.
    EditPrediction(EditPrediction) -> AppStatus => edit_prediction;
    /// A correction of an actual set-list, based on the version the user saw.
    EditSetlist(EditSetlist) -> AppStatus => edit_setlist;
    /// Forget a refused change once read (or merged).
    DismissChange(DismissChange) -> AppStatus => dismiss_change;
    /// The text of a correction being typed, kept on the device.
    Draft(Draft) -> Option<String> => draft;
    SaveDraft(SaveDraft) -> () => save_draft;
    Venue(Venue) -> Fetched<VenueDetail> => venue;
    Venues(VenueQuery) -> Fetched<Page<VenueSummary>> => venues;
    /// Shows by date range, city, artist and status, soonest first.
    Shows(ShowQuery) -> Fetched<Page<ShowSummary>> => shows;
    /// Today's shows (the device's date) at venues within the radius; with no signal, the
    /// shows this device holds.
    TonightNear(TonightNear) -> Fetched<Vec<ShowSummary>> => tonight_near;
    Dashboard(Dashboard) -> Fetched<crate::api::Dashboard> => dashboard;
    /// The open flags (the last copy with no signal), less those resolved on this device.
    Flags(Flags) -> Vec<Flag> => flags;
    /// Resolve a flag (saved on the device, sent with the next sync).
    ResolveFlag(ResolveFlag) -> AppStatus => resolve_flag;
    /// Verify the version of an actual set-list the moderator sees (saved on the device; the
    /// server refuses it if the list moved on).
    VerifySetlist(VerifySetlist) -> AppStatus => verify_setlist;
    /// Reject the version of an actual set-list the moderator sees.
    RejectVersion(RejectVersion) -> AppStatus => reject_version;
    /// Start the actual set-list of a show that has none.
    StartSetlist(StartSetlist) -> AppStatus => start_setlist;
    /// A show's discussion (the kept copy with no signal, this device's unsent comments on top).
    Comments(Comments) -> crate::ipc::ThreadView => comments;
    /// Write a comment or a reply (saved on the device, sent with the next sync).
    AddComment(AddComment) -> AppStatus => add_comment;
    /// New text for one's own comment, within ten minutes of writing it.
    EditComment(EditComment) -> AppStatus => edit_comment;
    DeleteComment(DeleteComment) -> AppStatus => delete_comment;
    /// Moderators: hide or restore a comment.
    HideComment(HideComment) -> AppStatus => hide_comment;
    /// Open an `http(s)` link from a comment outside the app (the system browser on desktop).
    OpenLink(OpenLink) -> () => open_link;
    /// Where the app's own update stands (checked at start and daily).
    Updates(Updates) -> crate::ipc::UpdateState => updates;
    /// Install the verified update and restart; refused while changes wait to be sent.
    InstallUpdate(InstallUpdate) -> crate::ipc::UpdateState => install_update;
    /// The user's notifications, from the device (newest first).
    Notifications(Notifications) -> Vec<crate::api::Notification> => notifications;
    /// Mark notifications read (here at once; on every device after the next sync).
    MarkNotificationsRead(MarkNotificationsRead) -> AppStatus => mark_notifications_read;
    NotificationPrefs(NotificationPrefs) -> crate::api::NotificationPrefs => notification_prefs;
    SetNotificationPrefs(SetNotificationPrefs) -> crate::api::NotificationPrefs => set_notification_prefs;
    /// Moderators: accounts whose votes on a show look organised.
    VoteOversight(VoteOversight) -> crate::ipc::Fetched<crate::api::VoteOversight> => vote_oversight;
    /// Moderators: delete an account's votes on a show (the server recounts).
    VoidVotes(VoidVotes) -> crate::api::VotesVoided => void_votes;
    /// Follow the artists the user follows (and plays most) on Spotify, importing new ones.
    ImportSpotifyArtists(ImportSpotifyArtists) -> crate::api::LibraryImport => import_spotify_artists;
    /// Moderators: how an artist's Spotify and setlist.fm links were made.
    ArtistLinks(ArtistLinks) -> crate::ipc::Fetched<crate::api::ArtistLinks> => artist_links;
    /// Moderators: replace (or clear) a wrong link; the import phase it feeds runs again.
    SetArtistLink(SetArtistLink) -> crate::api::ArtistLinks => set_artist_link;
    /// Moderators: a title the catalogue lacks (a cover, a new song) on a community list.
    AddTitle(AddTitle) -> AppStatus => add_title;
    /// Moderators: another title of a catalogue song (a suggestion taken).
    AddAlias(AddAlias) -> crate::api::AliasAdded => add_alias;
    /// Report a set-list line or a whole list (saved on the device, sent with the next sync).
    RaiseFlag(RaiseFlag) -> AppStatus => raise_flag;
    /// Queue a job (admins); its progress arrives as events.
    StartJob(StartJob) -> JobRef => start_job;
    Audit(Audit) -> AuditPage => audit;
    SetRole(SetRole) -> PublicProfile => set_role;
    /// The web app's address of a show's page on this server (the QR code fans scan).
    ShowLink(ShowLink) -> String => show_link;
    /// The server this app talks to, and whether the user may change it.
    Server(Server) -> crate::ipc::ServerInfo => server;
    /// Point the app at another server (checked to be a TheSet server first); each server keeps
    /// its own store on the device, so switching back finds everything as it was.
    ChooseServer(ChooseServer) -> crate::ipc::ServerInfo => choose_server;
    /// Where the device is, from the OS (phone builds; the web app asks the browser itself).
    Locate(Locate) -> crate::ipc::GeoPoint => locate;
}

/// The request types, one per operation.
pub mod req {
    use serde::{Deserialize, Serialize};
    use uuid::Uuid;

    pub use crate::api::ArtistSearchQuery;
    use crate::api::{ActualLine, FlagAction, JobName, Role};
    use crate::ipc::PredictionEdit;
    pub use crate::ipc::{ShowQuery, VenueQuery};

    macro_rules! unit {
        ($($name:ident),+) => {$(
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
            pub struct $name {}
        )+};
    }

    unit!(
        CachedArtists,
        Updates,
        InstallUpdate,
        Status,
        SyncNow,
        SignOut,
        WebSignedIn,
        ResendConfirmation,
        Sessions,
        SignOutElsewhere,
        Home,
        MyShows,
        FirstRender,
        Dashboard,
        Flags,
        Audit,
        Server,
        Locate,
        NewCalendarFeed,
        RevokeCalendarFeed,
        RemoveAvatar,
        Leaderboard,
        Notifications,
        NotificationPrefs,
        ImportSpotifyArtists
    );

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct VoteOversight {
        pub show_id: Uuid,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct VoidVotes {
        pub user_id: Uuid,
        pub show_id: Uuid,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ArtistLinks {
        pub slug: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SetArtistLink {
        pub slug: String,
        pub service: crate::api::LinkService,
        /// `None`: the artist is not at that service.
        pub external_id: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AddTitle {
        pub show_id: Uuid,
        pub title: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AddAlias {
        pub song_id: Uuid,
        pub alias: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct MarkNotificationsRead {
        pub ids: Vec<Uuid>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SetNotificationPrefs {
        pub prefs: crate::api::NotificationPrefs,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Comments {
        pub show_id: Uuid,
        pub order: crate::api::CommentOrder,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AddComment {
        pub show_id: Uuid,
        /// The top-level comment this replies to.
        pub parent_id: Option<Uuid>,
        pub body: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct EditComment {
        pub comment_id: Uuid,
        pub body: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DeleteComment {
        pub comment_id: Uuid,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct HideComment {
        pub comment_id: Uuid,
        pub hidden: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct OpenLink {
        pub url: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ForgotPassword {
        pub email: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ResetPassword {
        /// The mailed link, or its code.
        pub link: String,
        pub new_password: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ChangePassword {
        pub current_password: String,
        pub new_password: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Rename {
        pub display_name: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UploadAvatar {
        /// `data:image/png;base64,…` (PNG, JPEG, WebP or GIF, at most 2 MB of image).
        pub data_url: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UserPage {
        pub id: Uuid,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RaiseFlag {
        /// The whole list, or (with `setlist_song_id`) none: a line implies its list.
        pub setlist_id: Option<Uuid>,
        pub setlist_song_id: Option<Uuid>,
        /// Or a comment, or a fan's profile.
        #[serde(default)]
        pub comment_id: Option<Uuid>,
        #[serde(default)]
        pub user_id: Option<Uuid>,
        pub reason: crate::api::FlagReason,
        pub note: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SetGoing {
        pub show_id: Uuid,
        pub going: bool,
        pub public: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Capture {
        pub show_id: Uuid,
        /// A catalogue song, or none with a typed `title`.
        pub song_id: Option<Uuid>,
        pub title: String,
        pub encore: bool,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UndoCapture {
        pub capture_id: Uuid,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct GetReady {
        pub show_id: Uuid,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ChooseServer {
        /// As typed: `https://theset.example.org`, `192.168.1.20:8080`.
        pub address: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SignIn {
        pub email: String,
        pub password: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SignUp {
        pub email: String,
        pub password: String,
        pub name: String,
    }

    /// The sign-in providers of the app.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Provider {
        Google,
        Spotify,
    }

    impl Provider {
        pub fn as_str(self) -> &'static str {
            match self {
                Self::Google => "google",
                Self::Spotify => "spotify",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SignInWith {
        pub provider: Provider,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
    pub struct TonightNear {
        pub near: crate::ipc::GeoPoint,
        /// Radius in kilometres.
        pub km: f64,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct WebSignIn {
        pub provider: Provider,
        /// The web app's page to come back to (`/app/…`).
        pub return_path: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct WebSignInStarted {
        /// The provider's page, for this tab to go to.
        pub authorize_url: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct MagicLink {
        pub email: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct MagicLinkConsume {
        /// The mailed link, or its code.
        pub link: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ConfirmEmail {
        /// The mailed code, or the link.
        pub code: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AddEmail {
        pub email: String,
        /// The account's password, when it has one (the server asks for it).
        #[serde(default)]
        pub current_password: Option<String>,
    }

    /// Deleting the account, with the proof the server asks for: the current password, or for
    /// an account without one the code it mailed on the first try.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DeleteAccount {
        #[serde(default)]
        pub current_password: Option<String>,
        #[serde(default)]
        pub code: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RevokeSession {
        pub id: Uuid,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ImportArtist {
        pub ticketmaster_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Artist {
        pub slug: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Follow {
        pub artist_id: Uuid,
        pub follow: bool,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Show {
        pub id: Uuid,
    }

    /// A vote on a line the server knows, or on a song added on this device and not confirmed
    /// yet (see [`crate::ipc::CommunityLine::vote_on`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Vote {
        pub on: crate::sync::VoteOn,
        pub value: crate::api::VoteValue,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AddSong {
        pub show_id: Uuid,
        pub song_id: Uuid,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct EditPrediction {
        pub show_id: Uuid,
        pub edit: PredictionEdit,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct EditSetlist {
        pub setlist_id: Uuid,
        pub base_version: i32,
        pub songs: Vec<ActualLine>,
        pub note: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DismissChange {
        pub id: Uuid,
    }

    /// A draft is kept per actual set-list.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Draft {
        pub setlist_id: Uuid,
    }

    /// `None` (or empty text) forgets the draft.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SaveDraft {
        pub setlist_id: Uuid,
        pub text: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Venue {
        pub id: Uuid,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ResolveFlag {
        pub id: Uuid,
        pub action: FlagAction,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct VerifySetlist {
        pub setlist_id: Uuid,
        pub version: i32,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RejectVersion {
        pub setlist_id: Uuid,
        pub version: i32,
        pub reason: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct StartSetlist {
        pub show_id: Uuid,
        pub songs: Vec<ActualLine>,
        pub note: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct StartJob {
        pub job: JobName,
        pub artist_id: Option<Uuid>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SetRole {
        pub user_id: Uuid,
        pub role: Role,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ShowLink {
        pub show: Uuid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ArtistSearchQuery, Dashboard, Home};
    use crate::ipc::VenueQuery;

    /// Requests cross the boundary as `{ "op": …, "args": … }`, named after their method.
    #[test]
    fn requests_are_tagged_by_operation() {
        let v = serde_json::to_value(
            req::Vote {
                on: crate::sync::VoteOn::Line(uuid::Uuid::nil()),
                value: crate::api::VoteValue::Up,
            }
            .into_request(),
        )
        .expect("json");
        assert_eq!(v["op"], "vote");
        assert_eq!(v["args"]["value"], 1);
        let back: Request = serde_json::from_value(v).expect("back");
        assert_eq!(back.name(), "vote");
        let unit = serde_json::to_value(req::Status {}.into_request()).expect("json");
        assert_eq!(unit, serde_json::json!({ "op": "status", "args": {} }));
        assert!(
            serde_json::from_value::<Request>(
                serde_json::json!({ "op": "drop_tables", "args": {} })
            )
            .is_err()
        );
    }

    /// A core that answers from fixed values, to show `dispatch` routes by type.
    struct Fixed;

    impl Core for Fixed {
        async fn cached_artists(
            &self,
            _: req::CachedArtists,
        ) -> Result<Vec<CachedArtist>, IpcError> {
            Ok(Vec::new())
        }
        async fn status(&self, _: req::Status) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn sync_now(&self, _: req::SyncNow) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn sign_in(&self, _: req::SignIn) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn sign_up(&self, _: req::SignUp) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::CheckMail, "fixed"))
        }
        async fn sign_in_with(&self, _: req::SignInWith) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn web_sign_in(&self, _: req::WebSignIn) -> Result<req::WebSignInStarted, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn web_signed_in(&self, _: req::WebSignedIn) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn magic_link(&self, _: req::MagicLink) -> Result<(), IpcError> {
            Ok(())
        }
        async fn magic_link_consume(
            &self,
            _: req::MagicLinkConsume,
        ) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn sign_out(&self, _: req::SignOut) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn confirm_email(&self, _: req::ConfirmEmail) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn resend_confirmation(&self, _: req::ResendConfirmation) -> Result<(), IpcError> {
            Ok(())
        }
        async fn add_email(&self, _: req::AddEmail) -> Result<(), IpcError> {
            Ok(())
        }
        async fn sessions(&self, _: req::Sessions) -> Result<Vec<SessionInfo>, IpcError> {
            Ok(Vec::new())
        }
        async fn revoke_session(&self, _: req::RevokeSession) -> Result<(), IpcError> {
            Ok(())
        }
        async fn sign_out_elsewhere(&self, _: req::SignOutElsewhere) -> Result<(), IpcError> {
            Ok(())
        }
        async fn home(&self, _: req::Home) -> Result<Fetched<Home>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn my_shows(&self, _: req::MyShows) -> Result<Vec<ShowSummary>, IpcError> {
            Ok(Vec::new())
        }
        async fn first_render(&self, _: req::FirstRender) -> Result<(), IpcError> {
            Ok(())
        }
        async fn search(
            &self,
            _: ArtistSearchQuery,
        ) -> Result<Fetched<ArtistSearchResults>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn import_artist(&self, _: req::ImportArtist) -> Result<ImportResponse, IpcError> {
            Err(IpcError::new(IpcCode::SignedOut, "fixed"))
        }
        async fn artist(&self, _: req::Artist) -> Result<ArtistView, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn follow(&self, _: req::Follow) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn show(&self, _: req::Show) -> Result<ShowView, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn set_going(&self, _: req::SetGoing) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn capture(&self, _: req::Capture) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn undo_capture(&self, _: req::UndoCapture) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn get_ready(&self, _: req::GetReady) -> Result<crate::ipc::PackState, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn new_calendar_feed(
            &self,
            _: req::NewCalendarFeed,
        ) -> Result<crate::api::CalendarFeed, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn revoke_calendar_feed(&self, _: req::RevokeCalendarFeed) -> Result<(), IpcError> {
            Ok(())
        }
        async fn vote(&self, _: req::Vote) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Invalid, "fixed"))
        }
        async fn add_song(&self, _: req::AddSong) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn edit_prediction(&self, _: req::EditPrediction) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn edit_setlist(&self, _: req::EditSetlist) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn dismiss_change(&self, _: req::DismissChange) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn draft(&self, _: req::Draft) -> Result<Option<String>, IpcError> {
            Ok(Some("kept".into()))
        }
        async fn save_draft(&self, _: req::SaveDraft) -> Result<(), IpcError> {
            Ok(())
        }
        async fn venue(&self, _: req::Venue) -> Result<Fetched<VenueDetail>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn venues(&self, _: VenueQuery) -> Result<Fetched<Page<VenueSummary>>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn shows(
            &self,
            _: crate::ipc::ShowQuery,
        ) -> Result<Fetched<Page<ShowSummary>>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn tonight_near(
            &self,
            _: req::TonightNear,
        ) -> Result<Fetched<Vec<ShowSummary>>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn dashboard(&self, _: req::Dashboard) -> Result<Fetched<Dashboard>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn flags(&self, _: req::Flags) -> Result<Vec<Flag>, IpcError> {
            Ok(Vec::new())
        }
        async fn resolve_flag(&self, _: req::ResolveFlag) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn verify_setlist(&self, _: req::VerifySetlist) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn reject_version(&self, _: req::RejectVersion) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn start_setlist(&self, _: req::StartSetlist) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn start_job(&self, _: req::StartJob) -> Result<JobRef, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn audit(&self, _: req::Audit) -> Result<AuditPage, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn set_role(&self, _: req::SetRole) -> Result<PublicProfile, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn show_link(&self, _: req::ShowLink) -> Result<String, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn server(&self, _: req::Server) -> Result<crate::ipc::ServerInfo, IpcError> {
            Err(IpcError::new(IpcCode::NoServer, "fixed"))
        }
        async fn choose_server(
            &self,
            _: req::ChooseServer,
        ) -> Result<crate::ipc::ServerInfo, IpcError> {
            Err(IpcError::new(IpcCode::Invalid, "fixed"))
        }
        async fn locate(&self, _: req::Locate) -> Result<crate::ipc::GeoPoint, IpcError> {
            Err(IpcError::new(IpcCode::NoLocation, "fixed"))
        }
        async fn forgot_password(&self, _: req::ForgotPassword) -> Result<(), IpcError> {
            Ok(())
        }
        async fn reset_password(&self, _: req::ResetPassword) -> Result<(), IpcError> {
            Ok(())
        }
        async fn change_password(&self, _: req::ChangePassword) -> Result<(), IpcError> {
            Ok(())
        }
        async fn rename(&self, _: req::Rename) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn upload_avatar(&self, _: req::UploadAvatar) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn remove_avatar(&self, _: req::RemoveAvatar) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn delete_account(&self, _: req::DeleteAccount) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn user_page(
            &self,
            _: req::UserPage,
        ) -> Result<Fetched<crate::api::UserPage>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn leaderboard(
            &self,
            _: req::Leaderboard,
        ) -> Result<Fetched<Vec<crate::api::LeaderboardEntry>>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn raise_flag(&self, _: req::RaiseFlag) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn comments(&self, _: req::Comments) -> Result<crate::ipc::ThreadView, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn add_comment(&self, _: req::AddComment) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn edit_comment(&self, _: req::EditComment) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn delete_comment(&self, _: req::DeleteComment) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn hide_comment(&self, _: req::HideComment) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn open_link(&self, _: req::OpenLink) -> Result<(), IpcError> {
            Ok(())
        }
        async fn updates(&self, _: req::Updates) -> Result<crate::ipc::UpdateState, IpcError> {
            Ok(crate::ipc::UpdateState::Off)
        }
        async fn install_update(
            &self,
            _: req::InstallUpdate,
        ) -> Result<crate::ipc::UpdateState, IpcError> {
            Err(IpcError::new(IpcCode::Invalid, "fixed"))
        }
        async fn vote_oversight(
            &self,
            _: req::VoteOversight,
        ) -> Result<crate::ipc::Fetched<crate::api::VoteOversight>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn void_votes(&self, _: req::VoidVotes) -> Result<crate::api::VotesVoided, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn import_spotify_artists(
            &self,
            _: req::ImportSpotifyArtists,
        ) -> Result<crate::api::LibraryImport, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn artist_links(
            &self,
            _: req::ArtistLinks,
        ) -> Result<crate::ipc::Fetched<crate::api::ArtistLinks>, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn set_artist_link(
            &self,
            _: req::SetArtistLink,
        ) -> Result<crate::api::ArtistLinks, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn add_title(&self, _: req::AddTitle) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn add_alias(&self, _: req::AddAlias) -> Result<crate::api::AliasAdded, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn notifications(
            &self,
            _: req::Notifications,
        ) -> Result<Vec<crate::api::Notification>, IpcError> {
            Ok(Vec::new())
        }
        async fn mark_notifications_read(
            &self,
            _: req::MarkNotificationsRead,
        ) -> Result<AppStatus, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn notification_prefs(
            &self,
            _: req::NotificationPrefs,
        ) -> Result<crate::api::NotificationPrefs, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
        async fn set_notification_prefs(
            &self,
            _: req::SetNotificationPrefs,
        ) -> Result<crate::api::NotificationPrefs, IpcError> {
            Err(IpcError::new(IpcCode::Offline, "fixed"))
        }
    }

    #[test]
    fn dispatch_answers_each_request_with_its_own_method() {
        let run = |r: Request| futures_lite(dispatch(&Fixed, r));
        let draft = run(req::Draft {
            setlist_id: uuid::Uuid::nil(),
        }
        .into_request())
        .expect("draft");
        assert_eq!(
            serde_json::from_value::<<req::Draft as Op>::Response>(draft).expect("typed"),
            Some("kept".to_owned())
        );
        let err = run(req::SignUp {
            email: "a@b.c".into(),
            password: "p".into(),
            name: "n".into(),
        }
        .into_request())
        .expect_err("check mail");
        assert_eq!(err.code, IpcCode::CheckMail);
        assert_eq!(
            IpcCode::Server(crate::ErrorCode::EmailUnverified).to_string(),
            "email_unverified"
        );
        assert_eq!(IpcCode::CheckMail.to_string(), "check_mail");
    }

    /// Polls a future that never waits (the fixed core) to its end.
    fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}
