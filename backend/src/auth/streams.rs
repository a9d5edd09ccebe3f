//! Caps on open live streams (SSE) per user and per client network, counted across every
//! instance. A stream holds a [`Slot`] for as long as it is open; dropping the slot (the stream's
//! task ends when the client goes away) gives it back.
//!
//! With Redis, each capped key is a sorted set of slot ids scored by their expiry: opening is one
//! Lua script (drop expired slots, check every cap, add to every set), an open slot renews its
//! expiry every [`RENEW`], and a closed one removes itself. A process that dies without closing
//! its slots loses them after [`SLOT_TTL`], never for good. Without Redis (or while it does not
//! answer) the caps count this process's streams.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::ConnectionManager;
use uuid::Uuid;

use super::limits::{RetryAfter, network_key};

const SLOT_TTL: Duration = Duration::from_secs(60);
const RENEW: Duration = Duration::from_secs(20);
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

const OPEN: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  if redis.call('ZCARD', k) >= tonumber(ARGV[2 + i]) then return 0 end
end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, now + ttl, ARGV[1])
  redis.call('PEXPIRE', k, ttl)
end
return 1
";

const RENEW_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, 'XX', now + ttl, ARGV[1])
  redis.call('PEXPIRE', k, ttl)
end
return 1
";

/// How many streams may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct StreamCaps {
    pub per_user: u32,
    /// Generous: a venue's whole crowd may share one carrier NAT address.
    pub per_network: u32,
}

impl Default for StreamCaps {
    fn default() -> Self {
        Self {
            per_user: 10,
            per_network: 200,
        }
    }
}

type Counts = Arc<Mutex<HashMap<String, u32>>>;

#[derive(Clone)]
pub struct Streams {
    caps: StreamCaps,
    local: Counts,
    shared: Option<(ConnectionManager, String)>,
}

/// An open stream's place under the caps; given back when dropped.
pub struct Slot {
    id: String,
    keys: Vec<String>,
    local: Option<Counts>,
    shared: Option<ConnectionManager>,
    renew: Option<tokio::task::JoinHandle<()>>,
}

impl Streams {
    pub fn new(caps: StreamCaps) -> Self {
        Self {
            caps,
            local: Arc::default(),
            shared: None,
        }
    }

    /// Caps counted in Redis under `prefix`, shared by every instance.
    pub fn shared(caps: StreamCaps, redis: ConnectionManager, prefix: &str) -> Self {
        Self {
            shared: Some((redis, format!("{prefix}streams:"))),
            ..Self::new(caps)
        }
    }

    /// Takes a slot for a stream of `user` (when signed in) from `ip`, or says when to retry.
    pub async fn open(&self, user: Option<Uuid>, ip: IpAddr) -> Result<Slot, RetryAfter> {
        let mut keys = vec![(format!("net:{}", network_key(ip)), self.caps.per_network)];
        if let Some(user) = user {
            keys.push((format!("user:{user}"), self.caps.per_user));
        }
        let id = Uuid::new_v4().simple().to_string();
        if let Some((redis, prefix)) = &self.shared {
            let full: Vec<String> = keys.iter().map(|(k, _)| format!("{prefix}{k}")).collect();
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(OPEN).arg(full.len()).arg(&full).arg(&id);
            cmd.arg(i64::try_from(SLOT_TTL.as_millis()).unwrap_or(60_000));
            for (_, cap) in &keys {
                cmd.arg(*cap);
            }
            let mut conn = redis.clone();
            match tokio::time::timeout(REDIS_TIMEOUT, cmd.query_async::<i64>(&mut conn)).await {
                Ok(Ok(1)) => return Ok(self.shared_slot(id, full, redis.clone())),
                Ok(Ok(_)) => return Err(RetryAfter(RENEW)),
                Ok(Err(e)) => tracing::warn!(error = %e, "Redis unavailable for stream caps"),
                Err(_) => tracing::warn!("Redis did not answer for stream caps"),
            }
        }
        self.local_slot(id, keys)
    }

    fn shared_slot(&self, id: String, keys: Vec<String>, redis: ConnectionManager) -> Slot {
        let renew = {
            let (id, keys, mut redis) = (id.clone(), keys.clone(), redis.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(RENEW).await;
                    let mut cmd = redis::cmd("EVAL");
                    cmd.arg(RENEW_SCRIPT).arg(keys.len()).arg(&keys).arg(&id);
                    cmd.arg(i64::try_from(SLOT_TTL.as_millis()).unwrap_or(60_000));
                    let _ = tokio::time::timeout(REDIS_TIMEOUT, cmd.query_async::<i64>(&mut redis))
                        .await;
                }
            })
        };
        Slot {
            id,
            keys,
            local: None,
            shared: Some(redis),
            renew: Some(renew),
        }
    }

    fn local_slot(&self, id: String, keys: Vec<(String, u32)>) -> Result<Slot, RetryAfter> {
        let mut counts = self.local.lock().map_err(|_| RetryAfter(RENEW))?;
        if keys
            .iter()
            .any(|(k, cap)| counts.get(k).copied().unwrap_or(0) >= *cap)
        {
            return Err(RetryAfter(RENEW));
        }
        for (k, _) in &keys {
            *counts.entry(k.clone()).or_insert(0) += 1;
        }
        Ok(Slot {
            id,
            keys: keys.into_iter().map(|(k, _)| k).collect(),
            local: Some(self.local.clone()),
            shared: None,
            renew: None,
        })
    }

    /// Streams open under `user`'s cap in this process's own count (tests).
    pub fn local_count(&self, key: &str) -> u32 {
        self.local
            .lock()
            .map(|c| c.get(key).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(renew) = self.renew.take() {
            renew.abort();
        }
        if let Some(local) = &self.local
            && let Ok(mut counts) = local.lock()
        {
            for k in &self.keys {
                if let Some(n) = counts.get_mut(k) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        counts.remove(k);
                    }
                }
            }
        }
        if let Some(mut redis) = self.shared.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let (keys, id) = (std::mem::take(&mut self.keys), self.id.clone());
            rt.spawn(async move {
                let mut pipe = redis::pipe();
                for k in &keys {
                    pipe.zrem(k, &id).ignore();
                }
                let _ =
                    tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<()>(&mut redis)).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn caps_count_open_streams_and_free_on_drop() {
        let streams = Streams::new(StreamCaps {
            per_user: 2,
            per_network: 3,
        });
        let ip: IpAddr = "10.0.0.9".parse().expect("ip");
        let user = Uuid::new_v4();
        let a = streams.open(Some(user), ip).await.expect("first");
        let _b = streams.open(Some(user), ip).await.expect("second");
        assert!(streams.open(Some(user), ip).await.is_err(), "user cap");
        let _c = streams.open(None, ip).await.expect("anonymous");
        assert!(streams.open(None, ip).await.is_err(), "network cap");
        drop(a);
        assert!(streams.open(Some(user), ip).await.is_ok(), "freed");
    }
}
