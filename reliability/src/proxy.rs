//! A fault-injecting TCP proxy on loopback: latency, dropped connections, connections cut in
//! the middle of a response, and partitions (every connection refused and every open one cut).
//! Two profiles: the storm (0–800 ms, 10 % dropped, 10 % cut mid-response) and a venue's link
//! (1–3 s before each connection and each answer, 30 % of connections dropped, 8 kB/s each way
//! per connection; its 20 s blackouts are partitions). Hand-written because it must misbehave in
//! exactly these ways on command; no crate does.

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
    /// The venue's profile instead of the storm's.
    venue: bool,
    partition: watch::Sender<bool>,
    pub counters: Counters,
}

impl Faults {
    pub fn new() -> Arc<Self> {
        Self::with_profile(false)
    }

    /// A venue's link: slow, thin and unreliable (see the module's profiles).
    pub fn venue() -> Arc<Self> {
        Self::with_profile(true)
    }

    fn with_profile(venue: bool) -> Arc<Self> {
        Arc::new(Self {
            venue,
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
    let venue = faults.venue;
    let (drop_it, latency, cut_after) = {
        let mut rng = rand::rng();
        if venue {
            (
                on && rng.random_bool(0.30),
                if on { rng.random_range(1000..3000) } else { 0 },
                None,
            )
        } else {
            (
                on && rng.random_bool(0.10),
                if on { rng.random_range(0..800) } else { 0 },
                (on && rng.random_bool(0.10)).then(|| rng.random_range(1..4096usize)),
            )
        }
    };
    if *partitioned.borrow() || drop_it {
        faults.counters.dropped.fetch_add(1, Ordering::Relaxed);
        return client.shutdown().await;
    }
    tokio::time::sleep(Duration::from_millis(latency)).await;
    let mut server = TcpStream::connect(upstream).await?;
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let up = async {
        if !venue {
            return tokio::io::copy(&mut cr, &mut sw).await.map(|_| ());
        }
        let mut buf = vec![0u8; 8192];
        loop {
            let n = cr.read(&mut buf).await?;
            if n == 0 {
                return sw.shutdown().await;
            }
            let on = faults.on.load(Ordering::Relaxed);
            paced(&mut sw, &buf[..n], on).await?;
        }
    };
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
                if venue {
                    on.then(|| rng.random_range(1000..3000u64))
                } else {
                    (on && rng.random_bool(0.2)).then(|| rng.random_range(0..800u64))
                }
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
            if venue {
                paced(&mut cw, chunk, on).await?;
            } else {
                cw.write_all(chunk).await?;
            }
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

/// Bytes per second each way on a venue's link, per connection.
const VENUE_RATE: u64 = 8_000;

/// Writes `data` at the venue's rate while faults are on, at once otherwise.
async fn paced(
    to: &mut (impl AsyncWriteExt + Unpin),
    data: &[u8],
    on: bool,
) -> std::io::Result<()> {
    if !on {
        return to.write_all(data).await;
    }
    for chunk in data.chunks(512) {
        to.write_all(chunk).await?;
        tokio::time::sleep(Duration::from_millis(
            chunk.len() as u64 * 1000 / VENUE_RATE,
        ))
        .await;
    }
    Ok(())
}
