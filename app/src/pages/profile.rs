//! The signed-in account's own settings: name and picture, password, and deleting the account.

use base64::Engine as _;
use dioxus::prelude::*;
use theset_shared::ErrorCode;
use theset_shared::images::{MAX_AVATAR_BYTES, picture_type};
use theset_shared::ipc::{Account, AppStatus, IpcCode, IpcError, req};

use crate::components::atoms::{Avatar, Button, Field};
use crate::ipc;
use crate::state::use_shared;

/// What a change answered, said in the section that made it.
fn said(
    shared: crate::state::Shared,
    mut error: Signal<Option<String>>,
    mut notice: Signal<Option<String>>,
    r: Result<AppStatus, IpcError>,
    done: &str,
) {
    match r {
        Ok(s) => {
            shared.set_status(s);
            shared.bump();
            error.set(None);
            notice.set(Some(done.to_owned()));
        }
        Err(e) => {
            notice.set(None);
            error.set(Some(e.message));
        }
    }
}

/// Name and picture. The picture is checked and previewed here as the server will crop it
/// (the middle square), before anything is sent.
#[component]
pub fn ProfileEditor(account: Account) -> Element {
    let shared = use_shared();
    let mut name = use_signal(|| account.display_name.clone());
    let mut chosen = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let error = use_signal(|| None::<String>);
    let notice = use_signal(|| None::<String>);
    let mut pick_error = use_signal(|| None::<String>);
    let pick = move |e: Event<FormData>| {
        let Some(file) = e.files().into_iter().next() else {
            return;
        };
        spawn(async move {
            pick_error.set(None);
            let bytes = match file.read_bytes().await {
                Ok(b) => b,
                Err(_) => {
                    pick_error.set(Some("That file could not be read.".into()));
                    return;
                }
            };
            if bytes.len() > MAX_AVATAR_BYTES {
                pick_error.set(Some("Choose a picture of at most 2 MB.".into()));
                return;
            }
            let Some(kind) = picture_type(&bytes) else {
                pick_error.set(Some("Choose a PNG, JPEG, WebP or GIF picture.".into()));
                return;
            };
            let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            chosen.set(Some(format!("data:{kind};base64,{data}")));
        });
    };
    let has_avatar = account.avatar_url.is_some();
    rsx! {
        section { class: "card", aria_labelledby: "profile-title", id: "profile-editor",
            h3 { id: "profile-title", "Profile" }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            if let Some(n) = notice() { p { class: "notice", role: "status", id: "profile-saved", "{n}" } }
            div { class: "profile-edit",
                div { class: "avatar-pick",
                    if let Some(src) = chosen() {
                        figure { class: "crop-preview",
                            img { src, alt: "Your new picture, cropped to the middle square", id: "avatar-preview" }
                            figcaption { class: "muted", "How it will look: the middle square, in a circle." }
                        }
                    } else {
                        Avatar { name: account.display_name.clone(), image: account.avatar_url.clone(), size: "xl" }
                    }
                    input { id: "avatar-file", class: "visually-hidden", r#type: "file",
                        accept: "image/png,image/jpeg,image/webp,image/gif", onchange: pick }
                    label { class: "button", r#for: "avatar-file", "Choose a picture…" }
                    if let Some(e) = pick_error() { p { class: "error", role: "alert", id: "avatar-error", "{e}" } }
                    if chosen().is_some() {
                        div { class: "row",
                            Button { label: "Use this picture", kind: "primary", id: "avatar-upload", busy: busy(),
                                onclick: move |_| {
                                    let Some(data_url) = chosen() else { return };
                                    busy.set(true);
                                    spawn(async move {
                                        let r = ipc::call(req::UploadAvatar { data_url }).await;
                                        if r.is_ok() { chosen.set(None); }
                                        said(shared, error, notice, r, "Your picture is saved.");
                                        busy.set(false);
                                    });
                                } }
                            Button { label: "Cancel", onclick: move |_| chosen.set(None) }
                        }
                    } else if has_avatar {
                        Button { label: "Remove picture", id: "avatar-remove", busy: busy(),
                            onclick: move |_| {
                                busy.set(true);
                                spawn(async move {
                                    said(shared, error, notice, ipc::call(req::RemoveAvatar {}).await, "Your picture is removed.");
                                    busy.set(false);
                                });
                            } }
                    }
                }
                form { class: "auth-form",
                    onsubmit: move |e| {
                        e.prevent_default();
                        busy.set(true);
                        let display_name = name();
                        spawn(async move {
                            said(shared, error, notice, ipc::call(req::Rename { display_name }).await, "Your name is saved.");
                            busy.set(false);
                        });
                    },
                    Field { id: "profile-name-input", label: "Display name", value: name(), autocomplete: "nickname", required: true, oninput: move |v| name.set(v) }
                    button { class: "button", r#type: "submit", id: "profile-save", disabled: busy(), "Save name" }
                }
            }
        }
    }
}

/// Change a known password; every other device is signed out by the server.
#[component]
pub fn PasswordChange() -> Element {
    let mut current = use_signal(String::new);
    let mut new = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    rsx! {
        section { class: "card", aria_labelledby: "password-title",
            h3 { id: "password-title", "Password" }
            if let Some(e) = error() { p { class: "error", role: "alert", id: "password-error", "{e}" } }
            if let Some(n) = notice() { p { class: "notice", role: "status", id: "password-changed", "{n}" } }
            form { class: "auth-form",
                onsubmit: move |e| {
                    e.prevent_default();
                    busy.set(true);
                    let (current_password, new_password) = (current(), new());
                    spawn(async move {
                        match ipc::call(req::ChangePassword { current_password, new_password }).await {
                            Ok(()) => {
                                error.set(None);
                                current.set(String::new());
                                new.set(String::new());
                                notice.set(Some("Password changed. Your other devices are signed out.".into()));
                            }
                            Err(e) => { notice.set(None); error.set(Some(e.message)); }
                        }
                        busy.set(false);
                    });
                },
                Field { id: "password-current", label: "Current password", kind: "password", value: current(), autocomplete: "current-password", required: true, oninput: move |v| current.set(v) }
                Field { id: "password-new", label: "New password (15 characters or more)", kind: "password", value: new(), autocomplete: "new-password", required: true, oninput: move |v| new.set(v) }
                button { class: "button", r#type: "submit", id: "password-submit", disabled: busy(), "Change password" }
            }
            p { class: "muted", "Signed up with Google, Spotify or a mailed link? Sign out and use \"Forgot password\" to set one by mail." }
        }
    }
}

/// Deleting the account, with what it removes said before it is confirmed, and proof that the
/// owner is here: the password, or (an account without one) the code the server mails on the
/// first try.
#[component]
pub fn DeleteAccount() -> Element {
    let shared = use_shared();
    let mut asked = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut password = use_signal(String::new);
    let mut code = use_signal(String::new);
    // The server mailed a code (an account without a password): ask for it.
    let mut code_sent = use_signal(|| None::<String>);
    rsx! {
        section { class: "card danger-zone", aria_labelledby: "delete-title",
            h3 { id: "delete-title", "Delete account" }
            if !asked() {
                Button { label: "Delete my account…", kind: "danger", id: "delete-account", onclick: move |_| asked.set(true) }
            } else {
                div { role: "alertdialog", aria_labelledby: "delete-confirm-title", id: "delete-confirm",
                    p { id: "delete-confirm-title", strong { "This cannot be undone." } }
                    ul {
                        li { "Your votes come off every list (the totals are recounted)." }
                        li { "Your predictions and scores, the shows you are going to, your calendar address and your live captures are removed." }
                        li { "Your name and picture go. Songs you added, flags you raised and set-list corrections stay, without your name." }
                        li { "Every device is signed out, and changes not sent yet are dropped." }
                    }
                    match code_sent() {
                        None => rsx! {
                            Field { id: "delete-password", label: "Your password", kind: "password",
                                value: password(), autocomplete: "current-password",
                                oninput: move |v| password.set(v) }
                            p { class: "muted", "No password on this account (you sign in with a mailed link, Google or Spotify)? Leave it empty: we mail you a code." }
                        },
                        Some(said) => rsx! {
                            p { class: "notice", role: "status", id: "delete-code-sent", "{said}" }
                            Field { id: "delete-code", label: "Code from the mail", value: code(),
                                autocomplete: "one-time-code", oninput: move |v| code.set(v) }
                        },
                    }
                    if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
                    div { class: "row",
                        Button { label: "Delete everything", kind: "danger", id: "delete-confirmed", busy: busy(),
                            onclick: move |_| {
                                busy.set(true);
                                error.set(None);
                                spawn(async move {
                                    let proof = req::DeleteAccount {
                                        current_password: Some(password()).filter(|p| !p.is_empty()),
                                        code: Some(code()).filter(|c| !c.trim().is_empty()),
                                    };
                                    match ipc::call(proof).await {
                                        Ok(s) => {
                                            shared.set_status(s);
                                            shared.bump();
                                            shared.set_notice(Some("Your account is deleted.".into()));
                                        }
                                        // No password given: the server mailed a code (or says to
                                        // sign in again); its sentence says which.
                                        Err(e) if e.code == IpcCode::Server(ErrorCode::StepUpRequired)
                                            && password().is_empty() => code_sent.set(Some(e.message)),
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                    busy.set(false);
                                });
                            } }
                        Button { label: "Keep my account", onclick: move |_| asked.set(false) }
                    }
                }
            }
        }
    }
}
