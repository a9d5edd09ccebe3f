//! The few HTML pages a person reaches from outside the app: the targets of mailed links
//! (`/auth/verify-email`, `/auth/reset-password`, `/auth/magic-link`) and OAuth error pages.
//! Tokens travel in the URL fragment, read by `pages.js` and sent with `fetch`, so they never
//! appear in server logs, and the pages do nothing on load (mail scanners that prefetch links
//! spend no token).

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/verify-email", get(|| page("verify")))
        .route("/auth/reset-password", get(|| page("reset")))
        .route("/auth/magic-link", get(|| page("magic")))
        .route("/auth/pages.js", get(script))
        .route("/auth/pages.css", get(style))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let doc = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · TheSet</title><link rel=\"stylesheet\" href=\"/auth/pages.css\"></head>\
         <body><main><h1>{}</h1>{body}</main><script src=\"/auth/pages.js\"></script></body></html>",
        escape(title),
        escape(title)
    );
    let mut res = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        doc,
    )
        .into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    res
}

/// A page that only says something (OAuth failures).
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    html(status, title, &format!("<p>{}</p>", escape(text)))
}

async fn page(kind: &'static str) -> Response {
    let (title, body) = match kind {
        "verify" => (
            "Confirm your email",
            "<p>Signed up in the TheSet app? Paste this code there: your address is confirmed \
             and your password stays.</p>\
             <p><code id=\"code\"></code></p><button id=\"copy\">Copy code</button>\
             <h2>Or confirm here</h2>\
             <p class=\"hint\">Confirming here makes the address yours alone: a password chosen \
             when the account was made is removed and its devices are signed out. Use this if \
             someone else signed up with your address; then sign in with a mailed link.</p>\
             <button id=\"go\" data-action=\"verify\">Confirm here</button>",
        ),
        "reset" => (
            "Choose a new password",
            "<form id=\"reset\"><label>New password <input id=\"pw\" type=\"password\" \
             autocomplete=\"new-password\" minlength=\"15\" maxlength=\"256\" required></label>\
             <p class=\"hint\">At least 15 characters; a few unrelated words work well. \
             Every device will be signed out.</p><button type=\"submit\">Save password</button></form>",
        ),
        _ => (
            "Sign in to TheSet",
            "<p><a id=\"web\" class=\"button\" href=\"/app/\">Continue in the web app</a></p>\
             <p>Or paste this code into the TheSet app to finish signing in:</p>\
             <p><code id=\"code\"></code></p><button id=\"copy\">Copy code</button>\
             <p class=\"hint\">The code works once, for 15 minutes.</p>",
        ),
    };
    html(
        StatusCode::OK,
        title,
        &format!("{body}<p id=\"status\" role=\"status\"></p>"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("pages.js"),
    )
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("pages.css"),
    )
}
