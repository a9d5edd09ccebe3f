//! The Tauri 2 shell: one `run()` for desktop and mobile. One command carries the app↔core
//! contract (`commands`): each request one call into `theset-client`. Tokens and the backend URL stay on this side; the webview only
//! sees the IPC types of `theset_shared::ipc`.

mod commands;
mod shell;
mod tiles;

use std::sync::Arc;

use tauri::Manager;

/// Backend base URL unless `THESET_API_URL` says otherwise.
const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

/// When the process started, for the cold-start figure ([`first_render`]).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The UI's first page is on screen: logged with the time since the process started, which the
/// cold-start benchmark reads (`THESET_EXIT_AFTER_FIRST_RENDER` ends the app right after).
fn first_render(app: &tauri::AppHandle) {
    let ms = STARTED
        .get()
        .map(|t| t.elapsed().as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN);
    tracing::info!(ms, "first page rendered");
    if std::env::var_os("THESET_EXIT_AFTER_FIRST_RENDER").is_some() {
        println!("first-render-ms {ms:.1}");
        app.exit(0);
    }
}

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
        .invoke_handler(tauri::generate_handler![commands::core])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        tracing::error!(error = %e, "TheSet could not start");
        std::process::exit(1);
    }
}
