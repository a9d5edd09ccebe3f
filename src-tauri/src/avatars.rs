//! The `avatar:` scheme: fans' pictures go through the shell, which asks the core
//! (`theset_client::avatars`): the window is served by the app, so it could not load them from
//! a plain-http or LAN server under its content policy, and a picture seen once stays for a
//! visit with no signal.

use std::sync::Arc;

use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};
use uuid::Uuid;

use theset_client::Client;

pub const SCHEME: &str = "avatar";

/// The core of the server the app talks to now (none before a server is chosen).
pub trait CoreSource: Send + Sync + 'static {
    fn core(&self) -> impl Future<Output = Option<Arc<Client>>> + Send;
}

/// The address the UI's `<img>` elements get (`{id}` and `{v}` filled in by the core); how
/// WebKit and WebView2 name a custom scheme differ.
pub fn ui_template() -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{{id}}/{{v}}")
    } else {
        format!("{SCHEME}://localhost/{{id}}/{{v}}")
    }
}

/// `/{user id}/{version}` of a request path.
fn parts(path: &str) -> Option<(Uuid, i64)> {
    let (id, version) = path.trim_start_matches('/').split_once('/')?;
    Some((id.parse().ok()?, version.parse().ok()?))
}

pub fn handle<R: Runtime, S: CoreSource>(
    ctx: UriSchemeContext<'_, R>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let source = ctx.app_handle().state::<Arc<S>>().inner().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let answer = match (parts(&path), source.core().await) {
            (Some((user, version)), Some(core)) => core.avatar(user, version).await.ok(),
            _ => None,
        };
        // One address per picture version: the window may keep it.
        crate::tiles::answer_with(responder, answer, Some("max-age=31536000, immutable"));
    });
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn avatar_paths_are_read_strictly() {
        let id = uuid::Uuid::from_u128(9);
        assert_eq!(parts(&format!("/{id}/17")), Some((id, 17)));
        assert_eq!(parts(&format!("/{id}")), None);
        assert_eq!(parts(&format!("/{id}/x")), None);
        assert_eq!(parts("/someone/17"), None);
    }
}
