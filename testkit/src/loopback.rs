//! A router served on a free loopback port: the fake servers tests stand up beside the real
//! backend (a tile server, something that is not TheSet, a server that asks for an upgrade).

use std::net::SocketAddr;

/// Serves `app` on `127.0.0.1` at a free port until the task ends (abort it to take the server
/// away).
pub async fn serve(app: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, task)
}
