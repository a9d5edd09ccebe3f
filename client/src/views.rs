//! What the app's pages show, put together from the local store (the user's scope, with the
//! outbox laid over it) and the server's pages (kept on the device by `pages.rs`). Followed
//! artists' shows read the store first, so they work with no network at all.

use theset_shared::api::{
    ArtistDetail, CommunityList, Me, Prediction, SetlistKind, SetlistVersion, ShowDetail,
    ShowLeaderboard, ShowStatus, ShowSummary,
};
use theset_shared::ipc::{
    Account, ArtistView, CatalogueSong, CommunityLine, GeoPoint, Listed, ListedSong,
    RejectedChange, ShowView,
};
use theset_shared::sync::{Action, Outcome};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;
use crate::store::outbox::State;

impl Client {
    /// The signed-in account (from the server, or as last seen), `None` when signed out.
    pub async fn account(&self) -> Option<Account> {
        if !self.session.signed_in().await {
            return None;
        }
        let me = self.page::<Me>("/me", &[]).await.ok()?.data;
        Some(Account {
            id: me.id,
            email: me.email,
            display_name: me.display_name,
            role: me.role,
        })
    }

    /// Whether the user follows `artist` (and whether that is still only on this device).
    pub fn follows(&self, artist: Uuid) -> Result<Option<bool>, ClientError> {
        Ok(self
            .store
            .followed()?
            .into_iter()
            .find(|(id, _, _)| *id == artist)
            .map(|(_, _, pending)| pending))
    }

    /// Shows of the artists the user follows, as held on the device (recent past and upcoming),
    /// by date: the part of the app that works with no network at all.
    pub fn my_shows(&self) -> Result<Vec<ShowSummary>, ClientError> {
        let mut out = Vec::new();
        for (artist, _, _) in self.store.followed()? {
            out.extend(self.store.shows_of(artist)?.into_iter().map(|s| s.summary));
        }
        out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn artist_view(&self, slug: &str) -> Result<ArtistView, ClientError> {
        let artist = self
            .page::<ArtistDetail>(&format!("/artists/{slug}"), &[])
            .await?;
        let follow = self.follows(artist.data.summary.id)?;
        Ok(ArtistView {
            artist,
            followed: follow.is_some(),
            follow_pending: follow.unwrap_or(false),
        })
    }

    /// The show page. Followed shows come from the store (votes, prediction and set-list edits
    /// made offline included); other shows from the server or its kept copy.
    pub async fn show_view(&self, id: Uuid) -> Result<ShowView, ClientError> {
        let scoped = self.store.show(id)?;
        let detail = self.page::<ShowDetail>(&format!("/shows/{id}"), &[]).await;
        // A followed show answers from the store whatever the network does.
        let detail = match detail {
            Ok(d) => Some(d),
            Err(_) if scoped.is_some() => None,
            Err(e) => return Err(e),
        };
        let (summary, location) = match (&scoped, &detail) {
            (Some(s), _) => (
                s.summary.clone(),
                s.venue_lat
                    .zip(s.venue_lng)
                    .map(|(lat, lng)| GeoPoint { lat, lng }),
            ),
            (None, Some(d)) => (
                d.data.summary.clone(),
                d.data.venue_detail.as_ref().and_then(|v| {
                    v.latitude
                        .zip(v.longitude)
                        .map(|(lat, lng)| GeoPoint { lat, lng })
                }),
            ),
            (None, None) => return Err(ClientError::Decode("show without a page".into())),
        };
        let artist = summary.artist.id;
        let in_scope = scoped.is_some() && self.follows(artist)?.is_some();
        let voting_open = summary.status == ShowStatus::Upcoming
            && summary.starts_at.is_none_or(|t| t > chrono::Utc::now());

        let (community, prediction, actual, catalogue) = if in_scope {
            (
                self.store.community(id)?,
                self.store.prediction(id)?,
                self.store.actual(id)?,
                self.store
                    .catalogue(artist)?
                    .into_iter()
                    .map(|(id, title)| CatalogueSong { id, title })
                    .collect(),
            )
        } else {
            let community = self
                .page::<CommunityList>(&format!("/shows/{id}/community"), &[])
                .await
                .map(|c| c.data.songs.into_iter().map(community_line).collect())
                .unwrap_or_default();
            let prediction = if self.session.signed_in().await {
                self.page::<Prediction>(&format!("/shows/{id}/prediction"), &[])
                    .await
                    .map(|p| predicted(p.data))
                    .unwrap_or_default()
            } else {
                Listed::default()
            };
            let actual = detail
                .as_ref()
                .map(|d| actual_of(&d.data))
                .unwrap_or_default();
            (community, prediction, actual, Vec::new())
        };
        let leaderboard = self
            .page::<ShowLeaderboard>(&format!("/shows/{id}/leaderboard"), &[])
            .await
            .ok()
            .map(|l| l.data);
        let history = match actual.setlist_id {
            Some(sid) => self
                .page::<Vec<SetlistVersion>>(&format!("/setlists/{sid}/history"), &[])
                .await
                .map(|h| h.data)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(ShowView {
            summary,
            detail,
            in_scope,
            location,
            voting_open,
            community,
            prediction,
            actual,
            catalogue,
            leaderboard,
            history,
        })
    }

    /// Changes the server refused, with its reasons, for the status bar and the merge view.
    pub fn rejected_changes(&self) -> Result<Vec<RejectedChange>, ClientError> {
        let mut out = Vec::new();
        for e in self.store.outbox()? {
            if e.state != State::Rejected {
                continue;
            }
            let Some(Outcome::Rejected {
                code,
                message,
                current,
                ..
            }) = e.outcome
            else {
                continue;
            };
            let (what, show_id, setlist_id, mine) = match &e.mutation.action {
                Action::Vote(v) => ("Vote", v.show_id, None, None),
                Action::AddSong { show_id, .. } => ("Song added", Some(*show_id), None, None),
                Action::Predict { show_id, .. } => ("Prediction", Some(*show_id), None, None),
                Action::EditSetlist {
                    setlist_id, songs, ..
                } => (
                    "Set-list edit",
                    None,
                    Some(*setlist_id),
                    Some(songs.clone()),
                ),
                Action::Follow { .. } => ("Follow", None, None, None),
            };
            out.push(RejectedChange {
                id: e.mutation.id,
                what: what.to_owned(),
                show_id,
                setlist_id,
                code: code.to_string(),
                reason: message,
                mine,
                current: current.and_then(|c| serde_json::from_value(c).ok()),
            });
        }
        Ok(out)
    }
}

fn community_line(s: theset_shared::api::CommunitySong) -> CommunityLine {
    CommunityLine {
        line_id: Some(s.id),
        song_id: s.song_id,
        title: s.title,
        upvotes: s.upvotes,
        downvotes: s.downvotes,
        net_votes: s.net_votes,
        my_vote: s.my_vote.unwrap_or(0),
        pending: false,
    }
}

fn predicted(p: Prediction) -> Listed {
    Listed {
        setlist_id: None,
        version: 0,
        verified: false,
        songs: p
            .songs
            .into_iter()
            .map(|s| ListedSong {
                song_id: Some(s.song_id),
                title: s.title,
                set_name: if s.encore { "encore" } else { "main" }.to_owned(),
            })
            .collect(),
        pending: false,
    }
}

fn actual_of(d: &ShowDetail) -> Listed {
    d.setlists
        .iter()
        .find(|s| s.kind == SetlistKind::Actual)
        .map(|s| Listed {
            setlist_id: Some(s.id),
            version: s.version,
            verified: s.moderation_status == theset_shared::api::ModerationStatus::Verified,
            songs: s
                .songs
                .iter()
                .map(|l| ListedSong {
                    song_id: l.song_id,
                    title: l.title.clone(),
                    set_name: l.set_name.clone(),
                })
                .collect(),
            pending: false,
        })
        .unwrap_or_default()
}
