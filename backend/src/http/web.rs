//! The web app (`app/dist`, built by `cargo xtask build-ui`): the same Dioxus UI and offline core
//! the desktop app runs, served from this origin so its requests carry the browser session cookie.
//! `/` answers the page (its address stays: a phone's bookmark of the bare host opens offline
//! too, the service worker's scope is the whole origin); files are served from the folder, and
//! every other path under `/app/` (a deep link such as `/app/shows/{id}`) answers the page itself,
//! which reads its route from the address. Files named after their content
//! (`theset_app.<16 hex>.js`, see `cargo xtask build-ui`) are cached for a year as immutable; the
//! page and the other entry points are revalidated on each visit. The page gets a CSP of its own:
//! scripts and wasm from this origin only, workers from this origin, nothing framed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::AppState;

/// Where the web app is mounted.
pub const PREFIX: &str = "/app/";

/// Files whose name changes with their content: kept by browsers and proxies without asking.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether the last segment is `stem.<16 hex>.ext`, the build's content-hashed name.
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !ext.is_empty()
        && !stem.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

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
        .route("/", get(file))
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
    // Others are revalidated on each visit (cheap: 304 when unchanged); the service worker keeps
    // the copies that open the app offline.
    let cache = if content_hashed(&rest) {
        IMMUTABLE
    } else {
        "no-cache"
    };
    match files.oneshot(inner).await {
        Ok(res) => {
            let ok = res.status().is_success();
            let mut res = with_page_headers(res.map(Body::new), cache);
            if ok && rest == "sw.js" {
                // Its scope is the whole origin, so `/` opens offline as `/app/` does.
                res.headers_mut().insert(
                    HeaderName::from_static("service-worker-allowed"),
                    HeaderValue::from_static("/"),
                );
            }
            res
        }
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::content_hashed;

    #[test]
    fn only_the_builds_content_hashed_names_are_immutable() {
        for hashed in [
            "theset_app.0123456789abcdef.js",
            "worker/theset_worker_bg.fedcba9876543210.wasm",
        ] {
            assert!(content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "index.html",
            "sw.js",
            "worker.js",
            "theset_app.0123456789ABCDEF.js",
            "theset_app.0123456789abcde.js",
            ".0123456789abcdef.js",
            "theset_app.0123456789abcdef.",
            "0123456789abcdef.js",
            "snippets/x-0123456789abcdef/inline0.js",
        ] {
            assert!(!content_hashed(plain), "{plain}");
        }
    }
}
