//! The Tauri 2 shell: one `run()` for desktop and mobile. One command carries the app↔core
//! contract (`commands`) to the offline core (`theset_client::app`), with the shell as its host
//! (`shell`). Tokens and the backend URL stay on this side; the webview only sees the IPC types
//! of `theset_shared::ipc`.

// What only `run` uses is idle in the unit-test build (see `run`).
#![cfg_attr(test, allow(dead_code, unused_imports))]

mod avatars;
mod commands;
mod phone;
mod shell;
mod startup;
mod tiles;
#[cfg(desktop)]
mod updates;
// Phones update through their stores: the same interface, always off.
#[cfg(mobile)]
#[path = "updates_off.rs"]
mod updates;

use tauri::Manager;

// Not in the unit-test build: `generate_context!` embeds the UI through a cache in OUT_DIR that
// tauri-codegen fills without locking, and cargo compiles the library and its tests at the same
// time, so one of them could embed a half-written wasm file (the window then loads index.html
// in its place and stays blank).
#[cfg(not(test))]
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    startup::begin();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    // `cfg!`, not `#[cfg]`: the phone path is compiled (and linted) on desktop too.
    let builder = if cfg!(mobile) {
        phone::plugins(tauri::Builder::default())
    } else {
        tauri::Builder::default()
    };
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_updater::Builder::new().build());
    let result = builder
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let dir = app.path().app_data_dir()?;
            // The local run and tests name the server; otherwise the user chooses it (first run,
            // settings) and the choice is kept beside the stores.
            let pinned = std::env::var("THESET_API_URL").ok();
            let handle = app.handle().clone();
            let updates = updates::Updates::start(&handle);
            let device = if cfg!(mobile) {
                phone::Device::phone(&handle)
            } else {
                phone::Device::desktop()
            };
            let make_host: theset_client::app::servers::MakeHost<shell::TauriHost> =
                Box::new(move |chosen_by| {
                    shell::TauriHost::new(
                        handle.clone(),
                        chosen_by,
                        device.clone(),
                        updates.clone(),
                    )
                });
            // Inside the async runtime: starting an app spawns its sync loop there.
            let servers = tauri::async_runtime::block_on(async move {
                shell::ShellServers::start(&dir, pinned.as_deref(), make_host)
            })?;
            app.manage(servers);
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(
            tiles::SCHEME,
            tiles::handle::<_, shell::ShellServers>,
        )
        .register_asynchronous_uri_scheme_protocol(
            avatars::SCHEME,
            avatars::handle::<_, shell::ShellServers>,
        )
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
