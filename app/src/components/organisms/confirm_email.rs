use dioxus::prelude::*;

use crate::components::atoms::{Button, Field};
use crate::ipc;
use crate::state::use_shared;
use theset_shared::ipc::req;

/// What an account with an unconfirmed address is told, and the way out: paste the code from
/// the mail (here, in the app that signed up, the password stays), have it sent again, or — for
/// an account made through Spotify — add an address first.
#[component]
pub fn ConfirmEmail(has_address: bool) -> Element {
    let shared = use_shared();
    let mut code = use_signal(String::new);
    let mut address = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut said = use_signal(|| None::<(bool, String)>);
    let mut sent_to_new = use_signal(|| false);
    let awaiting_code = has_address || sent_to_new();
    rsx! {
        section { class: "card confirm-email", id: "confirm-email", aria_labelledby: "confirm-title",
            h3 { id: "confirm-title",
                if awaiting_code { "Confirm your email address" } else { "Add your email address" }
            }
            if awaiting_code {
                p { "Votes, added songs, predictions and corrections are saved on this device and go out once your address is confirmed. Paste the code from the mail we sent you." }
                form { class: "inline-form",
                    onsubmit: move |e| {
                        e.prevent_default();
                        busy.set(true);
                        let c = code();
                        spawn(async move {
                            match ipc::call(req::ConfirmEmail { code: c.clone() }).await {
                                Ok(s) => {
                                    shared.set_status(s);
                                    shared.bump();
                                    said.set(Some((true, "Address confirmed: your changes are on their way.".into())));
                                }
                                Err(e) => said.set(Some((false, e.message))),
                            }
                            busy.set(false);
                        });
                    },
                    Field { id: "confirm-code", label: "Code or link from the mail", value: code(), autocomplete: "one-time-code", required: true, oninput: move |v| code.set(v) }
                    button { class: "button button-primary", r#type: "submit", id: "confirm-submit", disabled: busy(), "Confirm" }
                }
                if has_address {
                    Button { label: "Send the mail again", id: "confirm-resend", busy: busy(),
                        onclick: move |_| {
                            busy.set(true);
                            spawn(async move {
                                match ipc::call(req::ResendConfirmation {}).await {
                                    Ok(()) => said.set(Some((true, "A new mail is on its way; the older code no longer works.".into()))),
                                    Err(e) => said.set(Some((false, e.message))),
                                }
                                busy.set(false);
                            });
                        },
                    }
                }
            } else {
                p { "Your account has no email address yet. Add one to vote, predict and correct set-lists: we mail it a code to confirm here." }
                form { class: "inline-form",
                    onsubmit: move |e| {
                        e.prevent_default();
                        busy.set(true);
                        let a = address();
                        spawn(async move {
                            // An account without an address has no password either (it was
                            // made through Spotify): a recent sign-in is its proof.
                            match ipc::call(req::AddEmail { email: a.clone(), current_password: None }).await {
                                Ok(()) => {
                                    sent_to_new.set(true);
                                    said.set(Some((true, format!("We mailed a code to {a}; paste it below."))));
                                }
                                Err(e) => said.set(Some((false, e.message))),
                            }
                            busy.set(false);
                        });
                    },
                    Field { id: "confirm-address", label: "Email", kind: "email", value: address(), autocomplete: "email", required: true, oninput: move |v| address.set(v) }
                    button { class: "button button-primary", r#type: "submit", id: "confirm-add", disabled: busy(), "Send code" }
                }
            }
            if let Some((ok, text)) = said() {
                p { class: if ok { "notice" } else { "error" }, role: if ok { "status" } else { "alert" }, id: "confirm-said", "{text}" }
            }
        }
    }
}
