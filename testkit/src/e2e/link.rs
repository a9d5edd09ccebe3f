//! The phone's network as a TCP link between the browser and the backend: open, cut, or a
//! venue's link (2 s before each request reaches the server, 32 kbit/s down, 16 kbit/s up).
//!
//! Chromium's own network emulation (chromedriver's `network_conditions`, also set by the tests)
//! covers the page but not the fetches of its dedicated worker — seen here: a worker's sync went
//! through with the page "offline" — and the worker is where the app talks to the server. So the
//! browser reaches the backend only through this link, which no request can go around.
//! Hand-written: it must misbehave exactly on command, which no proxy crate offers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::chrome::Net;

/// Bytes per second each way on the venue link.
const VENUE_DOWN: u64 = 32_000 / 8;
const VENUE_UP: u64 = 16_000 / 8;
const VENUE_LATENCY: Duration = Duration::from_secs(2);

pub struct Link {
    pub port: u16,
    mode: watch::Sender<Net>,
    /// Bytes carried each way since the start (or the last [`Link::reset_counts`]).
    pub counts: Arc<Counts>,
}

#[derive(Default)]
pub struct Counts {
    pub up: AtomicU64,
    pub down: AtomicU64,
}

impl Counts {
    /// (up, down) bytes.
    pub fn read(&self) -> (u64, u64) {
        (
            self.up.load(Ordering::SeqCst),
            self.down.load(Ordering::SeqCst),
        )
    }
}

impl Link {
    pub async fn start(upstream: u16) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (mode, _) = watch::channel(Net::Online);
        let modes = mode.clone();
        let counts = Arc::new(Counts::default());
        let counting = counts.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let rx = modes.subscribe();
                let counts = counting.clone();
                tokio::spawn(async move {
                    let _ = carry(conn, upstream, rx, counts).await;
                });
            }
        });
        Ok(Self { port, mode, counts })
    }

    pub fn reset_counts(&self) {
        self.counts.up.store(0, Ordering::SeqCst);
        self.counts.down.store(0, Ordering::SeqCst);
    }

    pub fn set(&self, net: Net) {
        self.mode.send_replace(net);
    }
}

/// Copies `from` to `to`, at `rate` bytes per second when the link is the venue's, holding each
/// burst back by `latency` first (requests: the round trip a venue's link adds).
async fn pipe(
    mut from: impl AsyncReadExt + Unpin,
    mut to: impl AsyncWriteExt + Unpin,
    mode: watch::Receiver<Net>,
    rate: u64,
    latency: Duration,
    count: &AtomicU64,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buf).await?;
        if n == 0 {
            return to.shutdown().await;
        }
        count.fetch_add(n as u64, Ordering::SeqCst);
        let venue = matches!(*mode.borrow(), Net::Venue);
        if venue && !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        for chunk in buf[..n].chunks(if venue { 256 } else { n }) {
            to.write_all(chunk).await?;
            if venue {
                let ms = (chunk.len() as u64 * 1000) / rate;
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
    }
}

async fn carry(
    mut client: TcpStream,
    upstream: u16,
    mut mode: watch::Receiver<Net>,
    counts: Arc<Counts>,
) -> std::io::Result<()> {
    if matches!(*mode.borrow(), Net::Offline) {
        return client.shutdown().await;
    }
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).await?;
    let (cr, cw) = client.split();
    let (sr, sw) = server.split();
    let up = pipe(cr, sw, mode.clone(), VENUE_UP, VENUE_LATENCY, &counts.up);
    let down = pipe(
        sr,
        cw,
        mode.clone(),
        VENUE_DOWN,
        Duration::ZERO,
        &counts.down,
    );
    // Open connections are cut when the signal goes.
    let cut = mode.wait_for(|m| matches!(m, Net::Offline));
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {}
        _ = cut => {}
    }
    Ok(())
}
