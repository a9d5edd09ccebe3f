fn main() {
    // The embedded UI: a rebuilt wasm bundle must rebuild the shell that carries it.
    println!("cargo:rerun-if-changed=../app/dist");
    // The config lives at the workspace root, shared by desktop and mobile builds.
    let attrs = tauri_build::Attributes::new().config_path("../tauri.conf.json");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build: {e:#}");
    }
}
