use dioxus::prelude::*;
use theset_shared::ipc::req;

use crate::components::atoms::Button;
use crate::ipc;

/// The private calendar address of the shows the fan is going to: made on request and shown
/// once (the server keeps only its digest), replaced or stopped at will.
#[component]
pub fn CalendarFeed() -> Element {
    let mut url = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    rsx! {
        section { class: "card", aria_labelledby: "calendar-title", id: "calendar",
            h2 { id: "calendar-title", class: "section-title", "Your shows in your calendar" }
            p { class: "muted",
                "A private address your calendar app can subscribe to: every show you are going to appears there. Anyone with the address sees those shows, so keep it to yourself; a new one stops the old."
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            if let Some(n) = notice() { p { class: "notice", role: "status", "{n}" } }
            if let Some(u) = url() {
                div { class: "field",
                    label { r#for: "calendar-url", "Calendar address (shown once: copy it now)" }
                    input { id: "calendar-url", r#type: "text", readonly: true, value: "{u}" }
                }
            }
            div { class: "row",
                Button { label: if url().is_some() { "Make a new address" } else { "Get a calendar address" },
                    id: "calendar-new", busy: busy(),
                    onclick: move |_| {
                        busy.set(true);
                        spawn(async move {
                            match ipc::call(req::NewCalendarFeed {}).await {
                                Ok(feed) => { url.set(Some(feed.url)); error.set(None); notice.set(None); }
                                Err(e) => error.set(Some(e.message)),
                            }
                            busy.set(false);
                        });
                    },
                }
                Button { label: "Stop the address", id: "calendar-stop",
                    onclick: move |_| {
                        spawn(async move {
                            match ipc::call(req::RevokeCalendarFeed {}).await {
                                Ok(()) => { url.set(None); notice.set(Some("The calendar address no longer works.".into())); }
                                Err(e) => error.set(Some(e.message)),
                            }
                        });
                    },
                }
            }
        }
    }
}
