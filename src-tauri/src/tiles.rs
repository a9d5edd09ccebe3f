//! The `tile:` scheme: the map's tiles go through the shell, which keeps them on the device
//! (`theset_client::tiles`), so the webview never talks to the tile server itself and a map seen
//! once keeps its detail offline.

use std::sync::Arc;

use tauri::http::{Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use theset_client::Client;

pub const SCHEME: &str = "tile";

/// What the scheme needs from the app's state: the tile server's URL template, when one is
/// configured, and the core that fetches and keeps tiles (none before a server is chosen).
pub trait TileSource: Send + Sync + 'static {
    fn source(&self) -> impl Future<Output = Option<(String, Arc<Client>)>> + Send;
}

/// The template the UI puts in its `<image>` elements (how WebKit and WebView2 name a custom
/// scheme differ).
pub fn ui_template() -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{{z}}/{{x}}/{{y}}")
    } else {
        format!("{SCHEME}://localhost/{{z}}/{{x}}/{{y}}")
    }
}

/// `/{z}/{x}/{y}` of a request path.
fn coordinates(path: &str) -> Option<(u32, u32, u32)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let z = parts.next()?.parse().ok()?;
    let x = parts.next()?.parse().ok()?;
    let y = parts.next()?.split('.').next()?.parse().ok()?;
    parts.next().is_none().then_some((z, x, y))
}

pub fn handle<R: Runtime, S: TileSource>(
    ctx: UriSchemeContext<'_, R>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let source = ctx.app_handle().state::<Arc<S>>().inner().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let answer = match (coordinates(&path), source.source().await) {
            (Some((z, x, y)), Some((template, core))) => core.tile(&template, z, x, y).await.ok(),
            _ => None,
        };
        answer_with(responder, answer, None);
    });
}

/// Answers a scheme request with the image found (`cache`: its `Cache-Control`), or 404.
pub fn answer_with(
    responder: UriSchemeResponder,
    found: Option<theset_client::tiles::Tile>,
    cache: Option<&str>,
) {
    let response = match found {
        Some(image) => {
            let builder = Response::builder().header("content-type", image.mime);
            match cache {
                Some(c) => builder.header("cache-control", c),
                None => builder,
            }
            .body(image.body)
        }
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Vec::new()),
    };
    match response {
        Ok(r) => responder.respond(r),
        Err(e) => tracing::warn!(error = %e, "scheme response"),
    }
}

#[cfg(test)]
mod tests {
    use super::coordinates;

    #[test]
    fn tile_paths_are_read_strictly() {
        assert_eq!(coordinates("/12/2046/1361"), Some((12, 2046, 1361)));
        assert_eq!(coordinates("/12/2046/1361.png"), Some((12, 2046, 1361)));
        assert_eq!(coordinates("/12/2046"), None);
        assert_eq!(coordinates("/12/2046/1361/extra"), None);
        assert_eq!(coordinates("/a/b/c"), None);
    }
}
