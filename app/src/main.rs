//! TheSet's UI: Dioxus compiled to wasm, shown in the Tauri window. It reaches data only through
//! the typed facade in [`ipc`], which asks the shell; the shell answers from the local store.

mod components;
mod ipc;
mod pages;

fn main() {
    dioxus::launch(pages::home::Home);
}
