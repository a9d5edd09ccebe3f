//! A thin HTTP/1.1 load generator: one kept-alive connection per worker, requests written as
//! bytes, answers read by `Content-Length`. The benchmarks compare the server against `pgbench`,
//! a thin C client, on the same two cores; measuring with a full HTTP client (pools, header maps,
//! redirects) would charge the client's own work to the server. Hand-written because the load
//! tools that do this (wrk, oha) are programs, not libraries a bench can drive with its tokens.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    pub async fn open(addr: std::net::SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            host: addr.to_string(),
        })
    }

    /// Sends one request with a JSON body and a bearer token; the answer's status and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &[u8],
    ) -> io::Result<(u16, Vec<u8>)> {
        self.send_with(method, path, token, &[], body).await
    }

    /// [`Conn::send`] with more headers (`name`, `value`).
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<(u16, Vec<u8>)> {
        let extra: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.stream.get_mut().write_all(&request).await?;
        self.read_answer().await
    }

    async fn read_answer(&mut self) -> io::Result<(u16, Vec<u8>)> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("status line"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(bad("connection closed in the headers"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| bad("content-length"))?;
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

/// A load worker's next pick in `0..n` (xorshift: cheap, deterministic per seed).
pub fn pick(seed: &mut u64, n: usize) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % n.max(1) as u64) as usize
}

/// One worker's kept-alive connection to `addr`, opened again after a failure.
pub struct Voter {
    addr: std::net::SocketAddr,
    conn: Option<Conn>,
}

impl Voter {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Self { addr, conn: None }
    }

    /// Votes (see [`vote`]); false when refused or when the connection failed.
    pub async fn vote(&mut self, line: uuid::Uuid, token: &str, value: i16) -> bool {
        if self.conn.is_none() {
            self.conn = Conn::open(self.addr).await.ok();
        }
        let Some(c) = self.conn.as_mut() else {
            return false;
        };
        match vote(c, line, token, value).await {
            Ok(applied) => applied,
            Err(_) => {
                self.conn = None;
                false
            }
        }
    }
}

/// `PUT /api/v1/setlist-songs/{line}/vote` with a fresh mutation id: whether it was applied.
pub async fn vote(conn: &mut Conn, line: uuid::Uuid, token: &str, value: i16) -> io::Result<bool> {
    let body = format!(
        "{{\"mutation_id\":\"{}\",\"value\":{value}}}",
        uuid::Uuid::now_v7()
    );
    let path = format!("/api/v1/setlist-songs/{line}/vote");
    let (status, _) = conn.send("PUT", &path, token, body.as_bytes()).await?;
    Ok((200..300).contains(&status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn reads_answers_back_to_back_on_one_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            // One answer per request head, the second with its header in another case.
            let answers: [&[u8]; 2] = [
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi",
                b"HTTP/1.1 409 Conflict\r\nCONTENT-LENGTH: 3\r\n\r\nnah",
            ];
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            for (i, answer) in answers.iter().enumerate() {
                while seen.windows(4).filter(|w| w == b"\r\n\r\n").count() <= i {
                    let n = s.read(&mut buf).await.expect("read");
                    seen.extend_from_slice(&buf[..n]);
                }
                s.write_all(answer).await.expect("write");
            }
        });
        let mut c = Conn::open(addr).await.expect("connect");
        assert_eq!(
            c.send("PUT", "/a", "t", b"{}").await.expect("first"),
            (200, b"hi".to_vec())
        );
        assert_eq!(
            c.send("PUT", "/b", "t", b"").await.expect("second"),
            (409, b"nah".to_vec())
        );
    }
}
