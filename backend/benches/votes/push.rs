//! The path fans use: `DEVICES` devices (one signed-in fan each, as at a venue) each pushing one
//! vote per sync request through `POST /api/v1/sync/push`, concurrently, on kept-alive
//! connections; against `pgbench` running the push's statements (claim and lock the device, the
//! vote, the exactly-once record at the device's position, the new position) one vote per
//! transaction, on the same Postgres in the same run.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use theset_shared::api::VoteValue;
use theset_shared::hlc::Hlc;
use theset_shared::sync::{
    Action, Mutation, Outcome, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, PushResponse,
    VoteAction, VoteOn,
};
use theset_testkit::loadgen::{Conn, pick};
use uuid::Uuid;

/// Devices pushing at once: a venue's crowd of signed-in fans.
pub const DEVICES: usize = 300;

/// One fan's device: its token, id and last pushed sequence number.
pub struct Device {
    token: String,
    id: Uuid,
    seq: i64,
    conn: Option<Conn>,
}

impl Device {
    pub fn new(token: String) -> Self {
        Self {
            token,
            id: Uuid::now_v7(),
            seq: 0,
            conn: None,
        }
    }

    /// Pushes one vote; whether it was applied. After a failure (the answer lost) the device asks
    /// the server where it stands, as the app does, and carries on from there.
    async fn vote(&mut self, addr: SocketAddr, line: Uuid, value: VoteValue) -> bool {
        let vote = Mutation {
            id: Uuid::now_v7(),
            seq: self.seq + 1,
            hlc: Hlc::from_millis(now_ms()),
            action: Action::Vote(VoteAction {
                on: VoteOn::Line(line),
                value,
            }),
        };
        match self.push(addr, vec![vote]).await {
            Some(answer) => {
                self.seq = answer.last_seq;
                answer
                    .results
                    .first()
                    .is_some_and(|r| matches!(r.outcome, Outcome::Applied { .. }))
            }
            None => {
                if let Some(answer) = self.push(addr, Vec::new()).await {
                    self.seq = answer.last_seq;
                }
                false
            }
        }
    }

    /// Pushes `actions` in one request at the device's next positions, as the app drains its
    /// outbox; the answer (the device moves to where the server says it stands).
    pub async fn send(&mut self, addr: SocketAddr, actions: Vec<Action>) -> Option<PushResponse> {
        let hlc = Hlc::from_millis(now_ms());
        let mutations = (1i64..)
            .zip(actions)
            .map(|(n, action)| Mutation {
                id: Uuid::now_v7(),
                seq: self.seq + n,
                hlc,
                action,
            })
            .collect();
        let answer = self.push(addr, mutations).await?;
        self.seq = answer.last_seq;
        Some(answer)
    }

    async fn push(&mut self, addr: SocketAddr, mutations: Vec<Mutation>) -> Option<PushResponse> {
        if self.conn.is_none() {
            self.conn = Conn::open(addr).await.ok();
        }
        let conn = self.conn.as_mut()?;
        let body = serde_json::to_vec(&PushRequest {
            device_id: self.id,
            mutations,
        })
        .ok()?;
        let version = PROTOCOL_VERSION.to_string();
        let sent = conn
            .send_with(
                "POST",
                "/api/v1/sync/push",
                &self.token,
                &[(PROTOCOL_HEADER, &version)],
                &body,
            )
            .await;
        match sent {
            Ok((200, body)) => serde_json::from_slice(&body).ok(),
            Ok(_) => None,
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// The first `DEVICES` fans' devices.
pub fn devices(tokens: &[String]) -> Vec<Device> {
    tokens
        .iter()
        .take(DEVICES)
        .map(|t| Device::new(t.clone()))
        .collect()
}

/// Closed loop: every device pushes one vote after another for `seconds`; completed votes per
/// second, and the devices back.
pub async fn peak(
    addr: SocketAddr,
    lines: &Arc<Vec<Uuid>>,
    devices: Vec<Device>,
    seconds: u64,
) -> (f64, Vec<Device>) {
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, mut device) in devices.into_iter().enumerate() {
        let (lines, done, failed) = (lines.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut seed = 0x2545_f491_4f6c_dd1du64 ^ (w as u64 + 1);
            while Instant::now() < until {
                let l = pick(&mut seed, lines.len());
                let value = if seed.is_multiple_of(2) {
                    VoteValue::Up
                } else {
                    VoteValue::Down
                };
                if device.vote(addr, lines[l], value).await {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            device
        }));
    }
    let mut back = Vec::with_capacity(tasks.len());
    for t in tasks {
        back.extend(t.await.ok());
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    let f = failed.load(Ordering::Relaxed);
    if f > 0 {
        println!("  ({f} pushes not applied)");
    }
    (rate, back)
}

/// Open loop at `rate` pushes per second over all devices: latencies from each push's due time
/// (a stalled server cannot hide its queue).
pub async fn at_rate(
    addr: SocketAddr,
    lines: &Arc<Vec<Uuid>>,
    devices: Vec<Device>,
    rate: f64,
    seconds: u64,
) -> Vec<Duration> {
    let n = devices.len().max(1);
    let period = Duration::from_secs_f64(n as f64 / rate);
    let mut tasks = Vec::new();
    for (w, mut device) in devices.into_iter().enumerate() {
        let lines = lines.clone();
        tasks.push(tokio::spawn(async move {
            let mut seed = 0x9e37_79b9_u64 ^ (w as u64 + 3);
            let start = tokio::time::Instant::now() + period.mul_f64(w as f64 / n as f64);
            let mut latencies = Vec::new();
            let mut due = start;
            while due < start + Duration::from_secs(seconds) {
                tokio::time::sleep_until(due).await;
                let l = pick(&mut seed, lines.len());
                device.vote(addr, lines[l], VoteValue::Up).await;
                latencies.push(tokio::time::Instant::now() - due);
                due += period;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort();
    all
}

/// Devices of the first `DEVICES` fans for pgbench's own pushes (ids apart from the server's).
pub async fn stage_pgbench(db: &PgPool) {
    sqlx::query(
        "CREATE TABLE bench_devices AS SELECT n, gen_random_uuid() AS id, id AS user_id \
         FROM bench_users WHERE n <= $1",
    )
    .bind(DEVICES as i64)
    .execute(db)
    .await
    .expect("bench_devices");
    sqlx::query("CREATE UNIQUE INDEX ON bench_devices (n)")
        .execute(db)
        .await
        .expect("index");
}

/// The push's statements for one vote, one vote per transaction, with `clients` connections.
pub fn pgbench(url: &str, lines: usize, clients: usize, seconds: u64) -> f64 {
    let script = format!(
        "\\set d random(1, {DEVICES})\n\\set l random(1, {lines})\n\\set v random(0, 1)\n\
         SELECT d.user_id, d.last_seq FROM devices d, bench_devices b WHERE b.n = :d AND d.id = b.id;\n\
         BEGIN;\n\
         INSERT INTO devices (id, user_id) SELECT id, user_id FROM bench_devices WHERE n = :d ON CONFLICT (id) DO NOTHING;\n\
         SELECT d.user_id, d.last_seq + 1 AS seq FROM devices d WHERE d.id = (SELECT id FROM bench_devices WHERE n = :d) FOR UPDATE \\gset\n\
         INSERT INTO votes (user_id, setlist_song_id, value) SELECT b.user_id, l.id, CASE WHEN :v = 1 THEN 1 ELSE -1 END \
         FROM bench_devices b, bench_lines l WHERE b.n = :d AND l.n = :l \
         ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value WHERE votes.value <> EXCLUDED.value;\n\
         INSERT INTO applied_mutations (user_id, mutation_id, kind, outcome, device_id, seq) \
         SELECT user_id, gen_random_uuid(), 'vote.set@1', '{{\"outcome\": \"applied\", \"body\": {{}}}}', id, :seq \
         FROM bench_devices WHERE n = :d;\n\
         UPDATE devices SET last_seq = :seq, last_seen_at = now() WHERE id = (SELECT id FROM bench_devices WHERE n = :d);\n\
         END;\n"
    );
    theset_testkit::pgbench::tps(url, &script, clients, seconds)
}
