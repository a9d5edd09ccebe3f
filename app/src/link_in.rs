//! The web app opened on its way back from a sign-in that left the page: a mailed link's page
//! (`#token=…`, "Continue in the web app"), whose token goes to the core, which opens a browser
//! session with it; or the server's end of a Google or Spotify sign-in (`#signed-in`, the
//! session cookie already set, or `#sign-in-error=…`). The address bar forgets the fragment
//! first.

use theset_shared::ipc::{Connection, req};

use crate::state::Shared;

enum Arrival {
    /// The whole address of a mailed link's hand-over.
    MailedLink(String),
    SignedIn,
    /// The provider's answer when the user did not sign in (`access_denied`).
    SignInError(String),
}

fn arrival() -> Option<Arrival> {
    let location = web_sys::window()?.location();
    let hash = location.hash().ok()?;
    if hash == "#signed-in" {
        return Some(Arrival::SignedIn);
    }
    if let Some(error) = hash.strip_prefix("#sign-in-error=") {
        let error = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        return Some(Arrival::SignInError(error));
    }
    hash.contains("token=")
        .then(|| location.href().ok().map(Arrival::MailedLink))
        .flatten()
}

/// Whether a mailed link may sign this browser in: at once when nobody is signed in; otherwise
/// only when the person agrees to leave the account they are in. A link someone else planted
/// (a message, a page) must not quietly move a signed-in fan's follows and "going" into the
/// planter's account.
async fn replacing_agreed() -> bool {
    let Ok(status) = crate::ipc::call(req::Status {}).await else {
        return true;
    };
    // Signed in even before the account's details have come (the session is on the device).
    if status.connection == Connection::SignedOut && status.account.is_none() {
        return true;
    }
    let name = status
        .account
        .map_or_else(|| "your account".to_owned(), |a| a.display_name);
    let question = format!(
        "You are signed in as {name}. This link signs in to the account it was mailed for, \
         which may be another one: you would leave {name} on this device. Open it anyway?"
    );
    web_sys::window()
        .and_then(|w| w.confirm_with_message(&question).ok())
        .unwrap_or(false)
}

/// Finishes the sign-in the address carries, once, when the page was opened with one.
pub async fn sign_in_from_address(shared: Shared) {
    if crate::ipc::in_tauri() {
        return;
    }
    let Some(arrival) = arrival() else {
        return;
    };
    // Forget the fragment before anything else: a token must not stay in history or be
    // bookmarked, and a reload must not sign in again. The page's own address stays.
    if let Some(window) = web_sys::window() {
        let path = window
            .location()
            .pathname()
            .unwrap_or_else(|_| "/app/".into());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
    let (result, what) = match arrival {
        Arrival::MailedLink(link) => {
            if !replacing_agreed().await {
                shared.set_notice(Some(
                    "The sign-in link was not used: you are still signed in as before.".into(),
                ));
                return;
            }
            (
                crate::ipc::call(req::MagicLinkConsume { link }).await,
                "The sign-in link did not work",
            )
        }
        Arrival::SignedIn => (
            crate::ipc::call(req::WebSignedIn {}).await,
            "Signing in did not finish",
        ),
        Arrival::SignInError(error) => {
            shared.set_notice(Some(format!(
                "Signing in at the provider did not finish ({error}). Try again, or use your \
                 password or a mailed link."
            )));
            return;
        }
    };
    match result {
        Ok(status) => shared.set_status(status),
        Err(e) => shared.set_notice(Some(format!("{what}: {}", e.message))),
    }
}
