//! The Tauri 2 shell: one `run()` for desktop and mobile. Commands are thin: deserialise, call
//! `theset-client`, map the error. Tokens and the backend URL stay on this side; the webview only
//! sees the IPC types of `theset_shared::ipc`.

mod commands;

use std::sync::Arc;

use tauri::Manager;

/// Backend base URL unless `THESET_API_URL` says otherwise.
const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
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
            let client = theset_client::Client::open(&dir.join("theset.sqlite3"), &api)?;
            tracing::info!(data = %dir.display(), %api, "store opened");
            app.manage(Arc::new(client));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_cached_artists,
            commands::sync_artists
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        tracing::error!(error = %e, "TheSet could not start");
        std::process::exit(1);
    }
}
