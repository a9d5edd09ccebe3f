//! Sign-in with Google or Spotify from a native app, as RFC 8252 asks: the app opens the
//! provider in the system browser (never an embedded web view, whose page the app could read)
//! and receives the result as a redirect back to itself — on desktop to a loopback port of its
//! own (127.0.0.1, random port, §7.3), on phones to its private-use scheme `app.theset:` (§7.1),
//! which the OS hands to the app. It proves it started the flow with its own PKCE verifier, so a
//! code stolen from the redirect (another app can claim the same scheme) is useless.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use theset_shared::api::{OAuthExchange, OAuthStart, OAuthStarted, TokenPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{ApiClient, ClientError};

/// How long the person has to finish in the browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>TheSet</title>\
    <body style=\"font:16px system-ui;display:grid;place-items:center;height:90vh\">\
    <p>You are signed in. You can close this tab and return to TheSet.</p>";

/// How the browser comes back to the app.
pub enum WayBack {
    /// A loopback port of the app's own (desktop).
    Loopback,
    /// The app's scheme (phones): the shell forwards every `app.theset:` address the OS opens
    /// the app with to this channel.
    Scheme(tokio::sync::broadcast::Receiver<String>),
}

/// Where the flow waits for its redirect.
enum Waiting {
    Loopback {
        listener: TcpListener,
        callback: String,
    },
    Scheme {
        links: tokio::sync::broadcast::Receiver<String>,
        uri: String,
    },
}

impl Waiting {
    /// Sets up the way back for the flow whose secret is `state`; returns the redirect URI.
    async fn open(way_back: WayBack, state: &str) -> Result<(Self, String), ClientError> {
        match way_back {
            WayBack::Loopback => {
                let listener = TcpListener::bind(("127.0.0.1", 0))
                    .await
                    .map_err(|e| ClientError::SignIn(format!("no loopback port: {e}")))?;
                let port = listener
                    .local_addr()
                    .map_err(|e| ClientError::SignIn(e.to_string()))?
                    .port();
                let callback = format!("/callback/{state}");
                let uri = format!("http://127.0.0.1:{port}{callback}");
                Ok((Self::Loopback { listener, callback }, uri))
            }
            WayBack::Scheme(links) => {
                let uri = format!("{}:/oauth/{state}", theset_shared::validate::APP_SCHEME);
                Ok((
                    Self::Scheme {
                        links,
                        uri: uri.clone(),
                    },
                    uri,
                ))
            }
        }
    }

    async fn code(self) -> Result<String, ClientError> {
        match self {
            Self::Loopback { listener, callback } => receive(&listener, &callback).await,
            Self::Scheme { mut links, uri } => {
                let expected = format!("{uri}?");
                loop {
                    match links.recv().await {
                        // Links of other flows (or made up by another app) are not this one's.
                        Ok(link) => {
                            if let Some(query) = link.strip_prefix(expected.as_str()) {
                                return outcome(query);
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            return Err(ClientError::SignIn("the app is closing".into()));
                        }
                    }
                }
            }
        }
    }
}

/// The code of a redirect's query, or the provider's refusal.
fn outcome(query: &str) -> Result<String, ClientError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match get("code") {
        Some(code) => Ok(code),
        None => Err(ClientError::SignIn(
            get("error").unwrap_or_else(|| "no code".into()),
        )),
    }
}

/// The device the session is for.
pub struct Device<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
}

/// Runs the whole flow for `provider` (`google` or `spotify`). `open_browser` must open the URL
/// in the system browser (Tauri's opener on desktop and mobile); it returns at once.
pub async fn sign_in(
    api: &ApiClient,
    provider: &str,
    device: Device<'_>,
    open_browser: impl FnOnce(&str) -> Result<(), ClientError>,
    way_back: WayBack,
    timeout: Duration,
) -> Result<TokenPair, ClientError> {
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    // A secret path only this flow knows: any other program on this machine that finds the port
    // (or opens the app's scheme) with a made-up callback is ignored.
    let state = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    let (waiting, redirect_uri) = Waiting::open(way_back, &state).await?;
    let started: OAuthStarted = api
        .post(
            &format!("/auth/oauth/{provider}/start"),
            &OAuthStart {
                redirect_uri,
                code_challenge: challenge,
            },
        )
        .await?;
    if !safe_to_open(&started.authorize_url, api.base()) {
        return Err(ClientError::SignIn(
            "the server sent a sign-in address that is not https; not opening it".into(),
        ));
    }
    open_browser(&started.authorize_url)?;
    let code = tokio::time::timeout(timeout, waiting.code())
        .await
        .map_err(|_| ClientError::SignIn("the browser did not come back in time".into()))??;
    api.post(
        "/auth/oauth/exchange",
        &OAuthExchange {
            code,
            code_verifier: verifier,
            device_id: device.id.to_owned(),
            device_name: device.name.map(str::to_owned),
        },
    )
    .await
}

/// Whether the app may open `url` in the system browser: `https` always; plain `http` only
/// on a loopback host while the app itself talks to a loopback server (the local run and its
/// fake providers). Anything else (`javascript:`, `file:`, `http://` elsewhere) is refused: a
/// tampered or misconfigured server must not steer the browser to a page that reads the flow.
pub fn safe_to_open(url: &str, api_base: &reqwest::Url) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let loopback = |u: &reqwest::Url| match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback(&url) && loopback(api_base),
        _ => false,
    }
}

/// Waits for the browser's `GET {callback}?code=…` (or `?error=…`) and answers it with a page.
/// Other requests (a favicon, a guess at the port without the flow's secret path) get 404 and
/// the wait goes on. Written by hand rather than with an HTTP server crate: it reads one request
/// line from a loopback socket and answers once.
async fn receive(listener: &TcpListener, callback: &str) -> Result<String, ClientError> {
    let expected = format!("{callback}?");
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| ClientError::SignIn(e.to_string()))?;
        let Some(target) = request_target(&mut stream).await else {
            continue;
        };
        let Some(query) = target.strip_prefix(expected.as_str()) else {
            respond(&mut stream, "404 Not Found", "").await;
            continue;
        };
        let result = outcome(query);
        let page = match result {
            Ok(_) => DONE_PAGE,
            Err(_) => "<p>Sign-in was cancelled. You can close this tab.",
        };
        respond(&mut stream, "200 OK", page).await;
        return result;
    }
}

/// The target of a `GET` request line, reading at most 8 KiB of headers.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = String::from_utf8_lossy(&buf);
    let mut parts = line.lines().next()?.split(' ');
    (parts.next()? == "GET").then(|| parts.next().map(str::to_owned))?
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let res = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(res.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_the_local_run_is_opened() {
        let remote = reqwest::Url::parse("https://api.theset.app/").expect("url");
        let local = reqwest::Url::parse("http://127.0.0.1:8080/").expect("url");
        assert!(safe_to_open(
            "https://accounts.google.com/o/oauth2/auth?x=1",
            &remote
        ));
        assert!(!safe_to_open(
            "http://accounts.google.com/o/oauth2/auth",
            &remote
        ));
        assert!(!safe_to_open("http://127.0.0.1:18081/auth", &remote));
        assert!(safe_to_open("http://127.0.0.1:18081/auth", &local));
        assert!(!safe_to_open("http://evil.example/auth", &local));
        assert!(!safe_to_open("javascript:alert(1)", &local));
        assert!(!safe_to_open("file:///etc/passwd", &local));
        assert!(!safe_to_open("not a url", &local));
    }

    #[tokio::test]
    async fn the_listener_ignores_callbacks_without_the_flow_secret() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let waiting = tokio::spawn(async move { receive(&listener, "/callback/s3cret").await });
        let get = |path: &str| {
            let path = path.to_owned();
            async move {
                let mut s = TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect");
                s.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
                    .await
                    .expect("write");
                let mut out = String::new();
                s.read_to_string(&mut out).await.expect("read");
                out
            }
        };
        assert!(
            get("/callback?code=forged")
                .await
                .starts_with("HTTP/1.1 404")
        );
        assert!(
            get("/callback/guess?code=forged")
                .await
                .starts_with("HTTP/1.1 404")
        );
        assert!(!waiting.is_finished(), "a forged callback ended the wait");
        assert!(
            get("/callback/s3cret?code=real")
                .await
                .starts_with("HTTP/1.1 200")
        );
        assert_eq!(waiting.await.expect("join").expect("code"), "real");
    }
}
