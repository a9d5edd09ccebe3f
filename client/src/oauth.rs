//! Sign-in with Google or Spotify from a native app, as RFC 8252 asks: the app listens on a
//! loopback port of its own (127.0.0.1, random port), opens the provider in the system browser
//! (never an embedded web view, whose page the app could read), and receives the result as a
//! redirect to that port. It proves it started the flow with its own PKCE verifier, so a code
//! stolen from the redirect is useless to another program.

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
    timeout: Duration,
) -> Result<TokenPair, ClientError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| ClientError::SignIn(format!("no loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| ClientError::SignIn(e.to_string()))?
        .port();
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let started: OAuthStarted = api
        .post(
            &format!("/auth/oauth/{provider}/start"),
            &OAuthStart {
                redirect_uri: format!("http://127.0.0.1:{port}/callback"),
                code_challenge: challenge,
            },
        )
        .await?;
    open_browser(&started.authorize_url)?;
    let code = tokio::time::timeout(timeout, receive(&listener))
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

/// Waits for the browser's `GET /callback?code=…` (or `?error=…`) and answers it with a page.
/// Other requests (a favicon) get 404 and the wait goes on. Written by hand rather than with an
/// HTTP server crate: it reads one request line from a loopback socket and answers once.
async fn receive(listener: &TcpListener) -> Result<String, ClientError> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| ClientError::SignIn(e.to_string()))?;
        let Some(target) = request_target(&mut stream).await else {
            continue;
        };
        let Some(query) = target.strip_prefix("/callback?") else {
            respond(&mut stream, "404 Not Found", "").await;
            continue;
        };
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let Some(code) = get("code") {
            respond(&mut stream, "200 OK", DONE_PAGE).await;
            return Ok(code);
        }
        let reason = get("error").unwrap_or_else(|| "no code".into());
        respond(
            &mut stream,
            "200 OK",
            "<p>Sign-in was cancelled. You can close this tab.",
        )
        .await;
        return Err(ClientError::SignIn(reason));
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
