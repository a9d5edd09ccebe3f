//! The sync reliability suite (`cargo xtask reliability`, part of `cargo xtask test`).
//!
//! The real backend runs as a process behind a fault-injecting proxy; hundreds of real
//! `theset-client` instances vote and predict in offline bursts and sync through it, while the
//! backend is killed with SIGKILL and restarted three times and Postgres restarts once. Then
//! the network heals and every device must converge within 30 s with nothing lost, nothing
//! applied twice, totals equal to a fresh count and every local store equal to the server's
//! view. A second run does the same through a real Linux network namespace shaped with `tc netem`
//! (20 % loss, 500 ms ± 200 ms) where the machine allows it, and a third is an evening at a venue
//! (`venue.rs`: live captures, the crowd list, moderators offline). Settings: `THESET_FAULT_CLIENTS`
//! (200), `THESET_FAULT_SECS` (90 s of storm), `THESET_NETEM_CLIENTS` (30), `THESET_NETEM_SECS`
//! (45), `THESET_BACKEND_BIN`, `DATABASE_URL` (the server to create the suites' databases on).

mod checks;
mod fleet;
mod netem;
mod proxy;
mod venue;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::Rng;
use sqlx::PgPool;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn free_port() -> Result<SocketAddr> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(l.local_addr()?)
}

enum Network {
    /// The in-process proxy: latency, drops, cuts, partitions.
    Proxy,
    /// A namespace behind a netem-shaped veth pair.
    Netem(netem::Netem),
}

struct Scenario {
    name: &'static str,
    clients: usize,
    storm: Duration,
    /// Fractions of the storm at which the backend is killed.
    kills: Vec<f64>,
    pg_restart: Option<f64>,
    network: Network,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("relay") {
        // Inside the namespace: a plain relay (no faults of its own).
        let (listen, upstream) = (
            args.get(2).context("listen")?,
            args.get(3).context("upstream")?,
        );
        let faults = proxy::Faults::new();
        faults.heal();
        proxy::run(
            tokio::net::TcpListener::bind(listen).await?,
            upstream.parse()?,
            faults,
        )
        .await;
        return Ok(());
    }
    // `THESET_RELIABILITY_ONLY=proxy|venue|netem` runs one scenario (while working on it).
    let only = std::env::var("THESET_RELIABILITY_ONLY").ok();
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let mut failed = false;
    if runs("proxy") {
        failed |= !scenario(Scenario {
            name: "proxy",
            clients: env_or("THESET_FAULT_CLIENTS", 200),
            storm: Duration::from_secs(env_or("THESET_FAULT_SECS", 90)),
            kills: vec![0.15, 0.40, 0.80],
            pg_restart: Some(0.55),
            network: Network::Proxy,
        })
        .await?;
    }
    if runs("venue") {
        failed |= !venue::scenario(
            &std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?,
            &std::env::var("THESET_BACKEND_BIN").context("THESET_BACKEND_BIN is not set")?,
        )
        .await?;
    }
    if !runs("netem") {
        if failed {
            bail!("the reliability suite failed");
        }
        return Ok(());
    }
    match netem::Netem::setup() {
        Ok(n) => {
            failed |= !scenario(Scenario {
                name: "netem",
                clients: env_or("THESET_NETEM_CLIENTS", 30),
                storm: Duration::from_secs(env_or("THESET_NETEM_SECS", 45)),
                kills: vec![0.5],
                pg_restart: None,
                network: Network::Netem(n),
            })
            .await?;
        }
        Err(e) => println!("netem: skipped, this machine does not allow it: {e:#}"),
    }
    if failed {
        bail!("the reliability suite failed");
    }
    Ok(())
}

async fn scenario(mut sc: Scenario) -> Result<bool> {
    let clients = sc.clients;
    let storm = sc.storm;
    let name = sc.name;
    let admin_url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let bin = std::env::var("THESET_BACKEND_BIN").context("THESET_BACKEND_BIN is not set")?;
    let url = world::fresh_database(&admin_url, &format!("theset_faults_{name}")).await?;
    let host = match sc.network {
        Network::Proxy => "127.0.0.1",
        Network::Netem(_) => netem::HOST_IP,
    };
    let backend_addr = {
        let l = tokio::net::TcpListener::bind(format!("{host}:0")).await?;
        l.local_addr()?
    };
    let mut backend = world::Backend::new(bin.into(), url.clone(), backend_addr);
    backend.run_once(&["migrate"])?;
    let db = PgPool::connect(&url).await?;
    let catalogue = world::seed(&db, 5, 2, 12).await?;

    let faults = proxy::Faults::new();
    let entry = match &mut sc.network {
        Network::Proxy => {
            let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let url = format!("http://{}", proxy_listener.local_addr()?);
            tokio::spawn(proxy::run(proxy_listener, backend_addr, faults.clone()));
            url
        }
        Network::Netem(n) => {
            let me = std::env::current_exe()?;
            let port = free_port().await?.port();
            format!(
                "http://{}",
                n.relay(&me.to_string_lossy(), port, backend_addr)?
            )
        }
    };
    backend.start().await?;

    let mut fans = Vec::with_capacity(clients);
    for n in 0..clients {
        fans.push(fleet::make(n, &db, &entry, &catalogue).await?);
    }
    let catalogue = Arc::new(catalogue);
    match sc.network {
        Network::Proxy => println!(
            "reliability/{name}: {clients} clients, {} s of faults (latency 0–800 ms, 10 % of connections dropped, 10 % cut mid-response, partitions of 5–30 s), {} backend kills, {} Postgres restart",
            storm.as_secs(),
            sc.kills.len(),
            u8::from(sc.pg_restart.is_some())
        ),
        Network::Netem(_) => println!(
            "reliability/{name}: {clients} clients through a network namespace with tc netem (loss 20 %, delay 500 ms ± 200 ms, both ways) for {} s, {} backend kill(s)",
            storm.as_secs(),
            sc.kills.len()
        ),
    }

    // The fans.
    let start = Instant::now();
    let deadline = start + storm;
    let synced = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut tasks = Vec::new();
    for fan in &fans {
        let (fan, catalogue, synced) = (fan.clone(), catalogue.clone(), synced.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                fan.burst(&catalogue)?;
                let (sync, pause) = {
                    let mut rng = rand::rng();
                    // A fan acts every few seconds: bursts of a few taps, then a pocket.
                    (rng.random_bool(0.6), rng.random_range(2000..10_000u64))
                };
                if sync && fan.try_sync().await {
                    synced.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            anyhow::Ok(())
        }));
    }

    // The storm: kills, a database restart and partitions on a timeline across the run.
    let at = |f: f64| start + storm.mul_f64(f);
    let mut events: Vec<(Instant, &str)> = sc.kills.iter().map(|f| (at(*f), "kill")).collect();
    if let Some(f) = sc.pg_restart {
        events.push((at(f), "restart-pg"));
    }
    if matches!(sc.network, Network::Proxy) {
        let mut rng = rand::rng();
        for f in [0.05, 0.60] {
            let secs = std::env::var("THESET_FAULT_PARTITION_SECS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| rng.random_range(5..=30u64));
            let len = Duration::from_secs(secs)
                .min(storm.mul_f64(0.3))
                .max(Duration::from_secs(5));
            events.push((at(f), "partition"));
            events.push((at(f) + len, "heal-partition"));
        }
    }
    events.sort_by_key(|e| e.0);
    let mut pg_restarts = 0;
    for (when, what) in events {
        tokio::time::sleep_until(when.into()).await;
        match what {
            "kill" => {
                backend.kill();
                let pause = rand::rng().random_range(500..3000);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                backend.start().await?;
            }
            "restart-pg" => {
                let status = std::process::Command::new("bash")
                    .args(["scripts/services.sh", "restart-pg"])
                    .status()?;
                if !status.success() {
                    bail!("restarting Postgres failed");
                }
                pg_restarts += 1;
            }
            "partition" => faults.partition(true),
            _ => faults.partition(false),
        }
    }
    // The storm ends: a fan still inside a sync is stopped mid-way (as an app killed while
    // syncing would be), then the network heals and every device must settle within 30 s.
    tokio::time::sleep_until(deadline.into()).await;
    for t in &tasks {
        t.abort();
    }
    for t in tasks {
        match t.await {
            Ok(r) => r?,
            Err(e) if e.is_cancelled() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let syncs_ok = synced.load(Ordering::Relaxed);
    match &sc.network {
        Network::Proxy => faults.heal(),
        Network::Netem(n) => n.shape(false)?,
    }
    let healed = Instant::now();
    let unsettled = fleet::settle(&fans, Duration::from_secs(30), name).await?;
    let convergence = healed.elapsed();
    let db = PgPool::connect(&url).await?;
    fleet::final_pull(&db, &fans).await?;
    let report = checks::run(&db, &fans, &catalogue).await?;
    let c = &faults.counters;
    println!(
        "reliability/{name}: {} mutations from {clients} clients ({syncs_ok} successful syncs during the storm); proxy: {} connections, {} dropped, {} cut mid-response, {} partitions; backend killed {} times, Postgres restarted {pg_restarts} time(s)",
        report.mutations,
        c.connections.load(Ordering::Relaxed),
        c.dropped.load(Ordering::Relaxed),
        c.cut.load(Ordering::Relaxed),
        c.partitions.load(Ordering::Relaxed),
        backend.kills,
    );
    println!(
        "reliability/{name}: converged in {:.1} s after the network healed ({unsettled} clients unsettled); lost {}, duplicated {}, refused {}, wrong votes {}, drifted totals {}, stores differing from the server {}",
        convergence.as_secs_f64(),
        report.lost,
        report.duplicated,
        report.rejected,
        report.wrong_votes,
        report.drifted_totals,
        report.stores_differing,
    );
    Ok(unsettled == 0 && report.clean())
}
