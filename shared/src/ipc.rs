//! Messages between the Dioxus UI (wasm in the webview) and the Tauri shell.
//!
//! The UI never sees tokens or URLs of the backend: it asks the shell by command name and gets
//! these types back, read from the local store, or from the server with the last copy kept on
//! the device when the server cannot be reached.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{
    ActualLine, ArtistDetail, Role, SetlistVersion, ShowDetail, ShowLeaderboard, ShowSummary,
};

/// Names of the Tauri commands and events, so UI and shell cannot drift apart.
pub mod commands {
    pub const LIST_CACHED_ARTISTS: &str = "list_cached_artists";
    pub const SYNC_ARTISTS: &str = "sync_artists";
    pub const STATUS: &str = "status";
    pub const SYNC_NOW: &str = "sync_now";
    pub const SIGN_IN: &str = "sign_in";
    pub const SIGN_UP: &str = "sign_up";
    pub const SIGN_IN_WITH: &str = "sign_in_with";
    pub const MAGIC_LINK: &str = "magic_link";
    pub const MAGIC_LINK_CONSUME: &str = "magic_link_consume";
    pub const SIGN_OUT: &str = "sign_out";
    pub const CONFIRM_EMAIL: &str = "confirm_email";
    pub const RESEND_CONFIRMATION: &str = "resend_confirmation";
    pub const ADD_EMAIL: &str = "add_email";
    pub const HOME: &str = "home";
    pub const MY_SHOWS: &str = "my_shows";
    pub const FIRST_RENDER: &str = "first_render";
    pub const SEARCH: &str = "search";
    pub const IMPORT: &str = "import_artist";
    pub const ARTIST: &str = "artist";
    pub const FOLLOW: &str = "follow";
    pub const SHOW: &str = "show";
    pub const VOTE: &str = "vote";
    pub const ADD_SONG: &str = "add_song";
    pub const EDIT_PREDICTION: &str = "edit_prediction";
    pub const EDIT_SETLIST: &str = "edit_setlist";
    pub const DISMISS: &str = "dismiss_change";
    pub const VENUE: &str = "venue";
    pub const VENUES: &str = "venues";
    pub const DASHBOARD: &str = "dashboard";
    pub const SESSIONS: &str = "sessions";
    pub const REVOKE_SESSION: &str = "revoke_session";
    pub const FLAGS: &str = "flags";
    pub const RESOLVE_FLAG: &str = "resolve_flag";
    pub const VERIFY: &str = "verify_setlist";
    pub const START_JOB: &str = "start_job";
    pub const AUDIT: &str = "audit";
    pub const SET_ROLE: &str = "set_role";
}

/// Events the shell emits to the webview.
pub mod events {
    /// [`super::AppStatus`]: connection, pending changes, refusals.
    pub const STATUS: &str = "theset://status";
    /// `()`: the local store changed (a pull brought rows): pages re-read what they show.
    pub const STORE_CHANGED: &str = "theset://store-changed";
    /// [`crate::api::JobEvent`]: progress of an import or a job the user started.
    pub const PROGRESS: &str = "theset://progress";
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
    pub code: String,
    pub message: String,
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

/// Connection, account and outbox at a glance (the status bar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppStatus {
    pub connection: Connection,
    pub account: Option<Account>,
    /// Changes saved on this device that the server has not confirmed yet.
    pub pending: usize,
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
    /// The artist is followed: the show lives in the local store, so voting and predicting work
    /// offline.
    pub in_scope: bool,
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
    pub min_capacity: Option<i32>,
    pub has_upcoming: bool,
    pub near: Option<GeoPoint>,
    /// Radius around `near` in kilometres.
    pub km: Option<f64>,
}

/// One step of editing a prediction, applied by the shell to the prediction as the device holds
/// it at that moment (so quick successive steps never work on a stale copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PredictionEdit {
    Add {
        song_id: Uuid,
    },
    Remove {
        song_id: Uuid,
    },
    /// To position `to` (0-based) of the list as it is.
    Move {
        song_id: Uuid,
        to: usize,
    },
    Encore {
        song_id: Uuid,
        encore: bool,
    },
}

/// A song of a prediction being edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub song_id: Uuid,
    pub encore: bool,
}

impl PredictionEdit {
    /// The list after this step: main set first, then the encore, each keeping its order. A
    /// moved song takes the set of the song whose place it takes. Unknown songs change nothing.
    pub fn apply(&self, list: &[Pick]) -> Vec<Pick> {
        let mut out = list.to_vec();
        let at = |l: &[Pick], id: Uuid| l.iter().position(|p| p.song_id == id);
        match *self {
            Self::Add { song_id } => {
                if at(&out, song_id).is_none() {
                    out.push(Pick {
                        song_id,
                        encore: false,
                    });
                }
            }
            Self::Remove { song_id } => out.retain(|p| p.song_id != song_id),
            Self::Move { song_id, to } => {
                if let Some(from) = at(&out, song_id)
                    && to < out.len()
                    && from != to
                {
                    let target_encore = out[to].encore;
                    let mut item = out.remove(from);
                    item.encore = target_encore;
                    out.insert(to, item);
                }
            }
            Self::Encore { song_id, encore } => {
                if let Some(i) = at(&out, song_id) {
                    out[i].encore = encore;
                }
            }
        }
        let (main, encore): (Vec<Pick>, Vec<Pick>) = out.into_iter().partition(|p| !p.encore);
        main.into_iter().chain(encore).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    fn picks(spec: &[(usize, bool)], ids: &[Uuid]) -> Vec<Pick> {
        spec.iter()
            .map(|&(i, encore)| Pick {
                song_id: ids[i],
                encore,
            })
            .collect()
    }

    #[test]
    fn moving_onto_the_encore_joins_it() {
        let id = ids(3);
        let l = picks(&[(0, false), (1, false), (2, true)], &id);
        let moved = PredictionEdit::Move {
            song_id: id[0],
            to: 2,
        }
        .apply(&l);
        assert_eq!(moved, picks(&[(1, false), (2, true), (0, true)], &id));
        let up = PredictionEdit::Move {
            song_id: id[1],
            to: 0,
        }
        .apply(&l);
        assert_eq!(up, picks(&[(1, false), (0, false), (2, true)], &id));
        let twice = PredictionEdit::Add { song_id: id[0] }.apply(&l);
        assert_eq!(twice, l, "a song is in a prediction once");
    }

    fn edit(n: usize) -> impl Strategy<Value = PredictionEdit> {
        let id = move || (0..n).prop_map(|i| Uuid::from_u128(i as u128 + 1));
        prop_oneof![
            id().prop_map(|song_id| PredictionEdit::Add { song_id }),
            id().prop_map(|song_id| PredictionEdit::Remove { song_id }),
            (id(), 0..n).prop_map(|(song_id, to)| PredictionEdit::Move { song_id, to }),
            (id(), any::<bool>())
                .prop_map(|(song_id, encore)| PredictionEdit::Encore { song_id, encore }),
        ]
    }

    proptest! {
        #[test]
        fn any_edits_keep_songs_unique_and_the_encore_last(
            steps in proptest::collection::vec(edit(8), 0..40),
        ) {
            let mut list: Vec<Pick> = Vec::new();
            for s in &steps {
                list = s.apply(&list);
                let mut seen: Vec<Uuid> = list.iter().map(|p| p.song_id).collect();
                seen.sort();
                seen.dedup();
                prop_assert_eq!(seen.len(), list.len());
                prop_assert!(list.windows(2).all(|w| !w[0].encore || w[1].encore));
            }
        }
    }
}
