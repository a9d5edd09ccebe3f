//! The web app opened from a mailed sign-in link (`/app/#token=…`, from the link's page): the
//! token goes to the core, which opens a browser session with it, and the address bar forgets it.

use theset_shared::ipc::req;

use crate::state::Shared;

/// The whole address when it carries a mailed link's token in its fragment.
fn link_in_address() -> Option<String> {
    let location = web_sys::window()?.location();
    let hash = location.hash().ok()?;
    hash.contains("token=")
        .then(|| location.href().ok())
        .flatten()
}

/// Signs in with the token in the address, once, when the page was opened with one.
pub async fn sign_in_from_address(shared: Shared) {
    if crate::ipc::in_tauri() {
        return;
    }
    let Some(link) = link_in_address() else {
        return;
    };
    // Forget the token before anything else: it must not stay in history or be bookmarked.
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/app/"));
    }
    match crate::ipc::call(req::MagicLinkConsume { link }).await {
        Ok(status) => shared.set_status(status),
        Err(e) => shared.set_notice(Some(format!(
            "The sign-in link did not work: {}",
            e.message
        ))),
    }
}
