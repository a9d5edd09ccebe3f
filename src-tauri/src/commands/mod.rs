//! The shell's side of the app↔core contract (`theset_shared::ipc::contract`): one Tauri
//! command, `core`, carries every request; [`ShellCore`] answers each with one call into
//! `theset-client` and maps its error. A request the contract gains and the shell does not
//! answer does not compile.

mod account;
mod progress;

use std::sync::Arc;

use tauri::AppHandle;
use theset_client::ClientError;
use theset_shared::api::{
    ArtistSearchQuery, ArtistSearchResults, AuditPage, Dashboard, Flag, Home, ImportResponse,
    JobRef, Page, PublicProfile, SessionInfo, ShowSummary, VenueDetail, VenueSummary, VerifyResult,
};
use theset_shared::ipc::{
    AppStatus, ArtistView, CachedArtist, Core, Fetched, IpcCode, IpcError, Request, ShowView,
    VenueQuery, req,
};

use crate::shell::Shell;

pub type ShellState<'a> = tauri::State<'a, Arc<Shell>>;
pub type IpcResult<T> = Result<T, IpcError>;

/// The one command of the contract.
#[tauri::command(rename_all = "snake_case")]
pub async fn core(
    app: AppHandle,
    shell: ShellState<'_>,
    request: Request,
) -> IpcResult<serde_json::Value> {
    let name = request.name();
    let answer = theset_shared::ipc::dispatch(
        &ShellCore {
            app: &app,
            shell: shell.inner(),
        },
        request,
    )
    .await;
    if let Err(e) = &answer {
        tracing::debug!(op = name, code = %e.code, "request refused");
    }
    answer
}

/// The error a person reads, with a code for the UI's logic.
pub fn ipc_error(e: ClientError) -> IpcError {
    let code = match &e {
        ClientError::Store(_) | ClientError::StoreTooNew { .. } => IpcCode::Store,
        ClientError::Network(_) | ClientError::Timeout => IpcCode::Offline,
        ClientError::RateLimited { .. } => IpcCode::RateLimited,
        ClientError::Server { .. } => e
            .code()
            .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_owned())).ok())
            .map_or(IpcCode::Client, IpcCode::Server),
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

/// The shell as the contract's core: the offline core of `theset-client`, and the window its
/// events go to.
pub struct ShellCore<'a> {
    app: &'a AppHandle,
    shell: &'a Arc<Shell>,
}

impl ShellCore<'_> {
    fn client(&self) -> &theset_client::Client {
        &self.shell.client
    }

    /// After a change kept on the device: show it everywhere and try to send it.
    async fn saved<T>(&self, r: Result<T, ClientError>) -> IpcResult<AppStatus> {
        ok(r)?;
        self.shell.poke();
        Ok(self.shell.changed(self.app).await)
    }

    /// After a sign-in (or out): read the account, sync at once, tell the window.
    async fn signed_in(&self, r: Result<(), ClientError>) -> IpcResult<AppStatus> {
        ok(r)?;
        self.shell.refresh_account().await;
        self.shell.poke();
        Ok(self.shell.changed(self.app).await)
    }
}

impl Core for ShellCore<'_> {
    async fn cached_artists(&self, _: req::CachedArtists) -> IpcResult<Vec<CachedArtist>> {
        ok(self.client().cached_artists())
    }

    async fn status(&self, _: req::Status) -> IpcResult<AppStatus> {
        Ok(self.shell.app_status().await)
    }

    async fn sync_now(&self, _: req::SyncNow) -> IpcResult<AppStatus> {
        self.shell.poke();
        Ok(self.shell.app_status().await)
    }

    async fn sign_in(&self, r: req::SignIn) -> IpcResult<AppStatus> {
        self.signed_in(self.client().login(r.email.trim(), &r.password).await)
            .await
    }

    async fn sign_up(&self, r: req::SignUp) -> IpcResult<AppStatus> {
        self.signed_in(account::sign_up(self.client(), &r).await)
            .await
    }

    async fn sign_in_with(&self, r: req::SignInWith) -> IpcResult<AppStatus> {
        self.signed_in(account::sign_in_with(self.client(), r.provider).await)
            .await
    }

    async fn magic_link(&self, r: req::MagicLink) -> IpcResult<()> {
        ok(self.client().request_magic_link(r.email.trim()).await)
    }

    async fn magic_link_consume(&self, r: req::MagicLinkConsume) -> IpcResult<AppStatus> {
        self.signed_in(self.client().consume_magic_link(&r.link).await)
            .await
    }

    async fn sign_out(&self, _: req::SignOut) -> IpcResult<AppStatus> {
        ok(self.client().logout().await)?;
        self.shell.refresh_account().await;
        Ok(self.shell.changed(self.app).await)
    }

    async fn confirm_email(&self, r: req::ConfirmEmail) -> IpcResult<AppStatus> {
        self.signed_in(self.client().confirm_email(&r.code).await)
            .await
    }

    async fn resend_confirmation(&self, _: req::ResendConfirmation) -> IpcResult<()> {
        ok(self.client().resend_confirmation().await)
    }

    async fn add_email(&self, r: req::AddEmail) -> IpcResult<()> {
        ok(self.client().add_email(r.email.trim()).await)
    }

    async fn sessions(&self, _: req::Sessions) -> IpcResult<Vec<SessionInfo>> {
        ok(self.client().sessions().await)
    }

    async fn revoke_session(&self, r: req::RevokeSession) -> IpcResult<()> {
        ok(self.client().revoke_session(r.id).await)
    }

    async fn home(&self, _: req::Home) -> IpcResult<Fetched<Home>> {
        ok(self.client().home().await)
    }

    async fn my_shows(&self, _: req::MyShows) -> IpcResult<Vec<ShowSummary>> {
        ok(self.client().my_shows())
    }

    async fn first_render(&self, _: req::FirstRender) -> IpcResult<()> {
        crate::startup::first_render(self.app);
        Ok(())
    }

    async fn search(&self, q: ArtistSearchQuery) -> IpcResult<Fetched<ArtistSearchResults>> {
        ok(self.client().search(&q).await)
    }

    async fn import_artist(&self, r: req::ImportArtist) -> IpcResult<ImportResponse> {
        progress::import(self.app, self.shell, &r.ticketmaster_id).await
    }

    async fn artist(&self, r: req::Artist) -> IpcResult<ArtistView> {
        ok(self.client().artist_view(&r.slug).await)
    }

    async fn follow(&self, r: req::Follow) -> IpcResult<AppStatus> {
        self.saved(self.client().follow(r.artist_id, r.follow))
            .await
    }

    async fn show(&self, r: req::Show) -> IpcResult<ShowView> {
        ok(self.client().show_view(r.id).await)
    }

    async fn vote(&self, r: req::Vote) -> IpcResult<AppStatus> {
        self.saved(
            self.client()
                .vote_for(r.show_id, r.line_id, r.song_id, r.value),
        )
        .await
    }

    async fn add_song(&self, r: req::AddSong) -> IpcResult<AppStatus> {
        self.saved(self.client().add_song(r.show_id, r.song_id))
            .await
    }

    async fn edit_prediction(&self, r: req::EditPrediction) -> IpcResult<AppStatus> {
        self.saved(self.client().edit_prediction(r.show_id, &r.edit))
            .await
    }

    async fn edit_setlist(&self, r: req::EditSetlist) -> IpcResult<AppStatus> {
        self.saved(
            self.client()
                .edit_setlist(r.setlist_id, r.base_version, r.songs, r.note),
        )
        .await
    }

    async fn dismiss_change(&self, r: req::DismissChange) -> IpcResult<AppStatus> {
        ok(self.client().store().dismiss(r.id))?;
        Ok(self.shell.changed(self.app).await)
    }

    async fn draft(&self, r: req::Draft) -> IpcResult<Option<String>> {
        ok(self.client().store().draft(r.setlist_id))
    }

    async fn save_draft(&self, r: req::SaveDraft) -> IpcResult<()> {
        ok(self
            .client()
            .store()
            .save_draft(r.setlist_id, r.text.as_deref()))
    }

    async fn venue(&self, r: req::Venue) -> IpcResult<Fetched<VenueDetail>> {
        ok(self.client().venue(r.id).await)
    }

    async fn venues(&self, q: VenueQuery) -> IpcResult<Fetched<Page<VenueSummary>>> {
        ok(self.client().venues(&q).await)
    }

    async fn dashboard(&self, _: req::Dashboard) -> IpcResult<Fetched<Dashboard>> {
        ok(self.client().dashboard().await)
    }

    async fn flags(&self, _: req::Flags) -> IpcResult<Vec<Flag>> {
        ok(self.client().flags().await)
    }

    async fn resolve_flag(&self, r: req::ResolveFlag) -> IpcResult<()> {
        ok(self.client().resolve_flag(r.id, r.action).await)
    }

    async fn verify_setlist(&self, r: req::VerifySetlist) -> IpcResult<VerifyResult> {
        ok(self.client().verify_setlist(r.setlist_id, r.version).await)
    }

    async fn start_job(&self, r: req::StartJob) -> IpcResult<JobRef> {
        progress::job(self.app, self.shell, r).await
    }

    async fn audit(&self, _: req::Audit) -> IpcResult<AuditPage> {
        ok(self.client().audit().await)
    }

    async fn set_role(&self, r: req::SetRole) -> IpcResult<PublicProfile> {
        ok(self.client().set_role(r.user_id, r.role).await)
    }
}
