//! The app's side of the app↔core contract (`theset_shared::ipc::contract`): each request one
//! call into the offline core, its error mapped for people. The Tauri shell and the browser
//! worker both answer with this; a request the contract gains and this does not answer does not
//! compile.

use theset_shared::api::{
    ArtistSearchQuery, ArtistSearchResults, AuditPage, Dashboard, Flag, Home, ImportResponse,
    JobRef, Page, PublicProfile, SessionInfo, ShowSummary, VenueDetail, VenueSummary,
};
use theset_shared::ipc::{
    AppStatus, ArtistView, CachedArtist, Core, Fetched, GeoPoint, IpcCode, IpcError, ServerChoice,
    ServerInfo, ShowView, VenueQuery, events, req,
};
use theset_shared::validate;

use super::{App, Host};
use crate::{ClientError, SignedUp};

type IpcResult<T> = Result<T, IpcError>;

/// The error a person reads, with a code for the UI's logic.
pub fn ipc_error(e: ClientError) -> IpcError {
    let code = match &e {
        ClientError::Store(_) | ClientError::StoreTooNew { .. } => IpcCode::Store,
        ClientError::Network(_) | ClientError::Timeout => IpcCode::Offline,
        ClientError::RateLimited { .. } => IpcCode::RateLimited,
        ClientError::Server { .. } => e.code().map_or(IpcCode::Client, IpcCode::Server),
        ClientError::Invalid(_) => IpcCode::Invalid,
        ClientError::CheckMail(_) => IpcCode::CheckMail,
        ClientError::SignIn(_) => IpcCode::SignIn,
        ClientError::SignedOut | ClientError::Vault(_) => IpcCode::SignedOut,
        ClientError::UpgradeRequired { .. } => IpcCode::UpgradeRequired,
        ClientError::BadUrl(_) | ClientError::Decode(_) => IpcCode::Client,
    };
    let message = match &e {
        // The server's own words, and a refusal's reason, are for people already.
        ClientError::Server { message, .. } | ClientError::Invalid(message) => message.clone(),
        ClientError::SignIn(why) => format!("Signing in did not complete: {why}"),
        ClientError::CheckMail(address) => format!(
            "We sent a mail to {address}. If that address already has an account, the mail has \
             a link to sign in to it."
        ),
        other => other.user_message().to_owned(),
    };
    tracing::debug!(error = %e, %code, "core call failed");
    IpcError { code, message }
}

fn ok<T>(r: Result<T, ClientError>) -> IpcResult<T> {
    r.map_err(ipc_error)
}

/// Signs up and in; a taken address is said as `IpcCode::CheckMail` (its owner got a mail).
async fn sign_up(client: &crate::Client, r: &req::SignUp) -> Result<(), ClientError> {
    let email = r.email.trim();
    if !validate::email(email) {
        return Err(ClientError::Invalid("That is not an email address.".into()));
    }
    match client.signup(email, &r.password, r.name.trim()).await? {
        SignedUp::SignedIn => Ok(()),
        SignedUp::CheckMail => Err(ClientError::CheckMail(email.to_owned())),
    }
}

/// The type and bytes of a `data:<type>;base64,<bytes>` URL (what a file picker reads).
fn data_url(url: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine as _;
    let (head, body) = url.strip_prefix("data:")?.split_once(',')?;
    let content_type = head.strip_suffix(";base64")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()?;
    Some((content_type.to_ascii_lowercase(), bytes))
}

impl<H: Host> App<H> {
    /// The account changed on the server (its answer in `me`): show it everywhere.
    async fn account_is(&self, me: theset_shared::api::Me) -> IpcResult<AppStatus> {
        *self.account.write().await = Some(self.client.account_of(me));
        Ok(self.changed().await)
    }

    /// After a change kept on the device: show it everywhere and try to send it.
    async fn saved<T>(&self, r: Result<T, ClientError>) -> IpcResult<AppStatus> {
        ok(r)?;
        self.poke();
        Ok(self.changed().await)
    }

    /// After a sign-in (or out): read the account, sync at once, tell the UI.
    async fn signed_in(&self, r: Result<(), ClientError>) -> IpcResult<AppStatus> {
        ok(r)?;
        self.refresh_account().await;
        self.poke();
        Ok(self.changed().await)
    }

    /// Starts (or joins) an artist's import and forwards its progress as `events::PROGRESS`.
    async fn import(&self, ticketmaster_id: &str) -> IpcResult<ImportResponse> {
        let started = self
            .client
            .import_artist(ticketmaster_id)
            .await
            .map_err(|e| match e {
                // Adding an artist spends a signed-in fan's import budget.
                ClientError::SignedOut => {
                    IpcError::new(IpcCode::SignedOut, "Sign in to add this artist to TheSet.")
                }
                other => ipc_error(other),
            })?;
        let (client, host) = (self.client.clone(), self.host.clone());
        let slug = started.artist.summary.slug.clone();
        crate::rt::spawn(async move {
            let emit = |e| super::emit(&*host, events::PROGRESS, &e);
            if let Err(e) = client.follow_import(&slug, emit).await {
                tracing::warn!(error = %e, %slug, "import progress lost");
            }
        });
        Ok(started)
    }

    /// Queues a job (admins) and forwards its progress as `events::PROGRESS`.
    async fn job(&self, r: req::StartJob) -> IpcResult<JobRef> {
        let started = self
            .client
            .start_job(r.job, r.artist_id)
            .await
            .map_err(ipc_error)?;
        let (client, host, id) = (self.client.clone(), self.host.clone(), started.id);
        crate::rt::spawn(async move {
            let emit = |e| super::emit(&*host, events::PROGRESS, &e);
            if let Err(e) = client.follow_job(id, emit).await {
                tracing::warn!(error = %e, "job progress lost");
            }
        });
        Ok(started)
    }
}

impl<H: Host> Core for App<H> {
    async fn cached_artists(&self, _: req::CachedArtists) -> IpcResult<Vec<CachedArtist>> {
        ok(self.client.cached_artists())
    }

    async fn status(&self, _: req::Status) -> IpcResult<AppStatus> {
        Ok(self.app_status().await)
    }

    async fn sync_now(&self, _: req::SyncNow) -> IpcResult<AppStatus> {
        self.poke();
        Ok(self.app_status().await)
    }

    async fn sign_in(&self, r: req::SignIn) -> IpcResult<AppStatus> {
        self.signed_in(self.client.login(r.email.trim(), &r.password).await)
            .await
    }

    async fn sign_up(&self, r: req::SignUp) -> IpcResult<AppStatus> {
        self.signed_in(sign_up(&self.client, &r).await).await
    }

    async fn sign_in_with(&self, r: req::SignInWith) -> IpcResult<AppStatus> {
        self.signed_in(
            self.client
                .sign_in_with(
                    r.provider.as_str(),
                    |url| self.host.open_browser(url),
                    self.host.app_links(),
                )
                .await,
        )
        .await
    }

    async fn web_sign_in(&self, r: req::WebSignIn) -> IpcResult<req::WebSignInStarted> {
        let authorize_url = ok(self
            .client
            .web_sign_in(r.provider.as_str(), &r.return_path)
            .await)?;
        Ok(req::WebSignInStarted { authorize_url })
    }

    async fn web_signed_in(&self, _: req::WebSignedIn) -> IpcResult<AppStatus> {
        self.signed_in(self.client.web_signed_in().await).await
    }

    async fn magic_link(&self, r: req::MagicLink) -> IpcResult<()> {
        ok(self.client.request_magic_link(r.email.trim()).await)
    }

    async fn magic_link_consume(&self, r: req::MagicLinkConsume) -> IpcResult<AppStatus> {
        self.signed_in(self.client.consume_magic_link(&r.link).await)
            .await
    }

    async fn sign_out(&self, _: req::SignOut) -> IpcResult<AppStatus> {
        ok(self.client.logout().await)?;
        self.refresh_account().await;
        Ok(self.changed().await)
    }

    async fn confirm_email(&self, r: req::ConfirmEmail) -> IpcResult<AppStatus> {
        self.signed_in(self.client.confirm_email(&r.code).await)
            .await
    }

    async fn resend_confirmation(&self, _: req::ResendConfirmation) -> IpcResult<()> {
        ok(self.client.resend_confirmation().await)
    }

    async fn add_email(&self, r: req::AddEmail) -> IpcResult<()> {
        let password = r.current_password.filter(|p| !p.is_empty());
        ok(self.client.add_email(r.email.trim(), password).await)
    }

    async fn forgot_password(&self, r: req::ForgotPassword) -> IpcResult<()> {
        let email = r.email.trim();
        if !validate::email(email) {
            return Err(IpcError::new(
                IpcCode::Invalid,
                "That is not an email address.",
            ));
        }
        ok(self.client.forgot_password(email).await)
    }

    async fn reset_password(&self, r: req::ResetPassword) -> IpcResult<()> {
        ok(self.client.reset_password(&r.link, &r.new_password).await)
    }

    async fn change_password(&self, r: req::ChangePassword) -> IpcResult<()> {
        ok(self
            .client
            .change_password(&r.current_password, &r.new_password)
            .await)
    }

    async fn rename(&self, r: req::Rename) -> IpcResult<AppStatus> {
        let me = ok(self.client.rename(r.display_name.trim()).await)?;
        self.account_is(me).await
    }

    async fn upload_avatar(&self, r: req::UploadAvatar) -> IpcResult<AppStatus> {
        let (content_type, image) = data_url(&r.data_url).ok_or_else(|| {
            IpcError::new(
                IpcCode::Invalid,
                "That file could not be read as a picture.",
            )
        })?;
        let me = ok(self.client.upload_avatar(&content_type, image).await)?;
        self.account_is(me).await
    }

    async fn remove_avatar(&self, _: req::RemoveAvatar) -> IpcResult<AppStatus> {
        ok(self.client.remove_avatar().await)?;
        self.refresh_account().await;
        Ok(self.changed().await)
    }

    async fn delete_account(&self, r: req::DeleteAccount) -> IpcResult<AppStatus> {
        let proof = theset_shared::api::StepUpProof {
            current_password: r.current_password.filter(|p| !p.is_empty()),
            code: r
                .code
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
        };
        ok(self.client.delete_account(&proof).await)?;
        self.refresh_account().await;
        Ok(self.changed().await)
    }

    async fn user_page(
        &self,
        r: req::UserPage,
    ) -> IpcResult<Fetched<theset_shared::api::UserPage>> {
        ok(self.client.user_page(r.id).await)
    }

    async fn leaderboard(
        &self,
        _: req::Leaderboard,
    ) -> IpcResult<Fetched<Vec<theset_shared::api::LeaderboardEntry>>> {
        ok(self.client.leaderboard().await)
    }

    async fn raise_flag(&self, r: req::RaiseFlag) -> IpcResult<AppStatus> {
        let flag = theset_shared::api::NewFlag {
            setlist_id: r.setlist_id,
            setlist_song_id: r.setlist_song_id,
            comment_id: r.comment_id,
            user_id: r.user_id,
            reason: r.reason,
            note: r
                .note
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
        };
        self.saved(self.client.raise_flag(flag)).await
    }

    async fn comments(&self, r: req::Comments) -> IpcResult<theset_shared::ipc::ThreadView> {
        ok(self.client.comments(r.show_id, r.order).await)
    }

    async fn add_comment(&self, r: req::AddComment) -> IpcResult<AppStatus> {
        self.saved(self.client.add_comment(r.show_id, r.parent_id, &r.body))
            .await
    }

    async fn edit_comment(&self, r: req::EditComment) -> IpcResult<AppStatus> {
        self.saved(self.client.edit_comment(r.comment_id, &r.body))
            .await
    }

    async fn delete_comment(&self, r: req::DeleteComment) -> IpcResult<AppStatus> {
        self.saved(self.client.delete_comment(r.comment_id)).await
    }

    async fn hide_comment(&self, r: req::HideComment) -> IpcResult<AppStatus> {
        self.saved(self.client.hide_comment(r.comment_id, r.hidden))
            .await
    }

    async fn updates(&self, _: req::Updates) -> IpcResult<theset_shared::ipc::UpdateState> {
        Ok(self.update_state())
    }

    async fn install_update(
        &self,
        _: req::InstallUpdate,
    ) -> IpcResult<theset_shared::ipc::UpdateState> {
        App::install_update(self)
    }

    async fn open_link(&self, r: req::OpenLink) -> IpcResult<()> {
        let web = reqwest::Url::parse(&r.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        match web {
            Some(url) => ok(self.host.open_browser(url.as_str())),
            None => Err(IpcError::new(IpcCode::Invalid, "Only web links open.")),
        }
    }

    async fn vote_oversight(
        &self,
        r: req::VoteOversight,
    ) -> IpcResult<Fetched<theset_shared::api::VoteOversight>> {
        ok(self.client.vote_oversight(r.show_id).await)
    }

    async fn void_votes(&self, r: req::VoidVotes) -> IpcResult<theset_shared::api::VotesVoided> {
        ok(self.client.void_votes(r.user_id, Some(r.show_id)).await)
    }

    async fn import_spotify_artists(
        &self,
        _: req::ImportSpotifyArtists,
    ) -> IpcResult<theset_shared::api::LibraryImport> {
        let done = self.client.import_spotify_artists().await;
        if done.is_ok() {
            // The new follows come with the next pull.
            self.poke();
        }
        ok(done)
    }

    async fn artist_links(
        &self,
        r: req::ArtistLinks,
    ) -> IpcResult<Fetched<theset_shared::api::ArtistLinks>> {
        ok(self.client.artist_links(&r.slug).await)
    }

    async fn set_artist_link(
        &self,
        r: req::SetArtistLink,
    ) -> IpcResult<theset_shared::api::ArtistLinks> {
        ok(self
            .client
            .set_artist_link(&r.slug, r.service, r.external_id.as_deref())
            .await)
    }

    async fn add_title(&self, r: req::AddTitle) -> IpcResult<AppStatus> {
        ok(self.client.add_title(r.show_id, &r.title).await)?;
        // The line reaches the device with the next pull.
        self.poke();
        Ok(self.changed().await)
    }

    async fn add_alias(&self, r: req::AddAlias) -> IpcResult<theset_shared::api::AliasAdded> {
        let added = ok(self.client.add_alias(r.song_id, &r.alias).await)?;
        self.poke();
        Ok(added)
    }

    async fn notifications(
        &self,
        _: req::Notifications,
    ) -> IpcResult<Vec<theset_shared::api::Notification>> {
        ok(self.client.notifications())
    }

    async fn mark_notifications_read(&self, r: req::MarkNotificationsRead) -> IpcResult<AppStatus> {
        self.saved(self.client.mark_notifications_read(&r.ids))
            .await
    }

    async fn notification_prefs(
        &self,
        _: req::NotificationPrefs,
    ) -> IpcResult<theset_shared::api::NotificationPrefs> {
        ok(self.client.notification_prefs().await)
    }

    async fn set_notification_prefs(
        &self,
        r: req::SetNotificationPrefs,
    ) -> IpcResult<theset_shared::api::NotificationPrefs> {
        ok(self.client.set_notification_prefs(&r.prefs).await)
    }

    async fn sessions(&self, _: req::Sessions) -> IpcResult<Vec<SessionInfo>> {
        ok(self.client.sessions().await)
    }

    async fn revoke_session(&self, r: req::RevokeSession) -> IpcResult<()> {
        ok(self.client.revoke_session(r.id).await)
    }

    async fn sign_out_elsewhere(&self, _: req::SignOutElsewhere) -> IpcResult<()> {
        ok(self.client.sign_out_elsewhere().await)
    }

    async fn home(&self, _: req::Home) -> IpcResult<Fetched<Home>> {
        ok(self.client.home().await)
    }

    async fn my_shows(&self, _: req::MyShows) -> IpcResult<Vec<ShowSummary>> {
        ok(self.client.my_shows())
    }

    async fn first_render(&self, _: req::FirstRender) -> IpcResult<()> {
        self.host.first_render();
        Ok(())
    }

    async fn search(&self, q: ArtistSearchQuery) -> IpcResult<Fetched<ArtistSearchResults>> {
        ok(self.client.search(&q).await)
    }

    async fn import_artist(&self, r: req::ImportArtist) -> IpcResult<ImportResponse> {
        self.import(&r.ticketmaster_id).await
    }

    async fn artist(&self, r: req::Artist) -> IpcResult<ArtistView> {
        ok(self.client.artist_view(&r.slug).await)
    }

    async fn follow(&self, r: req::Follow) -> IpcResult<AppStatus> {
        self.saved(self.client.follow(r.artist_id, r.follow)).await
    }

    async fn show(&self, r: req::Show) -> IpcResult<ShowView> {
        ok(self.client.show_view(r.id).await)
    }

    async fn set_going(&self, r: req::SetGoing) -> IpcResult<AppStatus> {
        self.saved(self.client.set_going(r.show_id, r.going, r.public))
            .await
    }

    async fn capture(&self, r: req::Capture) -> IpcResult<AppStatus> {
        self.saved(
            self.client
                .capture(r.show_id, r.song_id, &r.title, r.encore),
        )
        .await
    }

    async fn undo_capture(&self, r: req::UndoCapture) -> IpcResult<AppStatus> {
        self.saved(self.client.undo_capture(r.capture_id)).await
    }

    async fn get_ready(&self, r: req::GetReady) -> IpcResult<theset_shared::ipc::PackState> {
        ok(self.client.prepare_pack(r.show_id).await)
    }

    async fn new_calendar_feed(
        &self,
        _: req::NewCalendarFeed,
    ) -> IpcResult<theset_shared::api::CalendarFeed> {
        ok(self.client.new_calendar_feed().await)
    }

    async fn revoke_calendar_feed(&self, _: req::RevokeCalendarFeed) -> IpcResult<()> {
        ok(self.client.revoke_calendar_feed().await)
    }

    async fn vote(&self, r: req::Vote) -> IpcResult<AppStatus> {
        self.saved(self.client.vote_on(r.on, r.value)).await
    }

    async fn add_song(&self, r: req::AddSong) -> IpcResult<AppStatus> {
        self.saved(self.client.add_song(r.show_id, r.song_id)).await
    }

    async fn edit_prediction(&self, r: req::EditPrediction) -> IpcResult<AppStatus> {
        self.saved(self.client.edit_prediction(r.show_id, &r.edit))
            .await
    }

    async fn edit_setlist(&self, r: req::EditSetlist) -> IpcResult<AppStatus> {
        self.saved(
            self.client
                .edit_setlist(r.setlist_id, r.base_version, r.songs, r.note),
        )
        .await
    }

    async fn dismiss_change(&self, r: req::DismissChange) -> IpcResult<AppStatus> {
        ok(self.client.store().dismiss(r.id))?;
        Ok(self.changed().await)
    }

    async fn draft(&self, r: req::Draft) -> IpcResult<Option<String>> {
        ok(self.client.store().draft(r.setlist_id))
    }

    async fn save_draft(&self, r: req::SaveDraft) -> IpcResult<()> {
        ok(self
            .client
            .store()
            .save_draft(r.setlist_id, r.text.as_deref()))
    }

    async fn venue(&self, r: req::Venue) -> IpcResult<Fetched<VenueDetail>> {
        ok(self.client.venue(r.id).await)
    }

    async fn venues(&self, q: VenueQuery) -> IpcResult<Fetched<Page<VenueSummary>>> {
        ok(self.client.venues(&q).await)
    }

    async fn shows(
        &self,
        q: theset_shared::ipc::ShowQuery,
    ) -> IpcResult<Fetched<Page<ShowSummary>>> {
        ok(self.client.shows(&q).await)
    }

    async fn tonight_near(&self, r: req::TonightNear) -> IpcResult<Fetched<Vec<ShowSummary>>> {
        ok(self.client.tonight_near(r.near, r.km).await)
    }

    async fn dashboard(&self, _: req::Dashboard) -> IpcResult<Fetched<Dashboard>> {
        ok(self.client.dashboard().await)
    }

    async fn flags(&self, _: req::Flags) -> IpcResult<Vec<Flag>> {
        ok(self.client.flags().await)
    }

    async fn resolve_flag(&self, r: req::ResolveFlag) -> IpcResult<AppStatus> {
        self.saved(self.client.resolve_flag(r.id, r.action)).await
    }

    async fn verify_setlist(&self, r: req::VerifySetlist) -> IpcResult<AppStatus> {
        self.saved(self.client.verify_setlist(r.setlist_id, r.version))
            .await
    }

    async fn reject_version(&self, r: req::RejectVersion) -> IpcResult<AppStatus> {
        self.saved(
            self.client
                .reject_version(r.setlist_id, r.version, &r.reason),
        )
        .await
    }

    async fn start_setlist(&self, r: req::StartSetlist) -> IpcResult<AppStatus> {
        self.saved(self.client.start_setlist(r.show_id, r.songs, r.note))
            .await
    }

    async fn start_job(&self, r: req::StartJob) -> IpcResult<JobRef> {
        self.job(r).await
    }

    async fn audit(&self, _: req::Audit) -> IpcResult<AuditPage> {
        ok(self.client.audit().await)
    }

    async fn set_role(&self, r: req::SetRole) -> IpcResult<PublicProfile> {
        ok(self.client.set_role(r.user_id, r.role).await)
    }

    async fn show_link(&self, r: req::ShowLink) -> IpcResult<String> {
        ok(self.client.show_link(r.show))
    }

    async fn server(&self, _: req::Server) -> IpcResult<ServerInfo> {
        Ok(self.server_info())
    }

    async fn locate(&self, _: req::Locate) -> IpcResult<GeoPoint> {
        match self.host.locate().await {
            Ok(Ok(place)) => Ok(place),
            Ok(Err(why)) => Err(IpcError::new(IpcCode::NoLocation, why)),
            Err(_) => Err(IpcError::new(
                IpcCode::NoLocation,
                "The device did not say where it is.",
            )),
        }
    }

    /// Where the user may choose, the shell answers this before the app sees it
    /// (`super::servers`); here the server is fixed.
    async fn choose_server(&self, _: req::ChooseServer) -> IpcResult<ServerInfo> {
        Err(IpcError::new(
            IpcCode::Invalid,
            match self.host.server_choice() {
                ServerChoice::WebOrigin => {
                    "The web app talks to the server it was opened from; open another server's \
                     address to use it."
                }
                _ => "This app's server is set where it was started (THESET_API_URL).",
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_urls_give_their_type_and_bytes() {
        assert_eq!(
            super::data_url("data:image/PNG;base64,iVBORw=="),
            Some(("image/png".to_owned(), vec![0x89, 0x50, 0x4e, 0x47]))
        );
        assert_eq!(super::data_url("data:image/png,plain"), None);
        assert_eq!(super::data_url("https://example.org/a.png"), None);
        assert_eq!(super::data_url("data:image/png;base64,!!"), None);
    }
}
