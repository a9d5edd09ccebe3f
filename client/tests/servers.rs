//! Choosing the server in the app (first run, settings): nothing works before one is chosen; a
//! bad address, a silent one or a server that is not TheSet is refused and changes nothing; the
//! choice is kept for the next start; each server keeps its own store; an address set by the
//! environment cannot be changed from the app.

use std::sync::Arc;

use sqlx::PgPool;
use theset_client::ClientError;
use theset_client::app::Host;
use theset_client::app::servers::Servers;
use theset_shared::ipc::{IpcCode, Op, ServerChoice, req};
use theset_testkit::TestApp;

/// A host with no window: events go nowhere.
struct Headless(ServerChoice);

impl Host for Headless {
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
        self.0
    }
    fn app_links(&self) -> Option<theset_client::app::AppLinks> {
        None
    }

    fn locate(&self) -> theset_client::app::Located {
        theset_client::app::no_location("no location here")
    }
    fn notify(&self, _: &str, _: &str) {}
}

fn start(dir: &std::path::Path, pinned: Option<&str>) -> Arc<Servers<Headless>> {
    Servers::start(dir, pinned, Box::new(Headless)).expect("servers")
}

async fn code_of(servers: &Servers<Headless>, op: impl Op) -> IpcCode {
    servers
        .dispatch(op.into_request())
        .await
        .expect_err("refused")
        .code
}

/// Something that answers HTTP but is not TheSet (a router's admin page, a typo'd port).
async fn not_theset() -> String {
    let app = axum::Router::new().fallback(|| async { "<html>router login</html>" });
    let (addr, _) = theset_testkit::loopback::serve(app).await;
    format!("http://{addr}")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_first_run_asks_and_only_a_theset_server_is_taken(db: PgPool) {
    let server = TestApp::start(db).await;
    let dir = tempfile::tempdir().expect("dir");
    let servers = start(dir.path(), None);

    let info = servers.info().await;
    assert_eq!((info.address, info.chosen_by), (None, ServerChoice::Nobody));
    assert_eq!(code_of(&servers, req::Status {}).await, IpcCode::NoServer);

    let nothing_listens = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("127.0.0.1:{}", l.local_addr().expect("addr").port())
    };
    for (typed, code) in [
        ("not an address", IpcCode::Invalid),
        ("http://theset.example.org", IpcCode::Invalid),
        (nothing_listens.as_str(), IpcCode::Offline),
        (not_theset().await.as_str(), IpcCode::Invalid),
    ] {
        let refused = servers
            .choose(typed)
            .await
            .expect_err("a bad server is refused");
        assert_eq!(refused.code, code, "{typed}: {}", refused.message);
        assert_eq!(
            servers.info().await.chosen_by,
            ServerChoice::Nobody,
            "{typed}"
        );
    }
    assert!(
        !dir.path().join("server.json").exists(),
        "a refused address was saved"
    );

    // Typed without the scheme, as people do: the local network means plain http.
    let typed = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let chosen = servers.choose(typed).await.expect("chosen");
    let address = server.base.trim_end_matches('/').to_owned();
    assert_eq!(chosen.address.as_deref(), Some(address.as_str()));
    assert_eq!(chosen.chosen_by, ServerChoice::User);
    let status = servers
        .dispatch(req::Status {}.into_request())
        .await
        .expect("the app answers once a server is chosen");
    assert!(status["account"].is_null());
    let answered = servers
        .dispatch(req::Server {}.into_request())
        .await
        .expect("server");
    assert_eq!(answered["address"], address.as_str());
    servers.current().await.expect("app").stop();
    drop(servers);

    // The next start goes straight to the chosen server.
    let again = start(dir.path(), None);
    let info = again.info().await;
    assert_eq!(info.address.as_deref(), Some(address.as_str()));
    assert_eq!(info.chosen_by, ServerChoice::User);
    assert!(again.current().await.is_some());
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn each_server_keeps_its_own_store_and_the_environment_wins(db: PgPool) {
    let first = TestApp::builder(db.clone()).own_pool().start().await;
    let second = TestApp::builder(db).own_pool().start().await;
    let dir = tempfile::tempdir().expect("dir");
    let servers = start(dir.path(), None);

    servers.choose(&first.base).await.expect("first");
    let first_app = servers.current().await.expect("app");
    first_app
        .client
        .store()
        .set_meta("probe", Some("kept on the first server's store"))
        .expect("meta");
    servers.choose(&second.base).await.expect("second");
    let second_app = servers.current().await.expect("app");
    assert!(!Arc::ptr_eq(&first_app, &second_app));
    assert_eq!(second_app.client.store().meta("probe").expect("meta"), None);

    // Back to the first: its store is as it was left.
    servers.choose(&first.base).await.expect("first again");
    let back = servers.current().await.expect("app");
    assert_eq!(
        back.client.store().meta("probe").expect("meta").as_deref(),
        Some("kept on the first server's store")
    );
    back.stop();

    // Set by the environment: shown, not changeable.
    let pinned_dir = tempfile::tempdir().expect("dir");
    let pinned = start(pinned_dir.path(), Some(&second.base));
    assert_eq!(pinned.info().await.chosen_by, ServerChoice::Environment);
    let refused = pinned.choose(&first.base).await.expect_err("pinned");
    assert_eq!(refused.code, IpcCode::Invalid);
    assert_eq!(
        pinned.info().await.address.as_deref(),
        Some(second.base.trim_end_matches('/'))
    );
    pinned.current().await.expect("app").stop();
    assert!(
        Servers::start(dir.path(), Some("ftp://nope"), Box::new(Headless)).is_err(),
        "a broken THESET_API_URL is an error at start"
    );
}
