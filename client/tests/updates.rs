//! The app's own update from the core's side: offered with the count of changes still on the
//! device, and never installed (which restarts the app) while any wait to be sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use theset_client::ClientError;
use theset_client::app::Host;
use theset_client::app::servers::Servers;
use theset_shared::ipc::{IpcCode, Op, ServerChoice, UpdateState, req};
use uuid::Uuid;

/// A host whose update is downloaded and verified; counts the installs it is asked for.
struct Updating(Arc<AtomicUsize>);

impl Host for Updating {
    fn emit(&self, _: &'static str, _: serde_json::Value) {}
    fn first_render(&self) {}
    fn open_browser(&self, _: &str) -> Result<(), ClientError> {
        Err(ClientError::SignIn("no browser here".into()))
    }
    fn tile_template(&self) -> Option<String> {
        None
    }
    fn avatar_template(&self) -> Option<String> {
        None
    }
    fn server_choice(&self) -> ServerChoice {
        ServerChoice::Environment
    }
    fn app_links(&self) -> Option<theset_client::app::AppLinks> {
        None
    }
    fn locate(&self) -> theset_client::app::Located {
        theset_client::app::no_location("no location here")
    }
    fn notify(&self, _: &str, _: &str) {}
    fn update_state(&self) -> UpdateState {
        UpdateState::Ready {
            version: "99.0.0".into(),
            notes: None,
            unsent: 0,
        }
    }
    fn install_update(&self) -> Result<(), ClientError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn an_update_waits_for_unsent_changes() {
    let installs = Arc::new(AtomicUsize::new(0));
    let dir = tempfile::tempdir().expect("dir");
    let made = installs.clone();
    // A server that does not answer: the change below stays on the device.
    let servers = Servers::start(
        dir.path(),
        Some("http://127.0.0.1:9"),
        Box::new(move |_| Updating(made.clone())),
    )
    .expect("servers");
    let app = servers.current().await.expect("the pinned server's app");
    app.client.follow(Uuid::new_v4(), true).expect("a change");

    let offered = servers
        .dispatch(req::Updates {}.into_request())
        .await
        .expect("state");
    assert_eq!(offered["state"], "ready");
    assert_eq!(offered["unsent"], 1, "{offered}");
    let refused = servers
        .dispatch(req::InstallUpdate {}.into_request())
        .await
        .expect_err("refused while a change waits");
    assert_eq!(refused.code, IpcCode::Invalid);
    assert!(
        refused.message.contains("not sent yet"),
        "{}",
        refused.message
    );
    assert_eq!(installs.load(Ordering::SeqCst), 0, "nothing installed");

    // With nothing waiting (another device store, no change made), it installs.
    let calm = tempfile::tempdir().expect("dir");
    let made = installs.clone();
    let servers = Servers::start(
        calm.path(),
        Some("http://127.0.0.1:9"),
        Box::new(move |_| Updating(made.clone())),
    )
    .expect("servers");
    servers
        .dispatch(req::InstallUpdate {}.into_request())
        .await
        .expect("installed");
    assert_eq!(installs.load(Ordering::SeqCst), 1);
}
