//! TheSet's UI: Dioxus compiled to wasm, shown in the Tauri window. It reaches data only through
//! the typed facade in [`ipc`], which asks the shell; the shell answers from the local store
//! first and the server when it can.

mod app;
mod components;
mod device_prefs;
mod ipc;
mod link_in;
mod pages;
mod route;
mod state;
mod theme;

fn main() {
    dioxus::launch(app::App);
}
