//! The one typed facade over Tauri's `invoke` and `listen`. Components call these functions and
//! never touch `window.__TAURI__` themselves, so a command's name and types live in one place
//! (`theset_shared::ipc`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use theset_shared::api::{
    ActualLine, ArtistSearchResults, AuditPage, Dashboard, Flag, Home, ImportResponse, JobRef,
    Page, PublicProfile, Role, SearchSort, SessionInfo, ShowSummary, VenueDetail, VenueSummary,
    VerifyResult,
};
use theset_shared::ipc::{
    AppStatus, ArtistView, CachedArtist, Fetched, IpcError, PredictionEdit, ShowView, VenueQuery,
    commands,
};
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

fn ipc_error(message: impl Into<String>) -> IpcError {
    IpcError {
        code: "ipc".into(),
        message: message.into(),
    }
}

async fn invoke<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, IpcError> {
    // Maps as plain objects, which is what Tauri's argument parser expects.
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args.serialize(&ser).map_err(|e| ipc_error(e.to_string()))?;
    match tauri_invoke(cmd, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| ipc_error(e.to_string())),
        // Commands reject with a serialised IpcError; anything else is the bridge failing.
        Err(e) => Err(
            serde_wasm_bindgen::from_value(e.clone()).unwrap_or_else(|_| {
                ipc_error(e.as_string().unwrap_or_else(|| "shell unavailable".into()))
            }),
        ),
    }
}

/// Calls `on_event` with every payload of the shell's `event` for the life of the page.
pub fn listen<T: DeserializeOwned + 'static>(
    event: &'static str,
    mut on_event: impl FnMut(T) + 'static,
) {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let payload =
            js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        if let Ok(p) = serde_wasm_bindgen::from_value::<T>(payload) {
            on_event(p);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        if tauri_listen(event, &handler).await.is_ok() {
            // Listeners live as long as the window: the closure must outlive this call.
            handler.forget();
        }
    });
}

#[derive(Serialize)]
struct NoArgs {}

pub async fn cached_artists() -> Result<Vec<CachedArtist>, IpcError> {
    invoke(commands::LIST_CACHED_ARTISTS, &NoArgs {}).await
}

pub async fn status() -> Result<AppStatus, IpcError> {
    invoke(commands::STATUS, &NoArgs {}).await
}

pub async fn sync_now() -> Result<AppStatus, IpcError> {
    invoke(commands::SYNC_NOW, &NoArgs {}).await
}

#[derive(Serialize)]
struct Credentials<'a> {
    email: &'a str,
    password: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

pub async fn sign_in(email: &str, password: &str) -> Result<AppStatus, IpcError> {
    let args = Credentials {
        email,
        password,
        name: None,
    };
    invoke(commands::SIGN_IN, &args).await
}

pub async fn sign_up(email: &str, password: &str, name: &str) -> Result<AppStatus, IpcError> {
    let args = Credentials {
        email,
        password,
        name: Some(name),
    };
    invoke(commands::SIGN_UP, &args).await
}

#[derive(Serialize)]
struct Provider<'a> {
    provider: &'a str,
}

pub async fn sign_in_with(provider: &str) -> Result<AppStatus, IpcError> {
    invoke(commands::SIGN_IN_WITH, &Provider { provider }).await
}

#[derive(Serialize)]
struct Email<'a> {
    email: &'a str,
}

pub async fn magic_link(email: &str) -> Result<(), IpcError> {
    invoke(commands::MAGIC_LINK, &Email { email }).await
}

#[derive(Serialize)]
struct Link<'a> {
    link: &'a str,
}

pub async fn magic_link_consume(link: &str) -> Result<AppStatus, IpcError> {
    invoke(commands::MAGIC_LINK_CONSUME, &Link { link }).await
}

#[derive(Serialize)]
struct Code<'a> {
    code: &'a str,
}

/// Confirms the account's address with the code or link from the mail.
pub async fn confirm_email(code: &str) -> Result<AppStatus, IpcError> {
    invoke(commands::CONFIRM_EMAIL, &Code { code }).await
}

pub async fn resend_confirmation() -> Result<(), IpcError> {
    invoke(commands::RESEND_CONFIRMATION, &NoArgs {}).await
}

pub async fn add_email(email: &str) -> Result<(), IpcError> {
    invoke(commands::ADD_EMAIL, &Email { email }).await
}

pub async fn sign_out() -> Result<AppStatus, IpcError> {
    invoke(commands::SIGN_OUT, &NoArgs {}).await
}

pub async fn sessions() -> Result<Vec<SessionInfo>, IpcError> {
    invoke(commands::SESSIONS, &NoArgs {}).await
}

#[derive(Serialize)]
struct Id {
    id: Uuid,
}

pub async fn revoke_session(id: Uuid) -> Result<(), IpcError> {
    invoke(commands::REVOKE_SESSION, &Id { id }).await
}

pub async fn my_shows() -> Result<Vec<ShowSummary>, IpcError> {
    invoke(commands::MY_SHOWS, &NoArgs {}).await
}

/// Tells the shell the first page is on screen (the cold-start benchmark's mark).
pub async fn first_render() {
    let _: Result<(), IpcError> = invoke(commands::FIRST_RENDER, &NoArgs {}).await;
}

pub async fn home() -> Result<Fetched<Home>, IpcError> {
    invoke(commands::HOME, &NoArgs {}).await
}

#[derive(Serialize, Clone, PartialEq, Default)]
pub struct SearchArgs {
    pub q: String,
    pub genre: Option<String>,
    pub min_popularity: Option<i32>,
    pub sort: Option<SearchSort>,
}

pub async fn search(args: &SearchArgs) -> Result<Fetched<ArtistSearchResults>, IpcError> {
    invoke(commands::SEARCH, args).await
}

#[derive(Serialize)]
struct Import<'a> {
    ticketmaster_id: &'a str,
}

pub async fn import_artist(ticketmaster_id: &str) -> Result<ImportResponse, IpcError> {
    invoke(commands::IMPORT, &Import { ticketmaster_id }).await
}

#[derive(Serialize)]
struct Slug<'a> {
    slug: &'a str,
}

pub async fn artist(slug: &str) -> Result<ArtistView, IpcError> {
    invoke(commands::ARTIST, &Slug { slug }).await
}

#[derive(Serialize)]
struct Follow {
    artist_id: Uuid,
    follow: bool,
}

pub async fn follow(artist_id: Uuid, follow: bool) -> Result<AppStatus, IpcError> {
    invoke(commands::FOLLOW, &Follow { artist_id, follow }).await
}

pub async fn show(id: Uuid) -> Result<ShowView, IpcError> {
    invoke(commands::SHOW, &Id { id }).await
}

#[derive(Serialize)]
struct Vote {
    show_id: Uuid,
    line_id: Option<Uuid>,
    song_id: Option<Uuid>,
    value: i16,
}

pub async fn vote(
    show_id: Uuid,
    line_id: Option<Uuid>,
    song_id: Option<Uuid>,
    value: i16,
) -> Result<AppStatus, IpcError> {
    let args = Vote {
        show_id,
        line_id,
        song_id,
        value,
    };
    invoke(commands::VOTE, &args).await
}

#[derive(Serialize)]
struct AddSong {
    show_id: Uuid,
    song_id: Uuid,
}

pub async fn add_song(show_id: Uuid, song_id: Uuid) -> Result<AppStatus, IpcError> {
    invoke(commands::ADD_SONG, &AddSong { show_id, song_id }).await
}

#[derive(Serialize)]
struct EditPrediction<'a> {
    show_id: Uuid,
    edit: &'a PredictionEdit,
}

pub async fn edit_prediction(show_id: Uuid, edit: &PredictionEdit) -> Result<AppStatus, IpcError> {
    invoke(commands::EDIT_PREDICTION, &EditPrediction { show_id, edit }).await
}

#[derive(Serialize)]
struct EditSetlist {
    setlist_id: Uuid,
    base_version: i32,
    songs: Vec<ActualLine>,
    note: Option<String>,
}

pub async fn edit_setlist(
    setlist_id: Uuid,
    base_version: i32,
    songs: Vec<ActualLine>,
    note: Option<String>,
) -> Result<AppStatus, IpcError> {
    let args = EditSetlist {
        setlist_id,
        base_version,
        songs,
        note,
    };
    invoke(commands::EDIT_SETLIST, &args).await
}

pub async fn dismiss_change(id: Uuid) -> Result<AppStatus, IpcError> {
    invoke(commands::DISMISS, &Id { id }).await
}

pub async fn venue(id: Uuid) -> Result<Fetched<VenueDetail>, IpcError> {
    invoke(commands::VENUE, &Id { id }).await
}

#[derive(Serialize)]
struct Venues<'a> {
    query: &'a VenueQuery,
}

pub async fn venues(query: &VenueQuery) -> Result<Fetched<Page<VenueSummary>>, IpcError> {
    invoke(commands::VENUES, &Venues { query }).await
}

pub async fn dashboard() -> Result<Fetched<Dashboard>, IpcError> {
    invoke(commands::DASHBOARD, &NoArgs {}).await
}

pub async fn flags() -> Result<Vec<Flag>, IpcError> {
    invoke(commands::FLAGS, &NoArgs {}).await
}

#[derive(Serialize)]
struct Resolve<'a> {
    id: Uuid,
    action: &'a str,
}

pub async fn resolve_flag(id: Uuid, action: &str) -> Result<(), IpcError> {
    invoke(commands::RESOLVE_FLAG, &Resolve { id, action }).await
}

#[derive(Serialize)]
struct Verify {
    setlist_id: Uuid,
    version: i32,
}

pub async fn verify_setlist(setlist_id: Uuid, version: i32) -> Result<VerifyResult, IpcError> {
    invoke(
        commands::VERIFY,
        &Verify {
            setlist_id,
            version,
        },
    )
    .await
}

#[derive(Serialize)]
struct StartJob<'a> {
    job: &'a str,
    artist_id: Option<Uuid>,
}

pub async fn start_job(job: &str, artist_id: Option<Uuid>) -> Result<JobRef, IpcError> {
    invoke(commands::START_JOB, &StartJob { job, artist_id }).await
}

pub async fn audit() -> Result<AuditPage, IpcError> {
    invoke(commands::AUDIT, &NoArgs {}).await
}

#[derive(Serialize)]
struct SetRole {
    user_id: Uuid,
    role: Role,
}

pub async fn set_role(user_id: Uuid, role: Role) -> Result<PublicProfile, IpcError> {
    invoke(commands::SET_ROLE, &SetRole { user_id, role }).await
}
