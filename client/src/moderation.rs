//! Moderator and admin operations. Decisions on set-lists and flags are queued like any change
//! (each carries the version the moderator looked at, so the server refuses it if the list moved
//! on) and the flag queue is kept on the device, so a moderator works through it offline. Jobs,
//! roles and the audit log need the server's answer: offline they fail and say so.

use reqwest::Method;
use theset_shared::api::{
    AuditPage, Flag, FlagAction, JobEvent, JobName, JobRef, PublicProfile, Role, RoleUpdate,
    StartJob,
};
use theset_shared::sync::{Action, Mutation};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

impl Client {
    /// The open flags, one row per flagged line or list: the server's queue (its last copy with
    /// no signal, with each flagged list's history fetched beside it so it is on the device
    /// too), less the flags resolved on this device and not sent yet.
    pub async fn flags(&self) -> Result<Vec<Flag>, ClientError> {
        let queue = self.page::<Vec<Flag>>("/moderation/flags", &[]).await?;
        if !queue.stale {
            let lists: std::collections::BTreeSet<Uuid> =
                queue.data.iter().filter_map(|f| f.setlist_id).collect();
            for setlist in lists {
                // Kept for the offline queue; a list gone since answers 404, which is fine.
                let _ = self
                    .page::<theset_shared::api::Page<theset_shared::api::SetlistVersion>>(
                        &format!("/setlists/{setlist}/history"),
                        &[],
                    )
                    .await;
            }
        }
        let resolved: std::collections::HashSet<Uuid> = self
            .store
            .pending(usize::MAX)?
            .into_iter()
            .filter_map(|m| match m.action {
                Action::ResolveFlag { flag_id, .. } => Some(flag_id),
                _ => None,
            })
            .collect();
        Ok(queue
            .data
            .into_iter()
            .filter(|f| !resolved.contains(&f.id))
            .collect())
    }

    /// Reports a set-list line (or a whole list), saved on the device and sent with the next
    /// sync.
    pub fn raise_flag(&self, flag: theset_shared::api::NewFlag) -> Result<Mutation, ClientError> {
        if flag
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > 500)
        {
            return Err(ClientError::Invalid(
                "Say it in 500 characters or fewer.".into(),
            ));
        }
        self.store.enqueue(Action::RaiseFlag(flag))
    }

    /// The accounts whose votes on `show` look organised (the last copy with no signal).
    pub async fn vote_oversight(
        &self,
        show: Uuid,
    ) -> Result<theset_shared::ipc::Fetched<theset_shared::api::VoteOversight>, ClientError> {
        self.page(&format!("/moderation/shows/{show}/votes"), &[])
            .await
    }

    /// Deletes an account's votes on `show` (the server recounts the totals); needs the server.
    pub async fn void_votes(
        &self,
        user: Uuid,
        show: Option<Uuid>,
    ) -> Result<theset_shared::api::VotesVoided, ClientError> {
        self.authed(
            reqwest::Method::POST,
            &format!("/moderation/users/{user}/votes/void"),
            &[],
            Some(&theset_shared::api::VoidVotes { show_id: show }),
        )
        .await
    }

    /// Follows the artists the user follows and plays most on Spotify (importing new ones);
    /// needs the server and a Spotify sign-in.
    pub async fn import_spotify_artists(
        &self,
    ) -> Result<theset_shared::api::LibraryImport, ClientError> {
        self.authed(reqwest::Method::POST, "/me/spotify/import", &[], None)
            .await
    }

    /// How an artist's Spotify and setlist.fm links were made (the last copy with no signal).
    pub async fn artist_links(
        &self,
        slug: &str,
    ) -> Result<theset_shared::ipc::Fetched<theset_shared::api::ArtistLinks>, ClientError> {
        self.page(&format!("/artists/{slug}/links"), &[]).await
    }

    /// Replaces (or clears) an artist's link at `service`; needs the server.
    pub async fn set_artist_link(
        &self,
        slug: &str,
        service: theset_shared::api::LinkService,
        external_id: Option<&str>,
    ) -> Result<theset_shared::api::ArtistLinks, ClientError> {
        let external_id = external_id.map(str::trim).filter(|s| !s.is_empty());
        if let Some(id) = external_id
            && !service.valid_id(id)
        {
            return Err(ClientError::Invalid(match service {
                theset_shared::api::LinkService::Spotify => {
                    "A Spotify artist id is 22 letters and digits (the end of its open.spotify.com address).".into()
                }
                theset_shared::api::LinkService::Setlistfm => {
                    "A MusicBrainz artist id looks like 1b2c3d4e-…: 36 characters.".into()
                }
            }));
        }
        self.authed(
            reqwest::Method::PUT,
            &format!("/artists/{slug}/links/{}", service.as_str()),
            &[],
            Some(&theset_shared::api::SetArtistLink {
                external_id: external_id.map(str::to_owned),
            }),
        )
        .await
    }

    /// Adds a title the catalogue does not have (a cover, a new song) to a show's community list.
    pub async fn add_title(&self, show: Uuid, title: &str) -> Result<(), ClientError> {
        let title = title.trim();
        if !(1..=200).contains(&title.chars().count()) {
            return Err(ClientError::Invalid(
                "A title is 1 to 200 characters.".into(),
            ));
        }
        let _: Option<serde_json::Value> = self
            .authed(
                reqwest::Method::POST,
                &format!("/shows/{show}/community/titles"),
                &[],
                Some(&theset_shared::api::AddCommunityTitle {
                    mutation_id: Uuid::now_v7(),
                    title: title.to_owned(),
                }),
            )
            .await?;
        Ok(())
    }

    /// Records `alias` as another title of `song`; lines already written so name the song.
    pub async fn add_alias(
        &self,
        song: Uuid,
        alias: &str,
    ) -> Result<theset_shared::api::AliasAdded, ClientError> {
        self.authed(
            reqwest::Method::POST,
            &format!("/songs/{song}/aliases"),
            &[],
            Some(&theset_shared::api::NewAlias {
                alias: alias.trim().to_owned(),
            }),
        )
        .await
    }

    /// Resolves a flag, saved on the device and sent with the next sync.
    pub fn resolve_flag(&self, flag: Uuid, action: FlagAction) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::ResolveFlag {
            flag_id: flag,
            action,
        })
    }

    /// Verifies `version` of an actual set-list (the one the moderator sees), which scores every
    /// prediction of its show once applied; saved on the device and sent with the next sync.
    pub fn verify_setlist(&self, setlist: Uuid, version: i32) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::VerifySetlist {
            setlist_id: setlist,
            version,
        })
    }

    /// Rejects `version` of an actual set-list (it goes back to the one before).
    pub fn reject_version(
        &self,
        setlist: Uuid,
        version: i32,
        reason: &str,
    ) -> Result<Mutation, ClientError> {
        let reason = reason.trim();
        if !(1..=500).contains(&reason.chars().count()) {
            return Err(ClientError::Invalid(
                "say why, in at most 500 characters".into(),
            ));
        }
        self.store.enqueue(Action::RejectVersion {
            setlist_id: setlist,
            version,
            reason: reason.to_owned(),
        })
    }

    /// Queues a job (admins).
    pub async fn start_job(
        &self,
        job: JobName,
        artist_id: Option<Uuid>,
    ) -> Result<JobRef, ClientError> {
        self.authed(
            Method::POST,
            "/admin/jobs",
            &[],
            Some(&StartJob { job, artist_id }),
        )
        .await
    }

    /// Calls `on_event` with every progress event of `job` until it ends.
    pub async fn follow_job(
        &self,
        job: Uuid,
        on_event: impl FnMut(JobEvent),
    ) -> Result<(), ClientError> {
        self.follow_progress(&format!("/jobs/{job}/events"), on_event)
            .await
    }

    pub async fn audit(&self) -> Result<AuditPage, ClientError> {
        self.authed(Method::GET, "/admin/audit", &[], None).await
    }

    pub async fn set_role(&self, user: Uuid, role: Role) -> Result<PublicProfile, ClientError> {
        self.authed(
            Method::PUT,
            &format!("/admin/users/{user}/role"),
            &[],
            Some(&RoleUpdate { role }),
        )
        .await
    }
}
