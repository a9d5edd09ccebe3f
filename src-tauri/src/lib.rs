//! The Tauri 2 shell: one `run()` for desktop and mobile. One command carries the app↔core
//! contract (`commands`) to the offline core (`theset_client::app`), with the shell as its host
//! (`shell`). Tokens and the backend URL stay on this side; the webview only sees the IPC types
//! of `theset_shared::ipc`.

mod commands;
mod shell;
mod startup;
mod tiles;

use std::sync::Arc;

use tauri::Manager;

/// Backend base URL unless `THESET_API_URL` says otherwise.
const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    startup::begin();
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
            let host = shell::TauriHost::new(app.handle().clone());
            // Inside the async runtime: starting the app spawns its sync loop there.
            let shell = tauri::async_runtime::block_on(async move {
                theset_client::app::App::start(host, Arc::new(client))
            });
            app.manage(shell);
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(tiles::SCHEME, tiles::handle::<_, shell::Shell>)
        .invoke_handler(tauri::generate_handler![commands::core])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        tracing::error!(error = %e, "TheSet could not start");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    /// The shell's modules point one way (commands → shell → tiles, startup); none imports a
    /// module that imports it back.
    #[test]
    fn no_import_circle_between_modules() {
        let src = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
        let graph = theset_testkit::modules::graph(&src);
        assert!(graph.contains_key("commands") && graph["commands"].contains("shell"));
        let circles = theset_testkit::modules::cycles(&graph);
        assert!(
            circles.is_empty(),
            "modules that import each other: {circles:#?}"
        );
    }
}
