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

/// Bytes carried each way through a [`counting_proxy`].
#[derive(Debug, Default)]
pub struct Counts {
    pub up: std::sync::atomic::AtomicU64,
    pub down: std::sync::atomic::AtomicU64,
}

impl Counts {
    /// `(up, down)` bytes so far.
    pub fn read(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering;
        (
            self.up.load(Ordering::SeqCst),
            self.down.load(Ordering::SeqCst),
        )
    }
}

/// A TCP forwarder on a free loopback port to `upstream` that counts every byte each way (what
/// a request costs on the wire, headers and all). Hand-written: it is a copy loop that counts,
/// smaller than configuring a proxy crate to report the same.
pub async fn counting_proxy(upstream: SocketAddr) -> (SocketAddr, std::sync::Arc<Counts>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    async fn pipe(
        mut from: impl AsyncReadExt + Unpin,
        mut to: impl AsyncWriteExt + Unpin,
        count: &std::sync::atomic::AtomicU64,
    ) -> std::io::Result<()> {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from.read(&mut buf).await?;
            if n == 0 {
                return to.shutdown().await;
            }
            count.fetch_add(n as u64, std::sync::atomic::Ordering::SeqCst);
            to.write_all(&buf[..n]).await?;
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("addr");
    let counts = std::sync::Arc::new(Counts::default());
    let counting = counts.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let counts = counting.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (cr, cw) = client.split();
                let (sr, sw) = server.split();
                let _ = tokio::join!(pipe(cr, sw, &counts.up), pipe(sr, cw, &counts.down));
            });
        }
    });
    (addr, counts)
}
