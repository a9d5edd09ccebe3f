//! End to end in the real window: the Tauri app (with the wasm UI embedded) under Xvfb, driven
//! through tauri-driver + WebKitWebDriver, against the real backend over a fresh database, with
//! the music services and sign-in providers replayed from fixtures/. Each test has its own X
//! display, database and app folders (`XDG_DATA_HOME`, `XDG_CONFIG_HOME`).
//!
//! Needs what `cargo xtask test` installs: Xvfb, tauri-driver, WebKitWebDriver, Postgres
//! (`DATABASE_URL`), the UI built into `app/dist` before this crate compiled.

mod flows;
mod harness;
