//! What the app's pages show, put together from the local store (the user's scope, with the
//! outbox laid over it) and the server's pages (kept on the device by `pages.rs`). Followed
//! artists' shows read the store first, so they work with no network at all.

use theset_shared::api::{
    ArtistDetail, CommunityList, Me, Prediction, SetlistKind, SetlistVersion, ShowDetail,
    ShowLeaderboard, ShowStatus, ShowSummary,
};
use theset_shared::crowd::{self, Capturable};
use theset_shared::ipc::{
    Account, ArtistView, CapturedSong, CatalogueSong, CommunityLine, GeoPoint, GoingState, Listed,
    ListedSong, LiveView, RejectedChange, ShowView,
};
use theset_shared::sync::{Action, Outcome};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;
use crate::store::outbox::State;

/// Followed artists' pages fetched per sync round at most (the rest in later rounds).
const FOLLOWED_PAGES_PER_ROUND: usize = 5;

impl Client {
    /// The signed-in account (from the server, or as last seen), `None` when signed out.
    pub async fn account(&self) -> Option<Account> {
        if !self.session.signed_in().await {
            return None;
        }
        let me = self.page::<Me>("/me", &[]).await.ok()?.data;
        Some(self.account_of(me))
    }

    /// The account as the app shows it, from the server's answer.
    pub fn account_of(&self, me: Me) -> Account {
        Account {
            id: me.id,
            email: me.email,
            email_verified: me.email_verified,
            display_name: me.display_name,
            role: me.role,
            avatar_url: me.avatar_url.map(|u| self.absolute(&u)),
        }
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

    /// Shows of the artists the user follows and the shows the user is going to, as held on the
    /// device (recent past and upcoming), by date: the part of the app that works with no network
    /// at all.
    pub fn my_shows(&self) -> Result<Vec<ShowSummary>, ClientError> {
        let mut out = Vec::new();
        for (artist, _, _) in self.store.followed()? {
            out.extend(self.store.shows_of(artist)?.into_iter().map(|s| s.summary));
        }
        for show in self.store.going_shows()? {
            if let Some(s) = self.store.show(show)? {
                out.push(s.summary);
            }
        }
        out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        out.dedup_by_key(|s| s.id);
        Ok(out)
    }

    /// Whether `artist`'s rows are on the device for the user: followed, or a show of theirs kept.
    fn holds_artist(&self, artist: Uuid) -> Result<bool, ClientError> {
        Ok(self.follows(artist)?.is_some() || self.store.attending_artists()?.contains(&artist))
    }

    /// Keeps the pages of followed artists (biography, shows, catalogue, trending songs) on the
    /// device, so they open with no signal even if never visited here (an artist followed on
    /// another device, or brought from Spotify): a few per round, each at most daily. Answers
    /// how many were fetched.
    pub async fn keep_followed_artists(&self) -> Result<usize, ClientError> {
        let now = chrono::Utc::now();
        let mut fetched = 0;
        for (id, _, _) in self.store.followed()? {
            if fetched >= FOLLOWED_PAGES_PER_ROUND {
                break;
            }
            let Some(slug) = self.store.artist_slug(id)? else {
                continue;
            };
            let key = format!("/artists/{slug}");
            let due = self
                .store
                .kept_at(&key)?
                .is_none_or(|at| now - at > chrono::Duration::hours(24));
            if due {
                let page = self.page::<ArtistDetail>(&key, &[]).await?;
                if page.stale {
                    // No signal after all: the rest waits for the next round.
                    break;
                }
                fetched += 1;
            }
        }
        Ok(fetched)
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

    /// The show page. Shows in the scope (followed artist, going, opened before) come from the
    /// store (votes, prediction, set-list edits and captures made offline included); other shows
    /// from the server or its kept copy — and opening one asks for it to be kept, so it is in the
    /// store from the next sync on. The server's pages are asked side by side, so a dead network
    /// costs one page budget, not one per part.
    pub async fn show_view(&self, id: Uuid) -> Result<ShowView, ClientError> {
        let scoped = self.store.show(id)?;
        let followed = match &scoped {
            Some(s) => self.holds_artist(s.summary.artist.id)?,
            None => false,
        };
        let attendance = self.store.attendance(id)?;
        let (detail_path, board_path, community_path, prediction_path) = (
            format!("/shows/{id}"),
            format!("/shows/{id}/leaderboard"),
            format!("/shows/{id}/community"),
            format!("/shows/{id}/prediction"),
        );
        let detail_page = self.page::<ShowDetail>(&detail_path, &[]);
        let board_page = self.page::<ShowLeaderboard>(&board_path, &[]);
        let (
            detail,
            leaderboard,
            in_scope,
            location,
            summary,
            community,
            prediction,
            actual,
            crowd,
            catalogue,
            history,
        );
        match scoped {
            Some(s) if followed => {
                let artist = s.summary.artist.id;
                let listed = self.store.actual(id)?;
                let (d, b, h) =
                    futures::join!(detail_page, board_page, self.history(listed.setlist_id));
                // A followed show answers from the store whatever the network does.
                detail = d.ok();
                leaderboard = b.ok().map(|l| l.data);
                history = h;
                in_scope = true;
                location = s
                    .venue_lat
                    .zip(s.venue_lng)
                    .map(|(lat, lng)| GeoPoint { lat, lng });
                summary = s.summary;
                community = self.store.community(id)?;
                prediction = self.store.prediction(id)?;
                actual = listed;
                crowd = self.store.crowd(id)?;
                catalogue = self
                    .store
                    .catalogue(artist)?
                    .into_iter()
                    .map(|(id, title)| CatalogueSong { id, title })
                    .collect();
            }
            _ => {
                let signed_in = self.session.signed_in().await;
                let mine = async {
                    if signed_in {
                        self.page::<Prediction>(&prediction_path, &[])
                            .await
                            .map(|p| predicted(p.data))
                            .unwrap_or_default()
                    } else {
                        Listed::default()
                    }
                };
                // The catalogue, from the show's likely songs (every song of it): what moderators
                // match a list's titles against before the show is kept. Not kept as the likely
                // page: "Now playing" orders its taps by a likely page the show's pack keeps.
                let likely_path = format!("/shows/{id}/likely");
                let likely_call = async {
                    crate::rt::timeout(
                        std::time::Duration::from_secs(4),
                        self.api.call::<Vec<theset_shared::api::LikelySong>>(
                            reqwest::Method::GET,
                            &likely_path,
                            &[],
                            None,
                            None,
                        ),
                    )
                    .await
                    .map_err(|_| ClientError::Timeout)
                    .and_then(|r| r)
                };
                let (d, b, c, p, likely) = futures::join!(
                    detail_page,
                    board_page,
                    self.page::<CommunityList>(&community_path, &[]),
                    mine,
                    likely_call
                );
                let d = d?;
                actual = list_of(&d.data, SetlistKind::Actual);
                crowd = list_of(&d.data, SetlistKind::Crowd);
                history = self.history(actual.setlist_id).await;
                location = d.data.venue_detail.as_ref().and_then(|v| {
                    v.latitude
                        .zip(v.longitude)
                        .map(|(lat, lng)| GeoPoint { lat, lng })
                });
                summary = d.data.summary.clone();
                // Opened while signed in: kept on the device from the next sync on (shows more
                // than a day past are not kept, so they are not asked for).
                if signed_in
                    && summary.date >= chrono::Utc::now().date_naive() - chrono::Days::new(1)
                {
                    self.keep_show(id)?;
                }
                detail = Some(d);
                leaderboard = b.ok().map(|l| l.data);
                in_scope = false;
                community = c
                    .map(|c| c.data.songs.into_iter().map(community_line).collect())
                    .unwrap_or_default();
                prediction = p;
                catalogue = likely
                    .map(|l| -> Vec<CatalogueSong> {
                        l.into_iter()
                            .map(|s| CatalogueSong {
                                id: s.song_id,
                                title: s.title,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
            }
        }
        // The server decides (`db::community::window`); this is the device's copy of the rule.
        let voting_open = summary.status == ShowStatus::Postponed
            || (summary.status.ahead() && summary.starts_at.is_none_or(|t| t > chrono::Utc::now()));
        let going = GoingState {
            going: attendance.going,
            public: attendance.public,
            pending: attendance.pending,
        };
        let live = self.live_view(&summary, &going, &community, &catalogue)?;
        let pack = if going.going {
            self.store.pack(id)?
        } else {
            None
        };
        let leaderboard = leaderboard.map(|mut board: ShowLeaderboard| {
            self.absolute_avatars(&mut board.entries);
            board
        });
        Ok(ShowView {
            pack,
            summary,
            detail,
            in_scope,
            going,
            live,
            crowd,
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

    /// "Now playing" for a fan going to the show: open while the show is on by this device's
    /// clock, and shown until a day after so captures can be read back.
    fn live_view(
        &self,
        show: &ShowSummary,
        going: &GoingState,
        community: &[CommunityLine],
        catalogue: &[CatalogueSong],
    ) -> Result<Option<LiveView>, ClientError> {
        let now = chrono::Utc::now();
        let mine = self.store.captures(show.id)?;
        if !going.going && mine.is_empty() {
            return Ok(None);
        }
        let open = crowd::accepts_capture(show.starts_at, show.date, now) == Capturable::Yes
            && !matches!(show.status, ShowStatus::Cancelled | ShowStatus::Postponed);
        let (_, ends) = crowd::on_stage(show.starts_at, show.date);
        if !open && mine.is_empty() && (now < ends || now > ends + chrono::Duration::days(1)) {
            return Ok(None);
        }
        // The likely songs (kept with the show's pack), then the community's list, then the rest.
        let likely: Vec<theset_shared::api::LikelySong> = self
            .store
            .kept(&format!("/shows/{}/likely", show.id))?
            .unwrap_or_default();
        let mut picks: Vec<CatalogueSong> = likely
            .into_iter()
            .map(|l| CatalogueSong {
                id: l.song_id,
                title: l.title,
            })
            .collect();
        for l in community {
            if let Some(id) = l.song_id
                && !picks.iter().any(|p| p.id == id)
            {
                picks.push(CatalogueSong {
                    id,
                    title: l.title.clone(),
                });
            }
        }
        for song in catalogue {
            if !picks.iter().any(|p| p.id == song.id) {
                picks.push(song.clone());
            }
        }
        let unsent: std::collections::HashSet<Uuid> = self
            .store
            .pending(usize::MAX)?
            .into_iter()
            .filter_map(|m| match m.action {
                Action::Capture(c) => Some(c.capture_id),
                _ => None,
            })
            .collect();
        let undo = chrono::Duration::seconds(crowd::UNDO_SECONDS);
        let captured = mine
            .into_iter()
            .rev()
            .filter(|c| !c.undone)
            .map(|c| CapturedSong {
                capture_id: c.action.capture_id,
                song_id: c.action.song_id,
                pending: unsent.contains(&c.action.capture_id),
                undo_until: (now - c.action.at < undo).then_some(c.action.at + undo),
                title: c.action.title,
                at: c.action.at,
                encore: c.action.encore,
            })
            .collect();
        Ok(Some(LiveView {
            open,
            picks,
            captured,
        }))
    }

    /// The newest versions of an actual set-list (the server's first page), newest first;
    /// empty when unknown or unreachable.
    async fn history(&self, setlist: Option<Uuid>) -> Vec<SetlistVersion> {
        match setlist {
            Some(sid) => self
                .page::<theset_shared::api::Page<SetlistVersion>>(
                    &format!("/setlists/{sid}/history"),
                    &[],
                )
                .await
                .map(|h| h.data.items)
                .unwrap_or_default(),
            None => Vec::new(),
        }
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
                Action::Vote(v) => ("Vote", v.on.show_id(), None, None),
                Action::AddSong { show_id, .. } | Action::AddTitle { show_id, .. } => {
                    ("Song added", Some(*show_id), None, None)
                }
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
                Action::Attend { show_id, .. } => ("Going", Some(*show_id), None, None),
                Action::Keep { show_id } => ("Keeping the show", Some(*show_id), None, None),
                Action::Capture(c) => ("Now playing", Some(c.show_id), None, None),
                Action::Uncapture { .. } => ("Undo", None, None, None),
                // Someone else started the list first: the merge view offers mine on top of it.
                Action::StartSetlist { show_id, songs, .. } => (
                    "Set-list started",
                    Some(*show_id),
                    current
                        .as_ref()
                        .and_then(|c| c.get("setlist_id")?.as_str()?.parse().ok()),
                    Some(songs.clone()),
                ),
                Action::VerifySetlist { setlist_id, .. } => {
                    ("Verification", None, Some(*setlist_id), None)
                }
                Action::RejectVersion { setlist_id, .. } => {
                    ("Rejection", None, Some(*setlist_id), None)
                }
                Action::ResolveFlag { .. } => ("Flag resolution", None, None, None),
                Action::RaiseFlag(_) => ("Report", None, None, None),
                Action::Comment { show_id, .. } => ("Comment", Some(*show_id), None, None),
                Action::EditComment { .. } => ("Comment edit", None, None, None),
                Action::DeleteComment { .. } => ("Comment deletion", None, None, None),
                Action::HideComment { .. } => ("Comment moderation", None, None, None),
                Action::ReadNotifications { .. } => ("Notifications read", None, None, None),
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
        crowd: false,
    }
}

fn list_of(d: &ShowDetail, kind: SetlistKind) -> Listed {
    d.setlists
        .iter()
        .find(|s| s.kind == kind)
        .map(|s| Listed {
            crowd: s.source == theset_shared::api::SetlistSource::Crowd,
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
