//! A fault-injecting TCP proxy on loopback: latency, dropped connections, connections cut in
//! the middle of a response, and partitions (every connection refused and every open one cut).
//! Hand-written because it must misbehave in exactly these ways on command; no crate does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Default)]
pub struct Counters {
    pub connections: AtomicU64,
    pub dropped: AtomicU64,
    pub cut: AtomicU64,
    pub partitions: AtomicU64,
}

pub struct Faults {
    /// Latency, drops and cuts on.
    pub on: AtomicBool,
    partition: watch::Sender<bool>,
    pub counters: Counters,
}

impl Faults {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            on: AtomicBool::new(true),
            partition: watch::channel(false).0,
            counters: Counters::default(),
        })
    }

    pub fn partition(&self, cut: bool) {
        if cut {
            self.counters.partitions.fetch_add(1, Ordering::Relaxed);
        }
        // send_replace: the value must change even when no connection is listening.
        self.partition.send_replace(cut);
    }

    /// No faults from now on.
    pub fn heal(&self) {
        self.on.store(false, Ordering::SeqCst);
        self.partition(false);
    }
}

pub async fn run(listener: TcpListener, upstream: SocketAddr, faults: Arc<Faults>) {
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            continue;
        };
        let faults = faults.clone();
        tokio::spawn(async move {
            let _ = handle(conn, upstream, faults).await;
        });
    }
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    faults: Arc<Faults>,
) -> std::io::Result<()> {
    faults.counters.connections.fetch_add(1, Ordering::Relaxed);
    let mut partitioned = faults.partition.subscribe();
    let on = faults.on.load(Ordering::SeqCst);
    let (drop_it, latency, cut_after) = {
        let mut rng = rand::rng();
        (
            on && rng.random_bool(0.10),
            if on { rng.random_range(0..800) } else { 0 },
            (on && rng.random_bool(0.10)).then(|| rng.random_range(1..4096usize)),
        )
    };
    if *partitioned.borrow() || drop_it {
        faults.counters.dropped.fetch_add(1, Ordering::Relaxed);
        return client.shutdown().await;
    }
    tokio::time::sleep(Duration::from_millis(latency)).await;
    let mut server = TcpStream::connect(upstream).await?;
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let up = tokio::io::copy(&mut cr, &mut sw);
    let down = async {
        let mut buf = vec![0u8; 8192];
        let mut sent = 0usize;
        loop {
            let n = sr.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            // Latency per response too, not only per connection (clients keep connections).
            // Faults stop for connections opened before the network healed too.
            let on = faults.on.load(Ordering::Relaxed);
            let pause = {
                let mut rng = rand::rng();
                (on && rng.random_bool(0.2)).then(|| rng.random_range(0..800u64))
            };
            if let Some(ms) = pause {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let mut chunk = &buf[..n];
            if let Some(limit) = cut_after.filter(|_| on)
                && sent + chunk.len() >= limit
            {
                chunk = &chunk[..limit.saturating_sub(sent)];
                cw.write_all(chunk).await?;
                faults.counters.cut.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            cw.write_all(chunk).await?;
            sent += chunk.len();
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = partitioned.wait_for(|p| *p) => {}
    }
    Ok(())
}
