//! The web app (`app/dist`, built by `cargo xtask build-ui`): the same Dioxus UI and offline core
//! the desktop app runs, served from this origin so its requests carry the browser session cookie.
//! `/` leads to `/app/`; files are served from the folder, and every other path under `/app/`
//! (a deep link such as `/app/shows/{id}`) answers the page itself, which reads its route from
//! the address. The page gets a CSP of its own: scripts and wasm from this origin only, workers
//! from this origin, nothing framed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::AppState;

/// Where the web app is mounted.
pub const PREFIX: &str = "/app/";

const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; \
     connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; \
     frame-ancestors 'none'";

/// The built web app: its folder, and its page with the mount point as the base of relative
/// addresses (so `./theset_app.js` means `/app/theset_app.js` from any deep link).
pub struct WebApp {
    dir: PathBuf,
    page: String,
}

impl WebApp {
    /// Reads the page of the web app built into `dir`; `None` (logged) when there is none.
    pub fn load(dir: &Path) -> Option<Arc<Self>> {
        let page = match std::fs::read_to_string(dir.join("index.html")) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "no web app to serve");
                return None;
            }
        };
        let page = page.replacen(
            "<head>",
            &format!("<head>\n    <base href=\"{PREFIX}\" />"),
            1,
        );
        Some(Arc::new(Self {
            dir: dir.to_owned(),
            page,
        }))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to(PREFIX) }))
        .route("/app", get(|| async { Redirect::to(PREFIX) }))
        .route("/app/", get(file))
        .route("/app/{*path}", get(file))
}

fn with_page_headers(mut res: Response, cache: &'static str) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

async fn file(State(state): State<AppState>, req: Request) -> Response {
    let Some(web) = state.web.clone() else {
        return crate::error::AppError::NotFound("no web app is served here").into_response();
    };
    let rest = req
        .uri()
        .path()
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .to_owned();
    let is_file = !rest.is_empty()
        && rest.split('/').all(|seg| {
            !seg.is_empty() && !seg.starts_with('.') && seg != ".." && !seg.contains('\\')
        })
        && web.dir.join(&rest).is_file();
    if !is_file {
        // The page: never cached without asking, so a new version is seen on the next visit.
        return with_page_headers(
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                web.page.clone(),
            )
                .into_response(),
            "no-cache",
        );
    }
    let mut inner = Request::new(Body::empty());
    *inner.uri_mut() = match format!("/{rest}").parse() {
        Ok(uri) => uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    for name in [header::IF_MODIFIED_SINCE, header::ACCEPT_ENCODING] {
        if let Some(v) = req.headers().get(&name) {
            inner.headers_mut().insert(name, v.clone());
        }
    }
    // The build writes `.br` and `.gz` beside each file (`cargo xtask build-ui`).
    let files = ServeDir::new(&web.dir)
        .precompressed_br()
        .precompressed_gzip();
    match files.oneshot(inner).await {
        // Revalidated on each visit (cheap: 304 when unchanged); the service worker keeps the
        // copies that open the app offline.
        Ok(res) => with_page_headers(res.map(Body::new), "no-cache"),
        Err(never) => match never {},
    }
}
