//! The Tauri 2 shell: one `run()` for desktop and mobile. Commands are thin: deserialise, call
//! `theset-client`, map the error. Tokens and the backend URL stay on this side; the webview only
//! sees the IPC types of `theset_shared::ipc`.

mod commands;
mod shell;
mod tiles;

use std::sync::Arc;

use tauri::Manager;

/// Backend base URL unless `THESET_API_URL` says otherwise.
const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

/// When the process started, for the cold-start figure (`commands::browse::first_render`).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = STARTED.set(std::time::Instant::now());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = app.path().app_data_dir()?;
            let api =
                std::env::var("THESET_API_URL").unwrap_or_else(|_| DEFAULT_API_URL.to_owned());
            let client =
                theset_client::Client::open(&dir.join(theset_client::store_file(&api)), &api)?;
            tracing::info!(data = %dir.display(), %api, "store opened");
            let shell = shell::Shell::start(app.handle(), Arc::new(client));
            app.manage(shell);
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(tiles::SCHEME, tiles::handle)
        .invoke_handler(tauri::generate_handler![
            commands::browse::list_cached_artists,
            commands::account::status,
            commands::account::sync_now,
            commands::account::sign_in,
            commands::account::sign_up,
            commands::account::sign_in_with,
            commands::account::magic_link,
            commands::account::magic_link_consume,
            commands::account::sign_out,
            commands::account::confirm_email,
            commands::account::resend_confirmation,
            commands::account::add_email,
            commands::account::sessions,
            commands::account::revoke_session,
            commands::browse::home,
            commands::browse::my_shows,
            commands::browse::first_render,
            commands::browse::search,
            commands::browse::import_artist,
            commands::browse::artist,
            commands::browse::show,
            commands::browse::venue,
            commands::browse::venues,
            commands::browse::dashboard,
            commands::changes::follow,
            commands::changes::vote,
            commands::changes::add_song,
            commands::changes::edit_prediction,
            commands::changes::edit_setlist,
            commands::changes::dismiss_change,
            commands::moderation::flags,
            commands::moderation::resolve_flag,
            commands::moderation::verify_setlist,
            commands::moderation::start_job,
            commands::moderation::audit,
            commands::moderation::set_role,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        tracing::error!(error = %e, "TheSet could not start");
        std::process::exit(1);
    }
}
