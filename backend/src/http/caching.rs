//! HTTP caching of the API's answers: public GETs carry `Cache-Control` with a max-age by route
//! family and a weak `ETag` (a digest of the body, so every backend process gives the same tag
//! for the same answer), and `If-None-Match` with a matching tag answers `304 Not Modified` with
//! no body — a CDN or the app revalidates for the price of a header. Answers to a request with
//! credentials may be personal (the caller's vote on a list): `private, no-cache`, revalidated
//! by tag but never kept by a shared cache. Private routes (the account, sign-in, admin,
//! moderation, sync) are `no-store`. Event streams and answers whose handler chose its own
//! `Cache-Control` are left alone.

use axum::body::{Body, HttpBody};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Bodies larger than this are sent without a tag (hashing them is not worth it).
const MAX_TAGGED_BYTES: u64 = 4 * 1024 * 1024;

/// What an answer may be cached as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Shared caches may keep it this many seconds.
    Public(u32),
    /// Only the caller's own cache, revalidated every time.
    Personal,
    /// Nowhere.
    NoStore,
}

impl Policy {
    fn header(self) -> HeaderValue {
        match self {
            Self::Public(secs) => HeaderValue::from_str(&format!("public, max-age={secs}"))
                .unwrap_or(HeaderValue::from_static("public, max-age=60")),
            Self::Personal => HeaderValue::from_static("private, no-cache"),
            Self::NoStore => HeaderValue::from_static("no-store"),
        }
    }
}

/// Whether the API route at `p` (the path below `/api/v1`) answers with what is one person's or
/// a secret — the account, sign-in, admin, moderation, sync, calendar feeds, a fan's prediction,
/// an artist's provider links — so no answer of it, whatever the method, is stored anywhere. The
/// one list: [`policy`] and `security::headers` both read it.
pub fn private(p: &str) -> bool {
    const PREFIXES: [&str; 6] = [
        "/me",
        "/auth/",
        "/admin/",
        "/moderation/",
        "/sync/",
        "/calendar/",
    ];
    PREFIXES.iter().any(|prefix| p.starts_with(prefix))
        || p.ends_with("/prediction")
        || p.ends_with("/links")
}

/// The policy of a GET of `path` (under `/api/v1`), asked with or without credentials.
pub fn policy(path: &str, credentialed: bool) -> Policy {
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    if private(p) {
        return Policy::NoStore;
    }
    if credentialed {
        return Policy::Personal;
    }
    Policy::Public(match p {
        "/openapi.json" => 3600,
        _ if p.starts_with("/search/") => 30,
        // Live lists change with every vote: a short life, revalidated by tag.
        _ if p.ends_with("/community") || p.ends_with("/leaderboard") => 5,
        _ => 60,
    })
}

fn credentialed(h: &HeaderMap) -> bool {
    h.contains_key(header::AUTHORIZATION) || h.contains_key(header::COOKIE)
}

/// Whether `If-None-Match` names `tag` (or is `*`); weak comparison, as RFC 9110 asks for GETs.
fn matches(h: &HeaderMap, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    h.get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == bare(tag))
}

pub async fn revalidate(req: Request<Body>, next: Next) -> Response {
    // The API only: the web app and the mailed-link pages set their own.
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        || !req.uri().path().starts_with("/api/v1/")
    {
        return next.run(req).await;
    }
    let rule = policy(req.uri().path(), credentialed(req.headers()));
    let asked = req.headers().clone();
    let res = next.run(req).await;
    let streaming = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if streaming || res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    parts.headers.insert(header::CACHE_CONTROL, rule.header());
    let sized = body
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_TAGGED_BYTES);
    if parts.status != StatusCode::OK || rule == Policy::NoStore || !sized {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED_BYTES as usize).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // Weak: the compression layer outside may change the bytes, not the meaning.
    let digest = Sha256::digest(&bytes);
    let tag = format!("W/\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if matches(&asked, &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_pages_live_a_minute_live_lists_seconds_and_private_ones_nowhere() {
        assert_eq!(
            policy("/api/v1/artists/the-national", false),
            Policy::Public(60)
        );
        assert_eq!(policy("/api/v1/openapi.json", false), Policy::Public(3600));
        assert_eq!(policy("/api/v1/search/artists", false), Policy::Public(30));
        assert_eq!(
            policy("/api/v1/shows/x/community", false),
            Policy::Public(5)
        );
        assert_eq!(policy("/api/v1/shows/x/community", true), Policy::Personal);
        for private in [
            "/api/v1/me/dashboard",
            "/api/v1/me",
            "/api/v1/admin/audit",
            "/api/v1/moderation/flags",
            "/api/v1/sync/pull",
            "/api/v1/calendar/abc",
            "/api/v1/shows/x/prediction",
            "/api/v1/artists/x/links",
        ] {
            assert_eq!(policy(private, false), Policy::NoStore, "{private}");
        }
    }

    #[test]
    fn tags_match_weakly_in_lists_and_by_star() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches(&h, "W/\"b\""));
        assert!(matches(&h, "W/\"a\""));
        assert!(!matches(&h, "W/\"c\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches(&h, "W/\"anything\""));
        assert!(!matches(&HeaderMap::new(), "W/\"a\""));
    }
}
