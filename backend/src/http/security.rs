//! Response headers every answer carries, and the CORS allow-list for browsers.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::access::CSRF_HEADER;

/// JSON answers load nothing and may not be framed; pages that need more set their own CSP (the
/// mailed-link pages, the API reference), from this origin only.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(req: Request<Body>, next: Next) -> Response {
    let private = req
        .uri()
        .path()
        .strip_prefix("/api/v1")
        .is_some_and(super::caching::private);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(API_CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if private {
        // Tokens and personal data must not sit in shared or browser caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Credentials-carrying CORS for exactly the configured origins; `None` (no cross-origin access)
/// when there are none.
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::CACHE_CONTROL,
                HeaderName::from_static(CSRF_HEADER),
                HeaderName::from_static("last-event-id"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}
