use dioxus::prelude::*;

use crate::components::atoms::{Button, Field};
use crate::components::organisms::ConfirmEmail;
use crate::ipc;
use crate::route::{Route, use_nav};
use crate::state::use_shared;
use theset_shared::ipc::req::{self, Provider};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    SignIn,
    SignUp,
    Link,
    /// "Forgot password": a mailed link, then the new password.
    Reset,
}

/// Sign in (password, mailed link, Google, Spotify), sign up, sign out.
#[component]
pub fn Account() -> Element {
    let shared = use_shared();
    let mut nav = use_nav();
    let mut mode = use_signal(|| Mode::SignIn);
    let mut email = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut name = use_signal(String::new);
    let mut link = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    let server = use_resource(|| ipc::call(req::Server {}));
    let server_settings = match server.read().as_ref() {
        Some(Ok(info)) => rsx! { crate::pages::server::ServerSettings { info: info.clone() } },
        _ => rsx! {},
    };
    let account = shared
        .status
        .read()
        .as_ref()
        .and_then(|s| s.account.clone());
    let pending = shared
        .status
        .read()
        .as_ref()
        .map(|s| s.pending)
        .unwrap_or(0);

    if let Some(a) = account {
        return rsx! {
            h2 { class: "page-title", "Account" }
            p { id: "signed-in-as",
                {format!("Signed in as {} ({}).", a.display_name, a.email.as_deref().unwrap_or("no address yet"))}
            }
            if !a.email_verified {
                ConfirmEmail { has_address: a.email.is_some() }
            }
            if pending > 0 {
                p { class: "notice", "{pending} changes are not sent yet; signing out sends them first when the server can be reached." }
            }
            crate::pages::profile::ProfileEditor { account: a.clone() }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            Button { label: "Sign out", id: "sign-out", busy: busy(),
                onclick: move |_| {
                    busy.set(true);
                    spawn(async move {
                        match ipc::call(req::SignOut {}).await {
                            Ok(s) => { shared.set_status(s); shared.bump(); }
                            Err(e) => error.set(Some(e.message)),
                        }
                        busy.set(false);
                    });
                },
            }
            crate::components::organisms::SpotifyLibrary {}
            crate::components::organisms::CalendarFeed {}
            crate::pages::profile::PasswordChange {}
            crate::pages::profile::DeleteAccount {}
            {server_settings}
        };
    }

    let mut done = move |r: Result<theset_shared::ipc::AppStatus, theset_shared::ipc::IpcError>| {
        busy.set(false);
        match r {
            Ok(s) => {
                shared.set_status(s);
                shared.bump();
                error.set(None);
                nav.go(Route::Home);
            }
            Err(e) => error.set(Some(e.message)),
        }
    };
    let mut provider = move |p: Provider| {
        busy.set(true);
        if !ipc::in_tauri() {
            // The web app: this tab goes to the provider, and comes back signed in (link_in.rs).
            let return_path = nav.return_path();
            spawn(async move {
                match ipc::call(req::WebSignIn {
                    provider: p,
                    return_path,
                })
                .await
                {
                    Ok(started) => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().assign(&started.authorize_url);
                        }
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e.message));
                    }
                }
            });
            return;
        }
        notice.set(Some(
            "Finish signing in in your browser; TheSet continues when you are done.".into(),
        ));
        spawn(async move { done(ipc::call(req::SignInWith { provider: p }).await) });
    };
    rsx! {
        h2 { class: "page-title", "Sign in to TheSet" }
        div { class: "tabs", role: "tablist", aria_label: "How to sign in",
            for (m, label, id) in [(Mode::SignIn, "Password", "tab-sign-in"), (Mode::SignUp, "Create account", "tab-sign-up"), (Mode::Link, "Email me a link", "tab-link")] {
                button { key: "{id}", id: "{id}", class: "tab", role: "tab", r#type: "button",
                    aria_selected: "{mode() == m}", onclick: move |_| { mode.set(m); error.set(None); }, "{label}" }
            }
        }
        if let Some(e) = error() { p { class: "error", role: "alert", id: "auth-error", "{e}" } }
        if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
        form { class: "auth-form", role: "tabpanel",
            onsubmit: move |e| {
                e.prevent_default();
                busy.set(true);
                let (em, pw, nm, ln) = (email(), password(), name(), link());
                spawn(async move {
                    match mode() {
                        Mode::SignIn => done(ipc::call(req::SignIn { email: em.clone(), password: pw.clone() }).await),
                        Mode::SignUp => done(ipc::call(req::SignUp { email: em.clone(), password: pw.clone(), name: nm.clone() }).await),
                        Mode::Link if ln.trim().is_empty() => {
                            busy.set(false);
                            match ipc::call(req::MagicLink { email: em.clone() }).await {
                                Ok(()) => notice.set(Some("If that address has an account, a sign-in link is on its way. Paste it below.".into())),
                                Err(e) => error.set(Some(e.message)),
                            }
                        }
                        Mode::Link => done(ipc::call(req::MagicLinkConsume { link: ln.clone() }).await),
                        Mode::Reset if ln.trim().is_empty() => {
                            busy.set(false);
                            match ipc::call(req::ForgotPassword { email: em.clone() }).await {
                                Ok(()) => notice.set(Some("If that address has an account, a link to choose a new password is on its way. Paste it below with the new password.".into())),
                                Err(e) => error.set(Some(e.message)),
                            }
                        }
                        Mode::Reset => {
                            busy.set(false);
                            match ipc::call(req::ResetPassword { link: ln.clone(), new_password: pw.clone() }).await {
                                Ok(()) => {
                                    error.set(None);
                                    link.set(String::new());
                                    mode.set(Mode::SignIn);
                                    notice.set(Some("Your new password is set, and every device was signed out. Sign in with it now.".into()));
                                }
                                Err(e) => error.set(Some(e.message)),
                            }
                        }
                    }
                });
            },
            Field { id: "auth-email", label: "Email", kind: "email", value: email(), autocomplete: "email", required: true, oninput: move |v| email.set(v) }
            if mode() == Mode::Reset {
                Field { id: "auth-link", label: "The link or code from the mail, once it arrives", value: link(), oninput: move |v| link.set(v) }
            }
            if mode() != Mode::Link && (mode() != Mode::Reset || !link().trim().is_empty()) {
                Field { id: "auth-password", label: if mode() == Mode::Reset { "New password (15 characters or more)" } else { "Password" }, kind: "password", value: password(),
                    autocomplete: if matches!(mode(), Mode::SignUp | Mode::Reset) { "new-password" } else { "current-password" },
                    required: true, oninput: move |v| password.set(v) }
            }
            if mode() == Mode::SignUp {
                Field { id: "auth-name", label: "Display name", value: name(), autocomplete: "nickname", required: true, oninput: move |v| name.set(v) }
            }
            if mode() == Mode::Link {
                Field { id: "auth-link", label: "The link or code from the mail, once it arrives", value: link(), oninput: move |v| link.set(v) }
            }
            button { class: "button button-primary", r#type: "submit", id: "auth-submit", disabled: busy(),
                match mode() {
                    Mode::SignIn => "Sign in",
                    Mode::SignUp => "Create account",
                    Mode::Link => if link().trim().is_empty() { "Send link" } else { "Sign in with link" },
                    Mode::Reset => if link().trim().is_empty() { "Send reset link" } else { "Set new password" },
                }
            }
            if mode() == Mode::SignIn {
                button { class: "link", r#type: "button", id: "forgot-password",
                    onclick: move |_| { mode.set(Mode::Reset); error.set(None); notice.set(None); },
                    "Forgot password?" }
            }
        }
        div { class: "providers",
            p { class: "muted", if ipc::in_tauri() { "Or continue in your browser with" } else { "Or continue with" } }
            Button { label: "Google", id: "sign-in-google", busy: busy(), onclick: move |_| provider(Provider::Google) }
            Button { label: "Spotify", id: "sign-in-spotify", busy: busy(), onclick: move |_| provider(Provider::Spotify) }
        }
        {server_settings}
    }
}
