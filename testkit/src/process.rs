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
        Self::start_on(free_port(), bin, database, envs)
    }

    /// The same on `port` (a process restarted where a proxy expects it).
    pub fn start_on(port: u16, bin: &Path, database: &str, envs: &[(&str, &str)]) -> Self {
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

/// Sends SIGKILL to the process: a crash, nothing drained.
impl Server {
    pub fn kill(&mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
    }
}

#[cfg(feature = "server")]
/// nginx from Debian (installed by `scripts/services.sh test-deps`) on a free loopback port in
/// front of `backends` (round robin), believed through `X-Forwarded-For`, streams unbuffered.
/// Requests a dead backend refused are tried on the next; a request already sent is not (nginx
/// does not resend a non-idempotent request), so clients see the 502 and retry.
pub struct Nginx {
    pub port: u16,
    pub url: String,
    _child: Killed,
    _dir: tempfile::TempDir,
}

#[cfg(feature = "server")]
impl Nginx {
    pub fn start(backends: &[u16]) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let port = free_port();
        let d = dir.path().display();
        let upstreams: String = backends
            .iter()
            .map(|p| format!("server 127.0.0.1:{p} max_fails=0;"))
            .collect();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; user root;\n\
             pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{ access_log off;\n\
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;\n\
               uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               upstream theset {{ {upstreams} keepalive 64; }}\n\
               server {{ listen 127.0.0.1:{port};\n\
                 location / {{ proxy_pass http://theset;\n\
                   proxy_http_version 1.1; proxy_set_header Connection \"\";\n\
                   proxy_set_header Host $host;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                   proxy_connect_timeout 2s; proxy_read_timeout 60s;\n\
                   proxy_buffering off; }} }} }}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("conf");
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (installed by scripts/services.sh test-deps)");
        assert!(
            wait_for_port(port, Duration::from_secs(30)),
            "nginx did not start"
        );
        Self {
            port,
            url: format!("http://127.0.0.1:{port}"),
            _child: Killed(child),
            _dir: dir,
        }
    }
}
