//! `theset-backend` (or any server) as a child process on a free loopback port, killed when the
//! test ends, pass or fail.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Waits until something accepts connections on `port`; false after `timeout`.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// The URL of the test database behind `db` (`DATABASE_URL`'s server, the test's database).
#[cfg(feature = "server")]
pub fn database_url(db: &sqlx::PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL names a database");
    format!(
        "{server}/{}",
        db.connect_options().get_database().expect("database name")
    )
}

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bin serve` on a free port over `database`, with `envs` on top of a test setting (a token
/// secret, no cron, warnings only); answers once the port accepts connections.
pub struct Server {
    pub port: u16,
    pub url: String,
    child: Killed,
}

impl Server {
    pub fn start(bin: &Path, database: &str, envs: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(bin)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database)
            .env(
                "THESET_TOKEN_SECRET",
                "a-test-secret-that-is-long-enough-0123456789",
            )
            .env("THESET_CRON", "off")
            .env("RUST_LOG", "warn")
            .env_remove("REDIS_URL")
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("the backend process");
        let child = Killed(child);
        assert!(
            wait_for_port(port, Duration::from_secs(60)),
            "the backend did not start"
        );
        Self {
            port,
            url: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    /// Sends SIGTERM, as a service manager stopping the server would.
    pub fn terminate(&self) {
        let pid = self.child.0.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success(), "SIGTERM to {pid}");
    }

    /// The process's exit status once it ends, or `None` after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.0.try_wait() {
                return Some(status);
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
