//! The cold-start figure: when the process started, and the moment the UI's first page is on
//! screen (the cold-start benchmark reads the logged line).

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes the start; the first call wins.
pub fn begin() {
    let _ = STARTED.set(Instant::now());
}

/// The UI's first page is on screen: logged with the time since the process started
/// (`THESET_EXIT_AFTER_FIRST_RENDER` ends the app right after).
pub fn first_render(app: &tauri::AppHandle) {
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
