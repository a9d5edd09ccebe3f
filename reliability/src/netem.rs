//! A real bad network: a Linux network namespace joined to the host by a veth pair, both ends
//! shaped with `tc netem` (20 % loss, 500 ms ± 200 ms delay). Clients reach the backend through
//! a plain relay inside the namespace, so every byte crosses the shaped link twice. Needs root
//! and the netem qdisc; `setup` says why not when the machine does not allow it.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

const NS: &str = "theset-netem";
const HOST_IF: &str = "theset-h";
const NS_IF: &str = "theset-n";
pub const HOST_IP: &str = "10.201.0.1";
pub const NS_IP: &str = "10.201.0.2";
const SHAPE: &[&str] = &["netem", "delay", "500ms", "200ms", "loss", "20%"];

fn run(args: &[&str]) -> Result<()> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running {args:?}"))?;
    if !out.status.success() {
        bail!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

pub struct Netem {
    relay: Option<Child>,
}

impl Netem {
    /// Creates the namespace and shaped link; the error says why the machine does not allow it.
    pub fn setup() -> Result<Self> {
        teardown();
        // Loaded on demand on most kernels; a container may not be allowed to.
        let _ = Command::new("modprobe")
            .arg("sch_netem")
            .stderr(Stdio::null())
            .status();
        run(&["ip", "netns", "add", NS])?;
        let me = Self { relay: None };
        run(&[
            "ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF,
        ])?;
        run(&["ip", "link", "set", NS_IF, "netns", NS])?;
        run(&[
            "ip",
            "addr",
            "add",
            &format!("{HOST_IP}/30"),
            "dev",
            HOST_IF,
        ])?;
        run(&["ip", "link", "set", HOST_IF, "up"])?;
        run(&[
            "ip",
            "netns",
            "exec",
            NS,
            "ip",
            "addr",
            "add",
            &format!("{NS_IP}/30"),
            "dev",
            NS_IF,
        ])?;
        run(&["ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up"])?;
        run(&["ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"])?;
        me.shape(true)?;
        Ok(me)
    }

    /// Turns the shaping on (both directions) or off (the network heals).
    pub fn shape(&self, on: bool) -> Result<()> {
        let verb = if on { "replace" } else { "del" };
        let mut host = vec!["tc", "qdisc", verb, "dev", HOST_IF, "root"];
        let mut ns = vec![
            "ip", "netns", "exec", NS, "tc", "qdisc", verb, "dev", NS_IF, "root",
        ];
        if on {
            host.extend_from_slice(SHAPE);
            ns.extend_from_slice(SHAPE);
        }
        run(&host)?;
        run(&ns)
    }

    /// Starts the relay inside the namespace: `NS_IP:port` → `upstream` (on the host side).
    pub fn relay(&mut self, self_bin: &str, port: u16, upstream: SocketAddr) -> Result<SocketAddr> {
        let listen = format!("{NS_IP}:{port}");
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                NS,
                self_bin,
                "relay",
                &listen,
                &upstream.to_string(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .context("starting the relay in the namespace")?;
        self.relay = Some(child);
        Ok(listen.parse()?)
    }
}

fn teardown() {
    let _ = Command::new("ip")
        .args(["link", "del", HOST_IF])
        .stderr(Stdio::null())
        .status();
    let _ = Command::new("ip")
        .args(["netns", "del", NS])
        .stderr(Stdio::null())
        .status();
}

impl Drop for Netem {
    fn drop(&mut self) {
        if let Some(mut c) = self.relay.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        teardown();
    }
}
